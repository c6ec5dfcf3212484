"""The README demo after the build (scripts/demo --no-setup): it must show phase 1 and
phase 2 of the unretirement workflow, the container base image part and the new package
repos and branches part, stay short, and leave nothing behind. --save copies its working
directory out before it is removed, so the scm outcomes are checked in the stand-in's
journal and the bare git repos themselves, not only in what the demo prints."""

import json
import os
import subprocess

from flrtest import BUILD_DIR, SOURCE_DIR

SCM_QUEUE = "/pagure/api/0/releng/fedora-scm-requests/issue/"


def git(repo, *args):
    return subprocess.run(["git", "--git-dir", str(repo), *args], capture_output=True, text=True).stdout.strip()


def check_scm_outcomes(saved):
    """A new repo, a branch at rawhide's head and an invalid request closed with its reasons."""
    journal = [json.loads(ln) for ln in (saved / "journal.jsonl").read_text().splitlines() if ln.strip()]
    changes = [e for e in journal if e["method"] not in ("GET", "HEAD") and e["status"] < 300]

    def closed(tid):
        return [e["form"]["close_status"] for e in changes if e["path"] == f"{SCM_QUEUE}{tid}/status"]

    def comments(tid):
        return [e["form"]["comment"] for e in changes if e["path"] == f"{SCM_QUEUE}{tid}/comment"]

    repos = saved / "git" / "rpms"
    # #13101: a new repo, created through dist-git's API as a bare repo, ticket closed Processed.
    new = [e["form"] for e in changes if e["path"] == "/distgit/api/0/new"]
    assert [(f["namespace"], f["name"]) for f in new] == [("rpms", "python-tomli-w")], new
    assert git(repos / "python-tomli-w.git", "rev-parse", "--is-bare-repository") == "true"
    assert git(repos / "python-tomli-w.git", "rev-parse", "--verify", "rawhide")
    assert closed(13101) == ["Processed"]
    # #13102: f44 of rpms/existing created at rawhide's head, ticket closed Processed.
    rawhide = git(repos / "existing.git", "rev-parse", "rawhide")
    assert rawhide and git(repos / "existing.git", "rev-parse", "f44") == rawhide
    assert closed(13102) == ["Processed"]
    # #13103: closed Invalid, every reason in the one comment, nothing created for it.
    assert closed(13103) == ["Invalid"]
    [report] = comments(13103)
    reasons = report.partition("\nReasons:\n")[2]
    for why in ("rpms/bash already exists in dist-git", 'monitoring setting "sometimes"', "no fedora-review+"):
        assert why in reasons, report
    assert not [e for e in changes if e["service"] != "pagure" and "bash" in e["path"]]


def test_demo_runs_and_shows_the_outcome(tmp_path):
    (tmp_path / "tmp").mkdir()
    saved = tmp_path / "saved"
    env = dict(os.environ, FLR_BUILD_DIR=str(BUILD_DIR), TMPDIR=str(tmp_path / "tmp"))
    p = subprocess.run([str(SOURCE_DIR / "scripts" / "demo"), "--no-setup", "--save", str(saved)], env=env,
                       capture_output=True, text=True, timeout=300)
    out = p.stdout
    assert p.returncode == 0, out + p.stderr
    assert "FAIL" not in out
    for needle in ("**Verdict: `needs-review`**", "**Verdict: `auto`**", "packageListUnblock(f44, python-retro)",
                   '"close_status": "Processed"', "Unretirement request: ", "#12002 closed as Processed"):
        assert needle in out, out
    # The container base image part: the report names the package, one build submitted, the
    # weekly release pushed every tag, and a week with nothing built pushed nothing.
    for needle in ("bash: bash-5.2.32-1.fc41 -> bash-5.2.37-1.fc41", "kiwiBuild(f41-kiwi",
                   ":41 index, :latest index", "nothing built since Fedora-Container-Base-Generic-41-20241108.0"):
        assert needle in out, out
    # The scm part: a repo and a branch created, an invalid request explained.
    for needle in ('#13101 New Repo for "rpms/python-tomli-w" by jdoe -> Processed',
                   '#13102 New Branch "f44" for "rpms/existing" by alice -> Processed; f44 at rawhide\'s head',
                   '#13103 New Repo for "rpms/bash" by mallory -> Invalid', "- the repository rpms/bash already"):
        assert needle in out, out
    check_scm_outcomes(saved / "scm")
    # 60 lines before the scm part, which adds 12: a heading, a line per ticket, the invalid
    # request's three reasons, four outcome checks (and a blank line).
    assert len(out.splitlines()) <= 72, out
    assert list((tmp_path / "tmp").iterdir()) == [], "the demo left files behind"
    procs = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert str(tmp_path) not in procs, "the stand-in is still running"
