#!/usr/bin/env python3
"""Create bare dist-git repositories for stand-in scenarios.

  make_distgit.py --root DIR --package NAME [--namespace rpms]
      [--scenario active|retired|unretired] [--branch B[:SCENARIO]]...
      [--retired-days-ago N] [--reason TEXT] [--shared-retirement]
      [--unretired-days-ago N] [--request-url URL] [--force]

writes DIR/<namespace>/<NAME>.git (the layout flr_standin.py --distgit-root
reads) and prints a JSON summary: the repo path and, per branch, its head,
retirement commit and revert commit.

Scenarios, per branch (``--branch f43:active`` overrides --scenario):
  active     packaging history with a spec file;
  retired    then a `fedpkg retire`-style commit: every file removed,
             dead.package holding the reason, authored by Fedora Release
             Engineering <releng@fedoraproject.org> N days ago, message = reason;
  unretired  retired, then `git revert -s` of the retirement commit.

``rawhide`` is always created (and is HEAD); when not named it stays active.
Every other branch forks from the packaging history and gets a commit of its
own, so separately retired branches get distinct retirement commits.  With
--shared-retirement all retired branches share the very same retirement
commit, as after mass branching (and, when unretired, the same revert).

Importable: ``make_repo(root, package, ...)`` returns the same summary dict.
Git runs through subprocess with argument lists only, isolated from the
user's and system git configuration.
"""

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

RELENG = ("Fedora Release Engineering", "releng@fedoraproject.org")
PACKAGER = ("Jane Packager", "jpackager@fedoraproject.org")
SCENARIOS = ("active", "retired", "unretired")
DAY = 86400


class DistGitError(Exception):
    pass


