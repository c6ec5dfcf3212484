"""What the container base image workflow needs beyond the Koji and Bodhi stand-ins:

  * Koji's KIWI plugin: ``kiwiBuild(target, arches, desc_url, desc_path, optional_arches=None,
    profile=None, scratch=False, priority=None, make_prep=False, repos=None, release=None)``
    (logged in, with the ``image`` or ``admin`` permission) returns a task id; and
    ``getTaskInfo(task_id)``;
  * POST /_standin/image/tag ``{"nvr", "tag", "epoch"}`` and /_standin/image/untag
    ``{"nvr", "tag"}``: tag a build (made when new) into a tag with a new event, or untag it;
  * POST /_standin/image/complete ``{"task_id", "nvr", "tag", "archives": [{"arch",
    "filename", "rpms": [{"nvra", "build"}...]}]}``: the task closes as a new image build
    with those archives and RPM lists, tagged into ``tag``;
    POST /_standin/image/fail ``{"task_id"}``: the task fails;
  * a file server at ``/kojifiles`` (Koji's topurl): PUT /_standin/image/files/<path> stores
    a file (the tests' OCI archives), GET /kojifiles/<path> serves it;
  * Bodhi's GET /releases/ (paginated, as Bodhi answers it) from the ``bodhi.releases`` seed.

Every call is journaled (service ``koji``, ``kojifiles``, ``bodhi`` or ``standin``).
"""

import time

from .common import Response, http_entry, json_response

TASK_STATES = {"FREE": 0, "OPEN": 1, "CLOSED": 2, "CANCELED": 3, "ASSIGNED": 4, "FAILED": 5}


