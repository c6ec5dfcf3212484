"""flr-check-scm-request, flr-scm-request, flr-create-repo and flr-create-branch against
the stand-in: every validation rule of the scm-requests issue (at least one test each),
the actions, idempotence, resumption and the bot's answers, through the real binaries.
One stand-in serves the module; it is reset to its seed before each test."""

import json

import pytest

from flrtest import run
from scm_world import World


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    w = World(tmp_path_factory.mktemp("scm"))
    yield w
    w.stop()


@pytest.fixture
def world(shared):
    shared.reset()
    return shared


def check(world, tid, *args):
    r = run(["flr-check-scm-request", "--config", world.config, "--json", "--ticket", str(tid), *args])
    assert r.returncode in (0, 1), r.stderr
    return r.returncode, json.loads(r.stdout)


def process(world, tid, *args):
    return run(["flr-scm-request", "--config", world.config, "--ticket", str(tid), *args])


def failed(report):
    return {c["rule"]: c["message"] for c in report["checks"] if c["result"] == "failed"}


def assert_rule(world, tid, rule, text, verdict="invalid"):
    code, report = check(world, tid)
    assert code == 1 and report["verdict"] == verdict, report
    assert rule in failed(report), report["checks"]
    assert text in failed(report)[rule]
    return report


# ------------------------------------------------------------------ the ticket

def test_not_a_request(world):
    code, report = check(world, 23)
    assert code == 0 and "not an scm request" in report["outcome"]


def test_request_title_without_json_is_invalid(world):
    assert_rule(world, 24, "ticket", "no ``` block")


# ------------------------------------------------------------------ new_repo

def test_valid_new_repo(world):
    code, report = check(world, 1)
    assert code == 0 and report["verdict"] == "valid", failed(report)
    assert [c["rule"] for c in report["checks"]][:4] == ["namespace", "name", "not in dist-git", "monitor"]
    assert any("2031-11-31 is not a date; read as 2031-11-30" in w for w in report["warnings"])


def test_repo_rule1_namespace(world):
    assert_rule(world, 3, "namespace", "not one flr creates repositories in")


def test_repo_rule2_name(world):
    assert_rule(world, 4, "name", "^[a-zA-Z0-9_][a-zA-Z0-9-_.+]*$")


def test_repo_rule3_not_in_distgit(world):
    assert_rule(world, 5, "not in dist-git", "already exists in dist-git")


def test_repo_rule4_monitor(world):
    assert_rule(world, 6, "monitor", "monitoring-stable-scratch")


def test_repo_rule5_review_bug_required(world):
    assert_rule(world, 7, "review bug", "a review bug is required")


def test_review_rule1_component(world):
    assert_rule(world, 8, "review: component", "not \"Package Review\"")


def test_review_rule2_product(world):
    assert_rule(world, 9, "review: product", "not Fedora or Fedora EPEL")


def test_review_rule3_assigned(world):
    assert_rule(world, 10, "review: assigned", "not assigned")


def test_review_rule4_flag(world):
    assert_rule(world, 11, "review: fedora-review+", "no fedora-review+")


def test_review_rule5_setter(world):
    assert_rule(world, 12, "review: flag setter", "not by the assignee")


def test_review_rule6_age(world):
    assert_rule(world, 13, "review: flag age", "more than 60 days ago")


def test_review_rule7_summary(world):
    assert_rule(world, 14, "review: summary", "Review Request: sumpkg - <summary>")


def test_review_rule8_reporter(world):
    assert_rule(world, 15, "review: reporter", "not by the ticket's author jdoe (jdoe@example.org)")


def test_exception_needs_approval(world):
    report = assert_rule(world, 16, "exception approved", "approval of the releng group", "needs-approval")
    assert report["approvers"] == ["boss"]


# ------------------------------------------------------------------ new_branch

def test_valid_new_branch(world):
    code, report = check(world, 2)
    assert code == 0 and report["verdict"] == "valid", failed(report)


def test_branch_rule1_repo_exists(world):
    assert_rule(world, 17, "repo exists", "does not exist in dist-git")


