"""A world for the scm-requests tests: the stand-in seeded with fedora-scm-requests
tickets (one scenario each), dist-git projects with access lists and bare repos, review
bugs, FASJSON users and groups and RHEL's package lists, and an flr.yaml pointing at it.
One world serves a whole test module; reset() puts it back to the seed between tests."""

import json
import pathlib
import signal
import subprocess
import sys
import urllib.parse
import urllib.request

import yaml

from flrtest import SOURCE_DIR, start_standin, write_flr_yaml

sys.path.insert(0, str(SOURCE_DIR / "tests" / "standin"))
import make_distgit  # noqa: E402

PYTHON = "/usr/bin/python3"
QUEUE = "releng/fedora-scm-requests"


def fence(obj):
    return "```\n" + json.dumps(obj, indent=4) + "\n```\n"


def repo_ticket(name, ns="rpms", bug=101, monitor="monitoring", exception=False, branch="rawhide"):
    title = f'New Repo for "{ns}/{name}"'
    return title, fence({"action": "new_repo", "branch": branch, "bug_id": bug if bug else "",
                         "description": "", "exception": exception, "monitor": monitor, "namespace": ns,
                         "repo": name, "summary": "A test package", "upstreamurl": ""})


def branch_ticket(name, branch, ns="rpms", sls=None):
    body = {"action": "new_branch", "branch": branch, "namespace": ns, "repo": name, "create_git_branch": True}
    if sls:
        body["sls"] = sls
    return f'New Branch "{branch}" for "{ns}/{name}"', fence(body)


def review_bug(bug_id, name, creator="jdoe@example.org", **changes):
    bug = {"id": bug_id, "summary": f"Review Request: {name} - A test package", "product": "Fedora",
           "component": "Package Review", "status": "ASSIGNED", "creator": creator,
           "assigned_to": "rev@example.org",
           "flags": [{"name": "fedora-review", "status": "+", "setter": "rev@example.org",
                      "modification_date": "-5d"}]}
    flag = changes.pop("flag", {})
    bug["flags"][0].update(flag)
    bug.update(changes)
    return bug


# ticket id -> (author, title, body); the review bug of each new_repo scenario is 100 + id.
SCENARIOS = {
    1: ("jdoe",) + repo_ticket("newpkg", bug=101),
    2: ("alice",) + branch_ticket("existing", "f44"),
    3: ("jdoe",) + repo_ticket("thing", ns="nonsense", bug=103),
    4: ("jdoe",) + repo_ticket("-bad", bug=104),
    5: ("jdoe",) + repo_ticket("existing", bug=105),
    6: ("jdoe",) + repo_ticket("monpkg", bug=106, monitor="sometimes"),
    7: ("jdoe",) + repo_ticket("nobugpkg", bug=None),
    8: ("jdoe",) + repo_ticket("comppkg", bug=108),
    9: ("jdoe",) + repo_ticket("prodpkg", bug=109),
    10: ("jdoe",) + repo_ticket("nobodypkg", bug=110),
    11: ("jdoe",) + repo_ticket("qpkg", bug=111),
    12: ("jdoe",) + repo_ticket("selfpkg", bug=112),
    13: ("jdoe",) + repo_ticket("oldpkg", bug=113),
    14: ("jdoe",) + repo_ticket("sumpkg", bug=114),
    15: ("jdoe",) + repo_ticket("otherpkg", bug=115),
    16: ("jdoe",) + repo_ticket("excpkg", bug=None, exception=True),
    17: ("alice",) + branch_ticket("missing", "f44"),
    18: ("alice",) + branch_ticket("existing", "f30"),
    19: ("alice",) + branch_ticket("existing", "feature", sls={"security_fixes": "2030-11-01"}),
    20: ("alice",) + branch_ticket("existing", "f43"),
    21: ("mallory",) + branch_ticket("existing", "epel10"),
    22: ("alice",) + branch_ticket("bash", "epel9"),
    23: ("jdoe", "Please help with my package", "Hello, how do I request a repo?"),
    24: ("jdoe", 'New Repo for "rpms/brokenpkg"', "I would like a repo please"),
    25: ("pp",) + branch_ticket("existing", "epel9"),
    26: ("alice",) + branch_ticket("existing", "feature", sls={"security_fixes": "2030-12-01"}),
}

BUGS = [
    review_bug(101, "newpkg"),
    review_bug(105, "existing"),
    review_bug(106, "monpkg"),
    review_bug(108, "comppkg", component="kernel"),
    review_bug(109, "prodpkg", product="Red Hat Enterprise Linux 9"),
    review_bug(110, "nobodypkg", assigned_to="nobody@fedoraproject.org"),
    review_bug(111, "qpkg", flag={"status": "?"}),
    review_bug(112, "selfpkg", flag={"setter": "jdoe@example.org"}),
    review_bug(113, "oldpkg", flag={"modification_date": "-90d"}),
    review_bug(114, "sumpkg", summary="Review Request: sumpkg2 - A test package"),
    review_bug(115, "otherpkg", creator="someone@example.org"),
]


