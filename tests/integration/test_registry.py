"""flr-registry-push and flr-registry-promote against Debian's real docker-registry
(distribution 2.8), started privately on 127.0.0.1: one registry per setup (no auth,
htpasswd Basic, token auth), shared by the tests of this module. Every pushed reference
is cross-checked with skopeo: `inspect --raw` for the digest, `copy` into an OCI layout
for the blobs."""

import hashlib
import json
import os
import pathlib
import pty
import shutil
import subprocess

import pytest

from flrtest import binary, run
from registry import (SKOPEO, REGISTRY_BIN, Proxy, Registry, blobs_of, make_docker_archive, make_layers,
                      make_layout, make_oci_archive, skopeo)

pytestmark = pytest.mark.skipif(not (os.path.exists(REGISTRY_BIN) and os.path.exists(SKOPEO)),
                                reason="docker-registry and skopeo are not installed (scripts/install-deps)")

SIZES = [3000, 200_000, 1_500_000]


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("registry")


@pytest.fixture(scope="module", params=[None, "basic", "token"])
def reg(request, work):
    with Registry(work / f"reg-{request.param or 'plain'}", auth=request.param) as r:
        yield r


@pytest.fixture(scope="module")
def plain(work):
    with Registry(work / "reg-plain-only") as r:
        yield r


@pytest.fixture(scope="module")
def image(work):
    layout = work / "image"
    digest = make_layout(layout, make_layers(SIZES))
    return layout, digest


def flr(binary, *args, reg=None, timeout=120):
    extra = ["--plain-http"]
    if reg is not None and reg.authfile:
        extra += ["--authfile", reg.authfile]
    return run([binary, *map(str, args), *extra], timeout=timeout)


def push(reg, source, dest, *more, **kw):
    return flr("flr-registry-push", source, f"{reg.host}/{dest}", "--json", *more, reg=reg, **kw)


def report(r):
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def cross_check(reg, ref, digest, source_layout, tmp_path):
    """skopeo sees `digest` at `ref`, and copies back exactly the source's blobs."""
    tls = ["--tls-verify=false", *reg.skopeo_creds()]
    raw = skopeo("inspect", "--raw", *tls, f"docker://{reg.host}/{ref}")
    assert "sha256:" + hashlib.sha256(raw).hexdigest() == digest
    out = tmp_path / ("copy-" + ref.replace("/", "_").replace(":", "_"))
    skopeo("copy", "--preserve-digests", "--src-tls-verify=false",
           *(["--src-creds", f"{reg.user}:{reg.password}"] if reg.auth else []),
           f"docker://{reg.host}/{ref}", f"oci:{out}:x")
    copied = blobs_of(out)
    source = blobs_of(source_layout)
    manifest = json.loads(raw)
    for desc in [manifest["config"], *manifest["layers"]]:
        assert copied[desc["digest"]] == source[desc["digest"]]


def test_push_three_layers_then_repush_uploads_nothing(reg, image, tmp_path):
    layout, digest = image
    first = report(push(reg, layout, "fedora/base:41"))
    assert sorted(b["action"] for b in first["blobs"]) == ["uploaded"] * 4
    assert sum(b["size"] for b in first["blobs"]) >= sum(SIZES)
    assert first["manifests"] == [{"reference": f"{reg.host}/fedora/base:41", "digest": digest,
                                   "media_type": "application/vnd.oci.image.manifest.v1+json",
                                   "action": "pushed"}]
    cross_check(reg, "fedora/base:41", digest, layout, tmp_path)

    again = report(push(reg, layout, "fedora/base:41"))
    assert again["blobs"] == []
    assert again["manifests"][0]["action"] == "unchanged"

    # another tag of the same repo: every blob is there already, only the manifest goes up
    other = report(push(reg, layout, "fedora/base:41-x86_64", "--tag", "latest"))
    assert {b["action"] for b in other["blobs"]} == {"exists"}
    assert sum(b["bytes_sent"] for b in other["blobs"]) == 0
    assert [m["action"] for m in other["manifests"]] == ["pushed", "pushed"]
    cross_check(reg, "fedora/base:latest", digest, layout, tmp_path)


