"""The unretirement tools' output contracts and the checks that must come first, through
the real binaries against the stand-ins: one JSON document and one documented exit code
on every failure path, no service URL or session in a public comment, closed tickets left
alone."""

import json
import urllib.request

import pytest

from flrtest import run
from unretire_world import World


@pytest.fixture
def world(tmp_path):
    w = World(tmp_path)
    yield w
    w.stop()


def fault(world, **rule):
    req = urllib.request.Request(world.url + "/_standin/faults", data=json.dumps(rule).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    urllib.request.urlopen(req, timeout=10).read()


def comments(world, tid):
    return [e["form"]["comment"] for e in world.entries()
            if e["path"] == f"/pagure/api/0/releng/issue/{tid}/comment" and not e.get("injected")]


def one_document(r):
    """stdout parsed strictly: exactly one JSON document, nothing else."""
    return json.loads(r.stdout)


def test_failed_step_gives_exit_1_and_one_document_with_the_record_and_the_error(world):
    # The owner step (a dist-git PATCH) fails after the revert and the unblock.
    fault(world, fail_next=5, status=500, path_prefix="/distgit/api/0/rpms/orphanpkg", method="PATCH")
    r = run(["flr-unretire", "--config", world.config, "--package", "orphanpkg", "--branch", "rawhide",
             "--ticket", world.ticket_url(4), "--json"])
    assert r.returncode == 1, r.stderr
    doc = one_document(r)
    assert doc["completed"] is False and doc["failed_step"] == "owner"
    assert [s["status"] for s in doc["steps"]] == ["done", "done", "FAILED", "not run"]
    assert doc["error"]["exit_code"] == 1 and "owner" in doc["error"]["message"]
    # The public failure comment names no service URL.
    posted = comments(world, 4)
    assert len(posted) == 1 and "stopped" in posted[0]
    assert "http://" not in posted[0] and "127.0.0.1" not in posted[0], posted[0]
    # A re-run finishes the job.
    fault(world, clear=True)
    r = run(["flr-unretire", "--config", world.config, "--package", "orphanpkg", "--branch", "rawhide",
             "--ticket", world.ticket_url(4), "--json"])
    assert r.returncode == 0, r.stderr
    assert one_document(r)["completed"] is True


@pytest.mark.parametrize("tool,args,code", [
    ("flr-check-unretirement", ["--package", "a b"], 2),
    ("flr-check-unretirement", ["--ticket", "https://evil/issue/1"], 2),
    ("flr-unretire", ["--package", "legalpkg", "--branch", "rawhide", "--ticket", "3"], 2),
    ("flr-unretire", ["--package", "legalpkg", "--branch", "rawhide", "--ticket", "URL3"], 1),
])
def test_every_failure_is_one_document(world, tool, args, code):
    args = [world.ticket_url(3) if a == "URL3" else a for a in args]
    r = run([tool, "--config", world.config, "--json", *args])
    assert r.returncode == code, r.stderr
    assert one_document(r)["error"]["exit_code"] == code


def test_config_and_service_failures_are_one_document(world, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(world.config.read_text().replace("phase: auto-recent", "phase: yolo"))
    r = run(["flr-check-unretirement", "--config", bad, "--json", "--ticket", "1"])
    assert r.returncode == 3 and one_document(r)["error"]["kind"] == "config"
    fault(world, fail_next=20, status=500, path_prefix="/pagure/")
    r = run(["flr-check-unretirement", "--config", world.config, "--json", "--ticket", "1"])
    assert r.returncode == 4 and one_document(r)["error"]["kind"] == "remote"


def test_closed_ticket_is_not_commented_again_without_post_closed(world):
    r = run(["flr-unretire", "--config", world.config, "--package", "recentpkg", "--branch", "rawhide",
             "--ticket", world.ticket_url(1)])
    assert r.returncode == 0, r.stderr
    before = len(comments(world, 1))
    r = run(["flr-check-unretirement", "--config", world.config, "--ticket", "1", "--post"])
    assert len(comments(world, 1)) == before and "is closed" in r.stderr
    run(["flr-check-unretirement", "--config", world.config, "--ticket", "1", "--post", "--post-closed"])
    assert len(comments(world, 1)) == before + 1
