"""Bugzilla REST stand-in (/rest/bug/...).

Shapes follow Bugzilla's docs/en/rst/api/core/v1/bug.rst and comment.rst;
error codes and their HTTP statuses follow Bugzilla/WebService/Constants.pm
(WS_ERROR_CODE, REST_STATUS_CODE_MAP).
"""

import re
import time

from .common import MUTATING_METHODS, fmt_iso_z, http_entry, json_response, to_epoch

DOCUMENTATION = "https://bugzilla.readthedocs.org/en/5.0/api/"
# WebService error code -> HTTP status, from REST_STATUS_CODE_MAP (default 400).
STATUS_FOR_CODE = {51: 404, 101: 404, 102: 401, 410: 401, 32614: 404}
EMAIL_FIELDS = ("creator", "assigned_to", "qa_contact")


class BugzillaError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


class BugzillaService:
    def __init__(self, journal):
        self.journal = journal
        self.load({}, time.time())

    def load(self, seed, now):
        seed = seed or {}
        self.keys = {}
        if seed.get("api_key"):
            self.keys[str(seed["api_key"])] = seed.get("user", "releng@fedoraproject.org")
        for entry in seed.get("api_keys") or []:
            self.keys[str(entry["key"])] = entry["user"]
        self.bugs = {}
        self.aliases = {}
        self.comments = {}
        self._next_comment = 1000
        self._next_flag = 3000000
        for bug in seed.get("bugs") or []:
            self._add_bug(bug, now)

    def _add_bug(self, seed, now):
        bug_id = int(seed["id"])
        created = to_epoch(seed.get("creation_time", "-30d"), now)
        bug = {
            "id": bug_id,
            "alias": seed.get("alias", []),
            "summary": seed.get("summary", ""),
            "product": seed.get("product", "Fedora"),
            "component": seed.get("component", "Package Review"),
            "version": seed.get("version", "rawhide"),
            "status": seed.get("status", "NEW"),
            "resolution": seed.get("resolution", ""),
            "creator": seed.get("creator", "nobody@fedoraproject.org"),
            "assigned_to": seed.get("assigned_to", "nobody@fedoraproject.org"),
            "qa_contact": seed.get("qa_contact", "extras-qa@fedoraproject.org"),
            "whiteboard": seed.get("whiteboard", ""),
            "keywords": list(seed.get("keywords") or []),
            "blocks": list(seed.get("blocks") or []),
            "depends_on": list(seed.get("depends_on") or []),
            "cc": list(seed.get("cc") or []),
            "creation_time": fmt_iso_z(created),
            "last_change_time": fmt_iso_z(to_epoch(seed.get("last_change_time"), now) or created),
            "flags": [],
        }
        for flag in seed.get("flags") or []:
            flag_created = to_epoch(flag.get("creation_date", created), now)
            bug["flags"].append({
                "id": int(flag.get("id", self._next_flag)),
                "name": flag["name"],
                "type_id": int(flag.get("type_id", 65 if flag["name"] == "fedora-review" else 1)),
                "status": flag.get("status", "?"),
                "setter": flag.get("setter", bug["assigned_to"]),
                "creation_date": fmt_iso_z(flag_created),
                "modification_date": fmt_iso_z(to_epoch(flag.get("modification_date"), now) or flag_created),
            })
            if flag.get("requestee"):
                bug["flags"][-1]["requestee"] = flag["requestee"]
            self._next_flag = max(self._next_flag, bug["flags"][-1]["id"]) + 1
        known = set(bug) | {"comments", "description"}
        bug.update({k: v for k, v in seed.items() if k not in known})
        self.bugs[bug_id] = bug
        for alias in bug["alias"] if isinstance(bug["alias"], list) else [bug["alias"]]:
            self.aliases[alias] = bug_id
        texts = list(seed.get("comments") or [])
        if "description" in seed:
            texts.insert(0, {"text": seed["description"], "creator": bug["creator"], "time": created})
        self.comments[bug_id] = []
        for entry in texts:
            if isinstance(entry, str):
                entry = {"text": entry}
            self._add_comment(bug_id, entry.get("text", ""), entry.get("creator", bug["creator"]),
                              to_epoch(entry.get("time", created), now),
                              bool(entry.get("is_private", False)), entry.get("id"))

    def _add_comment(self, bug_id, text, creator, when, is_private=False, comment_id=None):
        comment_id = int(comment_id) if comment_id is not None else self._next_comment
        self._next_comment = max(self._next_comment, comment_id) + 1
        comments = self.comments[bug_id]
        comments.append({
            "id": comment_id, "bug_id": bug_id, "attachment_id": None, "count": len(comments),
            "text": text, "creator": creator, "time": fmt_iso_z(when),
            "creation_time": fmt_iso_z(when), "is_private": is_private, "tags": [],
        })
        return comment_id

    # --------------------------------------------------------------- helpers

    def _api_key(self, req):
        for name in ("Bugzilla_api_key", "api_key"):
            if req.arg(name):
                return req.arg(name)
        if req.header("X-BUGZILLA-API-KEY"):
            return req.header("X-BUGZILLA-API-KEY")
        auth = req.header("Authorization") or ""
        if auth.lower().startswith("bearer "):
            return auth[7:].strip()
        fields = req.fields()
        return fields.get("Bugzilla_api_key") or fields.get("api_key")

    def _login(self, req):
        """The user logged in by the request's API key, None if it has none."""
        key = self._api_key(req)
        if key is None:
            return None
        if key not in self.keys:
            raise BugzillaError(306, "The API key you specified is invalid. Please check "
                                     "that you typed it correctly.")
        return self.keys[key]

    def authenticated(self, req):
        try:
            return self._login(req) is not None
        except BugzillaError:
            return False

    def _bug(self, ident):
        if re.fullmatch(r"\d+", str(ident)):
            bug_id = int(ident)
        elif ident in self.aliases:
            bug_id = self.aliases[ident]
        else:
            raise BugzillaError(100, "'%s' is not a valid bug number nor an alias to a bug." % ident)
        if bug_id not in self.bugs:
            raise BugzillaError(101, "Bug #%d does not exist." % bug_id)
        return self.bugs[bug_id]

    @staticmethod
    def _hide(email):
        """Bugzilla's email_filter for logged-out users: drop the domain."""
        return email.split("@", 1)[0] if isinstance(email, str) else email

    def _bug_json(self, bug, user, req):
        out = {k: (list(v) if isinstance(v, list) else v) for k, v in bug.items()}
        out["flags"] = [dict(f) for f in bug["flags"]]
        if user is None:
            for field in EMAIL_FIELDS:
                out[field] = self._hide(out[field])
            out["cc"] = [self._hide(c) for c in out["cc"]]
            for flag in out["flags"]:
                for field in ("setter", "requestee"):
                    if field in flag:
                        flag[field] = self._hide(flag[field])
        include = [f for v in req.arg_list("include_fields") for f in v.split(",") if f]
        exclude = [f for v in req.arg_list("exclude_fields") for f in v.split(",") if f]
        if include and not {"_default", "_all"} & set(include):
            out = {k: v for k, v in out.items() if k in include}
        return {k: v for k, v in out.items() if k not in exclude}

    # ---------------------------------------------------------------- routes

    def handle(self, req):
        user = None
        try:
            user = self._login(req)
            response = self._dispatch(req, user)
        except BugzillaError as err:
            response = json_response({"error": True, "code": err.code, "message": err.message,
                                      "documentation": DOCUMENTATION},
                                     STATUS_FOR_CODE.get(err.code, 400))
        if req.method in MUTATING_METHODS:
            self.journal.record(http_entry("bugzilla", req, response.status, user is not None))
        return response

    def _dispatch(self, req, user):
        route = req.route.rstrip("/")
        match = re.fullmatch(r"/bug/([^/]+)/comment", route)
        if match and req.method == "POST":
            return self.add_comment(req, user, match.group(1))
        if match and req.method == "GET":
            return self.get_comments(req, user, match.group(1))
        match = re.fullmatch(r"/bug/([^/]+)", route)
        if match and req.method == "GET":
            return self.get_bugs(req, user, [match.group(1)])
        if route == "/bug" and req.method == "GET" and req.arg_list("id"):
            ids = [i for v in req.arg_list("id") for i in v.split(",") if i]
            return self.get_bugs(req, user, ids)
        raise BugzillaError(32614, "A REST API resource was not found for '%s %s'."
                            % (req.method, req.route))

    def get_bugs(self, req, user, idents):
        bugs = [self._bug_json(self._bug(i), user, req) for i in idents]
        return json_response({"bugs": bugs, "faults": []})

    def get_comments(self, req, user, ident):
        bug = self._bug(ident)
        comments = [dict(c) for c in self.comments[bug["id"]] if user or not c["is_private"]]
        if user is None:
            for comment in comments:
                comment["creator"] = self._hide(comment["creator"])
        return json_response({"bugs": {str(bug["id"]): {"comments": comments}}, "comments": {}})

    def add_comment(self, req, user, ident):
        if user is None:
            raise BugzillaError(410, "You must log in before using this part of Bugzilla.")
        bug = self._bug(ident)
        fields = req.fields()
        text = fields.get("comment")
        if not isinstance(text, str) or not text.strip():
            raise BugzillaError(50, "The function Bug.add_comment requires a comment argument, "
                                    "and that argument was not set.")
        now = time.time()
        comment_id = self._add_comment(bug["id"], text, user, now,
                                       fields.get("is_private") in (True, 1, "1", "true"))
        bug["last_change_time"] = fmt_iso_z(now)
        return json_response({"id": comment_id}, 201)
