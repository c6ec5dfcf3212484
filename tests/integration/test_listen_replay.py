"""flr-listen --replay: the same routes and actions as broker mode, no connection."""

import json
import os
import subprocess
import time

import pytest

import flrtest
from listen import ansible_cfg, read_records, record_command, replay, write_config

SOURCE = os.environ.get("FLR_SOURCE_DIR", ".")
FIXTURES = os.path.join(SOURCE, "tests", "data", "messages")


def write_lines(tmp_path, records, name="messages.jsonl"):
    path = tmp_path / name
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records))
    return str(path)


def summary(p):
    assert p.stdout.strip(), p.stderr
    return json.loads(p.stdout)


def test_template_injection_stays_inert_with_real_ansible(tmp_path):
    marker = tmp_path / "SOMEFILE"
    out = tmp_path / "seen.txt"
    payload = "{{ lookup('pipe', 'touch " + str(marker) + "') }}"
    playbook = tmp_path / "inject.yml"
    playbook.write_text(f"""
- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - debug:
        msg: "{{{{ msg.text }}}} {{{{ msg.nested.list[0] }}}} {{{{ flr_message.headers.evil }}}} {{{{ msg | to_json }}}}"
    - copy:
        dest: {out}
        content: "{{{{ msg.text }}}}|{{{{ flr_message.headers.evil }}}}|{{{{ flr_message.topic }}}}"
""")
    cfg = write_config(tmp_path, {"ansible": {"cfg": ansible_cfg(tmp_path)},
                                  "routes": [{"name": "inject", "topic": "#", "playbook": str(playbook)}]})
    record = {"topic": "org.example.inject", "id": "inj-1", "headers": {"evil": payload},
              "body": {"text": payload, "nested": {"list": [payload]}, payload: "key too"}}
    p = replay(cfg, write_lines(tmp_path, [record]), tmp_path)
    assert p.returncode == 0, p.stderr
    assert summary(p)["succeeded"] == 1
    assert not marker.exists(), "the message was templated by Ansible"
    assert out.read_text() == f"{payload}|{payload}|org.example.inject"


def test_vars_file_is_private_and_removed(tmp_path):
    fake = tmp_path / "fake-ansible"
    seen = tmp_path / "seen.json"
    fake.write_text(f"""#!/usr/bin/python3
import json, os, stat, sys
vars_file = sys.argv[sys.argv.index("-e") + 1][1:]
st = os.stat(vars_file)
d = os.stat(os.path.dirname(vars_file))
json.dump({{"argv": sys.argv[1:], "mode": st.st_mode & 0o777, "dir_mode": d.st_mode & 0o777,
           "path": vars_file, "content": open(vars_file).read(),
           "env": sorted(os.environ)}}, open("{seen}", "w"))
""")
    fake.chmod(0o755)
    cfg = write_config(tmp_path, {"ansible": {"playbook_cmd": str(fake), "inventory": "inv.ini", "limit": "web"},
                                  "routes": [{"name": "pb", "topic": "a.b", "playbook": "play.yml"}]})
    p = replay(cfg, write_lines(tmp_path, [{"topic": "a.b", "id": "x1", "body": {"s": "v", "n": 1.5e20}}]),
               tmp_path)
    assert p.returncode == 0, p.stderr
    seen_data = json.loads(seen.read_text())
    assert seen_data["mode"] == 0o600 and seen_data["dir_mode"] == 0o700
    assert not os.path.exists(seen_data["path"])
    argv = seen_data["argv"]
    assert argv[0] == str(tmp_path / "play.yml") and argv[1] == "-e"
    assert argv[3:] == ["-i", str(tmp_path / "inv.ini"), "--limit", "web"]
    assert '!unsafe "s": !unsafe "v"' in seen_data["content"]
    assert "attempt: 1" in seen_data["content"]
    assert set(seen_data["env"]) <= {"PATH", "HOME", "LANG", "ANSIBLE_CONFIG", "LC_CTYPE"}
    assert [d for d in os.listdir(tmp_path) if d.startswith("flr-listen-")] == []


