"""The image workflow end to end: buildsys.tag and bodhi.update.complete.stable messages
published to a real private RabbitMQ, flr-listen (broker mode) with the shipped example
routes (examples/image/flr-listen.yaml), the shipped playbook run by a real
ansible-playbook (connection local), and flr-image-changed / flr-image-rebuild against
the Koji and Bodhi stand-in. Only URLs, paths and the inventory are substituted.

One broker, one stand-in and one flr-listen for the module."""

import copy
import json
import os
import subprocess
import uuid

import pytest
import yaml

from flrtest import BIN_DIR, SOURCE_DIR, start_standin, write_flr_yaml
from image_world import Control, image_section, seed, tag_message
from listen import Listener, ansible_cfg, wait_for, write_config
from unretire_listen import inventory

EXAMPLES = SOURCE_DIR / "examples" / "image"


@pytest.fixture(scope="module")
def tmp(tmp_path_factory):
    return tmp_path_factory.mktemp("image-e2e")


@pytest.fixture(scope="module")
def standin(tmp):
    seed_path = tmp / "seed.json"
    seed_path.write_text(json.dumps(seed()))
    proc, url = start_standin(tmp / "ready", "--seed", seed_path, "--journal", tmp / "journal")
    config = write_flr_yaml(tmp / "flr.yaml", url, seed(), extra={"image": image_section(tmp / "state")})
    yield {"url": url, "control": Control(url), "config": config}
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def listener(tmp, standin, broker):
    with open(EXAMPLES / "flr-listen.yaml") as f:
        cfg = copy.deepcopy(yaml.safe_load(f))
    for route in cfg["routes"]:
        route["playbook"] = str(EXAMPLES / route["playbook"])
    cfg["ansible"].update({"cfg": ansible_cfg(tmp), "inventory": inventory(tmp)})
    cfg["env_allow"] = ["FLR_CONFIG"]
    cfg["amqp"] = {"url": broker.url, "queue": "flr-image-e2e-" + uuid.uuid4().hex[:8]}
    lis = Listener(write_config(tmp, cfg), tmp, env={"FLR_CONFIG": str(standin["config"])})
    yield lis
    assert lis.stop() == 0


def stable_message(release, nvr):
    return {"topic": "org.fedoraproject.prod.bodhi.update.complete.stable", "id": str(uuid.uuid4()),
            "headers": {"fedora_messaging_schema": "bodhi.update.complete.stable.v1",
                        "sent-at": "2024-11-05T12:00:00+00:00"},
            "body": {"agent": "bodhi", "update": {"alias": "FEDORA-2024-e2e", "builds": [{"nvr": nvr}],
                                                  "release": {"name": release}, "status": "stable"}}}


def publish(broker, *messages):
    broker.publish([(m["topic"], m["body"], m["headers"], m["id"]) for m in messages])


def finished(lis, msg_id, timeout=120):
    needle = f'job id="{msg_id}"'

    def final():
        lines = [ln for ln in lis.text().splitlines() if needle in ln and "status=" in ln]
        return lines[-1] if lines and ('status="exit 0"' in lines[-1] or "attempt=3" in lines[-1]) else None
    return wait_for(final, timeout=timeout, what=needle)


def kiwi_builds(standin):
    return [e for e in standin["control"].journal() if e.get("call") == "kiwiBuild" and not e.get("fault")]


def test_a_tag_message_storm_submits_one_rebuild(standin, broker, listener):
    standin["control"].tag("bash-5.2.37-1.fc41")
    storm = [tag_message("f41-updates", "bash-5.2.37-1.fc41") for _ in range(4)]
    publish(broker, *storm)
    # One batch (the route's key is the tag): one playbook run for the four messages.
    line = finished(listener, storm[0]["id"])
    assert 'status="exit 0"' in line and "messages=4" in line, listener.text()[-3000:]
    assert not any(f'job id="{m["id"]}"' in listener.text() for m in storm[1:])
    calls = kiwi_builds(standin)
    assert len(calls) == 1, listener.text()[-3000:]
    assert calls[0]["args"][0] == "f41-kiwi"
    assert calls[0]["kwargs"]["profile"] == "Container-Base-Generic"

    # Bodhi's stable push of the same build: the same input hash, still one build.
    m = stable_message("F41", "bash-5.2.37-1.fc41")
    publish(broker, m)
    assert 'status="exit 0"' in finished(listener, m["id"])
    assert len(kiwi_builds(standin)) == 1


def test_messages_for_other_tags_start_nothing(standin, broker, listener):
    m = tag_message("f41-build-side-12345", "bash-5.2.38-1.fc41")
    publish(broker, m)
    m2 = tag_message("f41-updates", "bash-5.2.37-1.fc41")
    publish(broker, m2)
    assert 'status="exit 0"' in finished(listener, m2["id"])
    assert f'job id="{m["id"]}"' not in listener.text()


def test_a_refused_check_fails_the_playbook_rather_than_reading_as_unchanged(tmp, standin):
    """sudo's refusal exits 1, as flr-image-changed's "unchanged" does: the shipped
    playbook tells them apart by the JSON verdict and fails."""
    inv = tmp / "refusing.yml"
    refusing_sudo = ["/bin/sh", "-c", "echo 'sudo: a password is required' >&2; exit 1", "sudo"]
    inv.write_text(yaml.safe_dump({"all": {"hosts": {"localhost": {
        "ansible_connection": "local", "ansible_python_interpreter": "/usr/bin/python3",
        "flr_sudo": refusing_sudo, "flr_bin": str(BIN_DIR)}}}}))
    before = len(kiwi_builds(standin))
    p = subprocess.run(["ansible-playbook", "-i", str(inv), str(EXAMPLES / "rebuild.yml"),
                        "-e", json.dumps({"msg": {"tag": "f41-updates"}})],
                       env=dict(os.environ, ANSIBLE_CONFIG=ansible_cfg(tmp), FLR_CONFIG=str(standin["config"])),
                       capture_output=True, text=True, timeout=300)
    assert p.returncode != 0, p.stdout
    assert "Has any package in the image changed?" in p.stdout and "failed=1" in p.stdout, p.stdout
    assert len(kiwi_builds(standin)) == before
