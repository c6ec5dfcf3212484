"""flr-listen under failure, against a real private RabbitMQ: retries with backoff,
dead letters and flr-deadletter, kill -9, broker restart, dropped connections, long
actions and heartbeats, SIGTERM drain, hung actions, SIGHUP reload, metrics."""

import json
import os
import signal
import subprocess


import flrtest
from listen import (Listener, broker_config, ends, msg, read_records, record_command, starts, unique, wait_for,
                    write_config)
from rabbitmq import free_port






def deadletter(config_path, *args):
    binary = str(flrtest.binary("flr-deadletter"))
    p = subprocess.run([binary, "--config", config_path, *args], capture_output=True, text=True, timeout=60)
    return p


def children(pid):
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        return f.read().split()


def drained(broker, *queues):
    return lambda: all(broker.queue_depth(q) == (0, 0) for q in queues)


def test_fails_twice_then_succeeds_is_acked_after_three_attempts(broker, tmp_path):
    t, queue = unique("t"), unique("q")
    out, fail = str(tmp_path / "rec.jsonl"), tmp_path / "fail"
    fail.write_text("2")
    routes = [{"name": "flaky", "topic": f"{t}.f", "max_attempts": 3,
               "command": record_command(out, "flaky", "{id}", fail_file=str(fail))}]
    lis = Listener(write_config(tmp_path, broker_config(broker, queue, routes)), tmp_path)
    try:
        broker.publish([msg(f"{t}.f", {}, "flaky-1")])
        wait_for(lambda: ends(out), what="success on the third attempt")
        wait_for(drained(broker, queue, queue + ".dead"), what="acked, nothing dead-lettered")
    finally:
        assert lis.stop() == 0
    assert len(starts(out)) == 3 and len(ends(out)) == 1
    text = lis.text()
    assert "attempt 2 in 0.2 s" in text and "attempt 3 in 0.4 s" in text  # the backoff doubles
    s = lis.summary()
    assert (s["succeeded"], s["failed"], s["retried"], s["dead_lettered"]) == ("1", "0", "2", "0")


def test_always_failing_is_dead_lettered_then_reinjected_after_a_fix(broker, tmp_path):
    t, queue = unique("t"), unique("q")
    out, fail = str(tmp_path / "rec.jsonl"), tmp_path / "fail"
    fail.write_text("1000")
    routes = [{"name": "broken", "topic": f"{t}.b", "max_attempts": 2,
               "command": record_command(out, "broken", "{body.n}", fail_file=str(fail))},
              {"name": "fine", "topic": f"{t}.b", "command": record_command(out, "fine", "{body.n}")}]
    path = write_config(tmp_path, broker_config(broker, queue, routes))
    lis = Listener(path, tmp_path)
    try:
        broker.publish([msg(f"{t}.b", {"n": 1}, "dead-1"), msg(f"{t}.b", {"n": 2}, "dead-2")])
        wait_for(lambda: broker.queue_depth(queue + ".dead") == (2, 0), what="two dead letters")
        wait_for(drained(broker, queue), what="work queue acked")
        assert len(starts(out, "broken")) == 4 and len(ends(out, "fine")) == 2  # retries are per job

        p = deadletter(path, "list", "--json")
        assert p.returncode == 0, p.stderr
        letters = sorted(json.loads(p.stdout)["letters"], key=lambda l: l["id"])
        assert [(l["id"], l["route"], l["attempts"], l["exit_status"], l["topic"]) for l in letters] == \
            [("dead-1", "broken", 2, 1, f"{t}.b"), ("dead-2", "broken", 2, 1, f"{t}.b")]
        p = deadletter(path, "show", "--id", "dead-1", "--json")
        shown = json.loads(p.stdout)["letters"]
        assert len(shown) == 1 and "failing on purpose" in shown[0]["output"] and shown[0]["body"] == {"n": 1}
        assert broker.queue_depth(queue + ".dead") == (2, 0)  # looking changes nothing

        assert deadletter(path, "reinject").returncode == 2  # a selection is required
        p = deadletter(path, "--dry-run", "reinject", "--route", "broken")
        assert p.returncode == 0 and "2 dead letter(s) would be re-injected" in p.stdout, p.stdout
        assert broker.queue_depth(queue + ".dead") == (2, 0)

        fail.write_text("0")  # the fix
        p = deadletter(path, "reinject", "--id", "dead-1", "--json")
        assert p.returncode == 0 and [l["id"] for l in json.loads(p.stdout)["letters"]] == ["dead-1"], p.stderr
        wait_for(lambda: ends(out, "broken"), what="the re-injected job succeeded")
        wait_for(drained(broker, queue), what="re-injected message acked")
        assert broker.queue_depth(queue + ".dead") == (1, 0)
        assert len(ends(out, "fine")) == 2  # only the failed route ran again
        assert [r["fields"] for r in ends(out, "broken")] == [["1"]]

        p = deadletter(path, "purge", "--all", "--json")
        assert [l["id"] for l in json.loads(p.stdout)["letters"]] == ["dead-2"]
        assert broker.queue_depth(queue + ".dead") == (0, 0)
    finally:
        assert lis.stop() == 0


