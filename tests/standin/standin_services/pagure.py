"""Pagure API v0 stand-in: one instance per prefix (pagure.io tickets, dist-git).

Shapes follow Pagure's ``pagure/api`` (issue.py, project.py, __init__.py) and
the dist-git ``/_dg/anitya`` plugin endpoint; see fixtures/apis/pagure_*.json.
"""

import dataclasses
import datetime
import fnmatch
import hashlib
import math
import os
import re
import shutil
import time
import urllib.parse
import uuid

from .common import (
    MUTATING_METHODS, Response, fmt_unix, http_entry, json_response, not_found_html,
    text_response, to_epoch,
)
from .distgit_access import contributors_json
from .gitrepo import BareRepo, GitError

# APIERROR values of Pagure's pagure/api/__init__.py.
ERRORS = {
    "ENOPROJECT": "Project not found",
    "EINVALIDREQ": "Invalid or incomplete input submitted",
    "ENOISSUE": "Issue not found",
    "ENOUSER": "No such user found",
    "ETIMESTAMP": "Invalid timestamp format",
    "EDATETIME": "Invalid datetime format",
    "ENOTMAINADMIN": "Only the main admin can set the main admin of a project",
    "EMODIFYPROJECTNOTALLOWED": "You are not allowed to modify this project",
    "EINVALIDPERPAGEVALUE": "The per_page value must be between 1 and 100",
    "EGITERROR": "An error occurred during a git operation",
}
INVALID_TOKEN = ("Invalid or expired token. Please visit {url}settings#api-keys "
                 "to get or renew your API token.")
REQUIRED = ["This field is required."]
NOT_A_CHOICE = ["Not a valid choice"]
MONITORING_VALUES = ("no-monitoring", "monitoring", "monitoring-with-scratch", "monitoring-all",
                     "monitoring-all-scratch", "monitoring-stable", "monitoring-stable-scratch")


class ApiError(Exception):
    def __init__(self, status, code, message=None, errors=None):
        super().__init__(code)
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors


def is_true(value):
    """Pagure's pagure.utils.is_true."""
    return value in (True, 1) or str(value).lower() in ("true", "1", "y", "yes")


def fake_sha(*parts):
    return hashlib.sha1("\0".join(parts).encode("utf-8")).hexdigest()


@dataclasses.dataclass
class Comment:
    id: int
    user: str
    comment: str
    date_created: float


@dataclasses.dataclass
class Issue:
    id: int
    title: str
    content: str
    user: str
    status: str = "Open"
    close_status: str = None
    tags: list = dataclasses.field(default_factory=list)
    assignee: str = None
    private: bool = False
    priority: object = None
    milestone: str = None
    depends: list = dataclasses.field(default_factory=list)
    blocks: list = dataclasses.field(default_factory=list)
    date_created: float = 0.0
    last_updated: float = 0.0
    closed_at: float = None
    closed_by: str = None
    comments: list = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Project:
    id: int
    namespace: str
    name: str
    owner: str
    description: str = ""
    admins: list = dataclasses.field(default_factory=list)
    committers: list = dataclasses.field(default_factory=list)
    ticketers: list = dataclasses.field(default_factory=list)
    groups: dict = dataclasses.field(default_factory=dict)
    collaborators: list = dataclasses.field(default_factory=list)        # [{"user", "branches"}]
    group_collaborators: list = dataclasses.field(default_factory=list)  # idem, groups
    close_status: list = dataclasses.field(default_factory=list)
    date_created: float = 0.0
    date_modified: float = 0.0
    monitoring: str = "no-monitoring"
    default_branch: str = "main"
    branches: dict = dataclasses.field(default_factory=dict)   # used without a git repo
    files: dict = dataclasses.field(default_factory=dict)      # {ref: {path: bytes}} idem
    git: BareRepo = None
    issues: dict = dataclasses.field(default_factory=dict)

    @property
    def fullname(self):
        return "%s/%s" % (self.namespace, self.name) if self.namespace else self.name


def _as_list(value):
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


