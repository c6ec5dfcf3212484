"""flr.spec built as Fedora builds it, on Debian: `rpmbuild -bb --nodeps` with the %cmake
macros of Fedora's cmake-rpm-macros and the systemd-rpm-macros it uses (tests/rpm/,
not shipped). This is also the -DCMAKE_INSTALL_PREFIX=/usr build: nothing in the RPM
payload may carry an RPATH or RUNPATH (Fedora's check-rpaths).

Checked: the build succeeds with unpackaged files fatal, so %files lists exactly what
is installed; rpmlint (Debian's) finds no error in the spec or the packages; every unit
and timer under systemd/ passes `systemd-analyze verify` against the payload.

Bounded: %check is skipped (--nocheck; the suite is what runs this test), the build is
-O0 (CMAKE_BUILD_TYPE=None, CXXFLAGS=-O0: only compiling, linking and installing
matter here) and goes through ccache with the build directory as CCACHE_BASEDIR, so a
re-run compiles nothing."""

import os
import pathlib
import re
import shutil
import subprocess

import pytest

from flrtest import BUILD_DIR, SOURCE_DIR, binaries
from test_install import dynamic_section

MACROS = SOURCE_DIR / "tests" / "rpm"
SPEC = SOURCE_DIR / "flr.spec"

pytestmark = pytest.mark.skipif(not shutil.which("rpmbuild"), reason="needs rpmbuild (Debian package rpm)")


def spec_field(name):
    return re.search(rf"^{name}:\s*(\S+)", SPEC.read_text(), re.M)[1]


