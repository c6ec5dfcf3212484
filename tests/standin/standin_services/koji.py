"""Koji hub stand-in: XML-RPC at /kojihub built on xmlrpc.server.

Field lists follow kojihub.py (get_build, readTaggedBuilds, readPackageList,
list_tags, list_archives, list_rpms); see fixtures/apis/koji_*.json.

Wire conventions reproduced from koji/__init__.py and kojixmlrpc.py:
  * keyword arguments travel as a trailing struct carrying ``__starstar: True``;
  * None is <nil/>; integers beyond 32 bits are sent as <i8>;
  * errors are XML-RPC faults whose faultCode is the koji exception's code
    (GenericError 1000, AuthError 1002, ActionNotAllowed 1004, AuthExpired
    1007, SequenceError 1008, RetryError 1009, ParameterError 1019) and whose
    faultString is the exception text;
  * a session is named by the ``session-id``/``session-key``/``callnum`` query
    parameters (or the Koji-Session-Id/Koji-Session-Key/Koji-Callnum headers).
"""

import datetime
import fnmatch
import hashlib
import inspect
import secrets
import time
import traceback
import xmlrpc.client
from xmlrpc.client import Fault
from xmlrpc.server import SimpleXMLRPCDispatcher

from .common import Response, UTC, http_entry, text_response, to_epoch


class KojiError(Exception):
    faultCode = 1000


class GenericError(KojiError):
    faultCode = 1000


class AuthError(KojiError):
    faultCode = 1002


class ActionNotAllowed(KojiError):
    faultCode = 1004


class AuthExpired(AuthError):
    faultCode = 1007


class SequenceError(AuthError):
    faultCode = 1008


class RetryError(AuthError):
    faultCode = 1009


class ParameterError(KojiError):
    faultCode = 1019


BUILD_STATES = {"BUILDING": 0, "COMPLETE": 1, "DELETED": 2, "FAILED": 3, "CANCELED": 4}
# Calls that change hub state: journaled.
MUTATING_CALLS = frozenset({"packageListUnblock"})
# archivetypes rows (id, name, description, extensions) for image archives.
ARCHIVE_TYPES = {
    "tar": (101, "Tar file", "tar tar.gz tar.bz2 tar.xz tgz"),
    "qcow2": (102, "QCOW2 image", "qcow2"),
    "raw-xz": (103, "xz compressed raw disk image", "raw.xz"),
    "iso": (104, "CD/DVD Image", "iso"),
    "vagrant-libvirt": (105, "Vagrant box for libvirt", "vagrant-libvirt.box"),
}
MAXINT = 2 ** 31 - 1
MININT = -2 ** 31


class KojiMarshaller(xmlrpc.client.Marshaller):
    """Marshaller that writes big integers as <i8>, as koji's ExtendedMarshaller does."""

    dispatch = dict(xmlrpc.client.Marshaller.dispatch)

    def dump_int(self, value, write):
        tag = "int" if MININT <= value <= MAXINT else "i8"
        write("<value><%s>%d</%s></value>\n" % (tag, value, tag))

    dispatch[int] = dump_int


def dumps_response(value):
    # Marshaller.dumps of a tuple already writes the <params> element.
    body = KojiMarshaller("utf-8", allow_none=True).dumps((value,))
    return ("<?xml version='1.0'?>\n<methodResponse>\n%s"
            "</methodResponse>\n" % body).encode("utf-8", "xmlcharrefreplace")


def dumps_fault(fault):
    body = KojiMarshaller("utf-8", allow_none=True).dumps(fault)
    return ("<?xml version='1.0'?>\n<methodResponse>\n%s</methodResponse>\n"
            % body).encode("utf-8", "xmlcharrefreplace")


def decode_args(params):
    """Split XML-RPC params into (args, kwargs) per koji.decode_args."""
    args = list(params)
    kwargs = {}
    if args and isinstance(args[-1], dict) and args[-1].get("__starstar"):
        kwargs = dict(args.pop())
        del kwargs["__starstar"]
    return args, kwargs


def parse_nvr(nvr):
    name, version, release = nvr.rsplit("-", 2)
    return name, version, release


