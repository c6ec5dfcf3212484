"""A private 3-node RabbitMQ cluster for tests: three nodes of tests/lib/rabbitmq.py
with their own ports, node names and data dirs, one shared epmd and Erlang cookie,
joined with `rabbitmqctl join_cluster`, the consistent-hash exchange plugin enabled.
They listen on 127.0.0.1 and, when given, on one more address (a HostNet bridge, so
that namespaced "hosts" reach them). Stopped, epmd included, at the end.

    with RabbitMQCluster(extra_address=net.host_address) as cluster:
        cluster.urls()                  # one URL per node, on 127.0.0.1
        cluster.leader(queue)           # the node leading a quorum queue
        cluster.stop_node(node); cluster.start_node(node)
"""

import os
import secrets
import shutil
import subprocess
import time
import uuid

from flrtest import Service
from rabbitmq import RabbitMQ, free_port, terminate


class ClusterNode(RabbitMQ):
    def __init__(self, tag, index, epmd_port, cookie, extra_address):
        super().__init__()
        self.index = index
        self.epmd_port = epmd_port
        self.node = f"flr-c{index}-{tag}@localhost"
        self.extra_address = extra_address
        path = os.path.join(self.dir, ".erlang.cookie")
        with open(path, "w") as f:
            f.write(cookie)
        os.chmod(path, 0o400)

    def env(self):
        env = super().env()
        # The listeners come from rabbitmq.conf (these two would replace them).
        del env["RABBITMQ_NODE_IP_ADDRESS"], env["RABBITMQ_NODE_PORT"]
        return env

    def config_text(self):
        text = super().config_text() + f"listeners.tcp.1 = 127.0.0.1:{self.port}\n"
        if self.extra_address:
            text += f"listeners.tcp.2 = {self.extra_address}:{self.port}\n"
        return text

    def plugins(self):
        return ["rabbitmq_consistent_hash_exchange"]

    def start_epmd(self, env):
        pass  # the cluster's

    def url_at(self, address="127.0.0.1"):
        return f"amqp://guest@{address}:{self.port}/%2F"


class RabbitMQCluster(Service):
    def __init__(self, size=3, extra_address=None):
        self.tag = uuid.uuid4().hex[:8]
        self.epmd_port = free_port()
        self.extra_address = extra_address
        cookie = secrets.token_hex(16)
        self.nodes = [ClusterNode(self.tag, i, self.epmd_port, cookie, extra_address) for i in range(size)]
        self.down = set()  # nodes whose app is stopped
        self.epmd = None

    def start(self):
        epmd = shutil.which("epmd") or "/usr/bin/epmd"
        self.epmd = subprocess.Popen([epmd, "-address", "127.0.0.1", "-port", str(self.epmd_port)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for n in self.nodes:
            n.launch()
        for n in self.nodes:
            n.wait_started()
        first = self.nodes[0].node
        for n in self.nodes[1:]:
            n.ctl("stop_app")
            n.ctl("join_cluster", first)
            n.ctl("start_app")
        running = self.nodes[0].ctl("cluster_status", "--formatter", "json").stdout
        for n in self.nodes:
            if n.node not in running:
                raise RuntimeError(f"{n.node} did not join: {running[:2000]}")
        return self

    def stop(self):
        for n in self.nodes:
            n.stop()
        terminate(self.epmd)

    def urls(self, address="127.0.0.1", first=0):
        """Every node's URL, starting with node `first` (so instances spread over the nodes)."""
        order = self.nodes[first:] + self.nodes[:first]
        return [n.url_at(address) for n in order]

    def up(self):
        """A node whose app runs (for rabbitmqctl and pika)."""
        return next(n for n in self.nodes if n.node not in self.down)

    def node(self, name):
        return next(n for n in self.nodes if n.node == name)

    def leader(self, queue):
        """The node leading a quorum queue."""
        out = self.up().ctl("list_queues", "-q", "--no-table-headers", "name", "leader").stdout
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] == queue:
                return self.node(parts[1])
        raise AssertionError(f"no leader for {queue}: {out}")

    def stop_node(self, node):
        """Stops RabbitMQ on the node (rabbitmqctl stop_app): its connections close, its
        queue replicas stop, the Erlang VM stays up for start_node."""
        node.ctl("stop_app")
        self.down.add(node.node)

    def start_node(self, node):
        node.ctl("start_app")
        node.ctl("await_startup", timeout=120)
        self.down.discard(node.node)

    def restart_node(self, node, down_seconds=1.0):
        self.stop_node(node)
        time.sleep(down_seconds)
        self.start_node(node)

    def publish(self, messages, exchange="amq.topic"):
        self.up().publish(messages, exchange)

    def queue_depth(self, queue):
        return self.up().queue_depth(queue)
