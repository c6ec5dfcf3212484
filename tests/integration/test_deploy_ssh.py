"""The deployment as the seeds design it: flr-listen on a controller, the playbooks acting
on a second host over real SSH as the automation user, the flr tools run there through
`sudo -n` with exactly the command lines the example drop-ins allow.

The second host is a network namespace with its own sshd, /etc and /home
(tests/lib/sshhost.py); the stand-in listens on the controller's side of the veth. One
broker, one stand-in, one host for the module. A workflow is one test function: install
its drop-in on the host, start flr-listen with its example routes and the ssh inventory,
publish, check the stand-in's journal. Skipped, with the reason, where namespaces,
mounts or sshd are not available."""

import uuid

import pytest

from listen import Listener, wait_for, write_config
from pagure_messages import NEW, issue_message
from sshhost import SshHost, sudoers_literal, unavailable
from unretire_listen import route_config
from unretire_world import SCENARIOS, World

WHY_NOT = unavailable()
pytestmark = pytest.mark.skipif(WHY_NOT is not None, reason=f"no second host: {WHY_NOT}")

INVENTORY_HOST = "releng-automation"
# docs/deploy.md's controller user, made on the namespace host playing both roles; its
# home is under /home there, the host's own (/var/lib/flr-listen in the guide).
LISTEN_HOME = "/home/flr-listen"
LISTEN_KEY = f"{LISTEN_HOME}/.ssh/id_ed25519"


@pytest.fixture(scope="module")
def tmp(tmp_path_factory):
    return tmp_path_factory.mktemp("deploy-ssh")


@pytest.fixture(scope="module")
def host():
    with SshHost() as h:
        yield h


@pytest.fixture(scope="module")
def world(tmp, host):
    """The stand-in on the controller's side of the veth, reachable from the host; the
    host's flr.yaml points at it."""
    (tmp / "world").mkdir()
    w = World(tmp / "world", phase="auto-recent", address=host.controller_address)
    staging = tmp / "host-config"
    staging.mkdir()
    w.write_config("auto-recent", path=staging / "flr.yaml")
    host.install_config(staging)
    yield w
    w.stop()


@pytest.fixture(scope="module")
def unretirement_sudo(host, world):
    """sudoers.d/flr-unretirement-example, its ticket URL pointed at the stand-in's queue
    (pagure.io's on a real host)."""
    return host.install_sudoers("flr-unretirement-example", "flr-unretirement", replace=[
        ("https\\://pagure[.]io/releng/issue/", sudoers_literal(world.url + "/pagure/releng/issue/"))])


def ansible_cfg(tmp):
    """Keeps the controller's ansible-playbook out of ~/.ansible; the remote side uses the
    automation user's own ~/.ansible/tmp. Pipelining: one ssh round trip per task."""
    home = tmp / "ansible-home"
    home.mkdir(exist_ok=True)
    path = tmp / "ansible.cfg"
    path.write_text(f"""[defaults]
home = {home}
local_tmp = {home}/tmp
retry_files_enabled = False
host_key_checking = True
[ssh_connection]
pipelining = True
control_path_dir = {home}/cp
""")
    return str(path)


def ssh_listener(tmp, broker, host, cfg):
    """flr-listen with route file `cfg` (a workflow's example routes), its playbooks run
    against the host over ssh: the inventory names it, flr_host selects it."""
    cfg["amqp"] = {"url": broker.url, "queue": "flr-ssh-" + uuid.uuid4().hex[:8]}
    cfg["ansible"].update({"cfg": ansible_cfg(tmp), "inventory": host.inventory(tmp / "inventory.yml", INVENTORY_HOST),
                           "playbook_cmd": ["ansible-playbook", "-e", f"flr_host={INVENTORY_HOST}"]})
    cfg.pop("env_allow", None)
    lis = Listener(write_config(tmp, cfg, name=f"listen-{uuid.uuid4().hex[:6]}.yaml"), tmp)
    lis.queue = cfg["amqp"]["queue"]
    return lis


def job_done(lis, msg_id, timeout=120):
    needle = f'job id="{msg_id}"'

    def final():
        lines = [ln for ln in lis.text().splitlines() if needle in ln]
        return lines[-1] if lines and ("status=" in lines[-1]) else None
    return wait_for(final, timeout=timeout, what=needle)