def parse_nvra(nvra):
    nvr, arch = nvra.rsplit(".", 1)
    return parse_nvr(nvr) + (arch,)


def koji_time(ts, micro=False):
    if ts is None:
        return None
    moment = datetime.datetime.fromtimestamp(ts, UTC)
    if micro:
        return moment.strftime("%Y-%m-%d %H:%M:%S.%f+00:00")
    return moment.isoformat(" ")


def _unsupported(**params):
    used = sorted(k for k, v in params.items() if v is not None)
    if used:
        raise GenericError("not supported by the stand-in hub: %s" % ", ".join(used))


def _query_opts(rows, opts):
    """Apply koji queryOpts order/offset/limit/countOnly to a result list."""
    if not opts:
        return rows
    order = opts.get("order")
    if order:
        for key in reversed(order.split(",")):
            key = key.strip()
            rows = sorted(rows, key=lambda r, k=key.lstrip("-"): (r.get(k) is None, r.get(k)),
                          reverse=key.startswith("-"))
    offset = opts.get("offset") or 0
    limit = opts.get("limit")
    rows = rows[offset:offset + limit if limit is not None else None]
    if opts.get("countOnly"):
        return len(rows)
    return rows


class KojiDispatcher(SimpleXMLRPCDispatcher):
    """xmlrpc.server dispatcher with koji's argument and fault conventions."""

    def __init__(self, hub):
        super().__init__(allow_none=True, encoding="utf-8", use_builtin_types=True)
        self.hub = hub
        for name in ("getAPIVersion", "sslLogin", "logout", "getLoggedInUser", "getBuild",
                     "getLatestBuilds", "listTagged", "listPackages", "getTag", "listTags",
                     "listArchives", "listRPMs", "packageListUnblock"):
            self.register_function(getattr(hub, name), name)
        self.register_function(self.multiCall, "multiCall")
        self.register_multicall_functions()
        self.register_introspection_functions()

    def multiCall(self, calls=None, strict=False):
        results = []
        for call in calls or []:
            try:
                results.append([self._dispatch(call["methodName"], call.get("params", []))])
            except Fault as fault:
                if strict:
                    raise
                results.append({"faultCode": fault.faultCode, "faultString": fault.faultString})
        return results

    def _dispatch(self, method, params):
        args, kwargs = decode_args(params)
        fault = None
        try:
            return self._call(method, args, kwargs)
        except Fault as err:
            fault = err
            raise
        finally:
            if method in MUTATING_CALLS:
                self.hub.record_call(method, args, kwargs, fault)

    def _call(self, method, args, kwargs):
        func = self.funcs.get(method)
        if func is None:
            raise Fault(GenericError.faultCode, "Invalid method: %s" % method)
        try:
            inspect.signature(func).bind(*args, **kwargs)
        except TypeError as err:
            raise Fault(ParameterError.faultCode, str(err))
        try:
            return func(*args, **kwargs)
        except KojiError as err:
            raise Fault(err.faultCode, str(err))

    def dispatch_body(self, body):
        """Bytes of the methodResponse for one request body."""
        try:
            params, method = xmlrpc.client.loads(body, use_builtin_types=True)
            return dumps_response(self._dispatch(method, params))
        except Fault as fault:
            return dumps_fault(fault)
        except Exception as exc:  # malformed XML and the like, as kojixmlrpc reports them
            traceback.print_exc()
            return dumps_fault(Fault(1, "%s: %s" % (type(exc), exc)))


