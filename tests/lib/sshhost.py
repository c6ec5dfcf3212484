"""A second host for tests: a network namespace with its own address (veth), its own
/etc, /home and flr configuration directory (bind mounts in a private mount namespace),
and a real sshd (Debian's openssh-server) listening only on that address.

On it, as a Fedora admin would set up the automation host: the user loopabull_releng
with an SSH key, flr's tools installed into a prefix (`cmake --install` of the build
tree), the example sudoers drop-ins installed with their paths adjusted to that prefix
and checked by `visudo -c`, and /etc/flr/flr.yaml (the build's FLR_SYSCONFDIR) with its
secrets. The controller (this process, outside the namespace) reaches it over real ssh
with key auth and a known_hosts file written here; the host reaches the controller's
side of the veth, where the stand-in listens.

Nothing outside the namespace changes except the namespace, the veth pair and one
temporary directory, all removed by stop(). `unavailable()` says why such a host cannot
be made here (tests skip with that message)."""

import os
import pathlib
import random
import re
import shlex
import shutil
import subprocess
import tempfile
import time
import uuid

import yaml

from flrtest import BUILD_DIR, Service

USER = "loopabull_releng"
SSHD = "/usr/sbin/sshd"


def sysconfdir():
    """The configuration directory the build compiled in (FLR_SYSCONFDIR): where flr's
    tools read flr.yaml under sudo."""
    text = (BUILD_DIR / "CMakeCache.txt").read_text()
    return re.search(r"^FLR_SYSCONFDIR:PATH=(.*)$", text, re.M)[1]


def unavailable():
    """None when a namespace host can be made here, else the reason it cannot."""
    if os.geteuid() != 0:
        return "needs root (ip netns, mount namespaces, useradd)"
    for tool in (SSHD, "/usr/bin/ssh", "/usr/bin/sudo", "/usr/sbin/visudo", "/usr/sbin/useradd"):
        if not os.access(tool, os.X_OK):
            return f"needs {tool} (scripts/install-deps: openssh-server, sudo)"
    name = "flrprobe" + uuid.uuid4().hex[:6]
    r = subprocess.run(["ip", "netns", "add", name], capture_output=True, text=True)
    if r.returncode != 0:
        return "network namespaces are not available here: " + r.stderr.strip()
    try:
        r = subprocess.run(["ip", "netns", "exec", name, "unshare", "--mount", "true"], capture_output=True, text=True)
        if r.returncode != 0:
            return "mount namespaces are not available here: " + r.stderr.strip()
    finally:
        subprocess.run(["ip", "netns", "delete", name], capture_output=True)
    return None


def sudoers_literal(text):
    """`text` as a literal inside a sudoers argument regular expression."""
    return re.sub(r"([.])", r"[\1]", text).replace(":", "\\:")


def _copy_etc(dest):
    """cp -a /etc DEST; files that vanish during the copy (other tests' drop-ins) are fine."""
    r = subprocess.run(["cp", "-a", "/etc", str(dest)], capture_output=True, text=True)
    bad = [ln for ln in r.stderr.splitlines() if "No such file or directory" not in ln]
    if r.returncode != 0 and (bad or not (dest / "passwd").exists()):
        raise RuntimeError("copying /etc failed: " + r.stderr)


