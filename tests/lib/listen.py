"""Helpers for flr-listen integration tests: write a config, run the binary in broker
or replay mode, and read what the test actions recorded."""

import json
import os
import signal
import subprocess
import time
import uuid

import yaml

import flrtest

HERE = os.path.dirname(os.path.abspath(__file__))
RECORD = os.path.join(HERE, "record_action.py")


def binary():
    return str(flrtest.binary("flr-listen"))


def record_command(out, route, *fields, sleep=0.0, fail_file=None):
    """argv of a command action appending a JSON line to `out` at start and end."""
    argv = ["/usr/bin/python3", RECORD, out, route, str(sleep), fail_file or "-"]
    return argv + list(fields)


def read_records(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def broker_config(broker, queue, routes, prefetch=20, retry_delay="200ms", **extra):
    """A broker-mode configuration on a private broker, reconnecting and retrying fast;
    `extra` adds or replaces top-level keys."""
    cfg = {"amqp": {"url": broker.url, "queue": queue, "prefetch": prefetch, "heartbeat": 10,
                    "reconnect_delay": "200ms", "reconnect_delay_max": "2s"},
           "routes": routes, "retry_delay": retry_delay}
    cfg.update(extra)
    return cfg


def msg(topic, body, msg_id=None, headers=None):
    """A message for RabbitMQ.publish."""
    return (topic, body, headers or {"sent-at": "2026-01-01T00:00:00+00:00"}, msg_id or str(uuid.uuid4()))


def ends(out, route=None):
    """The "end" records of record_command's file `out` (of one route)."""
    return [r for r in read_records(out) if r["event"] == "end" and (route is None or r["route"] == route)]


def starts(out, route=None):
    return [r for r in read_records(out) if r["event"] == "start" and (route is None or r["route"] == route)]


def write_config(tmp_path, config, name="flr-listen.yaml"):
    path = os.path.join(str(tmp_path), name)
    with open(path, "w") as f:
        yaml.safe_dump(config, f)
    return path


def ansible_cfg(tmp_path):
    """An ansible.cfg keeping ansible-playbook out of ~/.ansible."""
    d = os.path.join(str(tmp_path), "ansible-home")
    os.makedirs(d, exist_ok=True)
    path = os.path.join(str(tmp_path), "ansible.cfg")
    with open(path, "w") as f:
        f.write(f"""[defaults]
home = {d}
local_tmp = {d}/tmp
remote_tmp = {d}/remote
retry_files_enabled = False
localhost_warning = False
[persistent_connection]
control_path_dir = {d}/cp
""")
    return path


def descendants(pid):
    """Every descendant process id of `pid` (from /proc/*/task/*/children)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/task/{p}/children") as f:
                kids = [int(k) for k in f.read().split()]
        except OSError:
            kids = []
        out += kids
        todo += kids
    return out


class Listener:
    """flr-listen in broker mode, its stderr in a file. argv_prefix runs it through
    another program that execs it (`ip netns exec NS`), so proc.pid stays flr-listen's."""

    def __init__(self, config_path, tmp_path, env=None, new_session=False, argv_prefix=(), wait=True, command=None):
        self.log_path = os.path.join(str(tmp_path), f"listen-{time.monotonic_ns()}.log")
        self.log = open(self.log_path, "w")
        e = dict(os.environ)
        e["TMPDIR"] = str(tmp_path)
        e["STATE_DIRECTORY"] = str(tmp_path)  # the default journal: tmp_path/<config name>.db
        e.update(env or {})
        argv = command or [binary(), "--config", config_path, "-v"]  # command: a unit's ExecStart
        self.proc = subprocess.Popen([*argv_prefix, *argv],
                                     stdout=subprocess.DEVNULL, stderr=self.log, env=e, start_new_session=new_session)
        if wait:
            self.wait_log("consuming ", timeout=20)

    def text(self):
        with open(self.log_path) as f:
            return f.read()

    def wait_log(self, needle, timeout=30, count=1):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.text().count(needle) >= count:
                return
            if self.proc.poll() is not None:
                raise AssertionError(f"flr-listen exited {self.proc.returncode}:\n{self.text()[-3000:]}")
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {needle!r}:\n{self.text()[-3000:]}")

    def stop(self, timeout=30):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=timeout)
        self.log.close()
        return self.proc.returncode

    def killpg9(self):
        """SIGKILL to flr-listen's process group and to its actions' own process groups
        (what systemd's cgroup kill does to the whole service); needs new_session."""
        groups = {os.getpgid(pid) for pid in descendants(self.proc.pid) if os.path.exists(f"/proc/{pid}")}
        os.killpg(self.proc.pid, signal.SIGKILL)
        for group in groups:
            try:
                os.killpg(group, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait()
        self.log.close()

    def kill9(self):
        self.proc.kill()
        self.proc.wait()
        self.log.close()

    def summary(self):
        for line in reversed(self.text().splitlines()):
            if " summary " in line:
                return dict(kv.split("=") for kv in line.split(" summary ", 1)[1].split())
        raise AssertionError("no summary line:\n" + self.text()[-2000:])


def unique(prefix):
    """A name no other test in the run uses (queues, topics)."""
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def wait_for(predicate, timeout=90, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def replay(config_path, messages_path, tmp_path, json_out=True):
    env = dict(os.environ, TMPDIR=str(tmp_path))
    argv = [binary(), "--config", config_path, "--replay", messages_path]
    if json_out:
        argv.append("--json")
    p = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=300)
    return p
