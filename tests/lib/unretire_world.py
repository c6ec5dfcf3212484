"""A world for unretirement tests: bare dist-git repos with retirement histories, the
stand-ins seeded with the matching tickets, projects, Koji tags and review bugs, and an
flr.yaml pointing at them. Each ticket is one scenario."""

import json
import pathlib
import signal
import subprocess
import sys

import yaml

from flrtest import SOURCE_DIR, start_standin, write_flr_yaml

sys.path.insert(0, str(SOURCE_DIR / "tests" / "standin"))
import make_distgit  # noqa: E402

PYTHON = "/usr/bin/python3"


def fedpkg_body(name, branches, bug=None, maintainer="jdoe"):
    body = {"action": "unretirement", "name": name, "type": "rpms", "branches": branches,
            "review_bugzilla": str(bug) if bug else "", "maintainer": maintainer}
    return "```\n" + json.dumps(body, indent=True) + "\n```\n"


# ticket id -> (package, repo kwargs or None, owner, title, body)
SCENARIOS = {
    1: ("recentpkg", dict(branches=["rawhide"], retired_days_ago=35), "alice",
        "Unretire recentpkg", fedpkg_body("recentpkg", ["rawhide"])),
    2: ("oldpkg", dict(branches=["rawhide"], retired_days_ago=70), "alice",
        "Unretire rpms/oldpkg", "Please bring it back."),
    3: ("legalpkg", dict(branches=["rawhide"], retired_days_ago=10,
                         reason="Retired for legal reasons: the licence is not acceptable"), "alice",
        "Unretire rpms/legalpkg", ""),
    4: ("orphanpkg", dict(branches=["rawhide"], retired_days_ago=40), "orphan",
        "Unretire orphanpkg", fedpkg_body("orphanpkg", ["rawhide"], maintainer="newbie")),
    5: ("multipkg", dict(branches=["rawhide", "f43"], retired_days_ago=20, shared_retirement=True), "alice",
        "Unretire multipkg", fedpkg_body("multipkg", ["rawhide", "f43"])),
    6: ("backpkg", dict(branches=["rawhide"], scenario="unretired", retired_days_ago=20), "alice",
        "Unretire rpms/backpkg", ""),
    7: ("nosuchpkg", None, None, "Unretire rpms/nosuchpkg", ""),
    8: ("brokenpkg", None, None, "Unretire brokenpkg", "```\n{\"action\": \"unretirement\", \"name\": \n```\n"),
    9: (None, None, None, "Mass rebuild for F45", "Nothing to see."),
    10: ("divpkg", dict(branches=["rawhide", "f43"], retired_days_ago=20), "alice",
          "Unretire divpkg", fedpkg_body("divpkg", ["rawhide", "f43"])),
}


def seed(root):
    distgit, tags, issues = [], {"f44": [], "f43": []}, []
    for tid, (pkg, repo, owner, title, body) in SCENARIOS.items():
        issues.append({"id": tid, "title": title, "content": body, "author": "jdoe"})
        if repo is None:
            continue
        repo = dict(repo)
        scenario = repo.pop("scenario", "retired")
        make_distgit.make_repo(str(root / "git"), pkg, scenario=scenario, **repo)
        distgit.append({"namespace": "rpms", "name": pkg, "owner": owner, "admins": [] if owner == "orphan" else [owner]})
        for tag in ("f44", "f43"):
            tags[tag].append({"name": pkg, "owner": "releng", "blocked": scenario == "retired"})
    return {
        "pagure": {"token": "ptoken", "token_user": "releng",
                   "projects": [{"name": "releng", "owner": "releng",
                                 "close_status": ["Processed", "Denied", "Invalid"], "issues": issues}]},
        "distgit": {"token": "dtoken", "token_user": "releng", "users": ["newbie", "alice", "jdoe"],
                    "projects": distgit},
        "koji": {"login_user": "releng",
                 "tags": [{"id": 60044, "name": "f44", "packages": tags["f44"]},
                          {"id": 60043, "name": "f43", "packages": tags["f43"]}]},
        "bugzilla": {"api_key": "bkey", "bugs": []},
    }


class World:
    def __init__(self, tmp, phase="auto-recent", address=None):
        """`address`: where the stand-in listens (default 127.0.0.1); given, every request
        is also logged with its client's address (`requests_from`)."""
        self.tmp = pathlib.Path(tmp)
        (self.tmp / "git").mkdir()
        self.seed = self.make_seed()
        (self.tmp / "seed.yaml").write_text(yaml.safe_dump(self.seed))
        self.journal = self.tmp / "journal.jsonl"
        listen = ["--host", address, "--verbose"] if address else []
        self.proc, self.url = start_standin(self.tmp / "ready.json", "--seed", self.tmp / "seed.yaml", "--journal",
                                            self.journal, "--distgit-root", self.tmp / "git", *listen, python=PYTHON)
        self.config = self.tmp / "flr.yaml"
        self.write_config(phase)

    def make_seed(self):
        """The stand-in's seed; its bare repos made under tmp/git."""
        return seed(self.tmp)

    def sections(self, phase):
        """flr.yaml's sections beyond the services'."""
        return {"unretirement": {"phase": phase, "rawhide_tag": "f44"}}

    def write_config(self, phase, path=None):
        """flr.yaml for the stand-in and the bare repos (at `path`, default self.config),
        its secret files beside it."""
        return write_flr_yaml(path or self.config, self.url, self.seed, self.tmp / "git", self.sections(phase))

    def requests_from(self, address):
        """The stand-in's log lines of requests made from `address` (needs `address` at start)."""
        log = pathlib.Path(f"{self.tmp / 'ready.json'}.log").read_text()
        return [line for line in log.splitlines() if line.startswith(address + " ")]

    def entries(self):
        return [json.loads(line) for line in self.journal.read_text().splitlines() if line.strip()]

    def comments(self, tid, project="releng"):
        """The comments posted on ticket `tid` of `project`, oldest first."""
        return [e["form"]["comment"] for e in self.entries()
                if e["path"] == f"/pagure/api/0/{project}/issue/{tid}/comment"]

    def closed(self, tid, project="releng"):
        """The close statuses set on ticket `tid` of `project`."""
        return [e["form"]["close_status"] for e in self.entries()
                if e["path"] == f"/pagure/api/0/{project}/issue/{tid}/status"]

    def git(self, pkg, *args):
        repo = self.tmp / "git" / "rpms" / (pkg + ".git")
        return subprocess.run(["git", "--git-dir", str(repo), *args], capture_output=True, text=True).stdout

    def ticket_url(self, tid):
        return f"{self.url}/pagure/releng/issue/{tid}"

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=10)
