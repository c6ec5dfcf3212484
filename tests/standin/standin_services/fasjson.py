"""FASJSON stand-in (/fasjson/v1/...): users, their groups, group members.

Shapes follow fasjson's v1 API: every answer is {"result": ...}; a missing user or group
is a 404 with {"message": ..., "code": 404}. Every request is recorded in the journal
(reads included: what the checks looked up is part of what a test asserts).

Seed (section ``fasjson``):

  users:
    - {username: jdoe, emails: [jdoe@example.org], rhbzemail: jdoe@redhat.com}
  groups:
    packager: [jdoe, alice]
    releng: [boss]
"""

import re

from .common import http_entry, json_response


class FasjsonService:
    def __init__(self, journal):
        self.journal = journal
        self.load({})

    def load(self, seed):
        seed = seed or {}
        self.users = {}
        for user in seed.get("users") or []:
            if isinstance(user, str):
                user = {"username": user}
            name = user["username"]
            self.users[name] = {
                "username": name,
                "emails": list(user.get("emails") or ["%s@fedoraproject.org" % name]),
                "rhbzemail": user.get("rhbzemail"),
                "human_name": user.get("human_name", name),
                "ircnicks": [], "locale": "en-US", "timezone": "UTC", "gpgkeyids": [],
                "is_private": False, "uri": "/fasjson/v1/users/%s/" % name,
            }
        self.groups = {str(g): list(members or []) for g, members in (seed.get("groups") or {}).items()}
        for members in self.groups.values():
            for name in members:
                self.users.setdefault(name, {"username": name, "emails": ["%s@fedoraproject.org" % name],
                                             "rhbzemail": None, "uri": "/fasjson/v1/users/%s/" % name})

    def handle(self, req):
        response = self._dispatch(req)
        self.journal.record(http_entry("fasjson", req, response.status, False))
        return response

    def _dispatch(self, req):
        if req.method != "GET":
            return json_response({"message": "The method is not allowed for the requested URL.", "code": 405}, 405)
        route = req.route.rstrip("/")
        match = re.fullmatch(r"/v1/users/([^/]+)", route)
        if match:
            user = self.users.get(match.group(1))
            return json_response({"result": user}) if user else self._missing("user", match.group(1))
        match = re.fullmatch(r"/v1/users/([^/]+)/groups", route)
        if match:
            name = match.group(1)
            if name not in self.users:
                return self._missing("user", name)
            return json_response({"result": [{"groupname": g, "uri": "/fasjson/v1/groups/%s/" % g}
                                             for g, members in sorted(self.groups.items()) if name in members]})
        match = re.fullmatch(r"/v1/groups/([^/]+)/members", route)
        if match:
            group = match.group(1)
            if group not in self.groups:
                return self._missing("group", group)
            return json_response({"result": [{"username": u, "uri": "/fasjson/v1/users/%s/" % u}
                                             for u in self.groups[group]]})
        return json_response({"message": "Not found", "code": 404}, 404)

    @staticmethod
    def _missing(kind, name):
        return json_response({"message": "%s %s does not exist" % (kind.capitalize(), name), "code": 404}, 404)