def test_unretirement_over_ssh_with_sudo(tmp, broker, host, world, unretirement_sudo):
    lis = ssh_listener(tmp, broker, host, route_config(tmp, "unused", bot="releng"))
    try:
        _, _, _, title, content = SCENARIOS[1]
        m = issue_message(NEW, 1, title, content)
        broker.publish([(m["topic"], m["body"], m["headers"], m["id"])])
        assert 'status="exit 0"' in job_done(lis, m["id"]), lis.text()[-4000:]
    finally:
        assert lis.stop() == 0
    # The report, the revert, the Koji unblock and the close, all done from the host.
    assert any("**Verdict: `auto`**" in c for c in world.comments(1)), world.entries()
    assert world.closed(1) == ["Processed"]
    unblocks = [e["args"] for e in world.entries() if e.get("call") == "packageListUnblock"]
    assert unblocks == [["f44", "recentpkg"]]
    assert world.git("recentpkg", "log", "-1", "--format=%s", "rawhide").startswith("Unretirement request: ")
    assert world.requests_from(host.address), "the stand-in saw no request from the host"
    assert not world.requests_from("127.0.0.1")
    log = host.sshd_log.read_text()
    assert f"Accepted publickey for loopabull_releng from {host.controller_address}" in log


def refused_commands(host, world):
    check = str(host.bin / "flr-check-unretirement")
    unretire = str(host.bin / "flr-unretire")
    ticket, other = world.ticket_url(4), world.ticket_url(5)
    allowed_check = [check, "--ticket", "4", "--post", "--json"]
    allowed_unretire = [unretire, "--package", "orphanpkg", "--branch", "rawhide", "--ticket", ticket, "--json"]
    return [allowed_check, allowed_unretire], {
        "an extra argument": allowed_check + ["extra"],
        "--force": allowed_unretire[:-1] + ["--force", "--json"],
        "--config": allowed_check[:-1] + ["--config", "/tmp/flr.yaml", "--json"],
        "shell metacharacters in the package": [unretire, "--package", "orphanpkg;id", "--branch", "rawhide",
                                                "--ticket", ticket, "--json"],
        "a $(...) package": [unretire, "--package", "$(id)", "--branch", "rawhide", "--ticket", ticket, "--json"],
        "a second ticket URL": allowed_unretire[:-1] + ["--ticket", other, "--json"],
    }


def test_sudo_refuses_what_the_dropin_does_not_name(host, world, unretirement_sudo):
    allowed, refused = refused_commands(host, world)
    # The exact command lines are allowed (sudo -l lists a command without running it).
    for argv in allowed:
        r = host.ssh(["sudo", "-n", "-l", *argv])
        assert r.returncode == 0 and argv[0] in r.stdout, (argv, r.stdout, r.stderr)
    journal, seen = len(world.entries()), len(world.requests_from(host.address))
    for what, argv in refused.items():
        r = host.ssh(["sudo", "-n", "-l", *argv])
        assert r.returncode == 1, (what, r.stdout, r.stderr)
        r = host.ssh(["sudo", "-n", *argv])
        assert r.returncode == 1 and "a password is required" in r.stderr, (what, r.stdout, r.stderr)
    # Nothing reached the services: no change journalled, not even a read.
    assert len(world.entries()) == journal
    assert len(world.requests_from(host.address)) == seen


def test_guide_controller_user_reaches_the_automation_user(host, unretirement_sudo):
    """docs/deploy.md, sections 2 and 3, on the namespace host: the controller's user and
    its key, authorized for loopabull_releng, known_hosts by ssh-keyscan, then `sudo -l`
    of the playbook's command line over ssh as that user."""
    host.root(["useradd", "--system", "--create-home", "--home-dir", LISTEN_HOME, "--shell", "/sbin/nologin", "flr-listen"])
    host.root(["install", "-d", "-o", "flr-listen", "-g", "flr-listen", "-m", "0700", f"{LISTEN_HOME}/.ssh"])
    host.root(["sudo", "-u", "flr-listen", "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", LISTEN_KEY])
    host.root(["sh", "-c", f"cat {LISTEN_KEY}.pub >> /home/loopabull_releng/.ssh/authorized_keys"])
    known = host.root(["ssh-keyscan", "-t", "ed25519", "-p", host.port, host.address]).stdout
    host.root(["install", "-o", "flr-listen", "-g", "flr-listen", "-m", "0600", "/dev/stdin",
               f"{LISTEN_HOME}/.ssh/known_hosts"], input=known)
    check = [str(host.bin / "flr-check-unretirement"), "--ticket", "1", "--post", "--json"]
    r = host.root(["sudo", "-u", "flr-listen", "ssh", "-i", LISTEN_KEY, "-p", host.port, "-o", "BatchMode=yes",
                   "-o", "StrictHostKeyChecking=yes", f"loopabull_releng@{host.address}", "sudo", "-n", "-l", *check])
    assert r.stdout.strip() == " ".join(check), r.stdout + r.stderr
    r = host.root(["sudo", "-u", "flr-listen", "ssh", "-i", LISTEN_KEY, "-p", host.port, "-o", "BatchMode=yes",
                   f"loopabull_releng@{host.address}", "sudo", "-n", "-l", *check, "--force"], check=False)
    assert r.returncode == 1 and r.stdout == "", r.stdout + r.stderr
