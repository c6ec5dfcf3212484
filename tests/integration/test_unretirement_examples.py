"""The shipped unretirement examples, as a user installs them: each file under
examples/unretirement/ that the README and the comments tell a user to install is
copied, only the service URLs and the host-specific paths (secrets, inventory) are
substituted, and the workflow runs with it against the stand-ins and real bare dist-git
repos: flr-check-unretirement and flr-unretire with the copied flr.yaml, then flr-listen
with the copied route file and playbooks, run by a real ansible-playbook."""

import json
import shutil

import pytest

from flrtest import BIN_DIR, run, write_secret
from listen import ansible_cfg
from pagure_messages import NEW, issue_message
from unretire_listen import EXAMPLES, inventory
from unretire_world import SCENARIOS, World


@pytest.fixture
def world(tmp_path):
    (tmp_path / "world").mkdir()
    w = World(tmp_path / "world")
    yield w
    w.stop()


def substitute(text, replacements):
    for old, new in replacements.items():
        assert old in text, f"the example no longer has {old}"
        text = text.replace(old, new)
    return text


def installed_flr_yaml(world, home):
    """examples/unretirement/flr.yaml.example at ~/.config/flr/flr.yaml, pointing at the stand-ins."""
    secrets = world.tmp / "secrets"
    secrets.mkdir(exist_ok=True)
    text = substitute((EXAMPLES / "flr.yaml.example").read_text(), {
        "https://pagure.io": world.url + "/pagure",
        "https://src.fedoraproject.org": world.url + "/distgit",
        "ssh://pkgs.fedoraproject.org": "file://" + str(world.tmp / "git"),
        "https://koji.fedoraproject.org/kojihub": world.url + "/kojihub",
        "https://bugzilla.redhat.com": world.url,
        "/etc/flr/secrets/pagure-token": write_secret(secrets / "pagure-token", "ptoken"),
        "/etc/flr/secrets/distgit-token": write_secret(secrets / "distgit-token", "dtoken"),
        "/etc/flr/secrets/koji.pem": write_secret(secrets / "koji.pem", "not used over http\n"),
        "/etc/flr/secrets/bugzilla-key": write_secret(secrets / "bugzilla-key", "bkey"),
    })
    path = home / ".config" / "flr" / "flr.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(text)
    return path


def test_example_flr_yaml_runs_check_and_unretire(world, tmp_path):
    home = tmp_path / "home"
    config = installed_flr_yaml(world, home)
    env = {"HOME": str(home)}
    r = run(["flr-check-unretirement", "--json", "--ticket", "1"], env=env)
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["verdict"] == "auto" and report["phase"] == "auto-recent", report
    head = world.git("recentpkg", "rev-parse", "rawhide")
    r = run(["flr-unretire", "--config", config, "--json", "--package", "recentpkg", "--branch", "rawhide",
             "--ticket", world.ticket_url(1)])
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["completed"] is True
    # The clone came from <git_url>/rpms/recentpkg.git: the revert is in the bare repo.
    assert world.git("recentpkg", "rev-parse", "rawhide") != head
    log = world.git("recentpkg", "log", "-1", "--format=%s", "rawhide")
    assert log.startswith("Unretirement request: " + world.ticket_url(1)), log
    assert world.closed(1) == ["Processed"]


def test_example_routes_and_playbooks_unretire_from_a_message(world, tmp_path):
    home = tmp_path / "home"
    installed_flr_yaml(world, home)
    etc = tmp_path / "etc-flr-unretirement"
    etc.mkdir()
    for name in ("check.yml", "unretire.yml"):
        shutil.copy(EXAMPLES / name, etc / name)
    # The route file as shipped; the host's ansible.cfg and inventory (the flr binaries
    # of the build, run without sudo) are where the example's comments say they go.
    routes = substitute((EXAMPLES / "flr-listen.yaml").read_text(), {
        "# cfg: /etc/flr/ansible.cfg": "cfg: " + ansible_cfg(tmp_path),
        "# inventory: /etc/flr/inventory": "inventory: " + inventory(tmp_path, BIN_DIR),
    })
    (etc / "flr-listen.yaml").write_text(routes)
    _, _, _, title, content = SCENARIOS[1]
    messages = tmp_path / "messages.jsonl"
    messages.write_text(json.dumps(issue_message(NEW, 1, title, content)) + "\n")
    head = world.git("recentpkg", "rev-parse", "rawhide")
    r = run([BIN_DIR / "flr-listen", "--config", etc / "flr-listen.yaml", "--replay", messages, "--json"],
            env={"HOME": str(home), "TMPDIR": str(tmp_path)}, timeout=180)
    assert r.returncode == 0, r.stderr[-3000:]
    assert json.loads(r.stdout)["succeeded"] == 1, r.stderr[-3000:]
    posted = world.comments(1)
    assert any("**Verdict: `auto`**" in c for c in posted), posted
    assert any(c.startswith("## Unretired rpms/recentpkg") for c in posted), posted
    assert world.git("recentpkg", "rev-parse", "rawhide") != head
    assert world.closed(1) == ["Processed"]
