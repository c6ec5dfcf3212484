"""The unretirement playbook's commands through a REAL sudo with
sudoers.d/flr-unretirement-example installed for a throwaway user.

Runs only as root on a machine without /etc/flr (so that nothing the binaries do
under sudo can reach a configured service); skipped otherwise. It creates a user and
/etc/sudoers.d/flr-test-<hex> (checked with visudo before it is enabled) and removes
both at the end, whatever happens.

What it shows: the argv the playbook builds passes sudo and reaches the binary as
root (the binary then stops on the missing /etc/flr/flr.yaml: under sudo it ignores
FLR_CONFIG and --config is not allowed); --force, --config and a ticket that is not a
number never get past sudo."""

import json
import os
import pathlib
import re
import shutil
import subprocess
import tempfile
import uuid

import pytest
import yaml

from flrtest import BIN_DIR, SOURCE_DIR

EXAMPLE = SOURCE_DIR / "sudoers.d" / "flr-unretirement-example"

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("sudo") or not shutil.which("useradd")
    or not os.path.isdir("/etc/sudoers.d") or os.path.exists("/etc/flr")
    or not re.fullmatch(r"[A-Za-z0-9/_.-]+", str(BIN_DIR))
    # ansible-playbook needs a shared-memory directory every user can write (not so in
    # some chroots, where /dev/shm is not mounted).
    or not os.path.isdir("/dev/shm") or (os.stat("/dev/shm").st_mode & 0o1777) != 0o1777,
    reason="needs root, sudo, useradd, /etc/sudoers.d, no /etc/flr, a plain build path and /dev/shm")


@pytest.fixture
def sudo_user():
    tag = uuid.uuid4().hex[:8]
    user = "flrst" + tag
    rules = EXAMPLE.read_text().replace("loopabull_releng", user).replace("/usr/bin/flr-", f"{BIN_DIR}/flr-")
    home = tempfile.mkdtemp(prefix="flr-sudo-test-")
    staged = pathlib.Path(f"/etc/sudoers.d/flr-test-{tag}.new")   # a dot: sudo ignores it
    final = pathlib.Path(f"/etc/sudoers.d/flr-test-{tag}")
    created = False
    try:
        subprocess.run(["useradd", "--no-create-home", "--home-dir", home, "--shell", "/bin/sh", user], check=True)
        created = True
        shutil.chown(home, user)
        staged.write_text(rules)
        os.chmod(staged, 0o440)
        check = subprocess.run(["visudo", "-cf", str(staged)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
        os.rename(staged, final)
        yield user, home
    finally:
        for f in (staged, final):
            f.unlink(missing_ok=True)
        if created:
            subprocess.run(["userdel", user], check=False)
        shutil.rmtree(home, ignore_errors=True)
    assert not final.exists()


def as_user(user, home, argv, timeout=120):
    env = ["env", "-i", "PATH=/usr/bin:/bin", f"HOME={home}", "LANG=C.UTF-8"]
    return subprocess.run(["runuser", "-u", user, "--", *env, *argv], capture_output=True, text=True,
                          timeout=timeout, cwd=home)


def reached_binary(r, name):
    """The binary ran (as root) and stopped on its configuration: not a sudo refusal."""
    return (r.returncode == 3 and "a password is required" not in r.stderr
            and f"{name}: error: pagure.url: required setting is missing" in r.stderr)


def test_playbook_command_passes_real_sudo(sudo_user):
    user, home = sudo_user
    playbook = pathlib.Path(home) / "check.yml"
    shutil.copy(SOURCE_DIR / "examples" / "unretirement" / "check.yml", playbook)
    inv = pathlib.Path(home) / "inventory.yml"
    inv.write_text(yaml.safe_dump({"all": {"hosts": {"localhost": {
        "ansible_connection": "local", "ansible_python_interpreter": "/usr/bin/python3",
        "flr_bin": str(BIN_DIR)}}}}))   # flr_sudo: the playbook's default, [sudo, -n]
    vars_file = pathlib.Path(home) / "vars.json"
    vars_file.write_text(json.dumps({"msg": {"issue": {"id": 12002}}}))
    for p in (playbook, inv, vars_file):
        shutil.chown(p, user)
    r = as_user(user, home, ["env", f"ANSIBLE_HOME={home}/.ansible", "ansible-playbook", "-i", str(inv),
                             str(playbook), "-e", f"@{vars_file}"])
    out = r.stdout + r.stderr
    assert "a password is required" not in out and "not allowed" not in out, out
    assert f"{BIN_DIR}/flr-check-unretirement" in out and "pagure.url: required setting is missing" in out, out
    assert '"sudo", "-n"' in out or "'sudo', '-n'" in out, out


def test_exact_argv_allowed_everything_else_refused(sudo_user):
    user, home = sudo_user
    check = [f"{BIN_DIR}/flr-check-unretirement"]
    unretire = [f"{BIN_DIR}/flr-unretire"]
    ticket = "https://pagure.io/releng/issue/12002"
    allowed = [
        check + ["--ticket", "12002", "--post", "--json"],
        check + ["--ticket", "12002", "--json"],
        unretire + ["--package", "python-retro", "--branch", "rawhide", "--branch", "f44", "--ticket", ticket,
                    "--json"],
    ]
    for argv in allowed:
        r = as_user(user, home, ["sudo", "-n", *argv])
        assert reached_binary(r, os.path.basename(argv[0])), (argv, r.stdout, r.stderr)
    refused = [
        check + ["--ticket", "12002", "--post", "--json", "--config", "/tmp/x.yaml"],
        check + ["--ticket", "12002;id", "--json"],
        check + ["--ticket", "12002", "--post"],
        unretire + ["--package", "python-retro", "--branch", "rawhide", "--ticket", ticket, "--force", "--json"],
        unretire + ["--package", "python-retro", "--branch", "main", "--ticket", ticket, "--json"],
        unretire + ["--package", "python-retro", "--branch", "rawhide", "--ticket",
                    "https://evil.example/releng/issue/1", "--json"],
        unretire + ["--package", "../x", "--branch", "rawhide", "--ticket", ticket, "--json"],
        ["/bin/sh", "-c", "id"],
    ]
    for argv in refused:
        r = as_user(user, home, ["sudo", "-n", *argv])
        assert r.returncode == 1 and "a password is required" in r.stderr, (argv, r.stdout, r.stderr)
