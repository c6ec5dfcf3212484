"""flr-listen against a real private RabbitMQ: routing, acking after completion,
invalid input, loopabull configs, ordering keys, resource use."""

import json
import os
import subprocess


import flrtest
from listen import Listener, ansible_cfg, msg, read_records, record_command, unique, wait_for, write_config

FIXTURES = os.path.join(os.environ.get("FLR_SOURCE_DIR", "."), "tests", "data", "messages")


def base_config(broker, queue, routes, **extra):
    cfg = {"amqp": {"url": broker.url, "queue": queue, "prefetch": 50, "heartbeat": 10}, "routes": routes}
    cfg.update(extra)
    return cfg



def test_routing_conditions_multiple_and_unmatched(broker, tmp_path):
    t = unique("t")
    out = str(tmp_path / "rec.jsonl")
    routes = [
        {"name": "updates", "topic": f"{t}.koji.tag", "when": {"body.tag": ["f43-updates", "f43-updates-testing"]},
         "command": record_command(out, "updates", "{body.name}", "{body.tag}")},
        {"name": "any-koji", "topic": f"{t}.koji.#", "command": record_command(out, "any-koji", "{topic}")},
        {"name": "not-epel", "topic": f"{t}.*.tag",
         "when": {"body.tag": {"not_regex": "^epel"}, "headers.x-flag": {"exists": True}},
         "command": record_command(out, "not-epel", "{body.name}", "{headers.x-flag}")},
    ]
    queue = unique("q")
    lis = Listener(write_config(tmp_path, base_config(broker, queue, routes)), tmp_path)
    try:
        broker.publish([
            msg(f"{t}.koji.tag", {"name": "a", "tag": "f43-updates"}),            # updates + any-koji
            msg(f"{t}.koji.tag", {"name": "b", "tag": "f43-updates-testing"},
                headers={"x-flag": True}),                                        # all three
            msg(f"{t}.koji.tag", {"name": "c", "tag": "epel9"}, headers={"x-flag": 1}),  # any-koji only
            msg(f"{t}.other.thing", {"name": "d"}),                               # unbound: never delivered
        ])
        wait_for(lambda: len([r for r in read_records(out) if r["event"] == "end"]) == 6, what="6 jobs")
        wait_for(lambda: broker.queue_depth(queue) == (0, 0), what="queue drained")
    finally:
        assert lis.stop() == 0
    ends = sorted((r["route"], tuple(r["fields"])) for r in read_records(out) if r["event"] == "end")
    assert ends == sorted([
        ("updates", ("a", "f43-updates")), ("any-koji", (f"{t}.koji.tag",)),
        ("updates", ("b", "f43-updates-testing")), ("any-koji", (f"{t}.koji.tag",)),
        ("not-epel", ("b", "true")), ("any-koji", (f"{t}.koji.tag",)),
    ])
    s = lis.summary()
    assert (s["received"], s["routed"], s["succeeded"], s["failed"]) == ("3", "3", "6", "0")
    text = lis.text()
    assert 'route="not-epel" attempt=1 status="exit 0"' in text


def test_unmatched_is_acked_and_counted(broker, tmp_path):
    t = unique("t")
    queue = unique("q")
    routes = [{"name": "only-x", "topic": f"{t}.a", "when": {"body.x": "1"}, "command": ["/bin/true"]}]
    lis = Listener(write_config(tmp_path, base_config(broker, queue, routes)), tmp_path)
    try:
        broker.publish([msg(f"{t}.a", {"x": 2}) for _ in range(5)] + [msg(f"{t}.a", {"x": 1})])
        wait_for(lambda: broker.queue_depth(queue) == (0, 0), what="queue drained")
    finally:
        lis.stop()
    s = lis.summary()
    assert (s["received"], s["unrouted"], s["routed"], s["succeeded"]) == ("6", "5", "1", "1")


def test_kill9_during_action_then_restart_loses_nothing(broker, tmp_path):
    t = unique("t")
    queue = unique("q")
    out = str(tmp_path / "rec.jsonl")
    routes = [{"name": "slow", "topic": f"{t}.slow", "command": record_command(out, "slow", "{body.n}", sleep=1.5)}]
    config = write_config(tmp_path, base_config(broker, queue, routes, workers=2))
    lis = Listener(config, tmp_path)
    broker.publish([msg(f"{t}.slow", {"n": i}) for i in range(3)])
    wait_for(lambda: any(r["event"] == "start" for r in read_records(out)), what="an action started")
    lis.kill9()
    ready, unacked = wait_for(lambda: broker.queue_depth(queue) == (3, 0) and (3, 0), what="all 3 requeued")
    assert (ready, unacked) == (3, 0)
    lis = Listener(config, tmp_path)
    try:
        wait_for(lambda: {tuple(r["fields"]) for r in read_records(out) if r["event"] == "end"} >= {("0",), ("1",), ("2",)},
                 timeout=30, what="every message completed")
        wait_for(lambda: broker.queue_depth(queue) == (0, 0), what="queue drained")
    finally:
        assert lis.stop() == 0