def test_summary_exit_codes_retries_and_placeholders(tmp_path):
    out = str(tmp_path / "rec.jsonl")
    fail = tmp_path / "fail-twice"
    fail.write_text("2")
    cfg = write_config(tmp_path, {"routes": [
        {"name": "flaky", "topic": "t.flaky", "command": record_command(out, "flaky", "{id}", fail_file=str(fail))},
        {"name": "always-fails", "topic": "t.bad", "command": ["/bin/false"], "max_attempts": 2},
        {"name": "missing", "topic": "t.missing", "command": ["/bin/echo", "{body.nope}"]},
        {"name": "not-scalar", "topic": "t.missing", "command": ["/bin/echo", "{body.obj}"]},
    ]})
    lines = [{"topic": "t.flaky", "id": "f1", "body": {}}, "this is not json", {"topic": "t.none", "body": {}},
             {"topic": "t.missing", "id": "m1", "body": {"obj": {"a": 1}}}, {"topic": "t.flaky", "body": [1]}]
    p = replay(cfg, write_lines(tmp_path, lines), tmp_path)
    s = summary(p)
    assert p.returncode == 1, p.stderr  # the placeholder jobs failed
    assert {k: s[k] for k in ("received", "routed", "unrouted", "invalid", "succeeded", "failed")} == \
        {"received": 5, "routed": 2, "unrouted": 1, "invalid": 2, "succeeded": 1, "failed": 2}
    assert s["retried"] == 2
    assert len([r for r in read_records(out) if r["event"] == "start"]) == 3
    assert "placeholder {body.nope}: no such field" in p.stderr
    assert "placeholder {body.obj}: not a scalar" in p.stderr
    # A job that keeps failing: exit 1, and the whole message is logged.
    p = replay(cfg, write_lines(tmp_path, [{"topic": "t.bad", "id": "b1", "body": {"k": "v"}}], "bad.jsonl"),
               tmp_path)
    assert p.returncode == 1 and summary(p)["failed"] == 1 and summary(p)["retried"] == 1
    assert 'route always-fails failed after 2 attempt(s); message: {"body":{"k":"v"}' in p.stderr


def test_array_file_and_legacy_envelopes(tmp_path):
    out = str(tmp_path / "rec.jsonl")
    cfg = write_config(tmp_path, {"routes": [
        {"name": "tag", "topic": "org.fedoraproject.prod.buildsys.tag",
         "command": record_command(out, "tag", "{body.name}", "{id}", "{sent_at}")}]})
    records = []
    for name in ("org.fedoraproject.prod.buildsys.tag.json", "legacy-fedmsg.org.fedoraproject.prod.buildsys.tag.json",
                 "legacy-fedmsg.org.fedoraproject.prod.git.receive.json"):
        with open(os.path.join(FIXTURES, name)) as f:
            records.append(json.load(f))
    path = tmp_path / "array.json"
    path.write_text(json.dumps(records, indent=2))
    p = replay(cfg, str(path), tmp_path)
    # The legacy envelope has no msg_id: {id} is a missing field, never "" (flr-listen.yaml(5)).
    assert p.returncode == 1, p.stderr
    assert summary(p)["routed"] == 2 and summary(p)["unrouted"] == 1 and summary(p)["failed"] == 1
    assert "placeholder {id}: no such field in the message" in p.stderr
    fields = sorted(tuple(r["fields"]) for r in read_records(out) if r["event"] == "end")
    assert fields == [("python-specfile", "0b2addd5-e1b8-4ebe-9e2a-9b1b21a8bbad", "2024-06-20T15:04:24+00:00")]
    cfg = write_config(tmp_path, {"routes": [
        {"name": "tag", "topic": "org.fedoraproject.prod.buildsys.tag",
         "command": record_command(out, "tag-no-id", "{body.name}", "{sent_at}")}]})
    p = replay(cfg, str(path), tmp_path)
    assert p.returncode == 0, p.stderr
    assert ("stage", "2013-01-31T03:37:49+00:00") in [tuple(r["fields"]) for r in read_records(out)
                                                      if r["event"] == "end" and r["route"] == "tag-no-id"]
    # a single pretty-printed message file works too
    p = replay(cfg, os.path.join(FIXTURES, "org.fedoraproject.prod.buildsys.tag.json"), tmp_path)
    assert p.returncode == 0 and summary(p)["received"] == 1


def test_timeout_kills_the_whole_process_group(tmp_path):
    pidfile = tmp_path / "grandchild.pid"
    script = tmp_path / "hang.sh"
    script.write_text(f"#!/bin/sh\ntrap '' TERM\nsleep 60 &\necho $! > {pidfile}\nwait\n")
    script.chmod(0o755)
    cfg = write_config(tmp_path, {"kill_grace": "500ms", "routes": [
        {"name": "hang", "topic": "t", "command": [str(script)], "timeout": "1s", "max_attempts": 1}]})
    start = time.monotonic()
    p = replay(cfg, write_lines(tmp_path, [{"topic": "t", "body": {}}]), tmp_path)
    assert p.returncode == 1 and summary(p)["failed"] == 1
    assert time.monotonic() - start < 10
    assert 'status="timed out"' in p.stderr
    pid = int(pidfile.read_text())
    time.sleep(0.2)
    assert not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/stat").read().split()[2] == "Z"


