"""flr-listen scale-out on a private 3-node RabbitMQ cluster (one cluster for the whole
module, tests/lib/rabbitmq_cluster.py): failover when the node leading the quorum queue
stops, throughput of 1, 2 and 3 instances each in its own network namespace, order per
key across instances with the sharded layout, and the short form of the chaos run
(bench/chaos runs the full one)."""

import sys

import pytest

from listen import RECORD, unique, wait_for
from netns import HostNet, NamespacesUnavailable
from rabbitmq_cluster import RabbitMQCluster
from scaleout import Completions, chaos, messages, read_records, settled_depth, start_instances, throughput


@pytest.fixture(scope="module")
def hostnet():
    """A bridge for namespaced instances, or the reason there cannot be one."""
    try:
        net = HostNet()
    except NamespacesUnavailable as e:
        yield str(e)
        return
    try:
        yield net
    finally:
        net.close()


@pytest.fixture(scope="module")
def cluster(hostnet):
    address = hostnet.host_address if isinstance(hostnet, HostNet) else None
    with RabbitMQCluster(3, extra_address=address) as c:
        yield c


def record(out, *fields):
    return [sys.executable, RECORD, out, "r", "0.05", "-", "{id}", "{instance}", *fields]


def stop_all(fleet):
    for inst in fleet:
        inst.stop()


def test_stopping_the_queue_leader_mid_stream_loses_nothing_and_instances_fail_over(cluster, tmp_path):
    queue = unique("failover")
    out = str(tmp_path / "records")
    count = 300
    fleet = start_instances(cluster, tmp_path, 3, queue, record(out))
    leader = None
    try:
        cluster.publish(messages(queue, count))
        done = Completions(out)
        wait_for(lambda: done.count() >= count // 5, timeout=120, what="a fifth of the messages")
        leader = cluster.leader(queue)
        cluster.stop_node(leader)
        wait_for(lambda: done.count() == count, timeout=180, what="every message after the leader stopped")
        assert cluster.leader(queue).node != leader.node
        # Instance i was connected to node i first: the one on the stopped node moved on.
        moved = fleet[leader.index].text()
        assert "connection lost" in moved
        assert moved.count("connected to ") == 2, moved[-3000:]
        assert f":{leader.port} " not in moved.split("connection lost", 1)[1].split("connected to ", 1)[1][:60]
        # The other instances kept their connections.
        for inst in fleet:
            if inst is not fleet[leader.index]:
                assert "connection lost" not in inst.text()
    finally:
        stop_all(fleet)
        if leader is not None:
            cluster.start_node(leader)
    records = read_records(out)
    ended = {r["fields"][0] for r in records if r["event"] == "end"}
    assert ended == {m[3] for m in messages(queue, count)}
    assert settled_depth(cluster, queue) == (0, 0)


def test_three_instances_in_their_own_namespaces_scale(cluster, hostnet, tmp_path):
    if not isinstance(hostnet, HostNet):
        pytest.skip(f"network namespaces cannot be made here: {hostnet}")
    rates = {}
    peers = {}
    for n in (1, 2, 3):
        r = throughput(cluster, tmp_path, 180, n, net=hostnet, check=lambda fleet: peers.update(
            {n: cluster.up().ctl("list_connections", "-q", "--no-table-headers", "peer_host").stdout.split()}))
        print(r)
        rates[n] = r["msgs_per_s"]
        assert all(k > 0 for k in r["per_instance"]), r
    # Each instance connected from its own namespace's address, over the bridge.
    assert {hostnet.address(f"host{i}") for i in range(3)} <= set(peers[3]), peers
    # Loosely: I/O-bound work spreads over the instances (timings vary on a shared machine).
    assert rates[2] > 1.3 * rates[1], rates
    assert rates[3] > 1.6 * rates[1], rates


def test_order_per_key_holds_across_three_instances_with_shards(cluster, tmp_path):
    queue = unique("ordered")
    out = str(tmp_path / "records")
    count, keys = 120, 8
    fleet = start_instances(cluster, tmp_path, 3, queue, record(out, "{headers.flr-key}", "{body.n}"), workers=4,
                            prefetch=8, amqp={"shards": {"count": 3, "hash_header": "flr-key"}},
                            route={"ordering_key": "{headers.flr-key}"})
    try:
        cluster.publish(messages(queue, count, key_of=lambda i: f"k{i % keys}"))
        done = Completions(out)
        wait_for(lambda: done.count() >= count // 3, timeout=120, what="a third of the messages")
        # The active consumers drain and go: standbys take their shards over.
        active = [i for i in fleet if i.succeeded() > 0]
        for inst in active:
            inst.stop()
        wait_for(lambda: done.count() == count, timeout=120, what="every message")
    finally:
        stop_all(fleet)
    records = read_records(out)
    by_key = {}
    for r in sorted(records, key=lambda r: r["t"]):
        msg_id, instance, key, n = r["fields"]
        by_key.setdefault(key, []).append((r["event"], int(n), instance))
    instances = set()
    for key, events in by_key.items():
        starts = [n for e, n, _ in events if e == "start"]
        assert starts == sorted(starts) and len(starts) == count // keys, (key, starts)
        # One at a time: each start follows the previous message's end.
        assert [e for e, _, _ in events] == ["start", "end"] * (count // keys), (key, events)
        instances |= {inst for _, _, inst in events}
    assert len(instances) >= 2  # the work moved between instances, and order held
    for shard in range(3):
        assert settled_depth(cluster, f"{queue}.shard.{shard}") == (0, 0)


def test_chaos_short_form(cluster, tmp_path):
    """200 messages, 10 kill -9 of instances (restarted as systemd would), 1 restart of
    the node leading the queue; each instance keeps its journal across its restarts."""
    r = chaos(cluster, tmp_path, 200, 10, 1, restart_sec=0.5, journal=True, seed=14)
    assert r["lost"] == 0, r
    assert r["kills"] == 10 and r["node_restarts"] == 1, r
    assert r["queue_left"] == {"ready": 0, "unacked": 0}, r
    assert r["dead_letters"] == 0, r
    assert r["reruns_cross_instance"] <= r["kills"], r
    # Nothing the journal committed ever runs again; a same-instance re-run is allowed
    # only where a kill of that instance fell right after the action ended, between its
    # exit and the commit (the kills here come right after a completion is seen).
    assert r["reruns_after_commit"] == 0, r
    assert r["reruns_same_instance_outside_window"] == 0, r