class ImageService:
    def __init__(self, hub, bodhi, journal):
        self.hub = hub
        self.bodhi = bodhi
        self.journal = journal
        self.tasks = {}
        self.files = {}
        self._next_task = 120000000
        hub.dispatcher.register_function(self.kiwiBuild, "kiwiBuild")
        hub.dispatcher.register_function(self.getTaskInfo, "getTaskInfo")

    def reset(self):
        self.tasks = {}
        self.files = {}

    # ----------------------------------------------------------- Koji calls

    def _record(self, method, args, kwargs, result=None, fault=None):
        self.journal.record(http_entry("koji", self.hub._request, 200, self.hub._session is not None,
                                       call=method, args=args, kwargs=kwargs, result=result, fault=fault))

    def kiwiBuild(self, target, arches, desc_url, desc_path, optional_arches=None, profile=None,
                  scratch=False, priority=None, make_prep=False, repos=None, release=None):
        kwargs = {"optional_arches": optional_arches, "profile": profile, "scratch": scratch,
                  "priority": priority, "make_prep": make_prep, "repos": repos, "release": release}
        args = [target, arches, desc_url, desc_path]
        try:
            user = self.hub._assert_login()
            if not {"image", "admin"} & set(user["perms"]):
                from .koji import ActionNotAllowed
                raise ActionNotAllowed("image permission required")
        except Exception as err:
            self._record("kiwiBuild", args, kwargs, fault={"faultCode": getattr(err, "faultCode", 1),
                                                           "faultString": str(err)})
            raise
        task_id = self._next_task
        self._next_task += 1
        self.tasks[task_id] = {"id": task_id, "method": "kiwiBuild", "state": TASK_STATES["OPEN"],
                               "owner": user["id"], "create_ts": time.time(),
                               "request": [target, arches, desc_url, desc_path, kwargs],
                               "arch": "noarch", "label": None, "parent": None}
        self._record("kiwiBuild", args, kwargs, result=task_id)
        return task_id

    def getTaskInfo(self, task_id, request=False, strict=False):
        task = self.tasks.get(task_id)
        self._record("getTaskInfo", [task_id], {"request": request, "strict": strict},
                     result=None if task is None else task["state"])
        if task is None:
            if strict:
                from .koji import GenericError
                raise GenericError("No such task: %s" % task_id)
            return None
        row = {k: task[k] for k in ("id", "method", "state", "owner", "arch", "label", "parent")}
        if request:
            row["request"] = task["request"]
        return row

    # -------------------------------------------------------- control calls

    def control(self, req, what):
        """POST /_standin/image/complete|fail, PUT /_standin/image/files/<path>."""
        if what.startswith("image/files/") and req.method == "PUT":
            path = what[len("image/files/"):]
            self.files[path] = req.body
            self.journal.record({"service": "standin", "method": "PUT", "path": req.path,
                                 "size": len(req.body)})
            return json_response({"path": path, "size": len(req.body)}, 201)
        if req.method != "POST":
            return json_response({"error": "unknown control endpoint %s %s" % (req.method, req.path)}, 404)
        spec = req.data()[1] if req.body else {}
        if what in ("image/tag", "image/untag"):
            self.journal.record({"service": "standin", "method": "POST", "path": req.path, "json": spec})
            return self._retag(what, spec)
        task = self.tasks.get(int(spec.get("task_id", 0)))
        if task is None:
            return json_response({"error": "no such task %s" % spec.get("task_id")}, 404)
        self.journal.record({"service": "standin", "method": "POST", "path": req.path, "json": spec})
        if what == "image/fail":
            task["state"] = TASK_STATES["FAILED"]
            return json_response({"task_id": task["id"], "state": task["state"]})
        if what != "image/complete":
            return json_response({"error": "unknown control endpoint %s %s" % (req.method, req.path)}, 404)
        build_seed = {"nvr": spec["nvr"], "type": "image", "task_id": task["id"],
                      "archives": spec.get("archives") or []}
        build = self.hub._add_build(build_seed)
        self.hub._add_build_contents(build, build_seed)
        if spec.get("tag"):
            self.hub._tag_build(self.hub._tag(spec["tag"], strict=True), build)
        task["state"] = TASK_STATES["CLOSED"]
        return json_response({"task_id": task["id"], "build_id": build["id"], "nvr": build["nvr"]})

    def _retag(self, what, spec):
        """image/tag {"nvr", "tag", "epoch"}: tag a build (made if new) with a new event;
        image/untag {"nvr", "tag"}: remove it from the tag."""
        tag = self.hub._tag(spec["tag"], strict=True)
        if what == "image/untag":
            build = self.hub.build_by_nvr[spec["nvr"]]
            tag["tagged"] = [e for e in tag["tagged"] if e["build_id"] != build["id"]]
            return json_response({"untagged": spec["nvr"]})
        build = self.hub._build_for(spec["nvr"])
        if "epoch" in spec:
            build["epoch"] = spec["epoch"]
        self.hub._tag_build(tag, build)
        return json_response({"tagged": spec["nvr"], "build_id": build["id"], "event": tag["tagged"][-1]["create_event"]})

    # ---------------------------------------------------------- files, releases

    def serve_file(self, req):
        path = req.route.lstrip("/")
        data = self.files.get(path)
        status = 200 if data is not None else 404
        self.journal.record({"service": "kojifiles", "method": req.method, "path": req.path, "status": status})
        if data is None:
            return Response(404, "Not Found\n", "text/plain; charset=utf-8")
        return Response(200, data, "application/octet-stream")

    def releases(self, req):
        rows = []
        for release in self.bodhi.releases.values():
            row = dict(release)
            row.setdefault("state", "current")
            rows.append(row)
        rows.sort(key=lambda r: r["name"])
        per_page = int(req.arg("rows_per_page") or 20)
        page = int(req.arg("page") or 1)
        pages = max(1, -(-len(rows) // per_page))
        response = json_response({"releases": rows[(page - 1) * per_page:page * per_page], "page": page,
                                  "pages": pages, "rows_per_page": per_page, "total": len(rows)})
        self.journal.record(http_entry("bodhi", req, 200, False))
        return response


class _Mount:
    """A stand-in mount (handle, authenticated) over one of ImageService's endpoints."""

    def __init__(self, handler):
        self._handler = handler

    def handle(self, req):
        return self._handler(req)

    def authenticated(self, req):
        return False


def mounts(image):
    """The (prefix, journal name, service) mounts flr_standin.py adds for the image workflow."""
    return [("/kojifiles", "kojifiles", _Mount(image.serve_file)),
            ("/releases", "bodhi", _Mount(image.releases))]