@pytest.mark.parametrize("args,code,needle", [
    (["--replay", "x"], 2, "--config is required"),
    (["--config", "CFG", "--replay", "/nonexistent"], 2, "cannot read the replay file"),
    (["--config", "/nonexistent.yaml", "--replay", "x"], 3, "cannot read configuration file"),
])
def test_usage_and_config_errors(tmp_path, args, code, needle):
    cfg = write_config(tmp_path, {"routes": [{"name": "r", "topic": "t", "command": ["/bin/true"]}]})
    argv = [str(flrtest.binary("flr-listen"))] + [cfg if a == "CFG" else a for a in args]
    p = subprocess.run(argv, capture_output=True, text=True)
    assert p.returncode == code and needle in p.stderr, p.stderr


@pytest.mark.parametrize("config,needle", [
    ({"routes": [{"name": "r", "topic": "t"}]}, "exactly one of playbook or command"),
    ({"routes": [{"name": "r", "topic": "t", "command": ["x"], "colour": 1}]}, "routes[0].colour: unknown setting"),
    ({"routes": [{"name": "r", "topic": "t", "command": ["{body.x"]}]}, "unclosed"),
    ({"routes": [{"name": "r", "topic": "t", "command": ["x"], "when": {"body.a": {"regex": "("}}}]}, "bad regular"),
    ({"routes": [{"name": "r", "topic": "t", "command": ["x"], "when": {"bodyx": 1}}]}, "unknown field"),
    ({"routes": [{"name": "r", "topic": "t", "command": ["x"], "timeout": "soon"}]}, "expected a positive duration"),
    ({"routes": []}, "no routes"),
    ({"routes": [{"name": "r", "topic": "t", "command": ["x"]}], "amqp": {"url": "http://x", "queue": "q"}},
     "bad AMQP URL"),
])
def test_config_errors_exit_3(tmp_path, config, needle):
    cfg = write_config(tmp_path, config)
    msgs = write_lines(tmp_path, [{"topic": "t", "body": {}}])
    p = replay(cfg, msgs, tmp_path, json_out=False)
    if "AMQP" in needle:  # the URL is only parsed when connecting
        p = subprocess.run([str(flrtest.binary("flr-listen")), "--config", cfg],
                           capture_output=True, text=True, timeout=30)
    assert p.returncode == 3 and needle in p.stderr, p.stderr
    assert len(p.stderr.strip().splitlines()) == 1


def test_readme_demo_replays_bundled_messages(tmp_path):
    cfg = os.path.join(SOURCE, "examples", "listen", "flr-listen.yaml")
    msgs = os.path.join(SOURCE, "examples", "listen", "messages.jsonl")
    p = replay(cfg, msgs, tmp_path)
    assert p.returncode == 0, p.stderr
    s = summary(p)
    assert s["received"] == 7 and s["invalid"] == 0 and s["failed"] == 0 and s["succeeded"] >= 4


def test_open_batches_run_at_the_end_of_the_file_without_waiting_for_their_window(tmp_path):
    out = tmp_path / "batches.jsonl"
    script = ("import json, sys; ids = [m['id'] for m in json.load(open(sys.argv[1]))]; "
              "open(sys.argv[2], 'a').write(json.dumps(ids) + '\\n')")
    cfg = write_config(tmp_path, {"routes": [{
        "name": "tag", "topic": "t.tag", "batch": {"max": 10, "window": "10m", "key": "{body.tag}"},
        "command": ["/usr/bin/python3", "-c", script, "{batch_file}", str(out)]}]})
    records = [{"topic": "t.tag", "id": f"m{i}", "body": {"tag": "f41-updates"}} for i in range(3)]
    start = time.monotonic()
    p = replay(cfg, write_lines(tmp_path, records), tmp_path)
    assert p.returncode == 0, p.stderr
    assert time.monotonic() - start < 60  # not the 10 minute window
    assert [json.loads(line) for line in out.read_text().splitlines()] == [["m0", "m1", "m2"]]
