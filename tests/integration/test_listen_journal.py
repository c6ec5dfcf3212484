"""flr-listen's journal and batched routes against a real private RabbitMQ: a kill -9
after an action's side effect and before the ack re-runs nothing that finished;
republished ids are skipped; `flr-listen history` reads the journal while the listener
runs; damaged and missing journals; a batched route acks after its one job."""

import json
import os
import signal
import subprocess

from listen import Listener, binary, broker_config, ends, msg, record_command, unique, wait_for, write_config


def config(broker, queue, routes, tmp_path, **extra):
    """With the journal in tmp_path."""
    return broker_config(broker, queue, routes, prefetch=50, retry_delay="100ms",
                         journal={"path": str(tmp_path / "journal.db")}, **extra)





def history(config_path, *args):
    return subprocess.run([binary(), "history", "--config", config_path, *args], capture_output=True, text=True,
                          timeout=60)


def history_json(config_path, *args):
    p = history(config_path, "--json", *args)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def test_kill9_after_the_side_effect_before_the_ack_reruns_nothing_that_finished(broker, tmp_path):
    t, queue = unique("t"), unique("q")
    out = str(tmp_path / "rec.jsonl")
    # One message, two routes: "fx" finishes at once; the message's ack waits for "slow".
    routes = [{"name": "fx", "topic": f"{t}.k", "command": record_command(out, "fx", "{body.n}")},
              {"name": "slow", "topic": f"{t}.k", "command": record_command(out, "slow", "{body.n}", sleep=60)}]
    path = write_config(tmp_path, config(broker, queue, routes, tmp_path, workers=2))
    lis = Listener(path, tmp_path, new_session=True)
    broker.publish([msg(f"{t}.k", {"n": 1}, msg_id="kill-me")])
    wait_for(lambda: len(ends(out, "fx")) == 1, what="fx's side effect")
    lis.wait_log('route="fx" attempt=1 status="exit 0"')
    wait_for(lambda: [r["outcome"] for r in history_json(path)] == ["succeeded"], timeout=10,
             what="fx's run committed")
    assert broker.queue_depth(queue) == (0, 1)  # not acked: slow still runs
    lis.killpg9()
    wait_for(lambda: broker.queue_depth(queue) == (1, 0), what="requeued after the kill")

    routes[1]["command"] = record_command(out, "slow", "{body.n}")
    path = write_config(tmp_path, config(broker, queue, routes, tmp_path, workers=2))
    lis = Listener(path, tmp_path)
    try:
        wait_for(lambda: len(ends(out, "slow")) == 1, timeout=30, what="slow, run again")
        wait_for(lambda: broker.queue_depth(queue) == (0, 0), what="acked at last")
    finally:
        assert lis.stop() == 0
    assert len(ends(out, "fx")) == 1  # fx finished before the kill: never again
    assert "kill-me fx: redelivered, already succeeded: skipped" in lis.text()
    rows = history_json(path, "--message-id", "kill-me")
    assert [(r["route"], r["outcome"]) for r in rows] == [("fx", "succeeded"), ("fx", "skipped"),
                                                          ("slow", "succeeded")]


def test_a_republished_id_is_skipped_and_history_answers_while_running(broker, tmp_path):
    t, queue = unique("t"), unique("q")
    out = str(tmp_path / "rec.jsonl")
    fail = tmp_path / "fail"
    fail.write_text("99")
    routes = [{"name": "tag", "topic": f"{t}.buildsys.tag", "command": record_command(out, "tag", "{body.n}")},
              {"name": "broken", "topic": f"{t}.compose.done", "max_attempts": 2,
               "command": record_command(out, "broken", "{body.n}", fail_file=str(fail))}]
    path = write_config(tmp_path, config(broker, queue, routes, tmp_path))
    lis = Listener(path, tmp_path)
    try:
        broker.publish([msg(f"{t}.buildsys.tag", {"n": 1}, msg_id="same-id"),
                        msg(f"{t}.compose.done", {"n": 2}, msg_id="broken-1")])
        wait_for(lambda: broker.queue_depth(queue) == (0, 0), what="both settled")
        broker.publish([msg(f"{t}.buildsys.tag", {"n": 1}, msg_id="same-id")])  # a publisher's retry
        lis.wait_log("same-id tag: seen before, already succeeded: skipped")
        assert len(ends(out, "tag")) == 1

        # Read while the listener runs.
        rows = history_json(path)
        assert sorted((r["message_id"], r["route"], r["attempt"], r["outcome"]) for r in rows) == sorted([
            ("same-id", "tag", 1, "succeeded"), ("broken-1", "broken", 1, "failed"),
            ("broken-1", "broken", 2, "dead-lettered"), ("same-id", "tag", 0, "skipped")]), rows
        assert rows[-1]["outcome"] == "skipped"
        tag = [r for r in rows if r["outcome"] == "succeeded"][0]
        assert tag["topic"] == f"{t}.buildsys.tag" and tag["exit_status"] == 0 and tag["seconds"] >= 0
        failed = history_json(path, "--failed")
        assert {r["outcome"] for r in failed} == {"failed", "dead-lettered"}
        assert failed[-1]["exit_status"] == 1 and "failing on purpose" in failed[-1]["output"]
        assert [r["route"] for r in history_json(path, "--topic", f"{t}.compose.#")] == ["broken", "broken"]
        assert [r["route"] for r in history_json(path, "--route", "tag", "--since", "1h")] == ["tag", "tag"]
        assert history_json(path, "--since", "2099-01-01") == []
        text = history(path, "--message-id", "same-id")
        assert text.returncode == 0 and len(text.stdout.splitlines()) == 2 and "succeeded" in text.stdout
        bad = history(path, "--since", "yesterday")
        assert bad.returncode == 2 and "error: --since: expected a duration" in bad.stderr.splitlines()[0], bad.stderr
    finally:
        assert lis.stop() == 0


