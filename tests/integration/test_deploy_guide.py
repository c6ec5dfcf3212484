"""docs/deploy.md: every command in its ```sh blocks is run by a test.

RUN_BY names, for each command of the guide, the test that runs it (as it is, or in the
form adapted to the test machine: a prefix for /usr, the namespace host of
tests/lib/sshhost.py for the automation host, private RabbitMQ nodes) and a fragment of
that test's source that is the adapted command. The test fails when the guide has a
command RUN_BY does not name, when RUN_BY names one the guide no longer has, or when a
named test or its fragment is gone."""

import ast
import re

from flrtest import SOURCE_DIR

GUIDE = SOURCE_DIR / "docs" / "deploy.md"
SSH = "tests/integration/test_deploy_ssh.py"
SSHHOST = "tests/lib/sshhost.py"
SHOVEL = "tests/integration/test_deploy_shovel.py"
RPM = "tests/integration/test_rpm.py"
# Tests that run several of the guide's commands.
CONTROLLER_USER = (SSH, "test_guide_controller_user_reaches_the_automation_user")
RELOAD = ("tests/integration/test_listen_failure.py", "test_sighup_adds_a_route_without_dropping_inflight_work")

RUN_BY = {
    # 1. Packages: the RPM built from flr.spec and unpacked as installing lays it out.
    "dnf install ./flr-0.1.0-1.fc41.x86_64.rpm ansible-core python3-pika rabbitmq-server openssh-server sudo":
        (RPM, "payload", '"rpm2cpio"'),
    # 2. Users: the controller's user on the namespace host (home under /home there).
    "useradd --system --create-home --home-dir /var/lib/flr-listen --shell /sbin/nologin flr-listen":
        (*CONTROLLER_USER, '"useradd", "--system", "--create-home", "--home-dir", LISTEN_HOME, "--shell", "/sbin/nologin", "flr-listen"'),
    "install -d -o flr-listen -g flr-listen -m 0700 /var/lib/flr-listen/.ssh":
        (*CONTROLLER_USER, '"install", "-d", "-o", "flr-listen", "-g", "flr-listen", "-m", "0700", f"{LISTEN_HOME}/.ssh"'),
    "sudo -u flr-listen ssh-keygen -q -t ed25519 -N '' -f /var/lib/flr-listen/.ssh/id_ed25519":
        (*CONTROLLER_USER, '"sudo", "-u", "flr-listen", "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", LISTEN_KEY'),
    "useradd --create-home --shell /bin/sh --password '*' loopabull_releng":
        (SSHHOST, "add_automation_user", '"useradd", "--create-home", "--shell", "/bin/sh", "--password", "*", USER'),
    "install -d -o loopabull_releng -g loopabull_releng -m 0700 /home/loopabull_releng/.ssh":
        (SSHHOST, "add_automation_user", '"install", "-d", "-o", USER, "-g", USER, "-m", "0700", f"/home/{USER}/.ssh"'),
    "install -o loopabull_releng -g loopabull_releng -m 0600 id_ed25519.pub /home/loopabull_releng/.ssh/authorized_keys":
        (SSHHOST, "add_automation_user", '"install", "-o", USER, "-g", USER, "-m", "0600", f"{self.key}.pub"'),
    "ssh-keyscan -t ed25519 releng-automation.example > /var/lib/flr-listen/.ssh/known_hosts":
        (SSHHOST, "_scan_host_key", '"ssh-keyscan", "-t", "ed25519", "-p", str(self.port), self.address'),
    # 3. Sudoers drop-ins.
    "install -o root -g root -m 0440 /usr/share/flr/sudoers.d/flr-unretirement-example "
    "/etc/sudoers.d/flr-unretirement.new":
        (SSHHOST, "install_sudoers", '"install", "-o", "root", "-g", "root", "-m", "0440", "/dev/stdin", staged'),
    "visudo -cf /etc/sudoers.d/flr-unretirement.new": (SSHHOST, "install_sudoers", '"visudo", "-cf", staged'),
    "mv /etc/sudoers.d/flr-unretirement.new /etc/sudoers.d/flr-unretirement":
        (SSHHOST, "install_sudoers", '"mv", staged, f"/etc/sudoers.d/{name}"'),
    "visudo -c": (SSHHOST, "install_sudoers", '"visudo", "-c"'),
    "sudo -u flr-listen ssh loopabull_releng@releng-automation.example sudo -n -l "
    "/usr/bin/flr-check-unretirement --ticket 1 --post --json":
        (*CONTROLLER_USER, '"sudo", "-u", "flr-listen", "ssh", "-i", LISTEN_KEY'),
    # 4. Secrets and flr.yaml on the automation host (FLR_SYSCONFDIR of the build).
    "install -d -o root -g root -m 0700 /etc/flr/secrets":
        (SSHHOST, "install_config", '"install", "-d", "-o", "root", "-g", "root", "-m", "0700", secrets'),
    "install -o root -g root -m 0600 pagure-token /etc/flr/secrets/pagure-token":
        (SSHHOST, "install_config", '"install", "-o", "root", "-g", "root", "-m", "0600", f, f"{secrets}/{f.name}"'),
    "install -o root -g root -m 0644 flr.yaml /etc/flr/flr.yaml":
        (SSHHOST, "install_config", '"install", "-o", "root", "-g", "root", "-m", "0644", "/dev/stdin"'),
    # 5. Listener configurations: the example routes and playbooks, unchanged, by path.
    "install -d -m 0755 /etc/flr/listen /etc/flr/playbooks":
        (SSH, "ssh_listener", "example_routes(workflow)"),
    "install -m 0644 /usr/share/flr/examples/unretirement/unretire.yml "
    "/usr/share/flr/examples/unretirement/check.yml /etc/flr/playbooks/":
        (SSH, "example_routes", 'str(examples / route["playbook"])'),
    "install -m 0644 releng.yaml /etc/flr/listen/releng.yaml":
        (SSH, "ssh_listener", "write_config(tmp, cfg"),
    # 6. systemd: the packaged unit verified against the payload; flr-listen started
    # with the configuration the unit would give it.
    "systemd-analyze verify /usr/lib/systemd/system/flr-listen@.service":
        (RPM, "test_every_unit_is_packaged_and_verifies", '"systemd-analyze", "verify"'),
    "systemctl enable --now flr-listen@releng.service":
        (SSH, "ssh_listener", "Listener(write_config(tmp, cfg"),
    # 7. The shovel, on private nodes.
    "rabbitmq-plugins enable rabbitmq_shovel": (SHOVEL, "nodes", 'plugins=["rabbitmq_shovel"]'),
    "sh /usr/share/flr/examples/deploy/shovel": (SHOVEL, "bridge", '["sh", str(script)]'),
    "rabbitmqctl shovel_status": (SHOVEL, "bridge", 'work.ctl("shovel_status")'),
    "rabbitmqctl list_queues name messages_ready messages_unacknowledged":
        (SHOVEL, "test_work_node_down_messages_wait_in_the_source_queue", "public.queue_depth(bridge)"),
    # 9. Upgrading and rolling back.
    "dnf upgrade ./flr-0.1.0-1.fc41.x86_64.rpm": (RPM, "rpms", '"rpmbuild", "-bb"'),
    "cp -p /etc/flr/listen/releng.yaml /etc/flr/listen/releng.yaml.good":
        (*RELOAD, "cfg = broker_config(broker, queue, old)"),
    "flr-listen --config /etc/flr/listen/releng.yaml --replay /usr/share/flr/examples/listen/messages.jsonl --json":
        ("tests/integration/test_listen_replay.py", None, "--replay"),
    "cp -p /etc/flr/listen/releng.yaml.good /etc/flr/listen/releng.yaml":
        (*RELOAD, "write_config(tmp_path, dict(cfg, routes=new))"),
    "systemctl reload flr-listen@releng.service":
        (*RELOAD, "lis.proc.send_signal(signal.SIGHUP)"),
}


