"""flr-ticket end to end against the Pagure stand-in, asserting the recorded requests."""

import json
import os
import subprocess
import urllib.request

import pytest
import yaml
from flrtest import SOURCE_DIR, binary, start_standin, write_flr_yaml

TICKET = binary("flr-ticket")
SEED = SOURCE_DIR / "tests" / "data" / "standin" / "services.yaml"


@pytest.fixture
def standin(tmp_path):
    proc, url = start_standin(tmp_path / "ready", "--seed", SEED, "--journal", tmp_path / "journal")
    config = write_flr_yaml(tmp_path / "flr.yaml", url, yaml.safe_load(SEED.read_text()),
                            extra={"http": {"timeout": 5, "retries": 1, "retry_backoff_ms": 20}})
    yield {"url": url, "config": str(config), "dir": tmp_path}
    proc.terminate()
    proc.wait(timeout=10)


def journal(standin):
    with urllib.request.urlopen(standin["url"] + "/_standin/journal") as response:
        return json.load(response)


def run(standin, *args, stdin=None):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(standin["dir"]), "LANG": "C.UTF-8"}
    return subprocess.run([str(TICKET), "--config", standin["config"], *args], input=stdin, env=env,
                          capture_output=True, text=True, timeout=60)


def test_comment_from_a_file_and_from_stdin(standin):
    body = standin["dir"] / "body.md"
    body.write_text("Unretired on rawhide.\n")
    r = run(standin, "comment", "--project", "releng", "--id", "1", "--body-file", str(body))
    assert r.returncode == 0, r.stderr
    assert "commented on" in r.stdout
    r = run(standin, "comment", "--project", "releng", "--id", "1", "--body-file", "-", stdin="From stdin\n")
    assert r.returncode == 0, r.stderr
    entries = journal(standin)
    assert [(e["method"], e["path"], e["form"]) for e in entries] == [
        ("POST", "/pagure/api/0/releng/issue/1/comment", {"comment": "Unretired on rawhide.\n"}),
        ("POST", "/pagure/api/0/releng/issue/1/comment", {"comment": "From stdin\n"}),
    ]
    assert all(e["auth"] for e in entries)


def test_close_with_a_comment_then_again_changes_nothing(standin):
    comment = standin["dir"] / "c.txt"
    comment.write_text("Processed by flr.\n")
    r = run(standin, "--json", "close", "--project", "releng", "--id", "2", "--status", "Processed",
            "--comment-file", str(comment))
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["changed"] is True
    r = run(standin, "--json", "close", "--project", "releng", "--id", "2", "--status", "Processed")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["changed"] is False
    entries = journal(standin)
    assert [e["path"] for e in entries] == ["/pagure/api/0/releng/issue/2/comment",
                                           "/pagure/api/0/releng/issue/2/status"]
    assert entries[1]["form"] == {"status": "Closed", "close_status": "Processed"}


def test_dry_run_records_nothing(standin):
    r = run(standin, "close", "--dry-run", "--project", "releng", "--id", "3", "--status", "Denied")
    assert r.returncode == 0, r.stderr
    assert "would close" in r.stdout
    r = run(standin, "--dry-run", "comment", "--project", "releng", "--id", "3", "--body-file", "-", stdin="x")
    assert r.returncode == 0, r.stderr
    assert journal(standin) == []


def test_show_as_json(standin):
    r = run(standin, "show", "--project", "releng", "--id", "1", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["title"] == "Unretire rpms/nethack"
    assert data["comments"][0]["comment"] == "Looking at it."


@pytest.mark.parametrize("args", [
    ["show", "--project", "Releng", "--id", "1"],
    ["show", "--project", "releng/../x", "--id", "1"],
    ["show", "--project", "releng", "--id", "01"],
    ["show", "--project", "releng", "--id", "-1"],
    ["close", "--project", "releng", "--id", "1", "--status", "Fixed"],
    ["comment", "--project", "releng", "--id", "1"],
])
def test_bad_arguments_exit_2_with_one_line(standin, args):
    r = run(standin, *args)
    assert r.returncode == 2, r.stderr
    assert r.stderr.startswith("flr-ticket: error: ")
    assert journal(standin) == []


def test_empty_body_is_refused(standin):
    r = run(standin, "comment", "--project", "releng", "--id", "1", "--body-file", "-", stdin="  \n")
    assert r.returncode == 2
    assert "empty" in r.stderr


def test_remote_failures_exit_4_and_quote_pagure(standin):
    r = run(standin, "show", "--project", "releng", "--id", "999")
    assert r.returncode == 4
    assert "ENOISSUE" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    # The releng project does not know "Fixed"; Invalid is a close status it knows.
    (standin["dir"] / "pagure.token").write_text("wrong-token\n")
    r = run(standin, "close", "--project", "releng", "--id", "1", "--status", "Invalid")
    assert r.returncode == 4
    assert "EINVALIDTOK" in r.stderr
    assert "wrong-token" not in r.stderr


def test_man_page_documents_every_long_option():
    page = (SOURCE_DIR / "man" / "flr-ticket.1").read_text()
    helps = [subprocess.run([str(TICKET), *sub, "--help"], capture_output=True, text=True).stdout
             for sub in ([], ["comment"], ["close"], ["show"])]
    import re
    options = set(re.findall(r"(--[a-z][a-z-]+)", "\n".join(helps)))
    assert options
    for option in options:
        assert option.replace("-", r"\-") in page or option in page, option


def test_example_sudoers_drop_in_is_valid():
    path = SOURCE_DIR / "sudoers.d" / "flr-ticket-example"
    assert "." not in path.name
    text = path.read_text()
    rules = [l for l in text.splitlines() if "/usr/bin/flr-ticket" in l]
    assert rules and all("*" not in l for l in rules)
    visudo = "/usr/sbin/visudo"
    if not os.path.exists(visudo):
        pytest.skip("visudo not installed")
    r = subprocess.run([visudo, "-cf", str(path)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def make_certificate(directory, name, cn):
    """A self-signed certificate for 127.0.0.1 made with the real openssl."""
    cert, key = directory / f"{name}.pem", directory / f"{name}.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", f"/CN={cn}", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


@pytest.fixture
def https_standin(tmp_path):
    cert, key = make_certificate(tmp_path, "server", "flr-standin")
    proc, url = start_standin(tmp_path / "ready", "--seed", SEED, "--tls-cert", cert, "--tls-key", key)
    yield url, cert
    proc.terminate()
    proc.wait(timeout=10)


def show_over_https(tmp_path, url, ca_line):
    config = tmp_path / "https.yaml"
    config.write_text("http: {timeout: 5, retries: 0%s}\npagure: {url: \"%s/pagure\"}\n" % (ca_line, url))
    return subprocess.run([str(TICKET), "--config", str(config), "show", "--project", "releng", "--id", "1",
                           "--json"], capture_output=True, text=True, timeout=60)


def test_https_with_the_ca_bundle_is_verified_and_works(https_standin, tmp_path):
    url, cert = https_standin
    assert url.startswith("https://")
    r = show_over_https(tmp_path, url, ", ca_bundle: %s" % cert)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["id"] == 1


def test_https_with_an_unknown_certificate_is_refused(https_standin, tmp_path):
    url, _ = https_standin
    r = show_over_https(tmp_path, url, "")
    assert r.returncode == 4, r.stdout + r.stderr
    assert "certificate" in r.stderr.lower()
    other, _ = make_certificate(tmp_path, "other", "someone-else")
    r = show_over_https(tmp_path, url, ", ca_bundle: %s" % other)
    assert r.returncode == 4, r.stdout + r.stderr
