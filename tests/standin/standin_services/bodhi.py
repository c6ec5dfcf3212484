"""Bodhi REST stand-in: GET /updates/ (ListUpdateSchema) and GET /updates/<alias>.

Read-only: other methods answer 405 and are journaled.  Validation errors use Cornice's body
``{"status": "error", "errors": [{"location", "name", "description"}]}``.
"""

import math
import re
import time

from .common import fmt_space, http_entry, json_response, to_epoch

UPDATE_STATUSES = ("pending", "testing", "stable", "unpushed", "obsolete",
                   "side_tag_active", "side_tag_expired")


class InvalidParams(Exception):
    def __init__(self, errors, status=400):
        super().__init__("invalid parameters")
        self.errors = errors
        self.status = status


def _release_json(name, extra):
    release = {"name": name}
    match = re.fullmatch(r"F(\d+)([CF]?)", name)
    if match:
        version = match.group(1)
        release.update({"long_name": "Fedora %s" % version, "version": version,
                        "id_prefix": "FEDORA", "branch": "f%s" % version,
                        "dist_tag": "f%s" % version})
    release.update(extra or {})
    return release


class BodhiService:
    def __init__(self, journal):
        self.journal = journal
        self.load({}, time.time())

    def load(self, seed, now):
        seed = seed or {}
        self.releases = {}
        for rel in seed.get("releases") or []:
            rel = {"name": rel} if isinstance(rel, str) else dict(rel)
            name = rel.pop("name")
            self.releases[name.lower()] = _release_json(name, rel)
        self.updates = []
        for index, upd in enumerate(seed.get("updates") or []):
            self.updates.append(self._update(upd, index, now))

    def _update(self, seed, index, now):
        rel_name = seed.get("release", "F40")
        if rel_name.lower() not in self.releases:
            self.releases[rel_name.lower()] = _release_json(rel_name, None)
        submitted = to_epoch(seed.get("date_submitted", "-7d"), now)
        pushed = to_epoch(seed.get("date_pushed"), now)
        status = seed.get("status", "testing")
        stable = to_epoch(seed.get("date_stable"), now)
        if stable is None and status == "stable":
            stable = pushed
        builds = []
        for build in seed.get("builds") or []:
            build = {"nvr": build} if isinstance(build, str) else dict(build)
            builds.append({"nvr": build["nvr"], "type": build.get("type", "rpm"),
                           "epoch": build.get("epoch", 0), "signed": build.get("signed", True)})
        alias = seed.get("alias") or "FEDORA-%s-%010x" % (time.gmtime(submitted).tm_year, index + 1)
        return {
            "alias": alias,
            "title": seed.get("title", " ".join(b["nvr"] for b in builds)),
            "status": status,
            "request": seed.get("request"),
            "type": seed.get("type", "bugfix"),
            "severity": seed.get("severity", "unspecified"),
            "karma": seed.get("karma", 0),
            "stable_karma": seed.get("stable_karma", 3),
            "release": dict(self.releases[rel_name.lower()]),
            "user": {"name": seed.get("user", "packager")},
            "notes": seed.get("notes", ""),
            "pushed": pushed is not None,
            "date_submitted": fmt_space(submitted),
            "date_modified": fmt_space(to_epoch(seed.get("date_modified"), now)),
            "date_pushed": fmt_space(pushed),
            "date_stable": fmt_space(stable),
            "date_testing": fmt_space(to_epoch(seed.get("date_testing"), now)),
            "builds": builds,
            "url": "https://bodhi.fedoraproject.org/updates/%s" % alias,
            "_submitted": submitted,
            "_pushed": pushed,
        }

    def authenticated(self, req):
        """The stand-in serves Bodhi's read-only API, which takes no credentials."""
        return False

    @staticmethod
    def _public(update):
        return {k: v for k, v in update.items() if not k.startswith("_")}

    def handle(self, req):
        route = req.route
        if req.method != "GET":
            # Bodhi's update-editing calls are outside the stand-in: refuse, but journal them.
            response = json_response({"status": "error", "errors": [
                {"location": "body", "name": "method", "description": "Method not allowed"}]}, 405)
            self.journal.record(http_entry("bodhi", req, response.status, False))
            return response
        try:
            if route in ("", "/"):
                return self.list_updates(req)
            alias = route.strip("/")
            for update in self.updates:
                if update["alias"] == alias:
                    return json_response({"update": self._public(update), "can_edit": False})
            raise InvalidParams([{"location": "url", "name": "id",
                                  "description": "Invalid update id"}], 404)
        except InvalidParams as err:
            return json_response({"status": "error", "errors": err.errors}, err.status)

    @staticmethod
    def _list_arg(req, name):
        return [v.strip() for value in req.arg_list(name) for v in value.split(",") if v.strip()]

    def _int_arg(self, req, name, default, low, high):
        value = req.arg(name)
        if value is None or value == "":
            return default
        try:
            number = int(value)
        except ValueError:
            raise InvalidParams([{"location": "querystring", "name": name,
                                  "description": '"%s" is not a number' % value}])
        if number < low:
            raise InvalidParams([{"location": "querystring", "name": name,
                                  "description": "%d is less than minimum value %d" % (number, low)}])
        if high is not None and number > high:
            raise InvalidParams([{"location": "querystring", "name": name,
                                  "description": "%d is greater than maximum value %d" % (number, high)}])
        return number

    def _time_arg(self, req, name):
        value = req.arg(name)
        if not value:
            return None
        try:
            return to_epoch(value.replace(" ", "T", 1), time.time())
        except ValueError:
            raise InvalidParams([{"location": "querystring", "name": name,
                                  "description": "Invalid date"}])

    def list_updates(self, req):
        page = self._int_arg(req, "page", 1, 1, None)
        rows = self._int_arg(req, "rows_per_page", 20, 1, 100)
        releases = self._list_arg(req, "releases")
        unknown = [r for r in releases if r.lower() not in self.releases]
        if unknown:
            raise InvalidParams([{"location": "querystring", "name": "releases",
                                  "description": "Invalid releases specified: %s" % ", ".join(unknown)}])
        status = req.arg("status")
        if status and status not in UPDATE_STATUSES:
            raise InvalidParams([{"location": "querystring", "name": "status",
                                  "description": '"%s" is not one of %s' % (status, ", ".join(UPDATE_STATUSES))}])
        packages = self._list_arg(req, "packages")
        builds = self._list_arg(req, "builds")
        aliases = self._list_arg(req, "alias")
        bounds = {name: self._time_arg(req, name) for name in
                  ("pushed_since", "pushed_before", "submitted_since", "submitted_before")}

        def wanted(update):
            if releases and update["release"]["name"].lower() not in {r.lower() for r in releases}:
                return False
            if status and update["status"] != status:
                return False
            if aliases and update["alias"] not in aliases:
                return False
            nvrs = [b["nvr"] for b in update["builds"]]
            if builds and not set(builds) & set(nvrs):
                return False
            if packages and not set(packages) & {n.rsplit("-", 2)[0] for n in nvrs}:
                return False
            pushed, submitted = update["_pushed"], update["_submitted"]
            if bounds["pushed_since"] is not None and (pushed is None or pushed < bounds["pushed_since"]):
                return False
            if bounds["pushed_before"] is not None and (pushed is None or pushed >= bounds["pushed_before"]):
                return False
            if bounds["submitted_since"] is not None and submitted < bounds["submitted_since"]:
                return False
            if bounds["submitted_before"] is not None and submitted >= bounds["submitted_before"]:
                return False
            return True

        matching = sorted((u for u in self.updates if wanted(u)), key=lambda u: u["_submitted"],
                          reverse=True)
        total = len(matching)
        chunk = matching[(page - 1) * rows:page * rows]
        return json_response({
            "updates": [self._public(u) for u in chunk],
            "page": page,
            "pages": int(math.ceil(total / float(rows))),
            "rows_per_page": rows,
            "total": total,
        })
