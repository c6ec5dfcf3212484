"""The unretirement workflow end to end: pagure ticket messages published to a real
private RabbitMQ, flr-listen (broker mode) with the example route file, the example
playbook run by a real ansible-playbook (connection local), flr-check-unretirement and
flr-unretire against the stand-ins and real bare dist-git repos.

One broker, one stand-in, one flr-listen for the whole module. The phase is switched in
flr.yaml between the tests, as an operator would, without touching flr-listen."""

import json
import time
import uuid

import pytest
import yaml

from flrtest import BIN_DIR, SOURCE_DIR, run
from listen import Listener, ansible_cfg, wait_for, write_config
from pagure_messages import COMMENT, NEW, issue_message, scm_request_message
from unretire_listen import route_config
from unretire_world import SCENARIOS, World


@pytest.fixture(scope="module")
def tmp(tmp_path_factory):
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture(scope="module")
def world(tmp):
    (tmp / "world").mkdir()
    w = World(tmp / "world", phase="report-only")
    yield w
    w.stop()


@pytest.fixture(scope="module")
def listener(tmp, world, broker):
    queue = "flr-e2e-" + uuid.uuid4().hex[:8]
    cfg = route_config(tmp, ansible_cfg(tmp), bot="releng", amqp={"url": broker.url, "queue": queue})
    cfg["workers"] = 3   # the three phase-2 tickets at once; jobs of one ticket stay in order
    lis = Listener(write_config(tmp, cfg), tmp, env={"FLR_CONFIG": str(world.config)})
    lis.queue = queue
    yield lis
    assert lis.stop() == 0


def ticket_message(topic, tid, **kw):
    _, _, _, title, content = SCENARIOS[tid]
    return issue_message(topic, tid, title, content, **kw)


def publish(broker, *messages):
    broker.publish([(m["topic"], m["body"], m["headers"], m["id"]) for m in messages])


def job_status(lis, msg_id, timeout=90):
    """The status of the last attempt of the job for message msg_id, once it is final."""
    needle = f'job id="{msg_id}"'

    def final():
        lines = [ln for ln in lis.text().splitlines() if needle in ln]
        if lines and ('status="exit 0"' in lines[-1] or "attempt=3" in lines[-1]):
            return lines[-1]
        return None
    return wait_for(final, timeout=timeout, what=needle)


def koji_calls(world):
    return [(e.get("call"), e.get("args")) for e in world.entries()
            if e["service"] == "koji" and e.get("call") == "packageListUnblock"]


def test_phase1_new_ticket_gets_the_report(world, broker, listener):
    head = world.git("recentpkg", "rev-parse", "rawhide")
    m = ticket_message(NEW, 1)
    publish(broker, m)
    assert 'status="exit 0"' in job_status(listener, m["id"])
    posted = world.comments(1)
    assert len(posted) == 1, listener.text()[-3000:]
    assert "## Unretirement check: rpms/recentpkg" in posted[0]
    assert "**Verdict: `manual`** (policy phase report-only" in posted[0]
    # Report only: nothing else changed.
    assert world.git("recentpkg", "rev-parse", "rawhide") == head
    assert koji_calls(world) == [] and world.closed(1) == []


def test_phase2_recent_unretired_old_needs_review_legal_refused(world, broker, listener):
    world.write_config("auto-recent")
    # A comment by the requester on ticket 1 re-runs it under the new phase; new tickets
    # 2 (10 weeks, no review bug) and 3 (legal); a comment by flr's own account and a
    # ticket of another project are not routed.
    again = ticket_message(COMMENT, 1, agent="jdoe", comment="Could you look again?")
    old, legal = ticket_message(NEW, 2), ticket_message(NEW, 3)
    own = ticket_message(COMMENT, 2, agent="releng", comment="report")
    publish(broker, again, old, legal, own, scm_request_message())
    for m in (again, old, legal):
        assert 'status="exit 0"' in job_status(listener, m["id"]), listener.text()[-3000:]
    wait_for(lambda: broker.queue_depth(listener.queue) == (0, 0), what="queue drained")

    # Ticket 1: revert pushed to the bare repo, Koji unblock, commented, closed Processed.
    log = world.git("recentpkg", "log", "-1", "--format=%s%n%b", "rawhide")
    assert log.startswith("Unretirement request: " + world.ticket_url(1)), log
    assert "Signed-off-by: Fedora Release Engineering <releng@fedoraproject.org>" in log
    assert world.git("recentpkg", "ls-tree", "--name-only", "rawhide").split().count("dead.package") == 0
    assert koji_calls(world) == [("packageListUnblock", ["f44", "recentpkg"])]
    assert world.closed(1) == ["Processed"]
    assert any("**Verdict: `auto`**" in c for c in world.comments(1))

    # Ticket 2: needs-review comment, stays open, repo untouched.
    posted = world.comments(2)
    assert len(posted) == 1 and "**Verdict: `needs-review`**" in posted[0]
    assert world.closed(2) == []
    assert world.git("oldpkg", "log", "-1", "--format=%s", "rawhide").strip() != ""
    assert "Unretirement request" not in world.git("oldpkg", "log", "--format=%s", "rawhide")

    # Ticket 3: refused, stays open.
    posted = world.comments(3)
    assert len(posted) == 1 and "**Verdict: `refuse`**" in posted[0]
    assert world.closed(3) == []
    assert "Unretirement request" not in world.git("legalpkg", "log", "--format=%s", "rawhide")

    # Nothing ran for flr's own comment or the other project's ticket.
    text = listener.text()
    assert f'job id="{own["id"]}"' not in text
    assert len(koji_calls(world)) == 1


