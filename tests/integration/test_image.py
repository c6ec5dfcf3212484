"""flr-image-changed, flr-image-rebuild and flr-image-release against the Koji and Bodhi
stand-in (one per module, reset before each test) and, for the release, Debian's real
docker-registry (one per module), checked with skopeo."""

import hashlib
import json
import os

import pytest

from flrtest import BIN_DIR, binary, run, start_standin, write_flr_yaml
from image_world import (IMAGE_NVR, SOURCES, Control, build_archives, image_section, seed)
from registry import REGISTRY_BIN, SKOPEO, Registry, skopeo
from units import Service

needs_registry = pytest.mark.skipif(not (os.path.exists(REGISTRY_BIN) and os.path.exists(SKOPEO)),
                                    reason="docker-registry and skopeo are not installed (scripts/install-deps)")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    d = tmp_path_factory.mktemp("image")
    seed_path = d / "seed.json"
    seed_path.write_text(json.dumps(seed()))
    proc, url = start_standin(d / "ready", "--seed", seed_path, "--journal", d / "journal")
    registry = None
    if os.path.exists(REGISTRY_BIN):
        registry = Registry(d / "registry")
        registry.__enter__()
    try:
        yield {"dir": d, "url": url, "control": Control(url), "registry": registry, "seed": seed()}
    finally:
        if registry:
            registry.__exit__(None, None, None)
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def env(world, tmp_path):
    """A fresh stand-in state, state directory and flr.yaml for one test."""
    world["control"].reset()
    registries = [world["registry"].host] if world["registry"] else []
    config = write_flr_yaml(tmp_path / "flr.yaml", world["url"], world["seed"],
                            extra={"image": image_section(tmp_path / "state", registries)})
    return dict(world, config=config, state=tmp_path / "state", tmp=tmp_path)


def flr(env, tool, *args):
    return run([binary(tool), "--config", env["config"], *args], timeout=120)


def changed(env, release="41"):
    r = flr(env, "flr-image-changed", "--release", release, "--image", "fedora", "--json")
    assert r.returncode in (0, 1), r.stdout + r.stderr
    report = json.loads(r.stdout)
    assert (r.returncode == 0) == (report["verdict"] == "changed")
    return report


def test_unchanged_image(env):
    report = changed(env)
    assert report["verdict"] == "unchanged"
    assert report["build"]["nvr"] == IMAGE_NVR
    assert report["packages"] == 4
    assert report["changes"] == []
    assert len(report["input_hash"]) == 64
    r = flr(env, "flr-image-changed", "--release", "41")
    assert r.returncode == 1
    assert r.stdout.startswith("fedora 41: unchanged (%s, 4 packages" % IMAGE_NVR)


def test_one_package_updated_in_the_updates_tag(env):
    before = changed(env)["input_hash"]
    event = env["control"].tag("bash-5.2.37-1.fc41")["event"]
    report = changed(env)
    assert report["verdict"] == "changed"
    assert report["changes"] == [{"package": "bash", "image": "bash-5.2.32-1.fc41", "newer": "bash-5.2.37-1.fc41",
                                  "origin": {"tag": "f41-updates", "event": event}}]
    assert report["input_hash"] != before
    r = flr(env, "flr-image-changed", "--release", "41")
    assert r.returncode == 0
    assert "bash: bash-5.2.32-1.fc41 -> bash-5.2.37-1.fc41 (f41-updates (event %d))" % event in r.stdout


def test_an_update_only_through_bodhi(env):
    # F40: the per-release override names ImageFactory's package; the update pushed
    # before the image build completed does not count, the one after does.
    report = changed(env, "40")
    assert report["build"]["nvr"].startswith("Fedora-Container-Base-40-")
    assert report["changes"] == [{"package": "tool", "image": "tool-1.0-1.fc40", "newer": "tool-1.2-1.fc40",
                                  "origin": {"update": "FEDORA-2024-00000000bb"}}]


