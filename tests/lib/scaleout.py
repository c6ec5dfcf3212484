"""Several flr-listen instances on one queue of a RabbitMQ cluster (tests/lib/
rabbitmq_cluster.py), optionally each in its own network namespace (tests/lib/netns.py):
the throughput run and the chaos run shared by tests/integration/test_listen_cluster.py
(short forms) and bench/chaos (full forms, by hand).

Chaos: instances are killed with SIGKILL (flr-listen and its actions, as systemd's cgroup
kill does) and restarted after restart_sec, as systemd's Restart=on-failure does; broker
nodes are restarted (rabbitmqctl stop_app, start_app). The action records, per start and
end, the message id and the instance's name, so that lost messages and re-runs of
completed actions can be counted afterwards."""

import collections
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time

import yaml

from listen import RECORD, Listener, binary, unique

SLEEP = "/bin/sleep"


def instance_config(tmp, name, urls, queue, command, workers=2, prefetch=4, amqp=None, journal=None, **extra):
    cfg = {
        "workers": workers,
        "drain_timeout": "30s",
        "routes": [{"name": "r", "topic": f"{queue}.msg", "command": command, "max_attempts": 1,
                    **extra.pop("route", {})}],
        "amqp": {"url": urls, "queue": queue, "prefetch": prefetch, "heartbeat": 5,
                 "reconnect_delay": "200ms", "reconnect_delay_max": "2s", **(amqp or {})},
        **extra,
    }
    if journal:
        cfg["journal"] = {"path": journal}
    path = os.path.join(str(tmp), f"{name}.yaml")
    with open(path, "w") as f:
        yaml.safe_dump(cfg, f)
    return path


class Instance:
    """One flr-listen under a supervisor that restarts it restart_sec after it dies."""

    def __init__(self, name, config_path, tmp, argv_prefix=(), restart_sec=1.0):
        self.name, self.config_path, self.tmp = name, config_path, tmp
        self.argv_prefix = argv_prefix
        self.restart_sec = restart_sec
        self.listener = None
        self.logs = []
        self.restart_at = None
        self.kills = 0
        self.kill_times = []

    def start(self, wait=True):
        self.listener = Listener(self.config_path, self.tmp, new_session=True, argv_prefix=self.argv_prefix,
                                 wait=wait)
        self.logs.append(self.listener.log_path)
        self.restart_at = None

    def alive(self):
        return self.listener is not None and self.listener.proc.poll() is None

    def kill9(self):
        self.kill_times.append(time.time())
        self.listener.killpg9()
        self.kills += 1
        self.restart_at = time.time() + self.restart_sec

    def tick(self):
        """The supervisor's turn: restart when due."""
        if self.restart_at is not None and time.time() >= self.restart_at:
            self.start(wait=False)

    def stop(self):
        if self.alive():
            self.listener.proc.send_signal(signal.SIGTERM)
            self.listener.proc.wait(timeout=60)
        if self.listener:
            self.listener.log.close()

    def text(self):
        out = []
        for path in self.logs:
            with open(path) as f:
                out.append(f.read())
        return "".join(out)

    def succeeded(self):
        return sum(1 for path in self.logs for line in open(path) if 'status="exit 0"' in line)


def start_instances(cluster, tmp, count, queue, command, net=None, restart_sec=1.0, journal_dir=None, **cfg):
    """`count` instances; instance i lists the nodes starting with node i, and runs in
    namespace "host<i>" of `net` (reaching the nodes on the bridge) when net is given."""
    out = []
    for i in range(count):
        name = f"host{i}"
        prefix = ()
        address = "127.0.0.1"
        if net is not None:
            prefix = net.prefix(name) if name in net.namespaces else net.add(name)
            address = net.host_address
        argv = [a.replace("{instance}", name) for a in command]
        journal = os.path.join(journal_dir, f"{name}.db") if journal_dir else None
        path = instance_config(tmp, name, cluster.urls(address, first=i % len(cluster.nodes)), queue, argv,
                               journal=journal, **cfg)
        out.append(Instance(name, path, tmp, prefix, restart_sec))
    for inst in out:
        inst.start(wait=False)
    for inst in out:
        inst.listener.wait_log("consuming ", timeout=60)
    return out


