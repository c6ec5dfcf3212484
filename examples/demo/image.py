"""The container base image part of the README demo (run.py calls run()): a buildsys.tag
message for a newer bash replayed through flr-listen with the example routes and playbook
(examples/image), the change report naming the package, the KIWI build submitted to the
Koji stand-in, the task completed as Koji would, then the weekly release pushing every
tag to a local docker-registry (checked with skopeo)."""

import copy
import json
import os
import pathlib
import subprocess
import sys
import time
import uuid

import yaml

HERE = pathlib.Path(__file__).resolve().parent
SOURCE = HERE.parents[1]
sys.path.insert(0, str(SOURCE / "tests" / "lib"))
sys.path.insert(0, str(SOURCE / "tests" / "standin"))
from flr_standin import write_flr_yaml  # noqa: E402
from image_world import IMAGE_NVR, SOURCES, Control, build_archives, image_section, seed  # noqa: E402
from registry import REGISTRY_BIN, SKOPEO, Registry, skopeo  # noqa: E402

NEW_BASH = "bash-5.2.37-1.fc41"
NEW_IMAGE = "Fedora-Container-Base-Generic-41-20241108.0"


def _standin(tmp):
    (tmp / "seed.json").write_text(json.dumps(seed()))
    ready = tmp / "ready.json"
    log = open(tmp / "standin.log", "w")
    proc = subprocess.Popen([sys.executable, str(SOURCE / "tests/standin/flr_standin.py"), "--port", "0",
                             "--ready-file", str(ready), "--seed", str(tmp / "seed.json"),
                             "--journal", str(tmp / "journal.jsonl")], stdout=log, stderr=log)
    deadline = time.time() + 20
    while not ready.exists():
        if time.time() > deadline or proc.poll() is not None:
            proc.kill()
            raise SystemExit("demo: the image stand-in did not start")
        time.sleep(0.05)
    return proc, json.loads(ready.read_text())["url"]


def _routes(tmp, bin_dir):
    cfg = copy.deepcopy(yaml.safe_load((SOURCE / "examples" / "image" / "flr-listen.yaml").read_text()))
    for route in cfg["routes"]:
        route["playbook"] = str(SOURCE / "examples" / "image" / route["playbook"])
    inventory = tmp / "inventory.yml"
    inventory.write_text(yaml.safe_dump({"all": {"hosts": {"localhost": {
        "ansible_connection": "local", "ansible_python_interpreter": "/usr/bin/python3",
        "flr_sudo": [], "flr_bin": str(bin_dir)}}}}))
    cfg["ansible"].update({"cfg": str(HERE / "ansible.cfg"), "inventory": str(inventory)})
    cfg["env_allow"] = ["FLR_CONFIG", "ANSIBLE_HOME", "ANSIBLE_LOCAL_TEMP"]
    path = tmp / "image-listen.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path


def _message(tmp):
    name, version, release = NEW_BASH.rsplit("-", 2)
    msg = {"topic": "org.fedoraproject.prod.buildsys.tag", "id": str(uuid.uuid4()),
           "headers": {"sent-at": "2024-11-05T12:00:00+00:00"},
           "body": {"name": name, "version": version, "release": release, "tag": "f41-updates",
                    "tag_id": 2, "build_id": 1, "owner": "packager", "user": "bodhi", "instance": "primary"}}
    path = tmp / "image-messages.jsonl"
    path.write_text(json.dumps(msg) + "\n")
    return path


def run(bin_dir, tmp, env):
    """Print the image part; return {check: ok}."""
    tmp = pathlib.Path(tmp) / "image"
    tmp.mkdir()
    proc, url = _standin(tmp)
    registry = Registry(tmp / "registry") if os.path.exists(REGISTRY_BIN) and os.path.exists(SKOPEO) else None
    try:
        if registry:
            registry.__enter__()
        control = Control(url)
        config = write_flr_yaml(tmp / "flr.yaml", url, seed(), extra={"image": image_section(
            tmp / "state", [registry.host] if registry else [])})
        env = dict(env, FLR_CONFIG=str(config), TMPDIR=str(tmp))
        control.tag(NEW_BASH)
        print(f"\n== Container base image: {NEW_BASH} tagged into f41-updates; its buildsys.tag message")
        print("   through flr-listen --config examples/image/flr-listen.yaml (rebuild.yml), then the report:")
        r = subprocess.run([str(bin_dir / "flr-listen"), "--config", str(_routes(tmp, bin_dir)),
                            "--replay", str(_message(tmp)), "--json"], env=env, capture_output=True, text=True,
                           timeout=300)
        replay_ok = r.returncode == 0 and json.loads(r.stdout or "{}").get("succeeded") == 1
        report = subprocess.run([str(bin_dir / "flr-image-changed"), "--release", "41"], env=env,
                                capture_output=True, text=True, timeout=60)
        for ln in report.stdout.splitlines()[:2]:
            print("   " + ln)
        kiwi = [e for e in control.journal() if e.get("call") == "kiwiBuild" and not e.get("fault")]
        for e in kiwi:
            print(f"   koji: kiwiBuild({', '.join(map(str, e['args'][:2]))}, profile={e['kwargs']['profile']})"
                  f" -> task {e['result']}")
        checks = {
            "image: the tag message ran the example playbook": replay_ok,
            "image: the report names bash": "bash: bash-5.2.32-1.fc41 -> " + NEW_BASH in report.stdout,
            "image: one KIWI build submitted": len(kiwi) == 1,
        }
        if not registry:
            print("   (docker-registry or skopeo missing: the weekly release is not shown)")
            return checks
        control.complete(kiwi[0]["result"], NEW_IMAGE, [NEW_BASH] + SOURCES[1:])
        control.upload_archives(NEW_IMAGE, build_archives(tmp, "demo"))
        print(f"   Koji built {NEW_IMAGE}; weekly: $ flr-image-release --release 41 --image fedora")
        r = subprocess.run([str(bin_dir / "flr-image-release"), "--release", "41", "--image", "fedora"], env=env,
                           capture_output=True, text=True, timeout=300)
        for ln in r.stdout.splitlines()[:1]:
            print("   " + ln)
        tags = {}
        for tag in ("41-x86_64", "41-aarch64", "41", "latest"):
            try:
                raw = json.loads(skopeo("inspect", "--tls-verify=false", "--raw",
                                        f"docker://{registry.host}/fedora:{tag}"))
                tags[tag] = raw.get("mediaType", "")
            except AssertionError:
                tags[tag] = None
        print(f"   skopeo inspect {registry.host}/fedora: " + ", ".join(
            f":{t} {'index' if m and 'index' in m else 'image' if m else 'MISSING'}" for t, m in tags.items()))
        again = subprocess.run([str(bin_dir / "flr-image-release"), "--release", "41", "--image", "fedora"],
                               env=env, capture_output=True, text=True, timeout=120)
        print("   a week later: " + again.stdout.strip().split(": ", 1)[-1])
        checks.update({
            "image: the release pushed :41-x86_64, :41-aarch64, :41 and :latest":
                r.returncode == 0 and all(tags.values()),
            "image: a week with nothing built pushes nothing":
                again.returncode == 0 and "nothing built since " + NEW_IMAGE in again.stdout,
        })
        return checks
    finally:
        if registry:
            registry.__exit__(None, None, None)
        proc.terminate()
        proc.wait(timeout=10)