def test_promote_to_a_new_repo_mounts_every_blob(reg, image, tmp_path):
    layout, digest = image
    report(push(reg, layout, "fedora/src:1"))
    r = report(flr("flr-registry-promote", f"{reg.host}/fedora/src:1", f"{reg.host}/promoted/base:1", "--json",
                   reg=reg))
    assert [b["action"] for b in r["blobs"]] == ["mounted"] * 4
    assert {b["from"] for b in r["blobs"]} == {"fedora/src"}
    assert sum(b["bytes_sent"] for b in r["blobs"]) == 0
    cross_check(reg, "promoted/base:1", digest, layout, tmp_path)


def test_dry_run_changes_nothing(reg, image):
    layout, _ = image
    r = report(push(reg, layout, "dry/run:1", "--dry-run"))
    assert {b["action"] for b in r["blobs"]} == {"would-upload"}
    assert r["manifests"][0]["action"] == "would-push"
    nothing = flr("flr-registry-promote", f"{reg.host}/dry/run:1", f"{reg.host}/dry/other:1", reg=reg)
    assert nothing.returncode == 4 and "MANIFEST_UNKNOWN" in nothing.stderr  # nothing was pushed
    report(push(reg, layout, "dry/src:1"))
    r = report(flr("flr-registry-promote", f"{reg.host}/dry/src:1", f"{reg.host}/dry/dst:1", "--json", "--dry-run",
                   reg=reg))
    assert {b["action"] for b in r["blobs"]} == {"would-mount"}
    assert r["manifests"][0]["action"] == "would-push"
    absent = flr("flr-registry-promote", f"{reg.host}/dry/dst:1", f"{reg.host}/dry/x:1", reg=reg)
    assert absent.returncode == 4


def test_multi_arch_index(plain, work, tmp_path):
    digests, layouts = {}, {}
    for i, arch in enumerate(["x86_64", "aarch64", "ppc64le", "s390x"]):
        layouts[arch] = work / f"arch-{arch}"
        digests[arch] = make_layout(layouts[arch], make_layers([1000 + i, 5000]), arch=arch)
        report(push(plain, layouts[arch], f"fedora/multi:42-{arch}"))
    args = ["--index", f"{plain.host}/fedora/multi:42"]
    for arch in digests:
        args += ["--arch-image", f"{arch}={plain.host}/fedora/multi:42-{arch}"]
    r = report(flr("flr-registry-push", *args, "--json"))
    index_digest = r["manifests"][-1]["digest"]
    raw = skopeo("inspect", "--raw", "--tls-verify=false", f"docker://{plain.host}/fedora/multi:42")
    assert "sha256:" + hashlib.sha256(raw).hexdigest() == index_digest
    index = json.loads(raw)
    assert index["mediaType"] == "application/vnd.oci.image.index.v1+json"
    assert [(m["platform"]["architecture"], m["digest"]) for m in index["manifests"]] == [
        ("amd64", digests["x86_64"]), ("arm64", digests["aarch64"]), ("ppc64le", digests["ppc64le"]),
        ("s390x", digests["s390x"])]
    again = report(flr("flr-registry-push", *args, "--json"))
    assert again["manifests"][-1]["action"] == "unchanged"
    # promote the whole index to a new repo: every blob mounted, every manifest copied
    p = report(flr("flr-registry-promote", f"{plain.host}/fedora/multi:42", f"{plain.host}/release/multi:42",
                   "--json"))
    assert {b["action"] for b in p["blobs"]} == {"mounted"}
    assert p["manifests"][-1]["digest"] == index_digest
    skopeo("copy", "--preserve-digests", "--src-tls-verify=false", "--all", f"docker://{plain.host}/release/multi:42",
           f"oci:{tmp_path / 'all'}:x")
    for arch, layout in layouts.items():
        copied = blobs_of(tmp_path / "all")
        for d, data in blobs_of(layout).items():
            assert copied[d] == data