@pytest.mark.parametrize("nvr,extra,verdict", [
    ("bash-5.2.32~rc1-1.fc41", {}, "unchanged"),        # a tilde pre-release sorts before 5.2.32
    ("glibc-2.39-1.fc41", {"epoch": 1}, "changed"),     # an epoch bump wins over the version
    ("tool-1.0^20241105git1-1.fc41", {}, "changed"),    # a caret snapshot sorts after 1.0
])
def test_newer_by_date_is_not_always_newer_by_rpm(env, nvr, extra, verdict):
    env["control"].tag(nvr, **extra)
    report = changed(env)
    assert report["verdict"] == verdict
    if verdict == "changed":
        assert [c["newer"] for c in report["changes"]] == [nvr]


def test_a_package_removed_from_the_tag(env):
    env["control"].untag("bash-5.2.32-1.fc41", "f41")
    assert changed(env)["verdict"] == "unchanged"


def test_multi_arch_image_with_a_package_in_one_arch_only(env):
    report = changed(env)
    assert {a["arch"] for a in report["archives"]} == {"x86_64", "aarch64"}
    env["control"].tag("syslinux-6.04-0.27.fc41")
    report = changed(env)
    assert [c["package"] for c in report["changes"]] == ["syslinux"]


def kiwi_calls(env):
    return [e for e in env["control"].journal() if e.get("call") == "kiwiBuild"]


def test_rebuild_refused_for_an_input_hash_already_submitted(env):
    env["control"].tag("bash-5.2.37-1.fc41")
    r = flr(env, "flr-image-rebuild", "--release", "41", "--image", "fedora", "--json")
    assert r.returncode == 0, r.stdout + r.stderr
    first = json.loads(r.stdout)
    assert first["submitted"] is True
    calls = kiwi_calls(env)
    assert len(calls) == 1 and calls[0]["auth"] is True
    assert calls[0]["args"] == ["f41-kiwi", ["x86_64", "aarch64"], "https://pagure.io/fedora-kiwi-descriptions.git#main",
                                "teams/oci/container.kiwi"]
    assert calls[0]["kwargs"]["profile"] == "Container-Base-Generic"
    state = json.loads((env["state"] / "image" / "fedora-41.rebuild.json").read_text())
    assert state["task_id"] == first["task_id"] and state["input_hash"] == first["input_hash"]

    # The storm: the same change again while the task runs.
    r = flr(env, "flr-image-rebuild", "--release", "41", "--image", "fedora", "--json")
    again = json.loads(r.stdout)
    assert r.returncode == 0 and again["submitted"] is False
    assert again["steps"][0]["status"] == "already done"
    assert "(open) already has input hash" in again["steps"][0]["detail"]
    assert len(kiwi_calls(env)) == 1

    # The task completes as a new image build holding the new bash: nothing left to build.
    sources = ["bash-5.2.37-1.fc41"] + SOURCES[1:]
    env["control"].complete(first["task_id"], "Fedora-Container-Base-Generic-41-20241108.0", sources)
    report = changed(env)
    assert report["verdict"] == "unchanged"
    assert report["input_hash"] == first["input_hash"]
    r = flr(env, "flr-image-rebuild", "--release", "41", "--image", "fedora")
    assert r.returncode == 0 and "already has input hash" in r.stdout
    assert len(kiwi_calls(env)) == 1