class SshHost(Service):
    """The namespace host. `address`, `port`, `prefix` (the installed flr tree as seen on
    the host) and `bin` (its bin directory) for inventories and sudo rules."""

    def __init__(self):
        tag = uuid.uuid4().hex[:6]
        self.name = "flrssh" + tag
        self.veth_outer, self.veth_inner = "flrh" + tag, "flrn" + tag
        net = f"10.{random.randrange(16, 250)}.{random.randrange(0, 256)}.{random.randrange(0, 64) * 4}"
        base = net.rsplit(".", 1)
        self.controller_address = f"{base[0]}.{int(base[1]) + 1}"
        self.address = f"{base[0]}.{int(base[1]) + 2}"
        self.port = 2222
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="flr-sshhost-"))
        os.chmod(self.dir, 0o755)   # the prefix is named in sudo rules and run by the user
        self.prefix = self.dir / "prefix"
        self.bin = self.prefix / "bin"
        self.sysconfdir = sysconfdir()
        self.key = self.dir / "controller" / "id_ed25519"
        self.known_hosts = self.dir / "controller" / "known_hosts"
        self.sshd = None
        self._netns = self._veth = False

    # --- bringing it up -------------------------------------------------------------
    def start(self):
        self._network()
        self._filesystem()
        self._keys()
        self._start_sshd()
        self._scan_host_key()
        self.install_prefix()
        self.add_automation_user()
        return self

    def _ip(self, *args, netns=False):
        argv = ["ip", "netns", "exec", self.name, "ip", *args] if netns else ["ip", *args]
        subprocess.run(argv, check=True, capture_output=True, text=True)

    def _network(self):
        self._ip("netns", "add", self.name)
        self._netns = True
        self._ip("link", "add", self.veth_outer, "type", "veth", "peer", "name", self.veth_inner)
        self._veth = True
        self._ip("link", "set", self.veth_inner, "netns", self.name)
        self._ip("addr", "add", f"{self.controller_address}/30", "dev", self.veth_outer)
        self._ip("link", "set", self.veth_outer, "up")
        self._ip("addr", "add", f"{self.address}/30", "dev", self.veth_inner, netns=True)
        self._ip("link", "set", self.veth_inner, "up", netns=True)
        self._ip("link", "set", "lo", "up", netns=True)

    def _filesystem(self):
        """The host's own /etc (a copy), /home (empty) and the directory holding the
        build's FLR_SYSCONFDIR, mounted over the real ones inside its mount namespace."""
        root = self.dir / "root"
        root.mkdir()
        _copy_etc(root)
        self.mounts = {"/etc": root / "etc", "/home": root / "home"}
        (root / "home").mkdir(mode=0o755)
        os.chmod(root / "home", 0o755)
        conf = pathlib.PurePosixPath(self.sysconfdir)
        if not conf.is_relative_to("/etc"):
            anchor = conf.parent
            while not os.path.isdir(anchor):
                anchor = anchor.parent
            if str(anchor) in ("/", "/usr", "/tmp"):
                raise RuntimeError(f"FLR_SYSCONFDIR {conf}: no private directory to mount over it")
            self.mounts[str(anchor)] = root / "sysconf"
            (root / "sysconf").mkdir(mode=0o755)
        self.rootfs = root

    def _keys(self):
        (self.dir / "controller").mkdir(mode=0o700)
        (self.dir / "sshd").mkdir(mode=0o700)
        self.host_key = self.dir / "sshd" / "ssh_host_ed25519_key"
        for key in (self.host_key, self.key):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)

    def _scan_host_key(self):
        """known_hosts as the admin makes it (ssh-keyscan), checked against the host's key."""
        r = subprocess.run(["ssh-keyscan", "-t", "ed25519", "-p", str(self.port), self.address],
                           capture_output=True, text=True, timeout=30, check=True)
        public = pathlib.Path(f"{self.host_key}.pub").read_text().split()
        assert r.stdout.split() == [f"[{self.address}]:{self.port}", public[0], public[1]], r.stdout
        self.known_hosts.write_text(r.stdout)

    def _start_sshd(self):
        config = self.dir / "sshd" / "sshd_config"
        config.write_text(f"""# flr test host {self.name}
ListenAddress {self.address}:{self.port}
HostKey {self.host_key}
PidFile none
UsePAM no
PermitRootLogin no
AllowUsers {USER}
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
AuthorizedKeysFile .ssh/authorized_keys
StrictModes yes
Subsystem sftp internal-sftp
LogLevel VERBOSE
""")
        mounts = "".join(f"mount --bind {shlex.quote(str(src))} {shlex.quote(dst)}\n"
                         for dst, src in self.mounts.items())
        setup = self.dir / "sshd" / "boot.sh"
        setup.write_text(f"""set -eu
mount --make-rprivate /
{mounts}mount -t tmpfs -o mode=0755 flr-run /run
mkdir -p -m 0755 /run/sshd
mkdir -p -m 0755 {shlex.quote(self.sysconfdir)}
exec {SSHD} -D -e -f {shlex.quote(str(config))}
""")
        self.sshd_log = self.dir / "sshd" / "sshd.log"
        with open(self.sshd_log, "w") as log:
            self.sshd = subprocess.Popen(["ip", "netns", "exec", self.name, "unshare", "--mount", "/bin/sh",
                                          str(setup)], stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + 20
        while "Server listening" not in self.sshd_log.read_text():
            if self.sshd.poll() is not None or time.time() > deadline:
                raise RuntimeError("sshd did not start:\n" + self.sshd_log.read_text())
            time.sleep(0.05)

    # --- the admin's side: a root shell on the host ---------------------------------
    def root(self, argv, input=None, check=True, timeout=60):
        """Run argv as root on the host (its namespaces: network, mounts)."""
        r = subprocess.run(["nsenter", "--target", str(self.sshd.pid), "--mount", "--net", "--", *map(str, argv)],
                           input=input, capture_output=True, text=True, timeout=timeout)
        if check and r.returncode != 0:
            raise AssertionError(f"{argv}: exit {r.returncode}\n{r.stdout}{r.stderr}")
        return r

    def install_prefix(self):
        r = subprocess.run(["cmake", "--install", str(BUILD_DIR), "--prefix", str(self.prefix)],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(r.stdout + r.stderr)

    def add_automation_user(self):
        self.root(["useradd", "--create-home", "--shell", "/bin/sh", "--password", "*", USER])
        self.root(["install", "-d", "-o", USER, "-g", USER, "-m", "0700", f"/home/{USER}/.ssh"])
        self.root(["install", "-o", USER, "-g", USER, "-m", "0600", f"{self.key}.pub",
                   f"/home/{USER}/.ssh/authorized_keys"])

    def install_sudoers(self, example, name, replace=()):
        """Install the shipped example drop-in `example` (from the installed share/flr/
        sudoers.d) as /etc/sudoers.d/`name`, its /usr/bin paths pointed at the prefix and
        each (old, new) of `replace` applied; staged under a name with a dot (which sudo
        ignores), checked with visudo -cf, moved into place, then the whole configuration
        checked with visudo -c. Returns the installed text."""
        text = (self.prefix / "share" / "flr" / "sudoers.d" / example).read_text()
        text = text.replace("/usr/bin/flr-", f"{self.bin}/flr-")
        for old, new in replace:
            assert old in text, (example, old)
            text = text.replace(old, new)
        staged = f"/etc/sudoers.d/{name}.new"
        self.root(["install", "-o", "root", "-g", "root", "-m", "0440", "/dev/stdin", staged], input=text)
        self.root(["visudo", "-cf", staged])
        self.root(["mv", staged, f"/etc/sudoers.d/{name}"])
        self.root(["visudo", "-c"])
        return text

    def install_config(self, source_dir):
        """Install an flr.yaml and its secret files (written by tests/standin's
        write_flr_yaml into `source_dir`) as the admin would: FLR_SYSCONFDIR/flr.yaml
        (0644) and its secrets in FLR_SYSCONFDIR/secrets (0700, files 0600, root's),
        the paths inside flr.yaml moved along."""
        source_dir = pathlib.Path(source_dir)
        secrets = f"{self.sysconfdir}/secrets"
        text = (source_dir / "flr.yaml").read_text().replace(f"{source_dir}/", f"{secrets}/")
        self.root(["install", "-d", "-o", "root", "-g", "root", "-m", "0700", secrets])
        for f in sorted(source_dir.iterdir()):
            if f.name == "flr.yaml" or not f.is_file():
                continue
            self.root(["install", "-o", "root", "-g", "root", "-m", "0600", f, f"{secrets}/{f.name}"])
        self.root(["install", "-o", "root", "-g", "root", "-m", "0644", "/dev/stdin", f"{self.sysconfdir}/flr.yaml"],
                  input=text)

    # --- the controller's side --------------------------------------------------------
    def ssh_options(self):
        return ["-o", f"UserKnownHostsFile={self.known_hosts}", "-o", "GlobalKnownHostsFile=/dev/null",
                "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes"]

    def ssh(self, argv, timeout=60):
        """Run argv on the host as the automation user over real ssh (each element quoted
        for the remote shell, so it arrives as one argument)."""
        return subprocess.run(["ssh", "-i", str(self.key), "-p", str(self.port), *self.ssh_options(),
                               f"{USER}@{self.address}", "--", shlex.join(map(str, argv))],
                              capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)

    def inventory(self, path, host="releng-automation", **host_vars):
        """An Ansible inventory naming this host over ssh with key auth and the known_hosts
        file; flr_bin is the prefix's bin directory, flr_sudo the playbooks' default."""
        hv = {"ansible_host": self.address, "ansible_port": self.port, "ansible_user": USER,
              "ansible_ssh_private_key_file": str(self.key),
              "ansible_ssh_common_args": shlex.join(self.ssh_options()),
              "ansible_python_interpreter": "/usr/bin/python3", "flr_bin": str(self.bin)}
        hv.update(host_vars)
        pathlib.Path(path).write_text(yaml.safe_dump({"all": {"hosts": {host: hv}}}))
        return str(path)

    # --- teardown -------------------------------------------------------------------
    def stop(self):
        if self.sshd and self.sshd.poll() is None:
            self.sshd.terminate()
            try:
                self.sshd.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.sshd.kill()
                self.sshd.wait()
        if self._veth:
            subprocess.run(["ip", "link", "delete", self.veth_outer], capture_output=True)
        if self._netns:
            subprocess.run(["ip", "netns", "delete", self.name], capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)