def source_files():
    """The tree's files as a release tarball has them: git's (tracked and new, ignored
    ones left out) in a checkout, else everything but build directories."""
    r = subprocess.run(["git", "-C", str(SOURCE_DIR), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                       capture_output=True, text=True)
    if r.returncode == 0:
        return sorted({f for f in r.stdout.split("\0") if f and (SOURCE_DIR / f).is_file()})
    return sorted(str(p.relative_to(SOURCE_DIR)) for p in SOURCE_DIR.rglob("*")
                  if p.is_file() and not p.relative_to(SOURCE_DIR).parts[0].startswith("build"))


def multiarch():
    return subprocess.run(["gcc", "-print-multiarch"], capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture(scope="module")
def rpms():
    """rpmbuild -bb of flr.spec in BUILD_DIR/rpmbuild (emptied first); the built RPMs."""
    top = BUILD_DIR / "rpmbuild"
    shutil.rmtree(top, ignore_errors=True)
    for d in ("SOURCES", "BUILD", "RPMS", "SRPMS", "BUILDROOT"):
        (top / d).mkdir(parents=True)
    name, version = spec_field("Name"), spec_field("Version")
    files = source_files()
    subprocess.run(["tar", "-czf", str(top / "SOURCES" / f"{name}-{version}.tar.gz"), "-C", str(SOURCE_DIR),
                    "--transform", f"s,^,{name}-{version}/,", "--", *files], check=True)
    argv = ["nice", "rpmbuild", "-bb", "--nodeps", "--nocheck",
            "--load", str(MACROS / "macros.cmake"), "--load", str(MACROS / "macros.systemd"),
            "--define", f"_topdir {top}",
            # Fedora's %_libdir is the system library directory GNUInstallDirs picks
            # there (lib64); Debian's is the multiarch one.
            "--define", f"_libdir %{{_prefix}}/lib/{multiarch()}",
            "--define", "debug_package %{nil}",
            "--define", "_unpackaged_files_terminate_build 1",
            "--define", "_missing_doc_files_terminate_build 1",
            str(SPEC)]
    env = dict(os.environ, CMAKE_BUILD_TYPE="None", CXXFLAGS="-O0", CFLAGS="-O0",
               CCACHE_BASEDIR=str(top), CCACHE_NOHASHDIR="true")
    r = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=1500)
    (top / "rpmbuild.log").write_text(r.stdout + r.stderr)
    assert r.returncode == 0, (r.stdout + r.stderr)[-6000:]
    built = sorted((top / "RPMS").rglob("*.rpm"))
    assert [p.name.split(f"-{version}-")[0] for p in built] == [name, f"{name}-devel"], built
    return built


@pytest.fixture(scope="module")
def payload(rpms, tmp_path_factory):
    """Every built RPM unpacked into one root, as installing them would lay it out."""
    root = tmp_path_factory.mktemp("payload")
    for rpm in rpms:
        cpio = subprocess.run(["rpm2cpio", str(rpm)], capture_output=True, check=True).stdout
        subprocess.run(["cpio", "-idm", "--quiet"], input=cpio, cwd=root, check=True)
    return root


def test_payload_has_every_binary_and_no_rpath(payload):
    # Fedora's check-rpaths: nothing installed under /usr names an RPATH or RUNPATH.
    usr = payload / "usr"
    installed = sorted((usr / "bin").glob("flr-*")) + sorted(usr.glob("lib*/**/libflr*.so.*"))
    assert {p.name for p in installed} >= set(binaries()), installed
    assert any(p.name.startswith("libflr") for p in installed), installed
    for path in installed:
        if path.is_symlink():
            continue
        tags = dynamic_section(path)
        assert "RPATH" not in tags and "RUNPATH" not in tags, (path, tags)


def test_installed_binaries_run_from_the_payload(payload):
    # No RPATH: the loader finds the libraries in the payload's library directory.
    libdir = payload / "usr" / "lib" / multiarch()
    for b in binaries():
        r = subprocess.run([str(payload / "usr" / "bin" / b), "--version"], capture_output=True, text=True,
                           env={"LD_LIBRARY_PATH": str(libdir)})
        assert r.returncode == 0 and spec_field("Version") in r.stdout, (b, r.stderr)


def test_every_unit_is_packaged_and_verifies(payload, tmp_path):
    units = sorted(p.name for pattern in ("*.service", "*.timer", "*.socket", "*.path")
                   for p in (SOURCE_DIR / "systemd").glob(pattern))
    assert units
    unitdir = pathlib.Path("usr/lib/systemd/system")
    assert sorted(p.name for p in (payload / unitdir).iterdir()) == units
    # The packaged units verified in a root holding the payload and what they name from
    # the base system: systemd's own units (sysinit.target, ...) and /usr/bin/kill.
    root = tmp_path / "root"
    shutil.copytree(payload, root, symlinks=True)
    for unit in (pathlib.Path("/") / unitdir).iterdir():
        if not unit.is_dir() and not (root / unitdir / unit.name).exists():
            shutil.copy(unit, root / unitdir / unit.name, follow_symlinks=False)
    shutil.copy("/usr/bin/kill", root / "usr" / "bin" / "kill")
    (root / "bin").symlink_to("usr/bin")
    env = dict(os.environ, SYSTEMD_LOG_LEVEL="notice")
    for unit in units:
        r = subprocess.run(["systemd-analyze", "verify", "--man=no", f"--root={root}", f"{root / unitdir / unit}"],
                           capture_output=True, text=True, env=env)
        assert r.returncode == 0 and not r.stderr.strip(), (unit, r.stdout, r.stderr)


def test_rpmlint_finds_no_error(rpms):
    r = subprocess.run(["rpmlint", "--rpmlintrc", str(MACROS / "flr.rpmlintrc"), str(SPEC), *map(str, rpms)],
                       capture_output=True, text=True, timeout=300)
    errors = [ln for ln in r.stdout.splitlines() if ": E: " in ln]
    assert not errors, r.stdout


def test_spec_parses(rpms):
    r = subprocess.run(["rpmspec", "-P", "--load", str(MACROS / "macros.cmake"), "--load",
                        str(MACROS / "macros.systemd"), str(SPEC)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "%{_unitdir}" not in r.stdout and "/usr/lib/systemd/system/flr-" in r.stdout
