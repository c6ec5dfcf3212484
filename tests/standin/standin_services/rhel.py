"""RHEL package lists stand-in (/rhel/pkg_el{N}.json), as fedpkg reads them from
infrastructure.fedoraproject.org/repo/json/. Every request is recorded in the journal.

Seed (section ``rhel_packages``), by major version:

  9:
    arches: [aarch64, i686, noarch, ppc64le, s390x, x86_64]
    packages:
      bash: {arch: [aarch64, ppc64le, s390x, x86_64]}
"""

import re

from .common import Response, http_entry, json_response


class RhelPackages:
    def __init__(self, journal):
        self.journal = journal
        self.load({})

    def load(self, seed):
        self.releases = {int(k): v for k, v in (seed or {}).items()}

    def handle(self, req):
        response = self._dispatch(req)
        self.journal.record(http_entry("rhel_packages", req, response.status, False))
        return response

    def _dispatch(self, req):
        match = re.fullmatch(r"/pkg_el([0-9]+)\.json", req.route)
        if req.method != "GET" or not match or int(match.group(1)) not in self.releases:
            return Response(404, "<html><body><h1>Not Found</h1></body></html>\n", "text/html; charset=utf-8")
        release = self.releases[int(match.group(1))]
        return json_response({"arches": list(release.get("arches") or []),
                              "packages": {name: {"arch": list(p.get("arch") or [])}
                                           for name, p in (release.get("packages") or {}).items()}})