def test_invalid_bodies_interleaved_are_all_accounted_for(broker, tmp_path):
    t = unique("t")
    queue = unique("q")
    out = str(tmp_path / "rec.jsonl")
    routes = [{"name": "ok", "topic": f"{t}.m", "command": record_command(out, "ok", "{body.n}")}]
    cfg = base_config(broker, queue, routes, workers=4, max_body_size=4096)
    lis = Listener(write_config(tmp_path, cfg), tmp_path)
    invalid = [b"not json", b"[1, 2, 3]", b'"a string"', b"\xff\xfe{}", b"{" * 5000, b'{"big": "' + b"x" * 5000 + b'"}',
               b"", b"null", b'{"a": 1', b"[" * 300 + b"]" * 300]
    messages = []
    for i in range(100):
        messages.append(msg(f"{t}.m", invalid[i % len(invalid)]))
        messages.append(msg(f"{t}.m", {"n": i}))
    try:
        broker.publish(messages)
        wait_for(lambda: len([r for r in read_records(out) if r["event"] == "end"]) == 100, timeout=60,
                 what="100 valid jobs")
        wait_for(lambda: broker.queue_depth(queue) == (0, 0), what="queue drained")
        assert lis.proc.poll() is None, "listener died"
    finally:
        lis.stop()
    s = lis.summary()
    assert (s["received"], s["invalid"], s["routed"], s["succeeded"], s["failed"]) == ("200", "100", "100", "100", "0")
    assert lis.text().count("invalid message") == 100


def test_loopabull_config_and_playbook_run_unchanged(broker, tmp_path):
    playbooks = tmp_path / "playbooks"
    playbooks.mkdir()
    out = tmp_path / "loopabull-out.txt"
    # A loopabull-era playbook: it only knows `msg`.
    (playbooks / "org.fedoraproject.prod.buildsys.tag.yml").write_text(f"""
- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - copy:
        dest: {out}
        content: "{{{{ msg.name }}}} {{{{ msg.tag }}}}"
""")
    queue = unique("loopabull")
    config = {
        "ansible": {"playbooks_dir": str(playbooks), "cfg_file_path": ansible_cfg(tmp_path),
                    "playbook_cmd": "/usr/bin/ansible-playbook"},
        "routing_keys": ["org.fedoraproject.prod.buildsys.tag"],
        "plugins": {
            "looper": {"name": "fedmsgrabbitmq", "credentials": {"username": "guest", "password_file": None},
                       "rabbitmq": {"host": "127.0.0.1", "port": broker.port, "virtual_host": "/"},
                       "routing_keys": ["org.fedoraproject.prod.buildsys.tag"],
                       "exchange": {"name": "amq.topic"},
                       "channel_queue": {"name": queue, "durable": True, "auto_delete": False, "exclusive": False}},
            "translator": {"name": "rkname"},
        },
    }
    lis = Listener(write_config(tmp_path, config, "loopabull.yml"), tmp_path)
    try:
        with open(os.path.join(FIXTURES, "org.fedoraproject.prod.buildsys.tag.json")) as f:
            dump = json.load(f)
        broker.publish([msg(dump["topic"], dump["body"], dump["id"], dump["headers"])])
        wait_for(lambda: out.exists(), timeout=60, what="the playbook ran")
        wait_for(lambda: broker.queue_depth(queue) == (0, 0), what="queue drained")
    finally:
        lis.stop()
    assert out.read_text() == "python-specfile f40-build-side-12345"


def test_ordering_keys_under_concurrency(broker, tmp_path):
    t = unique("t")
    queue = unique("q")
    out = str(tmp_path / "rec.jsonl")
    routes = [{"name": "ordered", "topic": f"{t}.o", "ordering_key": "{body.pkg}",
               "command": record_command(out, "ordered", "{body.pkg}", "{body.seq}", sleep=0.15)}]
    lis = Listener(write_config(tmp_path, base_config(broker, queue, routes, workers=4)), tmp_path)
    pkgs = ["a", "b", "c"]
    try:
        broker.publish([msg(f"{t}.o", {"pkg": pkgs[i % 3], "seq": i}) for i in range(15)])
        wait_for(lambda: len([r for r in read_records(out) if r["event"] == "end"]) == 15, timeout=60, what="15 jobs")
    finally:
        lis.stop()
    recs = read_records(out)
    for pkg in pkgs:
        events = [(r["event"], int(r["fields"][1])) for r in recs if r["fields"][0] == pkg]
        # start/end strictly alternate (never two at once) and in publish order
        assert [e for e, _ in events] == ["start", "end"] * 5
        seqs = [s for e, s in events if e == "start"]
        assert seqs == sorted(seqs)
    # different keys did run at the same time
    running, peak = 0, 0
    for r in sorted(recs, key=lambda r: (r["t"], r["event"] == "start")):
        running += 1 if r["event"] == "start" else -1
        peak = max(peak, running)
    assert peak >= 2


