"""The deployment as the seeds design it: flr-listen on a controller, the playbooks acting
on a second host over real SSH as the automation user, the flr tools run there through
`sudo -n` with exactly the command lines the example drop-ins allow.

The second host is a network namespace with its own sshd, /etc and /home
(tests/lib/sshhost.py); the stand-in listens on the controller's side of the veth,
seeded for every workflow (tests/lib/deploy_world.py), and the host has one flr.yaml
with every workflow's section. One broker, one stand-in, one host for the module. A
workflow is one test function: install its drop-in on the host, start flr-listen with
its example routes (examples/<workflow>/flr-listen.yaml as shipped, the playbooks by
path) and the ssh inventory, publish, check the stand-in's journal. Skipped, with the
reason, where namespaces, mounts or sshd are not available."""

import uuid

import pytest
import yaml

from deploy_world import World
from flrtest import SOURCE_DIR
from image_world import tag_message
from listen import Listener, wait_for, write_config
from pagure_messages import NEW, issue_message
from scm_listen import scm_message
from scm_world import QUEUE, SCENARIOS as SCM_SCENARIOS
from sshhost import SshHost, sudoers_literal, unavailable
from unretire_world import SCENARIOS

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
    host's flr.yaml points at it (image.state_dir: a directory of the host's root)."""
    (tmp / "world").mkdir()
    (host.dir / "image-state").mkdir(mode=0o700)
    w = World(tmp / "world", host.dir / "image-state", phase="auto-recent", address=host.controller_address)
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


@pytest.fixture(scope="module")
def scm_sudo(host):
    """sudoers.d/flr-scm-example: nothing in it names a service."""
    return host.install_sudoers("flr-scm-example", "flr-scm")


@pytest.fixture(scope="module")
def image_sudo(host):
    """sudoers.d/flr-image-example: nothing in it names a service."""
    return host.install_sudoers("flr-image-example", "flr-image")


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


def example_routes(workflow):
    """examples/`workflow`/flr-listen.yaml as shipped, its playbooks by absolute path."""
    examples = SOURCE_DIR / "examples" / workflow
    cfg = yaml.safe_load((examples / "flr-listen.yaml").read_text())
    for route in cfg["routes"]:
        route["playbook"] = str(examples / route["playbook"])
    return cfg


def ssh_listener(tmp, broker, host, workflow):
    """flr-listen with `workflow`'s example routes, its playbooks run against the host over
    ssh: the inventory names it, flr_host selects it."""
    cfg = example_routes(workflow)
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


def run_over_ssh(tmp, broker, host, workflow, message):
    """Publish `message`; flr-listen with `workflow`'s example routes runs its job on the
    host. The job's last line must say exit 0."""
    lis = ssh_listener(tmp, broker, host, workflow)
    try:
        broker.publish([(message["topic"], message["body"], message["headers"], message["id"])])
        assert 'status="exit 0"' in job_done(lis, message["id"]), lis.text()[-4000:]
    finally:
        assert lis.stop() == 0


def test_unretirement_over_ssh_with_sudo(tmp, broker, host, world, unretirement_sudo):
    _, _, _, title, content = SCENARIOS[1]
    run_over_ssh(tmp, broker, host, "unretirement", issue_message(NEW, 1, title, content))
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


def test_scm_request_over_ssh_with_sudo(tmp, broker, host, world, scm_sudo):
    """A valid new_repo ticket: the repository created, the ticket closed Processed."""
    seen = len(world.requests_from(host.address))
    author, title, content = SCM_SCENARIOS[1]
    run_over_ssh(tmp, broker, host, "scm", scm_message(NEW, 1, title, content, author=author))
    assert world.closed(1, project=QUEUE) == ["Processed"], world.entries()[-5:]
    created = [e for e in world.entries() if e["method"] == "POST" and e["path"] == "/distgit/api/0/new"]
    assert [e["status"] for e in created] == [200], created
    assert len(world.git("newpkg", "rev-parse", "rawhide").strip()) == 40, "a bare repo in the dist-git root"
    assert len(world.requests_from(host.address)) > seen


def test_image_rebuild_over_ssh_with_sudo(tmp, broker, host, world, image_sudo):
    """A newer bash tagged into f41-updates: the image changed, its rebuild submitted."""
    world.image.tag("bash-5.2.37-1.fc41")
    seen = len(world.requests_from(host.address))
    run_over_ssh(tmp, broker, host, "image", tag_message("f41-updates", "bash-5.2.37-1.fc41"))
    builds = world.kiwi_builds()
    assert [b["args"][0] for b in builds] == ["f41-kiwi"], world.entries()[-5:]
    assert builds[0]["kwargs"]["profile"] == "Container-Base-Generic"
    assert len(world.requests_from(host.address)) > seen


def unretirement_lines(host, world):
    """(the command lines the playbooks run, {what: a command line sudo must refuse})."""
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


def scm_lines(host, world):
    scm = str(host.bin / "flr-scm-request")
    allowed = [scm, "--ticket", "7", "--respond", "--json"]
    return [allowed], {
        "an extra argument": allowed + ["extra"],
        "--config": allowed[:-1] + ["--config", "/tmp/flr.yaml", "--json"],
        "--dry-run": allowed[:-1] + ["--dry-run", "--json"],
        "shell metacharacters in the ticket": [scm, "--ticket", "7;id", "--respond", "--json"],
        "a second ticket": [scm, "--ticket", "7", "--ticket", "8", "--respond", "--json"],
    }


def image_lines(host, world):
    changed, rebuild = str(host.bin / "flr-image-changed"), str(host.bin / "flr-image-rebuild")
    allowed_changed = [changed, "--release", "41", "--image", "fedora", "--json"]
    allowed_rebuild = [rebuild, "--release", "41", "--image", "fedora", "--json"]
    return [allowed_changed, allowed_rebuild], {
        "an extra argument": allowed_rebuild + ["extra"],
        "--config": allowed_rebuild[:-1] + ["--config", "/tmp/flr.yaml", "--json"],
        "an image the drop-in does not name": [rebuild, "--release", "41", "--image", "fedora-kinoite", "--json"],
        "shell metacharacters in the image": [rebuild, "--release", "41", "--image", "fedora;id", "--json"],
        "a $(...) release": [changed, "--release", "$(id)", "--image", "fedora", "--json"],
    }


LINES = {"unretirement": unretirement_lines, "scm": scm_lines, "image": image_lines}


@pytest.mark.parametrize("workflow", LINES)
def test_sudo_refuses_what_the_dropin_does_not_name(request, host, world, workflow):
    request.getfixturevalue(f"{workflow}_sudo")
    allowed, refused = LINES[workflow](host, world)
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