def seed(root, scenarios=None, bugs=None):
    """The stand-in's seed: the tickets `scenarios` (default SCENARIOS) and review bugs
    `bugs` (default BUGS), with the same projects, users and RHEL package lists."""
    issues = [{"id": tid, "author": author, "title": title, "content": body}
              for tid, (author, title, body) in (scenarios or SCENARIOS).items()]
    for pkg in ("existing", "bash"):
        make_distgit.make_repo(str(root / "git"), pkg, branches=["rawhide", "f43"] if pkg == "existing" else None)
    return {
        "pagure": {"token": "ptoken", "token_user": "releng-bot",
                   "users": list(USERS),
                   "tokens": [{"token": f"user-{u}", "user": u} for u in USERS],
                   "projects": [{"namespace": "releng", "name": "fedora-scm-requests", "owner": "releng",
                                 "close_status": ["Processed", "Denied", "Invalid"], "issues": issues}]},
        "distgit": {"token": "dtoken", "token_user": "releng",
                    "users": list(USERS),
                    "projects": [{"namespace": "rpms", "name": "existing", "owner": "alice", "admins": ["alice"],
                                  "committers": ["carol"],
                                  "collaborators": [{"user": "dave", "branches": "epel*"}]},
                                 {"namespace": "rpms", "name": "bash", "owner": "alice", "admins": ["alice"]}]},
        "bugzilla": {"api_key": "bkey", "bugs": BUGS if bugs is None else bugs},
        "fasjson": {"users": [{"username": "jdoe", "emails": ["jdoe@example.org"]},
                              {"username": "alice", "emails": ["alice@example.org"]},
                              {"username": "mallory", "emails": ["mallory@example.org"]},
                              {"username": "pp", "emails": ["pp@example.org"]}],
                    "groups": {"packager": ["jdoe", "alice", "mallory", "pp", "carol"],
                               "provenpackager": ["pp"], "releng": ["boss"]}},
        "rhel_packages": {9: {"arches": ["aarch64", "i686", "noarch", "ppc64le", "s390x", "x86_64"],
                              "packages": {"bash": {"arch": ["aarch64", "ppc64le", "s390x", "x86_64"]}}}},
    }


USERS = ("jdoe", "alice", "mallory", "pp", "carol", "boss", "dave")
SCM_POLICY = {"releases": {"f43": "2030-12-09", "f44": "2031-11-31"}}


class World:
    def __init__(self, tmp, scenarios=None, bugs=None):
        self.tmp = pathlib.Path(tmp)
        (self.tmp / "git").mkdir()
        self.seed = seed(self.tmp, scenarios, bugs)
        (self.tmp / "seed.yaml").write_text(yaml.safe_dump(self.seed))
        self.journal = self.tmp / "journal.jsonl"
        self.proc, self.url = start_standin(self.tmp / "ready.json", "--seed", self.tmp / "seed.yaml", "--journal",
                                            self.journal, "--distgit-root", self.tmp / "git", python=PYTHON)
        self.config = self.tmp / "flr.yaml"
        write_flr_yaml(self.config, self.url, self.seed, self.tmp / "git", {"scm": SCM_POLICY})

    def control(self, what, body=None):
        data = json.dumps(body or {}).encode()
        req = urllib.request.Request(f"{self.url}/_standin/{what}", data=data, method="POST",
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as response:
            return json.load(response)

    def reset(self):
        self.control("reset")

    def fail_next(self, path_prefix, status=500, count=1, method=None):
        self.control("faults", {"fail_next": count, "status": status, "path_prefix": path_prefix,
                                "method": method})

    def entries(self):
        return [json.loads(line) for line in self.journal.read_text().splitlines() if line.strip()]

    def changes(self):
        """The journal's mutating requests (reads of FASJSON and pkg_el left out)."""
        return [e for e in self.entries() if e["method"] not in ("GET", "HEAD")]

    def comments(self, tid):
        return [e["form"]["comment"] for e in self.entries()
                if e["path"] == f"/pagure/api/0/{QUEUE}/issue/{tid}/comment" and e["status"] == 200]

    def closed(self, tid):
        return [e["form"]["close_status"] for e in self.entries()
                if e["path"] == f"/pagure/api/0/{QUEUE}/issue/{tid}/status" and e["status"] == 200]

    def add_comment(self, tid, user, text):
        """A comment by `user` (through the stand-in's API with a token of theirs)."""
        # The seed's token belongs to the bot; each user has a token "user-<name>".
        req = urllib.request.Request(
            f"{self.url}/pagure/api/0/{QUEUE}/issue/{tid}/comment",
            data=urllib.parse.urlencode({"comment": text}).encode(), method="POST",
            headers={"Authorization": f"token user-{user}"})
        with urllib.request.urlopen(req, timeout=10) as response:
            return json.load(response)

    def git(self, pkg, *args):
        repo = self.tmp / "git" / "rpms" / (pkg + ".git")
        return subprocess.run(["git", "--git-dir", str(repo), *args], capture_output=True, text=True)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=10)