def test_branch_rule2_active_release(world):
    assert_rule(world, 18, "branch", "not an active Fedora release")


def test_branch_rule2_sl_dates(world):
    assert_rule(world, 19, "branch", "must end on June 1st or December 1st")
    code, report = check(world, 26)
    assert code == 0 and report["verdict"] == "valid", failed(report)


def test_branch_rule3_branch_is_new(world):
    assert_rule(world, 20, "branch is new", "already exists")


def test_branch_rule4_requester(world):
    report = assert_rule(world, 21, "requester", "is not a maintainer of rpms/existing", "needs-approval")
    assert report["approvers"] == ["alice", "carol"]


def test_branch_rule4_provenpackager_not_for_epel(world):
    assert_rule(world, 25, "requester", "provenpackager is not enough", "needs-approval")


def test_branch_rule5_epel_denied(world):
    assert_rule(world, 22, "not in RHEL", "already an EL package", "denied")


# ------------------------------------------------------------------ actions

def test_new_repo_is_created_and_the_ticket_closed(world):
    r = process(world, 1, "--json")
    assert r.returncode == 0, r.stderr
    record = json.loads(r.stdout)
    assert record["completed"] and [s["status"] for s in record["steps"]] == ["done"] * 5
    assert world.git("newpkg", "rev-parse", "rawhide").returncode == 0, "a bare repo in the dist-git root"
    paths = [(e["method"], e["path"]) for e in world.changes()]
    assert ("POST", "/distgit/api/0/new") in paths
    assert ("PATCH", "/distgit/api/0/rpms/newpkg") in paths
    assert ("POST", "/distgit/_dg/anitya/rpms/newpkg") in paths
    bz = [e for e in world.changes() if e["path"] == "/rest/bug/101/comment"]
    assert bz and bz[0]["json"]["comment"].endswith("/distgit/rpms/newpkg")
    assert world.closed(1) == ["Processed"]
    # idempotent: a second run changes nothing and says so
    before = len(world.changes())
    r = process(world, 1)
    assert r.returncode == 0 and "Nothing to do" in r.stdout
    assert len(world.changes()) == before


def test_new_branch_at_rawhide_head(world):
    r = process(world, 2)
    assert r.returncode == 0, r.stderr
    head = world.git("existing", "rev-parse", "rawhide").stdout.strip()
    assert world.git("existing", "rev-parse", "f44").stdout.strip() == head
    assert world.closed(2) == ["Processed"]


def test_invalid_request_is_refused_without_respond(world):
    r = process(world, 6)
    assert r.returncode == 1 and "refused: the request is invalid" in r.stderr
    assert world.changes() == []


