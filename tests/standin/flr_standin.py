#!/usr/bin/env python3
"""Local stand-ins for the Fedora web services flr talks to (tests only).

One HTTP server on 127.0.0.1 speaks, in their wire shapes:

  /pagure/...    Pagure API v0 as on pagure.io (tickets)
  /distgit/...   Pagure API v0 as on src.fedoraproject.org, plus /_dg/anitya
  /kojihub       Koji hub XML-RPC (also /kojihub/ssllogin)
  /rest/...      Bugzilla REST
  /updates/...   Bodhi REST
  /fasjson/v1/... FASJSON (users, groups, members)
  /rhel/pkg_elN.json  RHEL's package lists

and a control API under /_standin/ (journal, fault injection, reset).

  python3 tests/standin/flr_standin.py --port 0 --ready-file F --seed SEED \\
      --journal J [--distgit-root DIR] [--fail-first K] [--flr-yaml PATH]

--flr-yaml writes, before the ready file, an flr.yaml that points every client at this
stand-in, with the seed's credentials as secret files beside it (write_flr_yaml(); the
Python tests import it, the C++ fixture passes the option).

See README.md beside this file for the seed schema and every endpoint.
"""

import argparse
import json
import os
import signal
import ssl
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import yaml  # noqa: E402

from standin_services.bodhi import BodhiService  # noqa: E402
from standin_services.bugzilla import BugzillaService  # noqa: E402
from standin_services.common import (  # noqa: E402
    MUTATING_METHODS, Journal, Request, Response, http_entry, json_response,
)
from standin_services.image import ImageService, mounts as image_mounts  # noqa: E402
from standin_services.fasjson import FasjsonService  # noqa: E402
from standin_services.koji import KojiHub  # noqa: E402
from standin_services.pagure import PagureService  # noqa: E402
from standin_services.rhel import RhelPackages  # noqa: E402

CONTROL_PREFIX = "/_standin/"


def load_seed(path):
    """The seed file as a dict ({} without a file)."""
    if not path:
        return {}
    with open(path, encoding="utf-8") as stream:
        data = json.load(stream) if path.endswith(".json") else yaml.safe_load(stream)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SystemExit("seed %s: top level must be a mapping" % path)
    unknown = set(data) - {"pagure", "distgit", "koji", "bugzilla", "bodhi", "fasjson", "rhel_packages"}
    if unknown:
        raise SystemExit("seed %s: unknown sections: %s" % (path, ", ".join(sorted(unknown))))
    return data


class Faults:
    """Pending fault rules: fail or stall the next K requests under a path prefix."""

    def __init__(self):
        self._rules = []
        self._lock = threading.Lock()

    def add(self, spec):
        """Add the rules a POST /_standin/faults body describes."""
        prefix = spec.get("path_prefix", "/")
        method = spec.get("method")
        added = []
        if spec.get("fail_next"):
            added.append({"kind": "fail", "remaining": int(spec["fail_next"]),
                          "status": int(spec.get("status", 503)), "path_prefix": prefix,
                          "method": method, "retry_after": spec.get("retry_after")})
        if spec.get("stall_next"):
            added.append({"kind": "stall", "remaining": int(spec["stall_next"]),
                          "seconds": float(spec.get("seconds", 5)), "path_prefix": prefix,
                          "method": method})
        if not added:
            raise ValueError("expected fail_next or stall_next")
        with self._lock:
            self._rules.extend(added)

    def take(self, kind, req):
        """Consume one use of the first matching rule of ``kind``; None if none."""
        with self._lock:
            for rule in self._rules:
                if (rule["kind"] == kind and req.path.startswith(rule["path_prefix"])
                        and rule["method"] in (None, req.method)):
                    rule["remaining"] -= 1
                    if rule["remaining"] <= 0:
                        self._rules.remove(rule)
                    return dict(rule)
        return None

    def describe(self):
        with self._lock:
            return [dict(r) for r in self._rules]

    def clear(self):
        with self._lock:
            self._rules = []