def test_invalid_message_is_dead_lettered_at_once_with_the_reason(broker, tmp_path):
    t, queue = unique("t"), unique("q")
    routes = [{"name": "a", "topic": f"{t}.i", "command": ["/bin/true"]}]
    path = write_config(tmp_path, broker_config(broker, queue, routes))
    lis = Listener(path, tmp_path)
    try:
        broker.publish([msg(f"{t}.i", b"not json", "bad-1")])
        wait_for(lambda: broker.queue_depth(queue + ".dead") == (1, 0), what="dead letter")
        wait_for(drained(broker, queue), what="acked")
    finally:
        lis.stop()
    letters = json.loads(deadletter(path, "list", "--json").stdout)["letters"]
    assert len(letters) == 1 and letters[0]["id"] == "bad-1" and letters[0]["route"] == ""
    assert letters[0]["reason"].startswith("invalid message: ")
    assert lis.summary()["invalid"] == "1"
    # A list of nodes whose first is down: flr-deadletter reads the next, as flr-listen does.
    nodes = broker_config(broker, queue, routes)
    nodes["amqp"]["url"] = [f"amqp://guest@127.0.0.1:{free_port()}/%2F", broker.url]
    p = deadletter(write_config(tmp_path, nodes, "nodes.yaml"), "list", "--json")
    assert p.returncode == 0 and [l["id"] for l in json.loads(p.stdout)["letters"]] == ["bad-1"], p.stderr
    assert "broker node 1 of 2" in p.stderr and "connected to 127.0.0.1:" in p.stderr, p.stderr


def test_kill9_of_the_group_before_and_after_the_side_effect_loses_nothing(broker, tmp_path):
    t, queue = unique("t"), unique("q")
    side = tmp_path / "side-effects"
    side.write_text("")
    # The side effect (a line in `side`) comes 1.5 s after the start and 1.5 s before the end.
    action = ["/bin/sh", "-c", 'sleep 1.5; echo "$1" >> "$2"; sleep 1.5', "sh", "{body.n}", str(side)]
    routes = [{"name": "fx", "topic": f"{t}.k", "command": action}]
    path = write_config(tmp_path, broker_config(broker, queue, routes, workers=1))

    lis = Listener(path, tmp_path, new_session=True)  # declares and binds the queue
    broker.publish([msg(f"{t}.k", {"n": 1})])
    wait_for(lambda: children(lis.proc.pid), what="the action running")
    lis.killpg9()  # before the side effect
    assert side.read_text() == ""
    wait_for(lambda: broker.queue_depth(queue) == (1, 0), what="requeued after the kill before")

    lis = Listener(path, tmp_path, new_session=True)
    wait_for(lambda: side.read_text() == "1\n", timeout=20, what="the side effect")
    lis.killpg9()  # just after it, before the action ends
    wait_for(lambda: broker.queue_depth(queue) == (1, 0), what="requeued after the kill after")

    lis = Listener(path, tmp_path)
    try:
        wait_for(drained(broker, queue), timeout=30, what="done at last")
    finally:
        assert lis.stop() == 0
    # At least once: the run cut short after its side effect ran again in full.
    assert side.read_text() == "1\n1\n"


def test_broker_restart_mid_stream_loses_nothing_and_resumes(broker, tmp_path):
    t, queue = unique("t"), unique("q")
    out = str(tmp_path / "rec.jsonl")
    routes = [{"name": "s", "topic": f"{t}.r", "command": record_command(out, "s", "{body.n}", sleep=0.3)}]
    lis = Listener(write_config(tmp_path, broker_config(broker, queue, routes, workers=2)), tmp_path)
    try:
        broker.publish([msg(f"{t}.r", {"n": i}) for i in range(30)])
        wait_for(lambda: len(ends(out)) >= 4, what="some done")
        broker.restart_app(down_seconds=2)
        lis.wait_log("reconnected", timeout=60)
        wait_for(lambda: {r["fields"][0] for r in ends(out)} == {str(i) for i in range(30)}, timeout=90,
                 what="all 30 done")
        wait_for(drained(broker, queue), timeout=30, what="queue drained")
        assert lis.proc.poll() is None
    finally:
        assert lis.stop() == 0
    assert "connection lost" in lis.text()


