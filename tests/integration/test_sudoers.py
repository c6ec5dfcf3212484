"""sudoers drop-ins: each parses with visudo, has a name sudo will read, and allows only
exact command lines (no argument wildcards), so the automation user can run nothing else."""

import os
import re
import shutil
import subprocess

import pytest

from flrtest import SOURCE_DIR

DROPINS = sorted((SOURCE_DIR / "sudoers.d").iterdir())
VISUDO = shutil.which("visudo") or "/usr/sbin/visudo"


def rules(path):
    """The logical lines of a sudoers file, comments dropped and continuations joined."""
    text = re.sub(r"\\\n", " ", path.read_text())
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip() if not line.lstrip().startswith("#include") else ""
        if line:
            yield line


def commands(path):
    """Every command in the Cmnd_Spec_List of every user specification."""
    for line in rules(path):
        if line.startswith(("Defaults", "Cmnd_Alias", "User_Alias", "Host_Alias", "Runas_Alias")):
            if line.startswith("Cmnd_Alias"):
                yield from (c.strip() for c in line.split("=", 1)[1].split(","))
            continue
        spec = line.split("=", 1)[1]
        spec = re.sub(r"^\s*\([^)]*\)", "", spec)
        for cmd in spec.split(","):
            cmd = re.sub(r"^\s*((NO)?(PASSWD|SETENV|EXEC|LOG_INPUT|LOG_OUTPUT)\s*:\s*)+", "", cmd.strip())
            yield cmd.strip()


def test_there_are_dropins():
    assert DROPINS


@pytest.mark.parametrize("path", DROPINS, ids=lambda p: p.name)
def test_name_is_read_by_sudo(path):
    assert "." not in path.name and not path.name.endswith("~"), "sudo skips such files"


@pytest.mark.parametrize("path", DROPINS, ids=lambda p: p.name)
def test_visudo_accepts_it(path, tmp_path):
    copy = tmp_path / path.name
    shutil.copy(path, copy)
    os.chmod(copy, 0o440)
    r = subprocess.run([VISUDO, "-cf", str(copy)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.parametrize("path", DROPINS, ids=lambda p: p.name)
def test_no_argument_wildcards(path):
    found = list(commands(path))
    assert found, "no command found"
    for cmd in found:
        assert cmd.startswith("/"), f"{cmd!r}: commands need absolute paths"
        assert cmd != "ALL", "ALL grants everything"
        binary, _, args = cmd.partition(" ")
        assert not re.search(r"[*?\[]", binary), f"{cmd!r}: wildcard in the command"
        # A regex argument (^...$, sudo >= 1.9.10) is anchored; plain globs are refused.
        if args.startswith("^"):
            assert args.endswith("$") and ".*" not in args, f"{cmd!r}: unbounded regex"
        else:
            assert not re.search(r"[*?\[]", args), f"{cmd!r}: argument wildcard"
        assert os.path.basename(binary).startswith("flr-"), f"{cmd!r}: not an flr binary"


def test_checker_catches_a_wildcard(tmp_path):
    bad = tmp_path / "bad"
    bad.write_text("u ALL=(root) NOPASSWD: /usr/bin/flr-ticket comment *\n")
    with pytest.raises(AssertionError):
        test_no_argument_wildcards(bad)


def test_visudo_check_can_fail(tmp_path):
    bad = tmp_path / "broken"
    bad.write_text("loopabull_releng ALL=(root NOPASSWD /usr/bin/flr-version\n")
    os.chmod(bad, 0o440)
    assert subprocess.run([VISUDO, "-cf", str(bad)], capture_output=True).returncode != 0