class StandIn:
    """All services, their seed, the journal and the fault rules."""

    def __init__(self, seed_path=None, journal_path=None, distgit_root=None, fail_first=0,
                 fail_status=503):
        self.seed = load_seed(seed_path)
        self.seed_dir = os.path.dirname(os.path.abspath(seed_path)) if seed_path else None
        self.journal = Journal(journal_path)
        self.lock = threading.RLock()
        self.pagure = PagureService("pagure", "/pagure", self.journal, default_branch="main")
        self.distgit = PagureService("distgit", "/distgit", self.journal, default_branch="rawhide",
                                     repo_root=distgit_root, distgit_extras=True)
        self.koji = KojiHub(self.journal)
        self.bugzilla = BugzillaService(self.journal)
        self.bodhi = BodhiService(self.journal)
        self.fasjson = FasjsonService(self.journal)
        self.rhel = RhelPackages(self.journal)
        self.mounts = [("/pagure", "pagure", self.pagure), ("/distgit", "distgit", self.distgit),
                       ("/kojihub", "koji", self.koji), ("/rest", "bugzilla", self.bugzilla),
                       ("/updates", "bodhi", self.bodhi)]
        self.image = ImageService(self.koji, self.bodhi, self.journal)
        self.mounts += image_mounts(self.image)
        self.mounts += [("/fasjson", "fasjson", self.fasjson), ("/rhel", "rhel_packages", self.rhel)]
        self.faults = Faults()
        self.fail_first = (fail_first, fail_status)
        self._apply_seed()

    def _apply_seed(self):
        now = time.time()
        self.pagure.load(self.seed.get("pagure"), now, self.seed_dir)
        self.distgit.load(self.seed.get("distgit"), now, self.seed_dir)
        self.koji.load(self.seed.get("koji"), now)
        self.bugzilla.load(self.seed.get("bugzilla"), now)
        self.bodhi.load(self.seed.get("bodhi"), now)
        self.fasjson.load(self.seed.get("fasjson"))
        self.rhel.load(self.seed.get("rhel_packages"))
        if self.fail_first[0]:
            self.faults.add({"fail_next": self.fail_first[0], "status": self.fail_first[1]})

    def reset(self):
        """Back to the seed: state, git refs, journal and fault rules."""
        with self.lock:
            self.faults.clear()
            self.pagure.reset_storage()
            self.distgit.reset_storage()
            self.journal.clear()
            self.image.reset()
            self.fail_first = (0, self.fail_first[1])
            self._apply_seed()

    # -------------------------------------------------------------- requests

    def handle(self, req):
        if req.path.startswith(CONTROL_PREFIX):
            return self._control(req)
        for prefix, name, service in self.mounts:
            if req.path == prefix or req.path.startswith(prefix + "/"):
                req.route = req.path[len(prefix):]
                return self._serve(req, name, service)
        return Response(404, "Not Found\n", "text/plain; charset=utf-8")

    def _serve(self, req, name, service):
        stall = self.faults.take("stall", req)
        if stall:
            time.sleep(stall["seconds"])
        fail = self.faults.take("fail", req)
        with self.lock:
            if fail:
                return self._injected_failure(req, name, service, fail)
            return service.handle(req)

    def _injected_failure(self, req, name, service, rule):
        status = rule["status"]
        if name == "koji":
            for call, args, kwargs in self.koji.mutations(req.body):
                self.journal.record(http_entry("koji", req, status, service.authenticated(req),
                                               call=call, args=args, kwargs=kwargs, injected="fail"))
        elif req.method in MUTATING_METHODS:
            self.journal.record(http_entry(name, req, status, service.authenticated(req),
                                           injected="fail"))
        headers = {"Retry-After": str(rule["retry_after"])} if rule.get("retry_after") is not None else {}
        body = ("<html><head><title>%d Injected Failure</title></head><body>"
                "<h1>%d Injected Failure</h1><p>flr stand-in fault rule</p></body></html>\n"
                % (status, status))
        return Response(status, body, "text/html; charset=utf-8", headers)

    def _control(self, req):
        what = req.path[len(CONTROL_PREFIX):].strip("/")
        if what == "journal" and req.method == "GET":
            return json_response(self.journal.entries())
        if what == "faults" and req.method == "GET":
            return json_response({"faults": self.faults.describe()})
        if what == "faults" and req.method == "POST":
            try:
                spec = json.loads(req.body or b"{}")
                if spec.get("clear"):
                    self.faults.clear()
                else:
                    self.faults.add(spec)
            except (ValueError, TypeError, AttributeError) as err:
                return json_response({"error": str(err)}, 400)
            return json_response({"faults": self.faults.describe()})
        if what.startswith("image/"):
            with self.lock:
                return self.image.control(req, what)
        if what == "reset" and req.method == "POST":
            self.reset()
            return json_response({"message": "State reset to the seed"})
        return json_response({"error": "unknown control endpoint %s %s" % (req.method, req.path)}, 404)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "flr-standin/1.0"

    def do_GET(self):
        self._serve()

    do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = do_GET

    def _read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _serve(self):
        body = self._read_body()
        host = self.headers.get("Host") or "%s:%d" % self.server.server_address[:2]
        method = "GET" if self.command == "HEAD" else self.command   # HEAD: GET without body
        req = Request(method, self.path, self.headers, body, "http://" + host)
        try:
            response = self.server.standin.handle(req)
        except Exception:
            traceback.print_exc()
            response = Response(500, "Internal Server Error\n", "text/plain; charset=utf-8")
        try:
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            for key, value in response.headers.items():
                self.send_header(key, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def log_message(self, fmt, *args):
        if self.server.verbose:
            super().log_message(fmt, *args)


def write_secret(path, text):
    """A secret file as flr requires it: mode 0600 from its creation on. Returns its path."""
    path = str(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)   # an existing file keeps its mode through O_CREAT
    with os.fdopen(fd, "w", encoding="utf-8") as stream:
        stream.write(text)
    return path


def flr_config(url, secrets_dir, seed=None, distgit_root=None, extra=None):
    """The flr.yaml mapping for the stand-in at `url`: every service's URL, and the seed's
    credentials written as secret files into `secrets_dir`. dist-git's git_url names the
    bare repos under `distgit_root`, or the stand-in's dist-git when there are none.
    `extra` (a mapping) adds or replaces top-level sections."""
    seed = seed or {}
    secrets_dir = str(secrets_dir)

    def secret(name, section, key, default):
        text = str((seed.get(section) or {}).get(key, default)) + "\n"
        return write_secret(os.path.join(secrets_dir, name), text)

    if distgit_root:
        git_url = "file://" + os.path.abspath(str(distgit_root))
    else:
        git_url = url + "/distgit"
    config = {
        "pagure": {"url": url + "/pagure", "token_file": secret("pagure.token", "pagure", "token", "pagure-token")},
        "distgit": {"url": url + "/distgit", "git_url": git_url,
                    "token_file": secret("distgit.token", "distgit", "token", "distgit-token")},
        "koji": {"url": url + "/kojihub", "topurl": url + "/kojifiles",
                 "cert": write_secret(os.path.join(secrets_dir, "koji.pem"), "not used over plain http\n")},
        "bugzilla": {"url": url, "api_key_file": secret("bugzilla.key", "bugzilla", "api_key", "bugzilla-key")},
        "bodhi": {"url": url},
        "fasjson": {"url": url + "/fasjson"},
        "rhel_packages": {"url": url + "/rhel"},
    }
    config.update(extra or {})
    return config


def write_flr_yaml(path, url, seed=None, distgit_root=None, extra=None):
    """Write flr_config() to `path`, its secret files beside it. Returns the path."""
    path = str(path)
    config = flr_config(url, os.path.dirname(os.path.abspath(path)), seed, distgit_root, extra)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as stream:
        yaml.safe_dump(config, stream, sort_keys=False)
    os.replace(tmp, path)
    return path


def write_ready_file(path, url):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as stream:
        json.dump({"url": url, "pid": os.getpid()}, stream)
        stream.write("\n")
    os.replace(tmp, path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port; 0 picks a free one (default)")
    parser.add_argument("--ready-file", help='write {"url": ..., "pid": ...} here once listening')
    parser.add_argument("--seed", help="seed file (YAML, or JSON when it ends in .json)")
    parser.add_argument("--journal", help="append mutating requests here as JSON lines (truncated at start)")
    parser.add_argument("--distgit-root", help="bare dist-git repos as DIR/<namespace>/<name>.git")
    parser.add_argument("--fail-first", type=int, default=0, metavar="K",
                        help="answer the first K service requests with --fail-status")
    parser.add_argument("--fail-status", type=int, default=503, help="status for --fail-first (503)")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    parser.add_argument("--tls-cert", help="serve HTTPS with this certificate (PEM; needs --tls-key)")
    parser.add_argument("--tls-key", help="private key of --tls-cert (PEM)")
    parser.add_argument("--flr-yaml", metavar="PATH",
                        help="once listening, write an flr.yaml for this stand-in (secrets beside it)")
    parser.add_argument("--flr-yaml-extra", metavar="YAML", default="",
                        help="with --flr-yaml: top-level sections (a YAML mapping) to add or replace")
    parser.add_argument("--tls-client-ca", help="with --tls-cert: require a client certificate signed by this CA")
    args = parser.parse_args(argv)

    standin = StandIn(args.seed, args.journal, args.distgit_root, args.fail_first, args.fail_status)
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    server.standin = standin
    server.verbose = args.verbose
    scheme = "http"
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        if args.tls_client_ca:
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations(args.tls_client_ca)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    url = "%s://%s:%d" % ((scheme,) + server.server_address[:2])

    def stop(_signum, _frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.flr_yaml:
        extra = yaml.safe_load(args.flr_yaml_extra) or {}
        if not isinstance(extra, dict):
            raise SystemExit("--flr-yaml-extra: expected a YAML mapping")
        write_flr_yaml(args.flr_yaml, url, standin.seed, args.distgit_root, extra)
    if args.ready_file:
        write_ready_file(args.ready_file, url)
    print("flr-standin listening on %s" % url, file=sys.stderr, flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        if args.ready_file and os.path.exists(args.ready_file):
            os.unlink(args.ready_file)
    return 0


if __name__ == "__main__":
    sys.exit(main())
