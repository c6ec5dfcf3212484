"""The CLI contract every flr binary shares (flr(7)): help, version, usage errors,
exit codes, --json, and the sudo rules for configuration."""

import json

import pytest

from flrtest import binaries, run

BINARIES = binaries()


def test_there_are_binaries():
    assert "flr-version" in BINARIES


@pytest.mark.parametrize("binary", BINARIES)
def test_help_goes_to_stdout_and_exits_0(binary):
    r = run([binary, "--help"])
    assert r.returncode == 0, r.stderr
    assert "Usage:" in r.stdout and "--help" in r.stdout
    assert r.stderr == ""


@pytest.mark.parametrize("binary", BINARIES)
def test_version_goes_to_stdout_and_exits_0(binary):
    r = run([binary, "--version"])
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(binary + " ")
    assert r.stderr == ""


@pytest.mark.parametrize("binary", BINARIES)
def test_bogus_option_is_a_usage_error(binary):
    r = run([binary, "--no-such-option-anywhere"])
    assert r.returncode == 2
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert lines[0].startswith(binary + ": error: ")
    assert lines[-1] == f"Try '{binary} --help' for more information."


def test_json_results_are_pure_json():
    r = run(["flr-version", "--json"])
    assert r.returncode == 0
    data = json.loads(r.stdout)
    assert data["version"] and data["components"]["libflr"] == data["version"]


def test_json_errors_are_json_on_stdout(tmp_path):
    r = run(["flr-version", "--json", "--config", tmp_path / "absent.yaml"])
    assert r.returncode == 3
    data = json.loads(r.stdout)
    assert data["error"]["kind"] == "config"
    assert data["error"]["exit_code"] == 3
    assert "absent.yaml" in r.stderr


def test_malformed_config_exits_3_with_one_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: [1, 2\n")
    r = run(["flr-version", "--config", bad])
    assert r.returncode == 3
    assert len(r.stderr.strip().splitlines()) == 1
    assert "bad.yaml:" in r.stderr


def test_config_search_order(tmp_path):
    env_cfg = tmp_path / "env.yaml"
    env_cfg.write_text("x: 1\n")
    xdg = tmp_path / "xdg"
    (xdg / "flr").mkdir(parents=True)
    (xdg / "flr" / "flr.yaml").write_text("x: 2\n")
    explicit = tmp_path / "explicit.yaml"
    explicit.write_text("x: 3\n")

    def used(args, env):
        r = run(["flr-version", "--json"] + args, env=env)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)["config"]

    assert used([], {"XDG_CONFIG_HOME": str(xdg)}) == str(xdg / "flr" / "flr.yaml")
    assert used([], {"XDG_CONFIG_HOME": str(xdg), "FLR_CONFIG": str(env_cfg)}) == str(env_cfg)
    assert used(["--config", str(explicit)], {"FLR_CONFIG": str(env_cfg)}) == str(explicit)


def test_under_sudo_the_callers_config_and_environment_are_ignored(tmp_path):
    mine = tmp_path / "mine.yaml"
    mine.write_text("x: 1\n")
    xdg = tmp_path / "xdg"
    (xdg / "flr").mkdir(parents=True)
    (xdg / "flr" / "flr.yaml").write_text("x: 2\n")
    env = {"SUDO_USER": "someone", "FLR_CONFIG": str(mine), "XDG_CONFIG_HOME": str(xdg)}
    r = run(["flr-version", "--json"], env=env)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["under_sudo"] is True
    assert data["config"] is None or not data["config"].startswith(str(tmp_path))
    assert all(not p.startswith(str(tmp_path)) for p in data["config_search_path"])
    r = run(["flr-version", "--config", mine], env=env)
    assert r.returncode == 2
    assert "not accepted under sudo" in r.stderr


def test_verbose_and_quiet_are_accepted_everywhere():
    for binary in BINARIES:
        assert run([binary, "--quiet", "--version"]).returncode == 0
        assert run([binary, "--verbose", "--version"]).returncode == 0


@pytest.mark.parametrize("binary", BINARIES)
def test_usage_errors_are_json_too_with_json(binary):
    r = run([binary, "--json", "--no-such-option-anywhere"])
    assert r.returncode == 2
    assert json.loads(r.stdout)["error"]["kind"] == "usage"


# Binaries that change state must offer --dry-run.
MUTATING = {"flr-ticket", "flr-unretire", "flr-check-unretirement"}


@pytest.mark.parametrize("binary", sorted(MUTATING & set(BINARIES)))
def test_mutating_binaries_offer_dry_run(binary):
    text = run([binary, "--help"]).stdout
    subs = [line.split()[0] for line in text.split("Subcommands:", 1)[1].splitlines()[1:] if line.strip()] \
        if "Subcommands:" in text else []
    helps = [text] + [run([binary, s, "--help"]).stdout for s in subs]
    assert any("--dry-run" in h for h in helps)