def test_rebuild_dry_run_submits_nothing(env):
    env["control"].tag("bash-5.2.37-1.fc41")
    r = flr(env, "flr-image-rebuild", "--release", "41", "--image", "fedora", "--dry-run", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["steps"][0]["status"] == "would do"
    assert kiwi_calls(env) == []


def release(env, *extra):
    """flr-image-release as flr-image-release@fedora-41.service runs it: the unit's own
    ExecStart with the IMAGE= and RELEASE= of the environment file its comment shows;
    flr.yaml moved with FLR_CONFIG."""
    root = env["tmp"] / "root"
    env_file = root / "etc/flr/image-release/fedora-41.env"
    env_file.parent.mkdir(parents=True, exist_ok=True)
    env_file.write_text("IMAGE=fedora\nRELEASE=41\n")
    unit = Service("flr-image-release@.service", "fedora-41",
                   {"/etc/flr/": f"{root}/etc/flr/", "/var/lib/": f"{root}/var/lib/", "/usr/bin/": f"{BIN_DIR}/"})
    argv = unit.command()
    assert argv[:1] == [str(BIN_DIR / "flr-image-release")] and "41" in argv and "fedora" in argv, argv
    return run([*argv, *extra], env=dict(unit.env, FLR_CONFIG=str(env["config"])), timeout=120)


def inspect(env, tag, raw=True):
    ref = "docker://%s/fedora:%s" % (env["registry"].host, tag)
    out = skopeo("inspect", "--tls-verify=false", *(["--raw"] if raw else []), ref)
    return json.loads(out)


@needs_registry
def test_weekly_release_pushes_a_new_build_then_nothing(env):
    archives = build_archives(env["tmp"], "r1")
    env["control"].upload_archives(IMAGE_NVR, archives)
    r = release(env, "--json")
    assert r.returncode == 0, r.stdout + r.stderr
    report = json.loads(r.stdout)
    assert report["due"] is True and report["tags"] == ["41", "latest"]
    for arch, oci in (("x86_64", "amd64"), ("aarch64", "arm64")):
        assert inspect(env, "41-" + arch, raw=False)["Architecture"] == oci
    index = inspect(env, "41")
    assert index["mediaType"] == "application/vnd.oci.image.index.v1+json"
    assert sorted(m["platform"]["architecture"] for m in index["manifests"]) == ["amd64", "arm64"]
    assert inspect(env, "latest") == index
    state = json.loads((env["state"] / "image" / "fedora-41.release.json").read_text())
    assert state["nvr"] == IMAGE_NVR

    # A week later with nothing built: nothing downloaded or pushed.
    before = len(env["registry"].access_log())
    r = release(env)
    assert r.returncode == 0, r.stderr
    assert "nothing built since %s was released" % IMAGE_NVR in r.stdout
    assert len(env["registry"].access_log()) == before


@needs_registry
def test_interrupted_release_is_finished_by_a_rerun(env):
    before = {tag: digest(env, tag) for tag in ("41-aarch64", "41")}   # None, or the last test's
    archives = build_archives(env["tmp"], "r2")
    env["control"].upload_archives(IMAGE_NVR, archives)
    env["control"].post("faults", {"fail_next": 1, "status": 500,
                                   "path_prefix": "/kojifiles/packages/%s/41/20241101.0/images/%s" % (
                                       "Fedora-Container-Base-Generic",
                                       "Fedora-Container-Base-Generic.aarch64-41-20241101.0.oci.tar.xz")})
    r = release(env, "--json")
    assert r.returncode == 4, r.stdout + r.stderr
    broken = json.loads(r.stdout)
    assert [s["status"] for s in broken["steps"][:2]] == ["done", "FAILED"]
    assert not (env["state"] / "image" / "fedora-41.release.json").exists()
    assert digest(env, "41-x86_64") is not None
    assert {tag: digest(env, tag) for tag in before} == before   # aarch64 and the index untouched

    puts_before = len(blob_puts(env))
    r = release(env, "--json")
    assert r.returncode == 0, r.stdout + r.stderr
    assert {m["platform"]["architecture"] for m in inspect(env, "41")["manifests"]} == {"amd64", "arm64"}
    assert digest(env, "41-aarch64") not in (None, before["41-aarch64"])
    assert json.loads((env["state"] / "image" / "fedora-41.release.json").read_text())["nvr"] == IMAGE_NVR
    # The x86_64 blobs were present: the re-run uploaded only aarch64's (two layers, a config).
    assert len(blob_puts(env)) - puts_before == 3


def digest(env, tag):
    """The digest :tag points at, None when the tag is absent."""
    try:
        raw = skopeo("inspect", "--tls-verify=false", "--raw", "docker://%s/fedora:%s" % (env["registry"].host, tag))
    except AssertionError:
        return None
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def blob_puts(env):
    """The completed blob uploads the registry logged."""
    return [p for m, p in env["registry"].access_log() if m == "PUT" and "/blobs/uploads/" in p]


def test_bad_release_numbers_are_usage_errors(env):
    for bad in ("4l", "041", "", "rawhide", "12345", "41;rm"):
        r = flr(env, "flr-image-changed", "--release", bad)
        assert r.returncode == 2, (bad, r.stdout, r.stderr)
        assert "not a Fedora release number" in r.stderr
    r = flr(env, "flr-image-changed", "--release", "41", "--image", "nope")
    assert r.returncode == 2 and "not an image in" in r.stderr