class PagureService:
    """A Pagure instance mounted below ``prefix`` (e.g. "/pagure", "/distgit")."""

    def __init__(self, name, prefix, journal, default_branch="main", repo_root=None,
                 distgit_extras=False):
        self.name = name
        self.prefix = prefix
        self.journal = journal
        self.instance_default_branch = default_branch
        self.repo_root = os.path.abspath(repo_root) if repo_root else None
        self.distgit_extras = distgit_extras
        self._created_repos = []
        self._ref_snapshots = {}
        self._routes = self._build_routes()
        self.load({}, time.time(), None)

    # ------------------------------------------------------------------ seed

    def load(self, seed, now, seed_dir):
        """(Re)build the state from this instance's seed section."""
        self.now_at_load = now
        self.seed_dir = seed_dir
        seed = seed or {}
        self.default_branch = seed.get("default_branch", self.instance_default_branch)
        self.default_owner = seed.get("default_owner", "releng")
        self.git_urls = dict(seed.get("git_urls") or {})
        self.tokens = {}
        if seed.get("token"):
            self.tokens[str(seed["token"])] = {"user": seed.get("token_user", "releng"), "admin": True}
        for tok in seed.get("tokens") or []:
            self.tokens[str(tok["token"])] = {"user": tok.get("user", "releng"),
                                              "admin": bool(tok.get("admin", False))}
        self.users = {}
        for user in seed.get("users") or []:
            if isinstance(user, str):
                user = {"name": user}
            self._add_user(user["name"], user.get("fullname"), user.get("email"))
        for tok in self.tokens.values():
            self._add_user(tok["user"])
        self.projects = {}
        self._next_project_id = 1
        self._next_comment_id = 1
        for proj_seed in seed.get("projects") or []:
            self._add_seed_project(proj_seed, now)
        self._discover_repos()

    def reset_storage(self):
        """Undo git changes made since load: drop created repos, restore refs."""
        for path in self._created_repos:
            shutil.rmtree(path, ignore_errors=True)
        self._created_repos = []
        for path, refs in self._ref_snapshots.items():
            repo = BareRepo(path)
            if repo.exists():
                repo.restore_refs(refs)
        self._ref_snapshots = {}

    def _add_user(self, name, fullname=None, email=None):
        if not name:
            return
        known = self.users.get(name, {})
        self.users[name] = {
            "fullname": fullname or known.get("fullname") or name,
            "email": email or known.get("email") or "%s@fedoraproject.org" % name,
        }

    def _resolve_path(self, path):
        if os.path.isabs(path) or not self.seed_dir:
            return path
        return os.path.join(self.seed_dir, path)

    def _repo_path(self, namespace, name):
        if not self.repo_root:
            return None
        parts = [self.repo_root] + ([namespace] if namespace else []) + [name + ".git"]
        return os.path.join(*parts)

    def _attach_git(self, project, path):
        repo = BareRepo(path)
        if not repo.exists():
            return
        project.git = repo
        if repo.path not in self._ref_snapshots:
            self._ref_snapshots[repo.path] = repo.refs()
        project.default_branch = repo.default_branch() or project.default_branch

    def _add_seed_project(self, ps, now):
        namespace, name = ps.get("namespace"), ps["name"]
        owner = ps.get("owner", self.default_owner)
        created = to_epoch(ps.get("date_created", "-365d"), now)
        project = Project(
            id=int(ps.get("id", self._next_project_id)),
            namespace=namespace or None,
            name=name,
            owner=owner,
            description=ps.get("description", "The %s package" % name),
            admins=_as_list(ps.get("admins")),
            committers=_as_list(ps.get("committers")),
            ticketers=_as_list(ps.get("ticket")),
            groups={k: _as_list((ps.get("groups") or {}).get(k)) for k in ("admin", "commit", "ticket")},
            close_status=_as_list(ps.get("close_status")),
            collaborators=list(ps.get("collaborators") or []),
            group_collaborators=list((ps.get("groups") or {}).get("collaborators") or []),
            date_created=created,
            date_modified=to_epoch(ps.get("date_modified"), now) or created,
            monitoring=ps.get("monitoring", "no-monitoring"),
            default_branch=ps.get("default_branch", self.default_branch),
        )
        self._next_project_id = max(self._next_project_id, project.id) + 1
        for user in [owner] + project.admins + project.committers + project.ticketers:
            self._add_user(user)
        branches = ps.get("branches")
        if isinstance(branches, dict):
            project.branches = {str(k): str(v) for k, v in branches.items()}
        else:
            names = _as_list(branches) or [project.default_branch]
            project.branches = {b: fake_sha(project.fullname, b) for b in names}
        for ref, files in (ps.get("files") or {}).items():
            project.files[str(ref)] = {p: (c.encode("utf-8") if isinstance(c, str) else c)
                                       for p, c in files.items()}
        git_path = ps.get("git_repo")
        if git_path:
            self._attach_git(project, self._resolve_path(git_path))
        elif self.repo_root:
            self._attach_git(project, self._repo_path(project.namespace, name))
        for issue_seed in ps.get("issues") or []:
            self._add_seed_issue(project, issue_seed, now)
        self.projects[project.fullname] = project

    def _add_seed_issue(self, project, iss, now):
        issue_id = int(iss.get("id", max(project.issues, default=0) + 1))
        created = to_epoch(iss.get("date_created", "-1d"), now)
        issue = Issue(
            id=issue_id,
            title=iss.get("title", "Issue %d" % issue_id),
            content=iss.get("content", ""),
            user=iss.get("author", iss.get("user", "releng")),
            status=iss.get("status", "Open"),
            close_status=iss.get("close_status"),
            tags=_as_list(iss.get("tags")),
            assignee=iss.get("assignee"),
            private=bool(iss.get("private", False)),
            priority=iss.get("priority"),
            milestone=iss.get("milestone"),
            depends=[str(x) for x in _as_list(iss.get("depends"))],
            blocks=[str(x) for x in _as_list(iss.get("blocks"))],
            date_created=created,
        )
        self._add_user(issue.user)
        for com in iss.get("comments") or []:
            user = com.get("user", "releng")
            self._add_user(user)
            issue.comments.append(Comment(self._next_comment_id, user, com.get("comment", ""),
                                          to_epoch(com.get("date", created), now)))
            self._next_comment_id += 1
        last = max([created] + [c.date_created for c in issue.comments])
        issue.last_updated = to_epoch(iss.get("last_updated"), now) or last
        if issue.status == "Closed":
            issue.closed_at = to_epoch(iss.get("closed_at"), now) or issue.last_updated
            issue.closed_by = iss.get("closed_by")
        project.issues[issue_id] = issue

    def _discover_repos(self):
        """Register bare repos under the repo root that the seed does not name."""
        if not self.repo_root or not os.path.isdir(self.repo_root):
            return
        for namespace in sorted(os.listdir(self.repo_root)):
            ns_dir = os.path.join(self.repo_root, namespace)
            if not os.path.isdir(ns_dir):
                continue
            for entry in sorted(os.listdir(ns_dir)):
                if entry.endswith(".git"):
                    self._discover(namespace, entry[:-4])

    def _discover(self, namespace, name):
        if any(part.startswith(".") for part in (namespace or "", name) if part) or not name:
            return None
        fullname = "%s/%s" % (namespace, name) if namespace else name
        path = self._repo_path(namespace, name)
        if fullname in self.projects or not path or not BareRepo(path).exists():
            return self.projects.get(fullname)
        project = Project(id=self._next_project_id, namespace=namespace, name=name,
                          owner=self.default_owner, description="The %s package" % name,
                          date_created=self.now_at_load, date_modified=self.now_at_load,
                          default_branch=self.default_branch)
        self._next_project_id += 1
        self._add_user(project.owner)
        self._attach_git(project, path)
        self.projects[fullname] = project
        return project

    # --------------------------------------------------------------- helpers

    def _user_json(self, name):
        if name is None:
            return None
        return {"fullname": self.users.get(name, {}).get("fullname", name), "name": name}

    def _app_url(self, req):
        return "%s%s/" % (req.base_url, self.prefix)

    def authenticate(self, req):
        """Token info for the request's ``Authorization: token X`` header, else None."""
        header = req.header("Authorization") or ""
        if "token" not in header:
            return None
        return self.tokens.get(header.split("token", 1)[1].strip())

    def authenticated(self, req):
        return self.authenticate(req) is not None

    def _require_auth(self, req, auth):
        if auth is None:
            raise ApiError(401, "EINVALIDTOK", INVALID_TOKEN.format(url=self._app_url(req)))

    def _project(self, fullname):
        project = self.projects.get(fullname)
        if project is None and self.repo_root:
            namespace, _, name = fullname.rpartition("/")
            project = self._discover(namespace or None, name)
        if project is None:
            raise ApiError(404, "ENOPROJECT")
        return project

    def _issue(self, project, issue_id):
        try:
            issue = project.issues.get(int(issue_id))
        except ValueError:
            issue = None
        if issue is None:
            raise ApiError(404, "ENOISSUE")
        return issue

    def _may_modify(self, auth, project):
        user = auth["user"]
        return auth["admin"] or user == project.owner or user in project.admins

    # ---------------------------------------------------------------- JSON

    def _comment_json(self, comment):
        return {
            "comment": comment.comment,
            "date_created": fmt_unix(comment.date_created),
            "edited_on": None,
            "editor": None,
            "id": comment.id,
            "notification": False,
            "parent": None,
            "reactions": {},
            "user": self._user_json(comment.user),
        }

    def _issue_json(self, issue, with_comments=True):
        return {
            "assignee": self._user_json(issue.assignee),
            "blocks": list(issue.blocks),
            "close_status": issue.close_status,
            "closed_at": fmt_unix(issue.closed_at),
            "closed_by": self._user_json(issue.closed_by),
            "comments": [self._comment_json(c) for c in issue.comments] if with_comments else [],
            "content": issue.content,
            "custom_fields": [],
            "date_created": fmt_unix(issue.date_created),
            "depends": list(issue.depends),
            "id": issue.id,
            "last_updated": fmt_unix(issue.last_updated),
            "milestone": issue.milestone,
            "priority": issue.priority,
            "private": issue.private,
            "status": issue.status,
            "tags": list(issue.tags),
            "title": issue.title,
            "user": self._user_json(issue.user),
        }

    def _project_json(self, project):
        return {
            "access_groups": {k: list(project.groups.get(k, [])) for k in ("admin", "commit", "ticket")},
            "access_users": {
                "admin": list(project.admins),
                "commit": list(project.committers),
                "owner": [project.owner],
                "ticket": list(project.ticketers),
            },
            "close_status": list(project.close_status),
            "custom_keys": [],
            "date_created": fmt_unix(project.date_created),
            "date_modified": fmt_unix(project.date_modified),
            "description": project.description,
            "fullname": project.fullname,
            "id": project.id,
            "milestones": {},
            "name": project.name,
            "namespace": project.namespace,
            "parent": None,
            "priorities": {},
            "tags": [],
            "user": self._user_json(project.owner),
        }

    # ---------------------------------------------------------------- routes

    def _build_routes(self):
        proj = r"(?P<proj>[^/]+(?:/[^/]+)?)"
        routes = [
            (r"/api/0/users/?", {"GET": self.api_users}),
            (r"/api/0/new/?", {"POST": self.api_new_project}),
            (r"/api/0/%s/issues/?" % proj, {"GET": self.api_view_issues}),
            (r"/api/0/%s/new_issue/?" % proj, {"POST": self.api_new_issue}),
            (r"/api/0/%s/issue/(?P<issue>[^/]+)/?" % proj, {"GET": self.api_view_issue}),
            (r"/api/0/%s/issue/(?P<issue>\d+)/comment/?" % proj, {"POST": self.api_comment_issue}),
            (r"/api/0/%s/issue/(?P<issue>\d+)/status/?" % proj, {"POST": self.api_change_status_issue}),
            (r"/api/0/%s/git/branch/?" % proj, {"POST": self.api_new_branch}),
            (r"/api/0/%s/git/branches/?" % proj, {"GET": self.api_git_branches}),
            (r"/api/0/%s/git/urls/?" % proj, {"GET": self.api_project_git_urls}),
            (r"/api/0/%s/git/generateacls/?" % proj, {"POST": self.api_generate_acls}),
            (r"/api/0/%s/contributors/?" % proj, {"GET": self.api_project_contributors}),
            (r"/api/0/%s/?" % proj, {"GET": self.api_project, "PATCH": self.api_modify_project}),
            (r"/%s/raw/(?P<ref>[^/]+)/f/(?P<path>.+)" % proj, {"GET": self.view_raw_file}),
        ]
        if self.distgit_extras:
            routes.insert(0, (r"/_dg/anitya/(?P<proj>[^/]+/[^/]+)/?",
                              {"GET": self.dg_anitya_get, "POST": self.dg_anitya_set}))
        return [(re.compile("^" + pattern + "$"), methods) for pattern, methods in routes]

    def handle(self, req):
        auth = self.authenticate(req)
        response = self._dispatch(req, auth)
        if req.method in MUTATING_METHODS:
            self.journal.record(http_entry(self.name, req, response.status, auth is not None))
        return response

    def _dispatch(self, req, auth):
        path_known = False
        for pattern, methods in self._routes:
            match = pattern.match(req.route)
            if not match:
                continue
            handler = methods.get(req.method)
            if handler is None:
                path_known = True
                continue
            try:
                return handler(req, auth, **match.groupdict())
            except ApiError as err:
                body = {"error": err.message or ERRORS.get(err.code, err.code), "error_code": err.code}
                if err.errors:
                    body["errors"] = err.errors
                return json_response(body, err.status)
        if path_known:
            return text_response("Method Not Allowed\n", 405)
        return not_found_html()

    # ------------------------------------------------------------- handlers

    def api_users(self, req, auth):
        pattern = req.arg("pattern")
        if pattern is not None and not pattern.endswith("*"):
            pattern += "*"
        names = sorted(n for n in self.users
                       if pattern is None or fnmatch.fnmatch(n.lower(), pattern.lower()))
        mention = []
        for name in names:
            digest = hashlib.sha256(self.users[name]["email"].encode("utf-8")).hexdigest()
            mention.append({
                "image": "https://seccdn.libravatar.org/avatar/%s?s=16&d=retro" % digest,
                "name": self.users[name]["fullname"],
                "username": name,
            })
        return json_response({"mention": mention, "total_users": len(names), "users": names})

    def _page_args(self, req):
        page = req.arg("page") or 1
        try:
            page = int(page)
        except ValueError:
            raise ApiError(400, "EINVALIDREQ")
        if page < 1:
            raise ApiError(400, "EINVALIDREQ")
        per_page = req.arg("per_page") or 20
        try:
            per_page = int(per_page)
        except ValueError:
            raise ApiError(400, "EINVALIDREQ")
        if per_page < 1 or per_page > 100:
            raise ApiError(400, "EINVALIDPERPAGEVALUE")
        return page, per_page

    def _page_url(self, req, page, per_page):
        others = [(k, v) for k, values in req.query.items() if k not in ("page", "per_page")
                  for v in values]
        query = urllib.parse.urlencode([("per_page", per_page), ("page", page)] + others)
        return "%s%s%s?%s" % (req.base_url, self.prefix, req.route, query)

    def api_view_issues(self, req, auth, proj):
        project = self._project(proj)
        status = req.arg("status")
        tags = [t.strip() for t in req.arg_list("tags") if t.strip()]
        author = req.arg("author")
        assignee = req.arg("assignee")
        order = req.arg("order")
        since = req.arg("since")
        updated_after = None
        if since:
            try:
                since = float(since)
            except ValueError:
                pass
            if isinstance(since, float):
                if not 0 <= since < 253402300800:
                    raise ApiError(400, "ETIMESTAMP")
                updated_after = int(since)
            else:
                try:
                    day = datetime.datetime.strptime(since, "%Y-%m-%d")
                    updated_after = day.replace(tzinfo=datetime.timezone.utc).timestamp()
                except ValueError:
                    raise ApiError(400, "EDATETIME")
        page, per_page = self._page_args(req)

        def wanted(issue):
            if status is None and issue.status != "Open":
                return False
            if status is not None and status.lower() != "all":
                if status.lower() in ("open", "closed"):
                    if issue.status.lower() != status.lower():
                        return False
                elif (issue.close_status or "").lower() != status.lower():
                    return False
            positive = [t for t in tags if not t.startswith("!")]
            negative = [t[1:] for t in tags if t.startswith("!")]
            if positive and not set(positive) & set(issue.tags):
                return False
            if set(negative) & set(issue.tags):
                return False
            if author and issue.user != author:
                return False
            if assignee:
                if assignee.lower() in ("true", "1"):
                    if not issue.assignee:
                        return False
                elif assignee.lower() in ("false", "0"):
                    if issue.assignee:
                        return False
                elif assignee.startswith("!"):
                    if issue.assignee == assignee[1:]:
                        return False
                elif issue.assignee != assignee:
                    return False
            if updated_after is not None and issue.last_updated < updated_after:
                return False
            return True

        matching = [i for i in project.issues.values() if wanted(i)]
        matching.sort(key=lambda i: (i.date_created, i.id), reverse=(order != "asc"))
        total = len(matching)
        chunk = matching[(page - 1) * per_page:page * per_page]
        pages = int(math.ceil(total / float(per_page)))
        pagination = {
            "first": self._page_url(req, 1, per_page),
            "last": self._page_url(req, max(pages, 1), per_page),
            "next": self._page_url(req, page + 1, per_page) if page * per_page < total else None,
            "page": page,
            "pages": pages,
            "per_page": per_page,
            "prev": self._page_url(req, page - 1, per_page) if page > 1 else None,
        }
        return json_response({
            "args": {
                "assignee": assignee,
                "author": author,
                "milestones": req.arg_list("milestones"),
                "no_stones": None,
                "order": order,
                "priority": req.arg("priority"),
                "since": since,
                "status": status,
                "tags": tags,
            },
            "issues": [self._issue_json(i) for i in chunk],
            "pagination": pagination,
            "total_issues": len(chunk),
        })

    def api_view_issue(self, req, auth, proj, issue):
        project = self._project(proj)
        found = self._issue(project, issue)
        return json_response(self._issue_json(found, is_true(req.arg("comments", True))))

    def api_new_issue(self, req, auth, proj):
        self._require_auth(req, auth)
        project = self._project(proj)
        data = req.fields()
        errors = {k: REQUIRED for k in ("title", "issue_content") if not str(data.get(k) or "").strip()}
        if errors:
            raise ApiError(400, "EINVALIDREQ", errors=errors)
        now = time.time()
        tags = data.get("tag") or []
        if isinstance(tags, str):
            tags = [t.strip() for t in tags.split(",") if t.strip()]
        issue = Issue(
            id=max(project.issues, default=0) + 1,
            title=str(data["title"]).strip(),
            content=str(data["issue_content"]),
            user=auth["user"],
            tags=list(tags),
            assignee=data.get("assignee") or None,
            private=is_true(data.get("private", False)),
            priority=data.get("priority"),
            milestone=data.get("milestone") or None,
            date_created=now,
            last_updated=now,
        )
        project.issues[issue.id] = issue
        return json_response({"issue": self._issue_json(issue), "message": "Issue created"})

    def api_comment_issue(self, req, auth, proj, issue):
        self._require_auth(req, auth)
        project = self._project(proj)
        found = self._issue(project, issue)
        text = req.fields().get("comment")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "EINVALIDREQ", errors={"comment": REQUIRED})
        now = time.time()
        found.comments.append(Comment(self._next_comment_id, auth["user"], text, now))
        self._next_comment_id += 1
        found.last_updated = now
        email = self.users.get(auth["user"], {}).get("email", "")
        avatar = hashlib.sha256(email.encode("utf-8")).hexdigest()
        return json_response({
            "avatar_url": "https://seccdn.libravatar.org/avatar/%s?s=30&d=retro" % avatar,
            "message": "Comment added",
            "user": auth["user"],
        })

    def api_change_status_issue(self, req, auth, proj, issue):
        self._require_auth(req, auth)
        project = self._project(proj)
        found = self._issue(project, issue)
        data = req.fields()
        new_status = str(data.get("status") or "").strip()
        close_status = data.get("close_status") or None
        if new_status in project.close_status and not close_status:
            close_status, new_status = new_status, "Closed"
        errors = {}
        if not new_status:
            errors["status"] = REQUIRED
        elif new_status not in ("Open", "Closed"):
            errors["status"] = NOT_A_CHOICE
        if close_status and project.close_status and close_status not in project.close_status:
            errors["close_status"] = NOT_A_CHOICE
        if errors:
            raise ApiError(400, "EINVALIDREQ", errors=errors)
        if new_status == "Open":
            close_status = None
        if (found.status, found.close_status) == (new_status, close_status):
            return json_response({"message": "No changes"})
        now = time.time()
        if new_status == "Closed" and found.status != "Closed":
            found.closed_at, found.closed_by = now, auth["user"]
        elif new_status == "Open":
            found.closed_at = found.closed_by = None
        found.status, found.close_status = new_status, close_status
        found.last_updated = now
        return json_response({"message": "Successfully edited issue #%d" % found.id})

    def api_project(self, req, auth, proj):
        return json_response(self._project_json(self._project(proj)))

    def api_project_contributors(self, req, auth, proj):
        project = self._project(proj)
        return json_response(contributors_json(project))

    def api_modify_project(self, req, auth, proj):
        self._require_auth(req, auth)
        project = self._project(proj)
        if not self._may_modify(auth, project):
            raise ApiError(401, "EMODIFYPROJECTNOTALLOWED")
        data = req.fields()
        if not data or any(k not in ("main_admin", "retain_access") for k in data):
            raise ApiError(400, "EINVALIDREQ")
        if "main_admin" in data:
            if auth["user"] != project.owner and not auth["admin"]:
                raise ApiError(401, "ENOTMAINADMIN")
            new_owner = data["main_admin"]
            if new_owner not in self.users:
                raise ApiError(400, "ENOUSER")
            old_owner = project.owner
            if new_owner != old_owner:
                project.owner = new_owner
                project.admins = [u for u in project.admins if u != new_owner]
                if is_true(data.get("retain_access", False)) and auth["user"] == old_owner:
                    project.admins.append(old_owner)
                project.date_modified = time.time()
        return json_response(self._project_json(project))

    def api_new_project(self, req, auth):
        self._require_auth(req, auth)
        data = req.fields()
        errors = {k: REQUIRED for k in ("name", "description") if not str(data.get(k) or "").strip()}
        if errors:
            raise ApiError(400, "EINVALIDREQ", errors=errors)
        namespace = str(data.get("namespace") or "").strip() or None
        name = str(data["name"]).strip()
        fullname = "%s/%s" % (namespace, name) if namespace else name
        repo_path = self._repo_path(namespace, name)
        if fullname in self.projects or (repo_path and os.path.exists(repo_path)):
            raise ApiError(400, "ENOCODE", 'The project repo "%s" already exists' % fullname)
        now = time.time()
        project = Project(
            id=self._next_project_id, namespace=namespace, name=name, owner=auth["user"],
            description=str(data["description"]), date_created=now, date_modified=now,
            default_branch=str(data.get("default_branch") or self.default_branch),
        )
        self._next_project_id += 1
        readme = is_true(data.get("create_readme", False))
        if repo_path:
            BareRepo.create(repo_path, project.default_branch,
                            readme="# %s\n\n%s\n" % (name, project.description) if readme else None)
            self._created_repos.append(repo_path)
            self._attach_git(project, repo_path)
        elif readme:
            project.branches = {project.default_branch: fake_sha(fullname, project.default_branch)}
        else:
            project.branches = {}
        self.projects[fullname] = project
        # Pagure reads "wait" with plain truthiness and waits by default.
        if data.get("wait", True):
            return json_response({"message": 'Project "%s" created' % fullname})
        return json_response({"message": "Project creation queued", "taskid": str(uuid.uuid4())})

    def api_generate_acls(self, req, auth, proj):
        self._require_auth(req, auth)
        self._project(proj)
        if is_true(req.fields().get("wait")):
            return json_response({"message": "Project ACLs generated"})
        return json_response({"message": "Project ACL generation queued", "taskid": str(uuid.uuid4())})

    def _branches(self, project):
        return project.git.branches() if project.git else dict(project.branches)

    def api_new_branch(self, req, auth, proj):
        self._require_auth(req, auth)
        project = self._project(proj)
        data = req.fields()
        branch, from_branch, from_commit = (data.get(k) for k in ("branch", "from_branch", "from_commit"))
        if from_branch and from_commit:
            raise ApiError(400, "EINVALIDREQ")
        if (not branch or not isinstance(branch, str)
                or (from_branch and not isinstance(from_branch, str))
                or (from_commit and not isinstance(from_commit, str))):
            raise ApiError(400, "EINVALIDREQ")
        branches = self._branches(project)
        if not from_commit:
            from_branch = from_branch or project.default_branch
            if from_branch not in branches:
                raise ApiError(400, "ENOCODE", 'The "%s" branch does not exist' % from_branch)
            start = branches[from_branch]
        elif project.git:
            start = project.git.resolve_commit(from_commit)
        else:
            start = from_commit if re.fullmatch(r"[0-9a-f]{7,40}", from_commit) else None
        if start is None:
            raise ApiError(400, "ENOCODE", 'The commit "%s" was not found' % from_commit)
        if branch in branches:
            raise ApiError(400, "ENOCODE", 'The branch "%s" already exists' % branch)
        if project.git:
            try:
                project.git.create_branch(branch, start)
            except GitError:
                raise ApiError(400, "EGITERROR")
        else:
            project.branches[branch] = start
        return json_response({"message": "Project branch was created"})

    def api_git_branches(self, req, auth, proj):
        project = self._project(proj)
        branches = self._branches(project)
        default = project.default_branch if project.default_branch in branches else None
        if is_true(req.arg("with_commits", False)):
            return json_response({
                "branches": dict(sorted(branches.items())),
                "default": {default: branches[default]} if default else None,
                "total_branches": len(branches),
            })
        return json_response({"branches": sorted(branches), "default": default,
                              "total_branches": len(branches)})

    def api_project_git_urls(self, req, auth, proj):
        project = self._project(proj)
        values = {
            "fullname": project.fullname,
            "namespace": project.namespace or "",
            "name": project.name,
            "base_url": req.base_url + self.prefix,
            "repo_path": project.git.path if project.git else "",
        }
        templates = {
            "ssh": self.git_urls.get("ssh", "ssh://git@localhost/{fullname}.git"),
            "git": self.git_urls.get("git", "file://{repo_path}" if project.git
                                     else "{base_url}/{fullname}.git"),
        }
        urls = {kind: tmpl.format(**values) for kind, tmpl in templates.items()}
        return json_response({"total_urls": len(urls), "urls": urls})

    def view_raw_file(self, req, auth, proj, ref, path):
        try:
            project = self._project(proj)
        except ApiError:
            return not_found_html()
        if project.git:
            content = project.git.read_file(ref, path)
        else:
            files = project.files.get(ref)
            if files is None:
                for name, sha in project.branches.items():
                    if sha == ref:
                        files = project.files.get(name)
            content = (files or {}).get(path)
        if content is None:
            return not_found_html()
        return Response(200, content, "text/plain; charset=utf-8")

    def dg_anitya_get(self, req, auth, proj):
        return json_response({"monitoring": self._project(proj).monitoring})

    def dg_anitya_set(self, req, auth, proj):
        self._require_auth(req, auth)
        project = self._project(proj)
        if not (self._may_modify(auth, project) or auth["user"] in project.committers):
            raise ApiError(401, "EMODIFYPROJECTNOTALLOWED")
        value = req.fields().get("anitya_status")
        if value not in MONITORING_VALUES:
            raise ApiError(400, "EINVALIDREQ",
                           errors={"anitya_status": REQUIRED if not value else NOT_A_CHOICE})
        project.monitoring = value
        return json_response({"monitoring": value})