def messages(queue, count, key_of=None):
    out = []
    for i in range(count):
        headers = {"sent-at": "2026-01-01T00:00:00+00:00"}
        body = {"n": i}
        if key_of:
            headers["flr-key"] = key_of(i)
            body["key"] = key_of(i)
        out.append((f"{queue}.msg", body, headers, f"{queue}-{i:05d}"))
    return out


def read_records(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.endswith("\n")]


def throughput(cluster, tmp, count, instances, net=None, workers=2, sleep=0.05, check=None):
    """Msgs/s of `instances` flr-listen instances through `count` messages whose action
    sleeps `sleep` s (I/O-bound: /bin/sleep), published once all consume. check(fleet)
    runs before the instances stop."""
    queue = unique("scale")
    fleet = start_instances(cluster, tmp, instances, queue, [SLEEP, str(sleep)], net=net, workers=workers,
                            prefetch=workers * 2)
    try:
        start = time.time()
        cluster.publish(messages(queue, count))
        deadline = start + 60 + count * sleep * 2
        while sum(i.succeeded() for i in fleet) < count:
            if time.time() > deadline:
                raise AssertionError(f"{instances} instance(s): {sum(i.succeeded() for i in fleet)} of {count} done")
            time.sleep(0.05)
        elapsed = time.time() - start
        per_instance = [i.succeeded() for i in fleet]
        if check:
            check(fleet)
    finally:
        for inst in fleet:
            inst.stop()
    return {"instances": instances, "messages": count, "seconds": round(elapsed, 2),
            "msgs_per_s": round(count / elapsed, 1), "per_instance": per_instance}


class Completions:
    """The message ids with an "end" record so far, read incrementally."""

    def __init__(self, path):
        self.path, self.offset, self.ids = path, 0, set()

    def count(self):
        if os.path.exists(self.path):
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                data = f.read()
            end = data.rfind(b"\n") + 1
            self.offset += end
            for line in data[:end].splitlines():
                r = json.loads(line)
                if r["event"] == "end":
                    self.ids.add(r["fields"][0])
        return len(self.ids)


def settled_depth(cluster, queue, timeout=30):
    """(ready, unacked) of a queue once it reads (0, 0), or as last read after `timeout`:
    a quorum queue's figures in rabbitmqctl lag behind by a few seconds."""
    deadline = time.time() + timeout
    while True:
        depth = cluster.queue_depth(queue)
        if depth == (0, 0) or time.time() > deadline:
            return depth
        time.sleep(1)


def count_reruns(records, kill_times=None):
    """Re-runs of completed actions: starts of a message after its first end, split by
    whether the instance that starts it again is the one that completed it. Returns
    (same, cross, completed ids, same-instance re-runs not explained by the journal's
    window: a kill of that instance at most WINDOW s after the first end, before the
    re-run)."""
    first_end = {}
    same = cross = 0
    unexplained = []
    for r in sorted(records, key=lambda r: r["t"]):
        msg_id, instance = r["fields"]
        if r["event"] == "start" and msg_id in first_end:
            ended_on, ended_at = first_end[msg_id]
            if ended_on == instance:
                same += 1
                kills = (kill_times or {}).get(instance, [])
                if not any(ended_at <= k <= r["t"] and k - ended_at <= WINDOW for k in kills):
                    unexplained.append(msg_id)
            else:
                cross += 1
        elif r["event"] == "end" and msg_id not in first_end:
            first_end[msg_id] = (instance, r["t"])
    return same, cross, set(first_end), unexplained


# The journal commits a completion within 10 ms of the loop's next turn; a kill that
# soon after an action's end re-runs it on the same instance (flr-listen(8), DELIVERY
# SEMANTICS). A second allows for a loaded machine's scheduling.
WINDOW = 1.0