def fd_count(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def test_fds_and_temp_files_flat_after_1000_messages(broker, tmp_path):
    t = unique("t")
    queue = unique("q")
    work = tmp_path / "work"
    work.mkdir()
    # playbook_cmd /bin/true: each job writes and removes its vars file without Ansible's cost
    routes = [{"name": "pb", "topic": f"{t}.p", "playbook": "/nonexistent/never-read.yml",
               "ansible": {"playbook_cmd": "/bin/true"}},
              {"name": "cmd", "topic": f"{t}.p", "command": ["/bin/true", "{body.n}"]}]
    lis = Listener(write_config(tmp_path, base_config(broker, queue, routes, workers=4, work_dir=str(work))), tmp_path)
    try:
        broker.publish([msg(f"{t}.p", {"n": i}) for i in range(20)])
        wait_for(lambda: broker.queue_depth(queue) == (0, 0), what="warm-up drained")
        before = fd_count(lis.proc.pid)
        broker.publish([msg(f"{t}.p", {"n": i}) for i in range(1000)])
        wait_for(lambda: broker.queue_depth(queue) == (0, 0), timeout=120, what="1000 drained")
        wait_for(lambda: lis.text().count('status="exit 0"') == 2040, timeout=30, what="all jobs logged")
        after = fd_count(lis.proc.pid)
        dirs = os.listdir(work)
        assert len(dirs) == 1 and dirs[0].startswith("flr-listen-")
        assert os.listdir(work / dirs[0]) == []
        assert oct(os.stat(work / dirs[0]).st_mode & 0o777) == "0o700"
    finally:
        lis.stop()
    assert after == before
    assert os.listdir(work) == []  # the private directory goes at exit
    s = lis.summary()
    assert (s["received"], s["succeeded"], s["failed"]) == ("1020", "2040", "0")


def test_quorum_queue_and_derived_bindings(broker, tmp_path):
    t = unique("t")
    queue = unique("quorum")
    out = str(tmp_path / "rec.jsonl")
    routes = [{"name": "a", "topic": f"{t}.x.#", "command": record_command(out, "a", "{id}")},
              {"name": "b", "topic": [f"{t}.x.#", f"{t}.y"], "command": record_command(out, "b", "{id}")}]
    cfg = base_config(broker, queue, routes)
    cfg["amqp"]["queue_type"] = "quorum"
    lis = Listener(write_config(tmp_path, cfg), tmp_path)
    try:
        broker.publish([msg(f"{t}.x.1", {}, "m1"), msg(f"{t}.y", {}, "m2")])
        wait_for(lambda: len([r for r in read_records(out) if r["event"] == "end"]) == 3, what="3 jobs")
    finally:
        lis.stop()
    types = broker.ctl("list_queues", "-q", "--no-table-headers", "name", "type", "durable").stdout
    assert f"{queue}\tquorum\ttrue" in types
    bindings = broker.ctl("list_bindings", "-q", "--no-table-headers", "destination_name", "routing_key").stdout
    keys = sorted(line.split("\t")[1] for line in bindings.splitlines() if line.startswith(queue + "\t") and "\t" in line
                  and line.split("\t")[1] != queue)
    assert keys == sorted([f"{t}.x.#", f"{t}.y"])  # each topic bound once


def test_passive_declares(broker, tmp_path):
    t = unique("t")
    queue = unique("passive")
    routes = [{"name": "a", "topic": f"{t}.a", "command": ["/bin/true"]}]
    cfg = base_config(broker, queue, routes)
    cfg["amqp"]["passive_declares"] = True
    path = write_config(tmp_path, cfg)
    p = subprocess.run([str(flrtest.binary("flr-listen")), "--config", path],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 4 and "passive declare" in p.stderr and len(p.stderr.splitlines()) == 1, p.stderr
    conn = broker.connection()
    ch = conn.channel()
    ch.queue_declare(queue, durable=True)
    ch.queue_bind(queue, "amq.topic", f"{t}.a")
    conn.close()
    lis = Listener(path, tmp_path)
    try:
        broker.publish([msg(f"{t}.a", {})])
        lis.wait_log('status="exit 0"')
    finally:
        lis.stop()
    bindings = broker.ctl("list_bindings", "-q", "--no-table-headers", "destination_name", "routing_key").stdout
    assert [line for line in bindings.splitlines() if line.startswith(queue + "\t")] == \
        [f"{queue}\t{queue}", f"{queue}\t{t}.a"]  # the default binding and the operator's, nothing more


def test_broker_unreachable_is_one_line_exit_4(tmp_path):
    from rabbitmq import free_port
    cfg = {"amqp": {"url": f"amqp://guest@127.0.0.1:{free_port()}/%2F", "queue": "q"},
           "routes": [{"name": "a", "topic": "a", "command": ["/bin/true"]}]}
    p = subprocess.run([str(flrtest.binary("flr-listen")), "--config",
                        write_config(tmp_path, cfg)], capture_output=True, text=True, timeout=30)
    assert p.returncode == 4 and len(p.stderr.splitlines()) == 1 and "connect to 127.0.0.1" in p.stderr, p.stderr


def test_heartbeats_flow_while_an_action_runs(broker, tmp_path):
    t = unique("t")
    queue = unique("q")
    out = str(tmp_path / "rec.jsonl")
    routes = [{"name": "long", "topic": f"{t}.l", "command": record_command(out, "long", "{id}", sleep=6)}]
    cfg = base_config(broker, queue, routes)
    cfg["amqp"]["heartbeat"] = 1  # the broker drops a silent client after about 2 s
    lis = Listener(write_config(tmp_path, cfg), tmp_path)
    try:
        broker.publish([msg(f"{t}.l", {}, "long-1")])
        wait_for(lambda: any(r["event"] == "end" for r in read_records(out)), timeout=20, what="the long action")
        wait_for(lambda: broker.queue_depth(queue) == (0, 0), what="acked")
        assert lis.proc.poll() is None
    finally:
        assert lis.stop() == 0
    assert [r["event"] for r in read_records(out)] == ["start", "end"]  # ran once, never redelivered


def test_a_full_backlog_stops_reading_but_keeps_the_connection(broker, tmp_path):
    # One worker and 40 quick messages behind a 6 s job: more than backlog_limit (20)
    # jobs would wait, so flr-listen leaves deliveries unread in the socket and sends
    # heartbeats itself; with a 1 s heartbeat the broker would drop a silent client.
    t = unique("t")
    queue = unique("q")
    out = str(tmp_path / "rec.jsonl")
    routes = [{"name": "long", "topic": f"{t}.l", "command": record_command(out, "long", "{id}", sleep=6)},
              {"name": "quick", "topic": f"{t}.q", "command": record_command(out, "quick", "{body.n}")}]
    cfg = base_config(broker, queue, routes, workers=1)
    cfg["amqp"]["heartbeat"] = 1
    lis = Listener(write_config(tmp_path, cfg), tmp_path)
    try:
        broker.publish([msg(f"{t}.l", {}, "long-1")] + [msg(f"{t}.q", {"n": i}) for i in range(40)])
        wait_for(lambda: len([r for r in read_records(out) if r["event"] == "end"]) == 41, timeout=60,
                 what="all 41 jobs")
        wait_for(lambda: broker.queue_depth(queue) == (0, 0), what="acked")
        assert lis.proc.poll() is None
    finally:
        assert lis.stop() == 0
    log = open(lis.log_path).read()
    assert "connection lost" not in log and "reconnected" not in log, log
    quick = [int(r["fields"][0]) for r in read_records(out) if r["route"] == "quick" and r["event"] == "start"]
    assert quick == list(range(40))  # each once, in order: nothing redelivered


def test_sigterm_lets_running_jobs_finish_and_leaves_the_rest(broker, tmp_path):
    t = unique("t")
    queue = unique("q")
    out = str(tmp_path / "rec.jsonl")
    routes = [{"name": "slow", "topic": f"{t}.s", "command": record_command(out, "slow", "{body.n}", sleep=1.5)}]
    lis = Listener(write_config(tmp_path, base_config(broker, queue, routes, workers=2)), tmp_path)
    broker.publish([msg(f"{t}.s", {"n": i}) for i in range(5)])
    wait_for(lambda: len([r for r in read_records(out) if r["event"] == "start"]) == 2, what="2 running")
    assert lis.stop() == 0
    recs = read_records(out)
    assert len([r for r in recs if r["event"] == "end"]) == 2 and len(recs) == 4  # nothing new started
    assert wait_for(lambda: broker.queue_depth(queue) == (3, 0) and True, what="3 left for redelivery")