def test_summary_after_stop(listener):
    time.sleep(0.2)
    assert listener.stop() == 0
    s = listener.summary()
    assert (s["received"], s["routed"], s["unrouted"], s["failed"]) == ("6", "4", "2", "0")


def test_check_playbook_only_reports_even_in_auto_phase(world, tmp_path):
    """check.yml (phase 1 whatever flr.yaml says), through flr-listen --replay: an `auto`
    ticket gets its report and nothing else."""
    world.write_config("auto-recent")
    cfg = route_config(tmp_path, ansible_cfg(tmp_path), bot="releng", playbook="check.yml")
    messages = tmp_path / "messages.jsonl"
    messages.write_text(json.dumps(ticket_message(NEW, 5)) + "\n")
    head = world.git("multipkg", "rev-parse", "rawhide")
    r = run([BIN_DIR / "flr-listen", "--config", write_config(tmp_path, cfg), "--replay", messages, "--json"],
            env={"FLR_CONFIG": str(world.config), "TMPDIR": str(tmp_path)}, timeout=180)
    assert r.returncode == 0 and json.loads(r.stdout)["succeeded"] == 1, r.stderr[-3000:]
    posted = world.comments(5)
    assert len(posted) == 1 and "**Verdict: `auto`**" in posted[0]
    assert world.git("multipkg", "rev-parse", "rawhide") == head
    assert world.closed(5) == [] and ("packageListUnblock", ["f44", "multipkg"]) not in koji_calls(world)

@pytest.mark.parametrize("phase", ["report-only", "auto-recent", "auto-all"])
def test_example_policy_is_accepted_in_every_phase(world, phase, tmp_path):
    """examples/unretirement/flr.yaml.example's unretirement section, with the stand-in's
    services, in each phase: the check accepts it and reports that phase."""
    example = yaml.safe_load((SOURCE_DIR / "examples/unretirement/flr.yaml.example").read_text())
    cfg = yaml.safe_load(world.config.read_text())
    cfg["unretirement"] = dict(example["unretirement"], phase=phase)
    path = tmp_path / "flr.yaml"
    path.write_text(yaml.safe_dump(cfg))
    r = run(["flr-check-unretirement", "--config", path, "--json", "--ticket", "10"])   # retired 20 days ago
    report = json.loads(r.stdout)
    assert report["phase"] == phase
    expected = "manual" if phase == "report-only" else "auto"
    assert (report["verdict"], r.returncode) == (expected, 1 if phase == "report-only" else 0), report


def test_example_route_file_as_shipped(tmp_path):
    """The unmodified example loads, and routes neither another project's ticket nor a
    comment by flr's account (releng-bot) nor one on a closed ticket."""
    messages = tmp_path / "messages.jsonl"
    skip = [scm_request_message(), ticket_message(COMMENT, 2, agent="releng-bot", comment="report"),
            ticket_message(COMMENT, 2, agent="jdoe", comment="thanks", status="Closed")]
    messages.write_text("".join(json.dumps(m) + "\n" for m in skip))
    r = run([BIN_DIR / "flr-listen", "--config", SOURCE_DIR / "examples/unretirement/flr-listen.yaml",
             "--replay", messages, "--json"], env={"TMPDIR": str(tmp_path)})
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)
    assert (s["received"], s["routed"], s["unrouted"]) == (3, 0, 3), s
