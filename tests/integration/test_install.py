"""The install sequence other tooling relies on:
cmake --install build --prefix P puts everything where Fedora packaging expects it."""

import os
import stat
import subprocess

import pytest

from flrtest import BUILD_DIR, SOURCE_DIR, binaries

THIRD_PARTY = ("nlohmann", "yaml-cpp", "fmt/", "curl/", "amqp", "pugixml", "CLI/", "rabbitmq")


@pytest.fixture(scope="module")
def prefix(tmp_path_factory):
    p = tmp_path_factory.mktemp("prefix")
    r = subprocess.run(["cmake", "--install", str(BUILD_DIR), "--prefix", str(p)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    return p


def libdir(prefix):
    dirs = [d for d in prefix.iterdir() if d.name.startswith("lib") and (d / "libflr.so").exists()]
    assert len(dirs) == 1, list(prefix.iterdir())
    return dirs[0]


def test_binaries(prefix):
    for b in binaries():
        path = prefix / "bin" / b
        assert path.exists() and os.access(path, os.X_OK), b
        r = subprocess.run([str(path), "--version"], capture_output=True, text=True,
                           env={"LD_LIBRARY_PATH": str(libdir(prefix)), "PATH": "/usr/bin:/bin"})
        assert r.returncode == 0, r.stderr


def test_library_with_soversion_and_pkgconfig(prefix):
    lib = libdir(prefix)
    assert (lib / "libflr.so").is_symlink()
    assert (lib / "libflr.so.0").exists()
    pc = (lib / "pkgconfig" / "flr.pc").read_text()
    assert "Libs: -L${libdir} -lflr" in pc
    # Only flr's own symbols are exported, all in the flr namespace.
    r = subprocess.run(["nm", "-D", "--defined-only", "-C", str(lib / "libflr.so")], capture_output=True, text=True)
    exported = [line.split(" ", 2)[2] for line in r.stdout.splitlines() if " T " in line]
    assert exported and all(s.startswith("flr::") for s in exported), [s for s in exported if not s.startswith("flr::")]


def test_public_headers_are_self_contained(prefix, tmp_path):
    headers = sorted((prefix / "include" / "flr").glob("*.hpp"))
    assert headers
    for h in headers:
        text = h.read_text()
        for line in text.splitlines():
            if line.startswith("#include"):
                assert not any(t in line for t in THIRD_PARTY), f"{h.name}: {line}"
    main = tmp_path / "use.cpp"
    main.write_text("".join(f"#include <flr/{h.name}>\n" for h in headers) +
                    "int main() { return flr::version()[0] == '\\0'; }\n")
    env = dict(os.environ, PKG_CONFIG_PATH=str(libdir(prefix) / "pkgconfig"))
    # The .pc names the configured prefix; relocate it to where this test installed.
    flags = subprocess.run(["pkg-config", f"--define-variable=prefix={prefix}", "--cflags", "--libs", "flr"],
                           capture_output=True, text=True, env=env).stdout.split()
    exe = tmp_path / "use"
    r = subprocess.run(["g++", "-std=c++20", str(main), "-o", str(exe)] + flags, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([str(exe)], env={"LD_LIBRARY_PATH": str(libdir(prefix))})
    assert r.returncode == 0


def test_man_pages_by_section(prefix):
    man = prefix / "share" / "man"
    assert (man / "man7" / "flr.7").exists()
    assert (man / "man5" / "flr.yaml.5").exists()
    for b in binaries():
        assert (man / "man1" / f"{b}.1").exists() or (man / "man8" / f"{b}.8").exists(), b


def test_a_completion_per_binary(prefix):
    comp = prefix / "share" / "bash-completion" / "completions"
    for b in binaries():
        assert (comp / b).exists(), b


def test_sudoers_examples_are_0440(prefix):
    dropins = list((prefix / "share" / "flr" / "sudoers.d").iterdir())
    assert dropins
    for f in dropins:
        assert stat.S_IMODE(f.stat().st_mode) == 0o440, f.name


def test_systemd_units(prefix):
    shipped = sorted(p.name for p in (SOURCE_DIR / "systemd").glob("*.service"))
    installed = sorted(p.name for p in (prefix / "lib" / "systemd" / "system").glob("*.service"))
    assert shipped, "flr-listen@.service is shipped"
    assert installed == shipped