def reruns_after_commit(fleet):
    """Actions run again although their success was in the instance's journal: (message
    id, route) pairs with two "succeeded" rows in one journal. A re-run on the same
    instance is allowed only in the window between the action's exit and the commit,
    and then the journal has one such row."""
    count = 0
    for inst in fleet:
        p = subprocess.run([binary(), "history", "--config", inst.config_path, "--json"], capture_output=True,
                           text=True, timeout=60, check=True)
        succeeded = collections.Counter((r["message_id"], r["route"]) for r in json.loads(p.stdout)
                                        if r["outcome"] == "succeeded")
        count += sum(n - 1 for n in succeeded.values())
    return count


def chaos(cluster, tmp, count, kills, node_restarts, instances=3, net=None, sleep=0.05, restart_sec=1.0,
          journal=False, seed=None, say=print):
    """The chaos run; returns its report (a dict)."""
    rng = random.Random(seed)
    queue = unique("chaos")
    out = os.path.join(str(tmp), f"{queue}.records")
    command = [sys.executable, RECORD, out, "r", str(sleep), "-", "{id}", "{instance}"]
    journal_dir = str(tmp) if journal else None
    fleet = start_instances(cluster, tmp, instances, queue, command, net=net, restart_sec=restart_sec,
                            journal_dir=journal_dir)
    start = time.time()
    restarter = None
    node_restarted = []
    try:
        cluster.publish(messages(queue, count))
        kill_at = [count * (k + 1) // (kills + 1) for k in range(kills)]
        restart_at = [count * (k + 1) // (node_restarts + 1) for k in range(node_restarts)]
        done, kills_done = 0, 0
        completions = Completions(out)
        deadline = time.time() + 120 + count * sleep * 4 + kills * restart_sec + node_restarts * 30
        while done < count or kills_done < kills or restart_at or (restarter and restarter.is_alive()):
            if time.time() > deadline:
                raise AssertionError(f"chaos: {done} of {count} done, {kills_done} kill(s) after the deadline")
            for inst in fleet:
                inst.tick()
            done = completions.count()
            alive = [i for i in fleet if i.alive()]
            if kills_done < kills and done >= kill_at[kills_done] and alive:
                rng.choice(alive).kill9()
                kills_done += 1
            if restart_at and done >= restart_at[0] and not (restarter and restarter.is_alive()):
                restart_at.pop(0)
                node = cluster.leader(queue)
                node_restarted.append(node.node)
                restarter = threading.Thread(target=cluster.restart_node, args=(node,))
                restarter.start()
            time.sleep(0.05)
        elapsed = time.time() - start
        # Everything done: the queue empties once the last acks are in.
        for inst in fleet:
            if not inst.alive():
                inst.start(wait=False)
        settled_depth(cluster, queue)
    finally:
        if restarter:
            restarter.join()
        for inst in fleet:
            inst.stop()
    depth = settled_depth(cluster, queue)
    dead = cluster.queue_depth(queue + ".dead")
    records = read_records(out)
    same, cross, completed, unexplained = count_reruns(records, {i.name: i.kill_times for i in fleet})
    published = {m[3] for m in messages(queue, count)}
    report = {
        "messages": count, "instances": instances, "kills": sum(i.kills for i in fleet),
        "node_restarts": len(node_restarted), "journal": journal, "seconds": round(elapsed, 1),
        "lost": len(published - completed), "reruns_same_instance": same,
        "reruns_same_instance_outside_window": len(unexplained), "reruns_cross_instance": cross,
        "reruns_after_commit": reruns_after_commit(fleet) if journal else None,
        "queue_left": {"ready": depth[0], "unacked": depth[1]} if depth else None,
        "dead_letters": dead[0] + dead[1] if dead else 0,
        "action_starts": sum(1 for r in records if r["event"] == "start"),
    }
    say(json.dumps(report))
    return report