def test_closed_connection_reconnects(broker, tmp_path):
    t, queue = unique("t"), unique("q")
    out = str(tmp_path / "rec.jsonl")
    routes = [{"name": "c", "topic": f"{t}.c", "command": record_command(out, "c", "{body.n}")}]
    lis = Listener(write_config(tmp_path, broker_config(broker, queue, routes)), tmp_path)
    try:
        broker.publish([msg(f"{t}.c", {"n": 1})])
        wait_for(lambda: len(ends(out)) == 1, what="first")
        assert broker.close_connections("network loss test") >= 1
        lis.wait_log("reconnected", timeout=30)
        broker.publish([msg(f"{t}.c", {"n": 2})])
        wait_for(lambda: len(ends(out)) == 2, what="second after the reconnect")
        wait_for(drained(broker, queue), what="drained")
    finally:
        assert lis.stop() == 0
    assert lis.summary()["reconnects"] == "1"


def test_a_silent_broker_is_noticed_and_the_connection_reopened(broker, tmp_path):
    t = unique("t")
    queue = unique("q")
    out = str(tmp_path / "rec.jsonl")
    cfg = broker_config(broker, queue, [{"name": "a", "topic": f"{t}.a", "command": record_command(out, "a", "{id}")}])
    cfg["amqp"]["heartbeat"] = 1
    lis = Listener(write_config(tmp_path, cfg), tmp_path)
    try:
        log = lambda: open(lis.log_path).read()  # noqa: E731
        with broker.frozen():  # no data, no heartbeats, no FIN: only the heartbeat timeout can tell
            wait_for(lambda: "connection lost" in log(), timeout=20, what="the silence noticed")
        wait_for(lambda: "reconnected" in log(), timeout=90, what="a new connection")
        broker.publish([msg(f"{t}.a", {}, "after-1")])
        wait_for(lambda: [r["fields"] for r in ends(out)] == [["after-1"]], what="the message after the reconnect")
        assert lis.proc.poll() is None
    finally:
        assert lis.stop() == 0


def test_long_action_with_short_heartbeat_runs_once(broker, tmp_path):
    t, queue = unique("t"), unique("q")
    out = str(tmp_path / "rec.jsonl")
    routes = [{"name": "long", "topic": f"{t}.l", "command": record_command(out, "long", "{id}", sleep=30)}]
    cfg = broker_config(broker, queue, routes)
    cfg["amqp"]["heartbeat"] = 2
    lis = Listener(write_config(tmp_path, cfg), tmp_path)
    try:
        broker.publish([msg(f"{t}.l", {}, "long-30")])
        wait_for(lambda: ends(out), timeout=60, what="the 30-s action")
        wait_for(drained(broker, queue), what="acked")
    finally:
        assert lis.stop() == 0
    assert [r["event"] for r in read_records(out)] == ["start", "end"]
    assert "connection lost" not in lis.text()


def test_sigterm_drains_three_running_jobs_and_starts_nothing_new(broker, tmp_path):
    t, queue = unique("t"), unique("q")
    out = str(tmp_path / "rec.jsonl")
    routes = [{"name": "d", "topic": f"{t}.d", "command": record_command(out, "d", "{body.n}", sleep=3)}]
    lis = Listener(write_config(tmp_path, broker_config(broker, queue, routes, workers=3)), tmp_path)
    broker.publish([msg(f"{t}.d", {"n": i}) for i in range(6)])
    wait_for(lambda: len(starts(out)) == 3, what="3 running")
    lis.proc.send_signal(signal.SIGTERM)
    assert lis.proc.wait(timeout=30) == 0
    assert len(ends(out)) == 3 and len(starts(out)) == 3
    wait_for(lambda: broker.queue_depth(queue) == (3, 0), what="3 acked, 3 left for redelivery")
    lis.stop()


def test_hung_action_is_killed_with_its_children_and_counted_failed(broker, tmp_path):
    t, queue = unique("t"), unique("q")
    pids = tmp_path / "pids"
    action = ["/bin/sh", "-c", 'sleep 600 & echo $! >> "$1"; trap "" TERM; sleep 600', "sh", str(pids)]
    routes = [{"name": "hung", "topic": f"{t}.h", "timeout": "1s", "max_attempts": 1, "command": action}]
    path = write_config(tmp_path, broker_config(broker, queue, routes, kill_grace="500ms"))
    lis = Listener(path, tmp_path)
    try:
        broker.publish([msg(f"{t}.h", {}, "hung-1")])
        wait_for(lambda: broker.queue_depth(queue + ".dead") == (1, 0), timeout=30, what="dead-lettered")
        child = int(pids.read_text().split()[0])
        wait_for(lambda: not os.path.exists(f"/proc/{child}") or
                 open(f"/proc/{child}/stat").read().split()[2] == "Z", what="the child is gone")
    finally:
        lis.stop()
    assert lis.summary()["failed"] == "1"
    letter = json.loads(deadletter(path, "show", "--json").stdout)["letters"][0]
    assert "timed out" in letter["status"]