def test_dry_run_changes_nothing(world):
    r = process(world, 1, "--dry-run", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["changed"] and world.changes() == []


def test_failure_half_way_is_resumed(world):
    world.fail_next("/rest/bug/101/comment", status=500, method="POST")
    r = process(world, 1)
    assert r.returncode == 1 and 'step "review bug" failed' in r.stderr
    assert world.comments(1)[-1].startswith("## Request stopped")
    assert world.closed(1) == []
    r = process(world, 1)
    assert r.returncode == 0, r.stderr
    assert world.closed(1) == ["Processed"]
    assert len([e for e in world.changes() if e["path"] == "/distgit/api/0/new"]) == 1


# ------------------------------------------------------------------ --respond

def test_respond_closes_invalid_with_every_reason(world):
    r = process(world, 6, "--respond")
    assert r.returncode == 0, r.stderr
    assert world.closed(6) == ["Invalid"]
    assert "monitoring-stable-scratch" in world.comments(6)[-1]


def test_respond_closes_epel_denied(world):
    assert process(world, 22, "--respond").returncode == 0
    assert world.closed(22) == ["Denied"]


def test_respond_not_a_request_is_said_once(world):
    assert process(world, 23, "--respond").returncode == 0
    assert process(world, 23, "--respond").returncode == 0
    assert len(world.comments(23)) == 1 and "not a request" in world.comments(23)[0]
    assert world.closed(23) == []


def test_respond_help(world):
    assert process(world, 21, "--respond").returncode == 0  # the approval ping
    world.add_comment(21, "mallory", "@releng-bot help")
    assert process(world, 21, "--respond").returncode == 0
    assert "@releng-bot retry" in world.comments(21)[-1]
    # the bot's own comment triggers nothing
    n = len(world.changes())
    assert process(world, 21, "--respond").returncode == 0
    assert len(world.changes()) == n


def test_respond_valid_from_non_maintainer_then_maintainer(world):
    assert process(world, 21, "--respond").returncode == 0
    assert "@alice, @carol" in world.comments(21)[-1]
    world.add_comment(21, "mallory", "@releng-bot valid")
    assert process(world, 21, "--respond").returncode == 0
    assert world.comments(21)[-1] == ("@mallory: only a maintainer of rpms/existing or a member of releng "
                                      "can approve this request.")
    world.add_comment(21, "carol", "@releng-bot valid")
    assert process(world, 21, "--respond").returncode == 0
    assert world.closed(21) == ["Processed"]
    assert world.git("existing", "rev-parse", "epel10").returncode == 0


def test_respond_retry_after_500(world):
    world.fail_next("/distgit/api/0/rpms/existing/git/branch", status=500, method="POST")
    assert process(world, 2, "--respond").returncode == 1
    assert world.closed(2) == []
    world.add_comment(2, "alice", "@releng-bot retry")
    assert process(world, 2, "--respond").returncode == 0
    assert world.closed(2) == ["Processed"]


# ------------------------------------------------------------------ primitives

def test_create_repo_and_branch_by_hand(world):
    r = run(["flr-create-repo", "--config", world.config, "--name", "handpkg", "--main-admin", "alice",
             "--monitor", "monitoring", "--branch", "f44", "--json"])
    assert r.returncode == 0, r.stderr
    assert world.git("handpkg", "rev-parse", "f44").returncode == 0
    r = run(["flr-create-branch", "--config", world.config, "--name", "handpkg", "--branch", "f44"])
    assert r.returncode == 0 and "Nothing to do" in r.stdout
    r = run(["flr-create-branch", "--config", world.config, "--name", "nothere", "--branch", "f44"])
    assert r.returncode == 1 and "does not exist" in r.stderr


@pytest.mark.parametrize("argv", [
    ["flr-create-repo", "--name", "-x", "--main-admin", "alice"],
    ["flr-create-repo", "--name", "x", "--main-admin", "alice", "--monitor", "often"],
    ["flr-create-branch", "--name", "x", "--branch", "a b"],
    ["flr-create-repo", "--name", "x", "--main-admin", "alice", "--namespace", "nope"],
])
def test_bad_names_are_usage_errors(argv):
    r = run(argv)
    assert r.returncode == 2 and r.stderr.startswith(argv[0] + ": error: --"), r.stderr


def test_sudo_rule_allows_exactly_the_playbooks_command_line():
    """examples/scm/sudoers (and its copy in sudoers.d) allows the one command line
    scm-request.yml runs, with any ticket number, and nothing else."""
    import re
    from flrtest import SOURCE_DIR
    rules = []
    for path in (SOURCE_DIR / "examples/scm/sudoers", SOURCE_DIR / "sudoers.d/flr-scm-example"):
        rules.append([ln for ln in path.read_text().splitlines() if ln and not ln.startswith("#")])
    assert rules[0] == rules[1]
    spec = rules[0][-1].split("NOPASSWD: ", 1)[1]
    binary, regex = spec.split(" ", 1)
    playbook = (SOURCE_DIR / "examples/scm/scm-request.yml").read_text()
    assert "'/flr-scm-request'" in playbook and binary == "/usr/bin/flr-scm-request"
    assert "'--ticket', msg.issue.id | int | string, '--respond', '--json'" in playbook
    allowed = re.compile(regex)
    assert allowed.fullmatch("--ticket 12345 --respond --json")
    for bad in ("--ticket 1 --respond --json --config /tmp/x", "--ticket 1 --json", "--ticket x --respond --json",
                "--ticket 1 --respond --dry-run --json"):
        assert not allowed.fullmatch(bad), bad
