"""flr-check-unretirement and flr-unretire against the stand-ins and real bare dist-git
repos: every scenario of the unretirement issue, through the real binaries."""

import json

import pytest

from flrtest import run
from unretire_world import World


@pytest.fixture
def world(tmp_path):
    w = World(tmp_path)
    yield w
    w.stop()


def check(world, *args):
    r = run(["flr-check-unretirement", "--config", world.config, "--json", *args])
    assert r.returncode in (0, 1), r.stderr
    return r.returncode, json.loads(r.stdout)


def unretire(world, pkg, tid, *args):
    return run(["flr-unretire", "--config", world.config, "--package", pkg, "--ticket", world.ticket_url(tid),
                *args])


def test_recent_retirement_is_auto_and_the_report_is_posted(world):
    code, report = check(world, "--ticket", "1", "--post")
    assert code == 0 and report["verdict"] == "auto"
    branch = report["branches"][0]
    assert branch["dead_package"] and branch["retirement"]["age_days"] == 35
    assert branch["koji"] == [{"tag": "f44", "blocked": True}]
    posted = world.comments(1)
    assert len(posted) == 1 and "**Verdict: `auto`**" in posted[0]
    check(world, "--ticket", "1", "--post")
    assert len(world.comments(1)) == 1, "the same report is not posted twice"


def test_old_retirement_without_review_needs_review(world):
    code, report = check(world, "--ticket", world.ticket_url(2))
    assert code == 1 and report["verdict"] == "needs-review"


def test_legal_retirement_is_refused(world):
    code, report = check(world, "--ticket", "3")
    assert code == 1 and report["verdict"] == "refuse"
    assert report["branches"][0]["retirement"]["legal"]
    r = unretire(world, "legalpkg", 3, "--branch", "rawhide")
    assert r.returncode == 1 and "refused" in r.stderr
    assert world.entries() == []


def test_unknown_package_malformed_and_unrelated_tickets(world):
    assert check(world, "--ticket", "7")[1]["verdict"] == "refuse"
    code, report = check(world, "--ticket", "8")
    assert code == 1 and report["verdict"] == "manual" and "JSON" in report["malformed"]
    code, report = check(world, "--ticket", "9")
    assert code == 0 and report["ignored"] is True


def test_already_unretired_package(world):
    code, report = check(world, "--ticket", "6")
    assert code == 1 and report["verdict"] == "refuse"
    assert "not retired" in report["reasons"][0]["text"]


def test_unretire_reverts_pushes_unblocks_and_closes(world):
    r = unretire(world, "recentpkg", 1, "--branch", "rawhide")
    assert r.returncode == 0, r.stderr
    log = world.git("recentpkg", "log", "-1", "--format=%s%n%b", "rawhide")
    assert log.startswith("Unretirement request: " + world.ticket_url(1))
    assert "Signed-off-by: Fedora Release Engineering <releng@fedoraproject.org>" in log
    assert world.git("recentpkg", "cat-file", "-t", "rawhide:dead.package").strip() == ""
    calls = [(e.get("call"), e.get("args")) for e in world.entries() if e["service"] == "koji"]
    assert calls == [("packageListUnblock", ["f44", "recentpkg"])]
    status = [e["form"] for e in world.entries() if e["path"].endswith("/issue/1/status")]
    assert status and status[0]["close_status"] == "Processed"
    before = len(world.entries())
    again = unretire(world, "recentpkg", 1, "--branch", "rawhide")
    assert again.returncode == 0 and "Nothing to do" in again.stdout
    assert len(world.entries()) == before


def test_old_package_is_not_unretired(world):
    r = unretire(world, "oldpkg", 2, "--branch", "rawhide")
    assert r.returncode == 1 and "needs-review" in r.stderr
    assert world.entries() == []


def test_orphan_goes_to_the_requester(world):
    r = unretire(world, "orphanpkg", 4, "--branch", "rawhide")
    assert r.returncode == 0, r.stderr
    patches = [e for e in world.entries() if e["method"] == "PATCH"]
    assert patches and (patches[0].get("json") or patches[0].get("form"))["main_admin"] == "newbie"


def test_shared_retirement_reverted_once(world):
    r = unretire(world, "multipkg", 5, "--branch", "rawhide", "--branch", "f43", "--json")
    assert r.returncode == 0, r.stderr
    assert world.git("multipkg", "rev-parse", "rawhide") == world.git("multipkg", "rev-parse", "f43")
    unblocked = [e["args"] for e in world.entries() if e.get("call") == "packageListUnblock"]
    assert unblocked == [["f44", "multipkg"], ["f43", "multipkg"]]


def test_diverged_branches_get_their_own_revert(world):
    r = unretire(world, "divpkg", 10, "--branch", "rawhide", "--branch", "f43")
    assert r.returncode == 0, r.stderr
    for b in ("rawhide", "f43"):
        assert world.git("divpkg", "log", "-1", "--format=%s", b).startswith("Unretirement request:")
    assert world.git("divpkg", "rev-parse", "rawhide") != world.git("divpkg", "rev-parse", "f43")


def test_dry_run_changes_nothing(world):
    head = world.git("recentpkg", "rev-parse", "rawhide")
    r = unretire(world, "recentpkg", 1, "--branch", "rawhide", "--dry-run", "--json")
    assert r.returncode == 0, r.stderr
    steps = json.loads(r.stdout)["steps"]
    assert all(s["status"] == "would do" for s in steps if s["step"] != "owner")
    assert world.git("recentpkg", "rev-parse", "rawhide") == head
    assert world.entries() == []


def test_report_only_phase_never_auto(world):
    world.write_config("report-only")
    code, report = check(world, "--ticket", "1")
    assert code == 1 and report["verdict"] == "manual"


def test_bad_arguments_exit_2(world):
    for args in (["--package", "a b"], ["--package", "x", "--branch", "main"], ["--ticket", "https://evil/issue/1"]):
        r = run(["flr-check-unretirement", "--config", world.config, *args])
        assert r.returncode == 2 and r.stderr.count("\n") <= 2, r.stderr
