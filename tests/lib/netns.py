"""Network namespaces as separate hosts for tests: a bridge in the root namespace with
a private /24, and one namespace per "host" hanging on it through a veth pair. A
process started with `prefix(name)` sees only its own eth0 (and lo) and reaches the
root namespace at `host_address`. Needs root (CAP_NET_ADMIN) and `ip`.

    net = HostNet()            # raises NamespacesUnavailable with the reason
    net.add("a")               # -> ["ip", "netns", "exec", "flr-<tag>-a"]
    net.close()
"""

import random
import shutil
import subprocess
import uuid


class NamespacesUnavailable(RuntimeError):
    pass


def ip(*args):
    r = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        raise NamespacesUnavailable(f"ip {' '.join(args)}: {r.stderr.strip()}")
    return r.stdout


class HostNet:
    def __init__(self):
        if shutil.which("ip") is None:
            raise NamespacesUnavailable("no ip command (iproute2)")
        self.tag = uuid.uuid4().hex[:6]
        self.bridge = f"flrbr{self.tag}"
        self.subnet = f"10.{random.randint(100, 250)}.{random.randint(0, 255)}"
        self.host_address = f"{self.subnet}.1"
        self.namespaces = {}  # name -> (netns, address)
        try:
            ip("link", "add", self.bridge, "type", "bridge")
            ip("addr", "add", f"{self.host_address}/24", "dev", self.bridge)
            ip("link", "set", self.bridge, "up")
        except NamespacesUnavailable:
            self.close()
            raise

    def add(self, name):
        """A namespace "host" on the bridge; returns the argv prefix that runs a program in it."""
        index = len(self.namespaces)
        netns = f"flr-{self.tag}-{name}"
        veth = f"flrv{self.tag}{index}"
        address = f"{self.subnet}.{10 + index}"
        ip("netns", "add", netns)
        self.namespaces[name] = (netns, address)
        ip("link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", netns)
        ip("link", "set", veth, "master", self.bridge, "up")
        ip("-n", netns, "addr", "add", f"{address}/24", "dev", "eth0")
        ip("-n", netns, "link", "set", "eth0", "up")
        ip("-n", netns, "link", "set", "lo", "up")
        return self.prefix(name)

    def prefix(self, name):
        return ["ip", "netns", "exec", self.namespaces[name][0]]

    def address(self, name):
        return self.namespaces[name][1]

    def close(self):
        for netns, _ in self.namespaces.values():
            subprocess.run(["ip", "netns", "del", netns], capture_output=True, timeout=30)  # its veth goes too
        self.namespaces = {}
        subprocess.run(["ip", "link", "del", self.bridge], capture_output=True, timeout=30)