def guide_commands():
    """The commands of the guide's ```sh blocks, one per line (continuations joined)."""
    text = GUIDE.read_text()
    commands = []
    for block in re.findall(r"^```sh\n(.*?)^```$", text, re.M | re.S):
        for line in block.replace("\\\n", " ").splitlines():
            line = " ".join(line.split())
            if line and not line.startswith("#"):
                commands.append(line)
    return commands


def function_source(path, name):
    """The source of function `name` (module level or in a class) in `path`."""
    text = (SOURCE_DIR / path).read_text()
    if name is None:
        return text
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return ast.get_source_segment(text, node)
    raise AssertionError(f"{path}: no function {name}")


def test_every_guide_command_is_run_by_a_test():
    commands = guide_commands()
    assert len(commands) >= 20
    missing = [c for c in commands if c not in RUN_BY]
    assert not missing, "commands in docs/deploy.md that no test runs:\n" + "\n".join(missing)
    stale = [c for c in RUN_BY if c not in commands]
    assert not stale, "RUN_BY names commands docs/deploy.md no longer has:\n" + "\n".join(stale)
    for command, (path, function, fragment) in RUN_BY.items():
        source = function_source(path, function)
        assert fragment in source, (command, path, function, fragment)


def test_guide_package_name_is_the_spec_version():
    spec = (SOURCE_DIR / "flr.spec").read_text()
    version = re.search(r"^Version:\s*(\S+)", spec, re.M)[1]
    release = re.search(r"^Release:\s*(\d+)", spec, re.M)[1]
    for name in re.findall(r"\./(flr-\S+\.rpm)", GUIDE.read_text()):
        assert name.startswith(f"flr-{version}-{release}."), name


def test_readme_links_the_guide():
    assert "docs/deploy.md" in (SOURCE_DIR / "README.md").read_text()