class KojiHub:
    """State and API methods of the stand-in hub."""

    def __init__(self, journal):
        self.journal = journal
        self.dispatcher = KojiDispatcher(self)
        self._request = None
        self._session = None
        self.load({}, time.time())

    # ------------------------------------------------------------------ seed

    def load(self, seed, now):
        seed = seed or {}
        self.now = now
        self.sessions = {}
        self.login_user = seed.get("login_user", "releng")
        self.users, self.user_ids = {}, {}
        self._ids = {"user": 100, "package": 10000, "tag": 1000, "build": 100000,
                     "archive": 8000000, "rpm": 38000000, "session": 1, "event": 100000}
        for user in seed.get("users") or []:
            if isinstance(user, str):
                user = {"name": user}
            self._user(user["name"], user.get("id"), user.get("perms"))
        if self.login_user not in self.user_ids:
            self._user(self.login_user, perms=["admin"])
        self.packages, self.package_ids = {}, {}
        for pkg in seed.get("packages") or []:
            if isinstance(pkg, str):
                pkg = {"name": pkg}
            self._package(pkg["name"], pkg.get("id"))
        self.builds, self.build_by_nvr = {}, {}
        self.archives, self.rpms = {}, {}
        for build in seed.get("builds") or []:
            self._add_build(build)
        for build in seed.get("builds") or []:
            self._add_build_contents(self.build_by_nvr[build["nvr"]], build)
        self.tags, self.tag_ids = {}, {}
        tag_seeds = seed.get("tags") or []
        for tag in tag_seeds:
            self._add_tag(tag)
        for tag in tag_seeds:
            self._fill_tag(self.tags[self.tag_ids[tag["name"]]], tag)

    def _next(self, kind, wanted=None):
        if wanted is not None:
            value = int(wanted)
            self._ids[kind] = max(self._ids[kind], value + 1)
            return value
        value = self._ids[kind]
        self._ids[kind] += 1
        return value

    def _user(self, name, user_id=None, perms=None):
        if name in self.user_ids:
            user = self.users[self.user_ids[name]]
            if perms is not None:
                user["perms"] = list(perms)
            return user["id"]
        uid = self._next("user", user_id)
        self.users[uid] = {"id": uid, "name": name,
                           "perms": list(perms) if perms is not None else []}
        self.user_ids[name] = uid
        return uid

    def _package(self, name, pkg_id=None):
        if name in self.package_ids:
            return self.package_ids[name]
        pid = self._next("package", pkg_id)
        self.packages[pid] = name
        self.package_ids[name] = pid
        return pid

    def _add_build(self, bs):
        name, version, release = parse_nvr(bs["nvr"])
        created = to_epoch(bs.get("creation_time", bs.get("completion_time", "-1d")), self.now)
        completed = to_epoch(bs.get("completion_time"), self.now) or created
        started = to_epoch(bs.get("start_time"), self.now) or completed - 600
        state = bs.get("state", 1)
        build = {
            "id": self._next("build", bs.get("id")),
            "package_id": self._package(name),
            "name": name, "version": version, "release": release,
            "epoch": bs.get("epoch"),
            "nvr": bs["nvr"],
            "state": BUILD_STATES.get(state, state) if isinstance(state, str) else int(state),
            "draft": bool(bs.get("draft", False)),
            "task_id": bs.get("task_id"),
            "owner_id": self._user(bs.get("owner", "releng")),
            "creation_event_id": self._next("event"),
            "creation_ts": created, "start_ts": started, "completion_ts": completed,
            "source": bs.get("source"),
            "extra": bs.get("extra"),
            "type": bs.get("type", "rpm"),
            "archives": [], "rpms": [],
        }
        if build["task_id"] is None and build["type"] == "rpm":
            build["task_id"] = 110000000 + build["id"] % 10000000
        self.builds[build["id"]] = build
        self.build_by_nvr[build["nvr"]] = build
        return build

    def _build_for(self, nvr):
        """The build of ``nvr``, made with defaults when the seed did not describe it."""
        build = self.build_by_nvr.get(nvr)
        if build is None:
            build = self._add_build({"nvr": nvr})
        return build

    def _add_rpm(self, spec, build_id):
        if isinstance(spec, str):
            spec = {"nvra": spec}
        if "nvra" in spec:
            name, version, release, arch = parse_nvra(spec["nvra"])
        else:
            name, version, release, arch = (spec["name"], spec["version"], spec["release"],
                                            spec.get("arch", "x86_64"))
        nvr = "%s-%s-%s" % (name, version, release)
        if spec.get("build"):
            build_id = self._build_for(spec["build"])["id"]
        elif build_id is None and nvr in self.build_by_nvr:
            build_id = self.build_by_nvr[nvr]["id"]
        build = self.builds.get(build_id)
        rpm = {
            "id": self._next("rpm", spec.get("id")),
            "name": name, "version": version, "release": release, "nvr": nvr, "arch": arch,
            "epoch": spec.get("epoch", build["epoch"] if build else None),
            "draft": False,
            "payloadhash": hashlib.md5(("%s.%s" % (nvr, arch)).encode()).hexdigest(),
            "size": int(spec.get("size", 1000000)),
            "buildtime": int(spec.get("buildtime", build["completion_ts"] - 60 if build else self.now)),
            "build_id": build_id,
            "buildroot_id": spec.get("buildroot_id", 50000000),
            "external_repo_id": 0,
            "external_repo_name": "INTERNAL",
            "metadata_only": False,
            "extra": None,
        }
        self.rpms[rpm["id"]] = rpm
        return rpm["id"]

    def _add_build_contents(self, build, bs):
        for spec in bs.get("rpms") or []:
            build["rpms"].append(self._add_rpm(spec, build["id"]))
        for arc in bs.get("archives") or []:
            type_name = arc.get("type_name", "tar")
            type_id, type_desc, type_ext = ARCHIVE_TYPES.get(type_name, (100, type_name, type_name))
            archive = {
                "id": self._next("archive", arc.get("id")),
                "type_id": arc.get("type_id", type_id),
                "type_name": type_name,
                "type_description": type_desc,
                "type_extensions": type_ext,
                "build_id": build["id"],
                "buildroot_id": arc.get("buildroot_id", 50000001),
                "filename": arc["filename"],
                "size": int(arc.get("size", 0)),
                "checksum": arc.get("checksum", hashlib.sha256(arc["filename"].encode()).hexdigest()),
                "checksum_type": arc.get("checksum_type", 2),
                "arch": arc.get("arch", "x86_64"),
                "btype": arc.get("btype", "image"),
                "rpms": [self._add_rpm(spec, None) for spec in arc.get("rpms") or []],
            }
            self.archives[archive["id"]] = archive
            build["archives"].append(archive["id"])

    def _add_tag(self, ts):
        tid = self._next("tag", ts.get("id"))
        self.tags[tid] = {
            "id": tid, "name": ts["name"],
            "arches": ts.get("arches", ""),
            "locked": bool(ts.get("locked", False)),
            "perm": ts.get("perm"),
            "perm_id": ts.get("perm_id", 1 if ts.get("perm") else None),
            "maven_support": False, "maven_include_all": False,
            "extra": dict(ts.get("extra") or {}),
            "parents": [], "packages": {}, "tagged": [],
        }
        self.tag_ids[ts["name"]] = tid

    def _fill_tag(self, tag, ts):
        for parent in ts.get("parents") or []:
            tag["parents"].append(self._tag(parent, strict=True)["id"])
        for ps in ts.get("packages") or []:
            if isinstance(ps, str):
                ps = {"name": ps}
            tag["packages"][self._package(ps["name"], ps.get("id"))] = {
                "owner_id": self._user(ps.get("owner", "releng")),
                "blocked": bool(ps.get("blocked", False)),
                "extra_arches": ps.get("extra_arches", ""),
            }
        for entry in ts.get("builds") or []:
            if isinstance(entry, str):
                entry = {"nvr": entry}
            build = self._build_for(entry["nvr"])
            self._tag_build(tag, build, entry.get("create_event"))

    def _tag_build(self, tag, build, event=None):
        """Tag ``build``; its package joins the tag's list unless listed by inheritance."""
        if not any(build["package_id"] in self.tags[t]["packages"] for t in self._inheritance(tag["id"])):
            tag["packages"][build["package_id"]] = {"owner_id": build["owner_id"], "blocked": False,
                                                    "extra_arches": ""}
        tag["tagged"].append({"build_id": build["id"], "create_event": self._next("event", event),
                              "owner_id": build["owner_id"]})

    # ----------------------------------------------------------------- lookup

    def _tag(self, info, strict=False):
        if isinstance(info, dict):
            info = info.get("id", info.get("name"))
        tag = self.tags.get(info) if isinstance(info, int) else self.tags.get(self.tag_ids.get(info))
        if tag is None and strict:
            raise GenericError("No such tagInfo: %r" % (info,))
        return tag

    def _package_id(self, info, strict=False):
        if isinstance(info, int):
            pid = info if info in self.packages else None
        else:
            pid = self.package_ids.get(info)
        if pid is None and strict:
            raise GenericError("No such package: %s" % (info,))
        return pid

    def _inheritance(self, tag_id):
        """Tag ids in inheritance order: the tag, then its parents depth first."""
        order, seen = [tag_id], {tag_id}

        def walk(tid):
            for parent in self.tags[tid]["parents"]:
                if parent not in seen:
                    seen.add(parent)
                    order.append(parent)
                    walk(parent)

        walk(tag_id)
        return order

    def _package_list(self, tag_id, inherit, with_dups=False):
        """[(tag_id, package_id, entry)] like kojihub.readPackageList."""
        rows, seen = [], set()
        for tid in self._inheritance(tag_id) if inherit else [tag_id]:
            for pid, entry in sorted(self.tags[tid]["packages"].items()):
                if pid in seen and not with_dups:
                    continue
                seen.add(pid)
                rows.append((tid, pid, entry))
        return rows

    # ------------------------------------------------------------------ JSON

    def _user_name(self, uid):
        return self.users[uid]["name"] if uid in self.users else None

    def _build_json(self, build):
        return {
            "build_id": build["id"],
            "id": build["id"],
            "package_id": build["package_id"],
            "package_name": build["name"],
            "name": build["name"],
            "version": build["version"],
            "release": build["release"],
            "epoch": build["epoch"],
            "nvr": build["nvr"],
            "state": build["state"],
            "draft": build["draft"],
            "task_id": build["task_id"],
            "owner_id": build["owner_id"],
            "owner_name": self._user_name(build["owner_id"]),
            "volume_id": 0,
            "volume_name": "DEFAULT",
            "creation_event_id": build["creation_event_id"],
            "creation_time": koji_time(build["creation_ts"], micro=True),
            "creation_ts": build["creation_ts"],
            "start_time": koji_time(build["start_ts"]),
            "start_ts": build["start_ts"],
            "completion_time": koji_time(build["completion_ts"]),
            "completion_ts": build["completion_ts"],
            "promotion_time": None,
            "promotion_ts": None,
            "promoter_id": None,
            "promoter_name": None,
            "cg_id": None,
            "source": build["source"],
            "extra": build["extra"],
        }

    def _tagged_json(self, build, tag, event):
        row = self._build_json(build)
        for key in ("creation_ts", "start_ts", "completion_ts", "promotion_ts", "cg_id",
                    "source", "extra"):
            del row[key]
        row.update({"tag_id": tag["id"], "tag_name": tag["name"], "create_event": event})
        return row

    def _tag_json(self, tag):
        return {
            "id": tag["id"], "name": tag["name"], "arches": tag["arches"],
            "locked": tag["locked"], "maven_support": tag["maven_support"],
            "maven_include_all": tag["maven_include_all"],
            "perm_id": tag["perm_id"], "perm": tag["perm"],
        }

    # ------------------------------------------------------------- sessions

    def handle(self, req):
        if req.method != "POST":
            return text_response("Method Not Allowed\n", 405)
        self._request = req
        try:
            try:
                self._session = self._load_session(req)
            except KojiError as err:
                fault = Fault(err.faultCode, str(err))
                for call, args, kwargs in self.mutations(req.body):
                    self.record_call(call, args, kwargs, fault)
                return Response(200, dumps_fault(fault), "text/xml")
            return Response(200, self.dispatcher.dispatch_body(req.body), "text/xml")
        finally:
            self._request = self._session = None

    def _session_args(self, req):
        if req.header("Koji-Session-Id") is not None:
            return (req.header("Koji-Session-Id"), req.header("Koji-Session-Key"),
                    req.header("Koji-Callnum"))
        if req.arg("session-id") is not None:
            if req.arg("session-key") is None:
                raise AuthError("'session-key' not specified in session args")
            return req.arg("session-id"), req.arg("session-key"), req.arg("callnum")
        return None

    def authenticated(self, req):
        """Whether the request names a session (checked for real by handle)."""
        return req.arg("session-id") is not None or req.header("Koji-Session-Id") is not None

    def _load_session(self, req):
        found = self._session_args(req)
        if found is None:
            return None
        sid, key, callnum = found
        try:
            session = self.sessions.get(int(sid))
        except ValueError:
            session = None
        if session is None or session["key"] != key:
            raise AuthError("Invalid session or bad credentials")
        if session["expired"]:
            raise AuthExpired('session "%s" has expired' % sid)
        if callnum is not None:
            try:
                callnum = int(callnum)
            except ValueError:
                raise AuthError("Invalid callnum: %r" % callnum)
            last = session["callnum"]
            if last is not None and last > callnum:
                raise SequenceError("%d > %d (session %d)" % (last, callnum, session["id"]))
            if last is not None and last == callnum:
                raise RetryError("unable to retry call %d for session %d" % (callnum, session["id"]))
            session["callnum"] = callnum
        return session

    def _assert_login(self):
        if self._session is None:
            raise AuthError("Not logged in")
        return self.users[self._session["user_id"]]

    def record_call(self, method, args, kwargs, fault):
        fault_json = None if fault is None else {"faultCode": fault.faultCode,
                                                 "faultString": fault.faultString}
        self.journal.record(http_entry("koji", self._request, 200, self._session is not None,
                                       call=method, args=args, kwargs=kwargs, fault=fault_json))

    def mutations(self, body):
        """(call, args, kwargs) of the state-changing calls in a request body."""
        try:
            params, method = xmlrpc.client.loads(body, use_builtin_types=True)
        except Exception:
            return []
        calls = [(method, params)]
        if method in ("multiCall", "system.multicall"):
            args, kwargs = decode_args(params)
            inner = kwargs.get("calls", args[0] if args else [])
            calls = [(c.get("methodName"), c.get("params", [])) for c in inner if isinstance(c, dict)]
        return [(m,) + tuple(decode_args(p)) for m, p in calls if m in MUTATING_CALLS]

    # ----------------------------------------------------------- API methods

    def getAPIVersion(self):
        return 1

    def sslLogin(self, proxyuser=None, proxyauthtype=None):
        """Log in as the seed's login_user, or the X-Standin-Koji-User header's user.

        The stand-in speaks plain HTTP, so there is no certificate to check.
        """
        if self._session is not None:
            raise AuthError("Already logged in")
        name = self._request.header("X-Standin-Koji-User") or self.login_user
        if name not in self.user_ids:
            raise AuthError("could not verify client: unknown user %s" % name)
        sid = self._next("session")
        key = "%d-%s" % (self.user_ids[name], secrets.token_hex(10))
        self.sessions[sid] = {"id": sid, "key": key, "user_id": self.user_ids[name],
                              "callnum": None, "expired": False}
        return {"session-id": sid, "session-key": key, "header-auth": True}

    def logout(self, session_id=None):
        if self._session is not None:
            self._session["expired"] = True
        return None

    def getLoggedInUser(self):
        if self._session is None:
            return None
        user = self.users[self._session["user_id"]]
        return {"id": user["id"], "name": user["name"], "status": 0, "usertype": 0,
                "krb_principals": [], "authtype": 2}

    def getBuild(self, buildInfo, strict=False):
        build = None
        if isinstance(buildInfo, int):
            build = self.builds.get(buildInfo)
        elif isinstance(buildInfo, str):
            build = self.build_by_nvr.get(buildInfo)
        elif isinstance(buildInfo, dict):
            if buildInfo.get("id") is not None or buildInfo.get("build_id") is not None:
                build = self.builds.get(buildInfo.get("id", buildInfo.get("build_id")))
            elif {"name", "version", "release"} <= set(buildInfo):
                build = self.build_by_nvr.get("%(name)s-%(version)s-%(release)s" % buildInfo)
        if build is None:
            if strict:
                raise GenericError("No such build: %s" % (buildInfo,))
            return None
        return self._build_json(build)

    def _tagged(self, tag, inherit, latest, package=None, prefix=None, owner=None, btype=None,
                draft=None):
        """kojihub.readTaggedBuilds: newest tagging first, per tag in inheritance order."""
        listed = {pid: entry for _tid, pid, entry in self._package_list(tag["id"], inherit=True)}
        rows, seen_pkgs, seen_builds = [], set(), set()
        for tid in self._inheritance(tag["id"]) if inherit else [tag["id"]]:
            current = self.tags[tid]
            for entry in sorted(current["tagged"], key=lambda e: e["create_event"], reverse=True):
                build = self.builds[entry["build_id"]]
                pinfo = listed.get(build["package_id"])
                if pinfo is None or pinfo["blocked"] or build["state"] != 1:
                    continue
                if package is not None and build["name"] != package and build["package_id"] != package:
                    continue
                if prefix and not build["name"].lower().startswith(prefix.lower()):
                    continue
                if owner is not None and owner not in (build["owner_id"], self._user_name(build["owner_id"])):
                    continue
                if btype is not None and build["type"] != btype:
                    continue
                if draft is not None and build["draft"] != bool(draft):
                    continue
                if latest:
                    if build["package_id"] in seen_pkgs:
                        continue
                    seen_pkgs.add(build["package_id"])
                if build["id"] in seen_builds:
                    continue
                seen_builds.add(build["id"])
                rows.append(self._tagged_json(build, current, entry["create_event"]))
        return rows

    def getLatestBuilds(self, tag, event=None, package=None, type=None, draft=None):
        _unsupported(event=event)
        return self._tagged(self._tag(tag, strict=True), inherit=True, latest=True,
                            package=package, btype=type, draft=draft)

    def listTagged(self, tag, event=None, inherit=False, prefix=None, latest=False, package=None,
                   owner=None, type=None, strict=True, extra=False, draft=None):
        _unsupported(event=event)
        found = self._tag(tag, strict=strict)
        if found is None:
            return []
        rows = self._tagged(found, inherit=inherit, latest=latest, package=package, prefix=prefix,
                            owner=owner, btype=type, draft=draft)
        if extra:
            for row in rows:
                row["extra"] = self.builds[row["build_id"]]["extra"]
        return rows

    def listPackages(self, tagID=None, userID=None, pkgID=None, prefix=None, inherited=False,
                     with_dups=False, event=None, queryOpts=None, with_owners=True,
                     with_blocked=True):
        _unsupported(event=event)
        pid = self._package_id(pkgID, strict=True) if pkgID is not None else None
        uid = None
        if userID is not None:
            uid = userID if isinstance(userID, int) else self.user_ids.get(userID, -1)
        if tagID is None and userID is None:
            rows = [{"package_id": p, "package_name": n} for p, n in sorted(self.packages.items())
                    if (pid is None or p == pid) and (not prefix or n.lower().startswith(prefix.lower()))]
            return _query_opts(rows, queryOpts)
        tags = [self._tag(tagID, strict=True)["id"]] if tagID is not None else sorted(self.tags)
        rows = []
        for tid in tags:
            for src, p, entry in self._package_list(tid, inherit=inherited, with_dups=with_dups):
                name = self.packages[p]
                if pid is not None and p != pid:
                    continue
                if prefix and not name.lower().startswith(prefix.lower()):
                    continue
                if uid is not None and entry["owner_id"] != uid:
                    continue
                if not with_blocked and entry["blocked"]:
                    continue
                row = {
                    "package_id": p, "package_name": name,
                    "tag_id": src, "tag_name": self.tags[src]["name"],
                    "owner_id": entry["owner_id"], "owner_name": self._user_name(entry["owner_id"]),
                    "extra_arches": entry["extra_arches"], "blocked": entry["blocked"],
                }
                if not with_owners:
                    del row["owner_id"], row["owner_name"]
                rows.append(row)
        return _query_opts(rows, queryOpts)

    def getTag(self, tagInfo, strict=False, event=None, blocked=False):
        _unsupported(event=event)
        tag = self._tag(tagInfo, strict=strict)
        if tag is None:
            return None
        row = self._tag_json(tag)
        row["extra"] = dict(tag["extra"])
        return row

    def listTags(self, build=None, package=None, perms=True, queryOpts=None, pattern=None):
        rows = []
        build_id = None
        if build is not None:
            found = self.getBuild(build, strict=True)
            build_id = found["id"]
        pid = self._package_id(package, strict=True) if package is not None else None
        for tid, tag in sorted(self.tags.items()):
            if pattern and not fnmatch.fnmatchcase(tag["name"], pattern):
                continue
            if build_id is not None and not any(e["build_id"] == build_id for e in tag["tagged"]):
                continue
            row = self._tag_json(tag)
            if pid is not None:
                entry = tag["packages"].get(pid)
                if entry is None:
                    continue
                row.update({"owner_id": entry["owner_id"], "owner_name": self._user_name(entry["owner_id"]),
                            "blocked": entry["blocked"], "extra_arches": entry["extra_arches"]})
            rows.append(row)
        return _query_opts(rows, queryOpts)

    def listArchives(self, buildID=None, buildrootID=None, componentBuildrootID=None, hostID=None,
                     type=None, filename=None, size=None, checksum=None, checksum_type=None,
                     typeInfo=None, queryOpts=None, imageID=None, archiveID=None, strict=False):
        _unsupported(buildrootID=buildrootID, componentBuildrootID=componentBuildrootID,
                     hostID=hostID, typeInfo=typeInfo, imageID=imageID)
        rows = []
        for aid, archive in sorted(self.archives.items()):
            if buildID is not None and archive["build_id"] != buildID:
                continue
            if archiveID is not None and aid != archiveID:
                continue
            if type is not None and archive["btype"] != type:
                continue
            if filename is not None and archive["filename"] != filename:
                continue
            if size is not None and archive["size"] != size:
                continue
            if checksum is not None and archive["checksum"] != checksum:
                continue
            if checksum_type is not None and archive["checksum_type"] != checksum_type:
                continue
            row = {k: archive[k] for k in ("id", "type_id", "type_name", "type_description",
                                           "type_extensions", "build_id", "buildroot_id", "filename",
                                           "size", "checksum", "checksum_type")}
            if type == "image":
                row["arch"] = archive["arch"]
            rows.append(row)
        if strict and not rows:
            raise GenericError("No archives found.")
        return _query_opts(rows, queryOpts)

    def listRPMs(self, buildID=None, buildrootID=None, imageID=None, componentBuildrootID=None,
                 hostID=None, arches=None, queryOpts=None, draft=None):
        _unsupported(buildrootID=buildrootID, componentBuildrootID=componentBuildrootID, hostID=hostID)
        if imageID is not None:
            ids = self.archives[imageID]["rpms"] if imageID in self.archives else []
        elif buildID is not None:
            ids = self.builds[buildID]["rpms"] if buildID in self.builds else []
        else:
            ids = sorted(self.rpms)
        if isinstance(arches, str):
            arches = [arches]
        rows = []
        for rid in ids:
            rpm = self.rpms[rid]
            if arches and rpm["arch"] not in arches:
                continue
            if draft is not None and rpm["draft"] != bool(draft):
                continue
            rows.append(dict(rpm))
        return _query_opts(rows, queryOpts)

    def packageListUnblock(self, taginfo, pkginfo, force=False):
        """kojihub.pkglist_unblock, with the default package_list policy (admin only)."""
        user = self._assert_login()
        tag = self._tag(taginfo, strict=True)
        pid = self._package_id(pkginfo, strict=True)
        if "admin" not in user["perms"]:
            raise ActionNotAllowed("policy violation (package_list)")
        listed = {p: (src, entry) for src, p, entry in self._package_list(tag["id"], inherit=True)}
        if pid not in listed:
            raise GenericError("no data (blocked or otherwise) for package %s in tag %s"
                               % (self.packages[pid], tag["name"]))
        src, entry = listed[pid]
        if not entry["blocked"]:
            raise GenericError("package %s NOT blocked in tag %s" % (self.packages[pid], tag["name"]))
        if src != tag["id"]:
            # Blocked above this tag: an explicit unblocked entry here overrides it.
            tag["packages"][pid] = dict(entry, blocked=False)
        else:
            del tag["packages"][pid]
            relisted = {p: e for _s, p, e in self._package_list(tag["id"], inherit=True)}
            if pid not in relisted or relisted[pid]["blocked"]:
                tag["packages"][pid] = dict(entry, blocked=False)
        return None