def test_sighup_adds_a_route_without_dropping_inflight_work(broker, tmp_path):
    t, queue = unique("t"), unique("q")
    out = str(tmp_path / "rec.jsonl")
    old = [{"name": "slow", "topic": f"{t}.a", "command": record_command(out, "slow", "{body.n}", sleep=3)}]
    new = old + [{"name": "added", "topic": f"{t}.b", "command": record_command(out, "added", "{body.n}")}]
    cfg = broker_config(broker, queue, old)
    path = write_config(tmp_path, cfg)
    lis = Listener(path, tmp_path)
    try:
        broker.publish([msg(f"{t}.a", {"n": 1})])
        wait_for(lambda: starts(out, "slow"), what="slow running")
        with open(path, "w") as f:
            f.write("routes: [unclosed\n")
        lis.proc.send_signal(signal.SIGHUP)
        lis.wait_log("reload failed, keeping the current routes")
        write_config(tmp_path, dict(cfg, routes=new))
        lis.proc.send_signal(signal.SIGHUP)
        lis.wait_log("SIGHUP: reloaded 2 route(s)")
        broker.publish([msg(f"{t}.b", {"n": 2})])  # bound by the reload
        wait_for(lambda: ends(out, "added") and ends(out, "slow"), what="both done")
        wait_for(drained(broker, queue), what="drained")
    finally:
        assert lis.stop() == 0
    assert len(starts(out, "slow")) == 1


def test_metrics_textfile(broker, tmp_path):
    t, queue = unique("t"), unique("q")
    prom = tmp_path / "flr_listen.prom"
    routes = [{"name": "ok", "topic": f"{t}.m", "when": {"body.ok": True}, "command": ["/bin/true"]},
              {"name": "ko", "topic": f"{t}.m", "when": {"body.ok": False}, "max_attempts": 2,
               "command": ["/bin/false"]}]
    cfg = broker_config(broker, queue, routes, metrics={"textfile": str(prom), "interval": "500ms"})
    lis = Listener(write_config(tmp_path, cfg), tmp_path)
    try:
        broker.publish([msg(f"{t}.m", {"ok": True}), msg(f"{t}.m", {"ok": True}), msg(f"{t}.m", {"ok": False}),
                        msg(f"{t}.m", {"other": 1}), msg(f"{t}.m", b"[]")])
        wait_for(lambda: prom.exists() and "flr_listen_messages_dead_lettered_total 2" in prom.read_text(),
                 timeout=30, what="metrics written")
    finally:
        assert lis.stop() == 0
    text = prom.read_text()
    for line in ["flr_listen_messages_received_total 5", "flr_listen_messages_routed_total 3",
                 "flr_listen_messages_unrouted_total 1", "flr_listen_messages_invalid_total 1",
                 "flr_listen_jobs_succeeded_total 2", "flr_listen_jobs_failed_total 1",
                 "flr_listen_jobs_retried_total 1", "flr_listen_jobs_running 0", "flr_listen_connected 0",
                 'flr_listen_action_duration_seconds_count{route="ok",result="success"} 2',
                 'flr_listen_action_duration_seconds_count{route="ko",result="failure"} 2',
                 "# TYPE flr_listen_action_duration_seconds histogram"]:
        assert line in text, line
    assert not [f for f in os.listdir(tmp_path) if f.startswith("flr_listen.prom.")]  # no temp file left


def test_quorum_queue_gets_a_delivery_limit_and_dead_letter_arguments(broker, tmp_path):
    t, queue = unique("t"), unique("quorum")
    routes = [{"name": "a", "topic": f"{t}.q", "command": ["/bin/true"]}]
    cfg = broker_config(broker, queue, routes)
    cfg["amqp"].update(queue_type="quorum", delivery_limit=5)
    lis = Listener(write_config(tmp_path, cfg), tmp_path)
    lis.stop()
    rows = broker.ctl("list_queues", "-q", "--no-table-headers", "name", "type", "arguments").stdout.splitlines()
    work = next(r for r in rows if r.startswith(queue + "\t"))
    dead = next(r for r in rows if r.startswith(queue + ".dead\t"))
    assert "quorum" in work and "x-delivery-limit" in work and "5" in work, work
    assert "x-dead-letter-exchange" in work and "flr.dead" in work and f"{queue}.dead" in work, work
    assert "quorum" in dead, dead