def test_a_damaged_journal_is_a_one_line_error_or_replaced_when_configured(broker, tmp_path):
    t, queue = unique("t"), unique("q")
    routes = [{"name": "a", "topic": f"{t}.a", "command": ["/bin/true"]}]
    journal = tmp_path / "journal.db"
    journal.write_bytes(b"this is not a database" * 400)
    path = write_config(tmp_path, config(broker, queue, routes, tmp_path))
    env = dict(os.environ, TMPDIR=str(tmp_path))
    p = subprocess.run([binary(), "--config", path], capture_output=True, text=True, timeout=60, env=env)
    assert p.returncode == 1 and len(p.stderr.splitlines()) == 1, p.stderr
    assert str(journal) in p.stderr and "on_corrupt: fresh" in p.stderr, p.stderr
    h = history(path)
    assert h.returncode == 1 and len(h.stderr.splitlines()) == 1, h.stderr

    cfg = config(broker, queue, routes, tmp_path)
    cfg["journal"]["on_corrupt"] = "fresh"
    path = write_config(tmp_path, cfg)
    lis = Listener(path, tmp_path)
    try:
        broker.publish([msg(f"{t}.a", {})])
        lis.wait_log('status="exit 0"')
    finally:
        assert lis.stop() == 0
    assert "starting a new journal" in lis.text()
    assert [f for f in os.listdir(tmp_path) if f.startswith("journal.db.corrupt-")]
    wait_for(lambda: len(history_json(path)) == 1, timeout=10, what="the new journal's row")

    cfg["journal"]["path"] = str(tmp_path / "missing" / "journal.db")
    p = subprocess.run([binary(), "--config", write_config(tmp_path, cfg)], capture_output=True, text=True,
                       timeout=60, env=env)
    assert p.returncode == 1 and len(p.stderr.splitlines()) == 1 and "does not exist" in p.stderr, p.stderr


def test_a_batched_route_runs_one_job_per_batch_and_acks_after_it(broker, tmp_path):
    t, queue = unique("t"), unique("q")
    out = tmp_path / "batches.jsonl"
    # The command appends the batch file's ids as one line.
    script = ("import json, sys; ids = [m['id'] for m in json.load(open(sys.argv[1]))]; "
              "open(sys.argv[2], 'a').write(json.dumps([sys.argv[3], ids]) + '\\n')")
    routes = [{"name": "tag", "topic": f"{t}.buildsys.tag", "batch": {"max": 5, "window": "60s", "key": "{body.tag}"},
               "command": ["/usr/bin/python3", "-c", script, "{batch_file}", str(out), "{body.tag}"]}]
    path = write_config(tmp_path, config(broker, queue, routes, tmp_path))
    lis = Listener(path, tmp_path)
    try:
        broker.publish([msg(f"{t}.buildsys.tag", {"tag": "f43" if i % 2 else "f42"}, msg_id=f"b{i}")
                        for i in range(10)])
        wait_for(lambda: out.exists() and len(out.read_text().splitlines()) == 2, timeout=30, what="two batches")
        wait_for(lambda: broker.queue_depth(queue) == (0, 0), what="all acked")
        # Two more of f43 wait in an open batch (window 60 s): SIGHUP runs it now.
        broker.publish([msg(f"{t}.buildsys.tag", {"tag": "f43"}, msg_id=f"c{i}") for i in range(2)])
        wait_for(lambda: broker.queue_depth(queue) == (0, 2), what="two in the open batch")
        lis.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: len(out.read_text().splitlines()) == 3, timeout=30, what="the open batch run at SIGHUP")
        wait_for(lambda: broker.queue_depth(queue) == (0, 0), what="acked after it")
        work = [d for d in os.listdir(tmp_path) if d.startswith("flr-listen-")]
        assert len(work) == 1 and os.listdir(tmp_path / work[0]) == []  # every batch file removed
    finally:
        assert lis.stop() == 0
    runs = sorted(json.loads(line) for line in out.read_text().splitlines())
    assert runs == [["f42", ["b0", "b2", "b4", "b6", "b8"]], ["f43", ["b1", "b3", "b5", "b7", "b9"]],
                    ["f43", ["c0", "c1"]]]
    rows = history_json(path)
    assert len(rows) == 12 and {r["outcome"] for r in rows} == {"succeeded"}
    assert len({r["batch"] for r in rows}) == 3