def test_docker_archive_source(plain, work, tmp_path):
    path = work / "fedora-40.tar"
    config, layers = make_docker_archive(path, make_layers([2048, 70_000, 300_000], seed=b"docker"))
    r = report(push(plain, path, "fedora/old:40"))
    assert sorted(b["action"] for b in r["blobs"]) == ["uploaded"] * 4
    m = r["manifests"][0]
    assert m["media_type"] == "application/vnd.docker.distribution.manifest.v2+json"
    raw = skopeo("inspect", "--raw", "--tls-verify=false", f"docker://{plain.host}/fedora/old:40")
    assert "sha256:" + hashlib.sha256(raw).hexdigest() == m["digest"]
    manifest = json.loads(raw)
    assert manifest["config"]["digest"] == "sha256:" + hashlib.sha256(config).hexdigest()
    assert [l["digest"] for l in manifest["layers"]] == ["sha256:" + hashlib.sha256(l).hexdigest() for l in layers]
    skopeo("copy", "--preserve-digests", "--src-tls-verify=false", f"docker://{plain.host}/fedora/old:40", f"oci:{tmp_path / 'c'}:x")
    copied = blobs_of(tmp_path / "c")
    assert all(copied["sha256:" + hashlib.sha256(l).hexdigest()] == l for l in layers)


@pytest.mark.parametrize("suffix", [".oci.tar.xz", ".oci.tar.gz", ".oci.tar"])
def test_oci_archive_source(plain, image, work, tmp_path, suffix):
    layout, digest = image
    archive = work / f"image{suffix}"
    if not archive.exists():
        make_oci_archive(layout, archive)
    repo = "archive/x" + suffix.replace(".", "-")
    r = report(push(plain, archive, f"{repo}:1", "--chunk-size", "1"))
    assert r["manifests"][0]["digest"] == digest
    assert sum(b["bytes_sent"] for b in r["blobs"]) == sum(b["size"] for b in r["blobs"])
    cross_check(plain, f"{repo}:1", digest, layout, tmp_path)


def test_resume_after_registry_restart(plain, work, tmp_path):
    layout = work / "big"
    size = 12 << 20
    digest = make_layout(layout, make_layers([size], seed=b"big"))
    proxy = Proxy(plain)
    try:
        # The registry goes down when the 4th chunk is on its way, half-way through the blob.
        proxy.rule = lambda method, path, n: "stop" if method == "PATCH" and proxy.count("PATCH") == 3 else None
        r = run(["flr-registry-push", layout, f"{proxy.host}/big/blob:1", "--plain-http", "--json",
                 "--chunk-size", "2", "--parallel", "1"], timeout=180)
        out = report(r)
        layer = max(out["blobs"], key=lambda b: b["size"])
        assert layer["action"] == "uploaded"
        # every byte went to the registry once: the retry carried on from the Range
        assert proxy.bytes("PATCH") + proxy.bytes("PUT") - len(json.dumps({})) < layer["size"] + (1 << 20)
        assert proxy.bytes("PATCH") <= layer["size"]
        assert proxy.count("GET", "/blobs/uploads/") >= 1  # the upload status was asked for
        assert "resuming at byte 6291456" in r.stderr
    finally:
        proxy.close()
    cross_check(plain, "big/blob:1", digest, layout, tmp_path)