def _git(cwd, *args, who=None, when=None):
    env = dict(os.environ)
    for var in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        env.pop(var, None)
    env.update({"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "LC_ALL": "C"})
    if who:
        env.update({"GIT_AUTHOR_NAME": who[0], "GIT_AUTHOR_EMAIL": who[1],
                    "GIT_COMMITTER_NAME": who[0], "GIT_COMMITTER_EMAIL": who[1]})
    if when is not None:
        stamp = "@%d +0000" % int(when)
        env.update({"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp})
    proc = subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise DistGitError("git %s: %s" % (" ".join(args), proc.stderr.strip()))
    return proc.stdout.strip()


def _spec(package, version, release):
    return (
        "Name:           {p}\n"
        "Version:        {v}\n"
        "Release:        {r}%{{?dist}}\n"
        "Summary:        The {p} package\n"
        "License:        MIT\n"
        "URL:            https://example.org/{p}\n"
        "Source0:        %{{url}}/releases/{p}-%{{version}}.tar.gz\n"
        "\n"
        "%description\n"
        "The {p} package.\n"
        "\n"
        "%prep\n%autosetup\n\n%build\n%make_build\n\n%install\n%make_install\n\n"
        "%files\n%license LICENSE\n%{{_bindir}}/{p}\n"
    ).format(p=package, v=version, r=release)


def _write(work, name, text):
    with open(os.path.join(work, name), "w", encoding="utf-8") as stream:
        stream.write(text)


def _commit(work, message, who, when, paths=("-A",)):
    _git(work, "add", *paths)
    _git(work, "commit", "-q", "-m", message, who=who, when=when)


def _head(work):
    return _git(work, "rev-parse", "HEAD")


def parse_branches(specs, default_scenario):
    """[(branch, scenario)] from "name" / "name:scenario" items; rawhide first."""
    result = []
    for spec in specs or ["rawhide"]:
        name, _, scenario = spec.partition(":")
        scenario = scenario or default_scenario
        if scenario not in SCENARIOS:
            raise DistGitError("unknown scenario %r for branch %s" % (scenario, name))
        if any(name == b for b, _ in result):
            raise DistGitError("branch %s named twice" % name)
        result.append((name, scenario))
    if not any(b == "rawhide" for b, _ in result):
        result.insert(0, ("rawhide", "active"))
    result.sort(key=lambda item: item[0] != "rawhide")
    return result


def make_repo(root, package, namespace="rpms", scenario="active", branches=None,
              retired_days_ago=35, reason="Orphaned for 6+ weeks", shared_retirement=False,
              unretired_days_ago=1, request_url=None, force=False, now=None):
    """Create ``root/namespace/package.git`` and return a summary dict.

    ``branches`` is a list of "name" or "name:scenario" strings (default
    ["rawhide"]); ``scenario`` applies to branches that name none.
    """
    if scenario not in SCENARIOS:
        raise DistGitError("unknown scenario %r" % scenario)
    plan = parse_branches(branches, scenario)
    now = time.time() if now is None else now
    retired_at = now - retired_days_ago * DAY
    unretired_at = now - unretired_days_ago * DAY
    if unretired_at <= retired_at:
        raise DistGitError("the unretirement must come after the retirement")
    path = os.path.abspath(os.path.join(root, namespace, package + ".git"))
    if os.path.exists(path):
        if not force:
            raise DistGitError("%s exists (use force)" % path)
        shutil.rmtree(path)
    start = retired_at - 300 * DAY
    summary = {"path": path, "package": package, "namespace": namespace,
               "branches": {}, "retirement_commits": {}, "revert_commits": {}}

    with tempfile.TemporaryDirectory(prefix="make-distgit-") as work:
        _git(work, "init", "-q", "--initial-branch", "rawhide")
        _write(work, package + ".spec", _spec(package, "1.0", "1"))
        _write(work, "sources", "SHA512 (%s-1.0.tar.gz) = %s\n"
               % (package, hashlib.sha512(package.encode()).hexdigest()))
        _write(work, ".gitignore", "/%s-*.tar.gz\n" % package)
        _commit(work, "Initial import (#%d)" % (1000000 + len(package)), PACKAGER, start)
        _write(work, package + ".spec", _spec(package, "1.1", "1"))
        _commit(work, "Update to 1.1", PACKAGER, start + 100 * DAY)
        _write(work, package + ".spec", _spec(package, "1.1", "2"))
        _commit(work, "Rebuilt for https://fedoraproject.org/wiki/Fedora_Mass_Rebuild",
                RELENG, start + 200 * DAY)
        history = _head(work)

        for branch, _scenario in plan[1:]:
            _git(work, "branch", branch, history)

        shared_retirement_sha = shared_revert_sha = None
        for branch, branch_scenario in plan:
            _git(work, "checkout", "-q", branch)
            if branch != "rawhide" and not (shared_retirement and branch_scenario != "active"):
                _write(work, package + ".spec", _spec(package, "1.1", "2.%s" % branch))
                _commit(work, "Bump release for %s" % branch, PACKAGER, start + 250 * DAY)
            if branch_scenario == "active":
                continue
            if shared_retirement and shared_retirement_sha:
                _git(work, "reset", "-q", "--hard", shared_retirement_sha)
                retirement = shared_retirement_sha
            else:
                _git(work, "rm", "-r", "-q", ".")
                _write(work, "dead.package", reason.rstrip("\n") + "\n")
                _commit(work, reason, RELENG, retired_at, paths=("dead.package",))
                retirement = _head(work)
                shared_retirement_sha = shared_retirement_sha or retirement
            summary["retirement_commits"][branch] = retirement
            if branch_scenario != "unretired":
                continue
            if shared_retirement and shared_revert_sha:
                _git(work, "reset", "-q", "--hard", shared_revert_sha)
                revert = shared_revert_sha
            else:
                _git(work, "revert", "--no-commit", retirement)
                message = 'Revert "%s"\n\nThis reverts commit %s.\n' % (reason.strip(), retirement)
                if request_url:
                    message += "\nUnretirement request: %s\n" % request_url
                _git(work, "commit", "-q", "-s", "-m", message, who=RELENG, when=unretired_at)
                revert = _head(work)
                shared_revert_sha = shared_revert_sha or revert
            summary["revert_commits"][branch] = revert

        os.makedirs(os.path.dirname(path), exist_ok=True)
        _git(work, "init", "-q", "--bare", "--initial-branch", "rawhide", path)
        _git(work, "push", "-q", path, "refs/heads/*:refs/heads/*")
        heads = _git(work, "for-each-ref", "--format=%(refname:strip=2) %(objectname)", "refs/heads")
        heads = dict(line.split(" ", 1) for line in heads.splitlines())
        summary["branches"] = {branch: heads[branch] for branch, _scenario in plan}
    return summary


def main(argv=None):
    parser = argparse.ArgumentParser(description="Create a bare dist-git repository for a test scenario.")
    parser.add_argument("--root", required=True, help="repos go to ROOT/<namespace>/<package>.git")
    parser.add_argument("--package", required=True)
    parser.add_argument("--namespace", default="rpms")
    parser.add_argument("--scenario", default="active", choices=SCENARIOS)
    parser.add_argument("--branch", action="append", metavar="B[:SCENARIO]",
                        help="branch to create, repeatable (default rawhide)")
    parser.add_argument("--retired-days-ago", type=float, default=35)
    parser.add_argument("--reason", default="Orphaned for 6+ weeks", help="dead.package content")
    parser.add_argument("--shared-retirement", action="store_true",
                        help="retired branches share one retirement commit (mass branching)")
    parser.add_argument("--unretired-days-ago", type=float, default=1)
    parser.add_argument("--request-url", help="unretirement request URL for the revert message")
    parser.add_argument("--force", action="store_true", help="replace an existing repo")
    args = parser.parse_args(argv)
    try:
        summary = make_repo(args.root, args.package, namespace=args.namespace,
                            scenario=args.scenario, branches=args.branch,
                            retired_days_ago=args.retired_days_ago, reason=args.reason,
                            shared_retirement=args.shared_retirement,
                            unretired_days_ago=args.unretired_days_ago,
                            request_url=args.request_url, force=args.force)
    except DistGitError as err:
        print("make_distgit: %s" % err, file=sys.stderr)
        return 1
    json.dump(summary, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