def test_a_416_resumes_from_the_range_the_registry_reports(plain, work, tmp_path):
    layout = work / "big416"
    digest = make_layout(layout, make_layers([8 << 20], seed=b"416"))
    proxy = Proxy(plain)
    try:
        # The third chunk is answered 416 without reaching the registry, which holds two.
        proxy.rule = (lambda method, path, n:
                      ("status", 416, {"Range": "0-0"}) if method == "PATCH" and proxy.count("PATCH") == 2 else None)
        r = run(["flr-registry-push", layout, f"{proxy.host}/big/b416:1", "--plain-http", "--json",
                 "--chunk-size", "2", "--parallel", "1"], timeout=180)
        layer = max(report(r)["blobs"], key=lambda b: b["size"])
        assert layer["action"] == "uploaded"
        assert proxy.count("GET", "/blobs/uploads/") >= 1  # asked the registry where it stands
        assert "resuming at byte 4194304" in r.stderr, r.stderr
        assert proxy.bytes("PATCH") <= layer["size"]  # nothing was sent twice
    finally:
        proxy.close()
    cross_check(plain, "big/b416:1", digest, layout, tmp_path)


def test_429_with_retry_after_is_honoured(plain, image, tmp_path):
    layout, digest = image
    proxy = Proxy(plain)
    try:
        proxy.rule = lambda method, path, n: ("status", 429, {"Retry-After": "1"}) if n <= 2 else None
        r = run(["flr-registry-push", layout, f"{proxy.host}/limited/img:1", "--plain-http", "--json"], timeout=120)
        out = report(r)
        assert out["manifests"][0]["action"] == "pushed"
        assert out["seconds"] >= 1.0  # waited as told, at least once
        assert [m for m, _, _ in proxy.requests[:2]] and proxy.count("HEAD") >= 3
    finally:
        proxy.close()
    cross_check(plain, "limited/img:1", digest, layout, tmp_path)


@pytest.mark.parametrize("auth", ["basic", "token"])
def test_wrong_password_is_one_line_and_exit_4(work, image, auth):
    layout, _ = image
    with Registry(work / f"wrong-{auth}", auth=auth) as reg:
        bad = work / f"bad-{auth}.json"
        fd = os.open(bad, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        import base64
        with os.fdopen(fd, "w") as f:
            json.dump({"auths": {reg.host: {"auth": base64.b64encode(b"releng:wrong").decode()}}}, f)
        r = run(["flr-registry-push", layout, f"{reg.host}/x/y:1", "--plain-http", "--authfile", bad])
        assert r.returncode == 4, r.stderr
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("flr-registry-push: error: "), r.stderr
        assert "401" in lines[0] and "wrong" not in lines[0]


def test_auth_file_with_loose_mode_is_refused(work, image):
    layout, _ = image
    loose = work / "loose.json"
    loose.write_text('{"auths": {}}')
    loose.chmod(0o644)
    r = run(["flr-registry-push", layout, "127.0.0.1:1/x/y:1", "--plain-http", "--authfile", loose])
    assert r.returncode == 3 and "loose.json" in r.stderr


def test_bad_reference_is_a_usage_error(image):
    layout, _ = image
    r = run(["flr-registry-push", layout, "no-registry-here:1"])
    assert r.returncode == 2 and "not an image reference" in r.stderr


def test_progress_is_a_bar_on_a_terminal_and_a_line_per_blob_otherwise(plain, image, tmp_path):
    layout, _ = image
    argv = [str(binary("flr-registry-push")), str(layout), f"{plain.host}/progress/tty:1", "--plain-http"]
    master, slave = pty.openpty()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    assert proc.wait(timeout=120) == 0, seen
    text = seen.decode()
    # Bars with rate and ETA per blob and a total, redrawn in place.
    assert "ETA" in text and "/s" in text and "total" in text, text
    assert "\x1b[1A" in text, text
    # Not a terminal: one plain line per blob, no cursor movement.
    r = run(argv[:2] + [f"{plain.host}/progress/plain:1", "--plain-http"])
    assert r.returncode == 0, r.stderr
    lines = r.stderr.splitlines()
    assert "\x1b" not in r.stderr
    assert len([ln for ln in lines if ln.startswith("sha256:")]) == len(SIZES) + 1, r.stderr  # layers + config
