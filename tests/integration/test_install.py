"""The install sequence other tooling relies on:
cmake --install build --prefix P puts everything where Fedora packaging expects it, and
what it installs runs as it is (README, "Build and install by hand")."""

import os
import re
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


def project_version():
    return re.search(r"project\(flr VERSION ([0-9.]+)", (SOURCE_DIR / "CMakeLists.txt").read_text())[1]


def dynamic_section(path):
    """readelf -d of `path`: {tag: [values]} for NEEDED, RPATH and RUNPATH."""
    r = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True, check=True)
    tags = {}
    for tag, value in re.findall(r"\((NEEDED|RPATH|RUNPATH)\)\s+\S+ \S+: \[(.*)\]", r.stdout):
        tags.setdefault(tag, []).append(value)
    return tags


def test_binaries(prefix):
    # As installed, with an empty environment (env -i): no LD_LIBRARY_PATH, no ldconfig run.
    assert binaries()
    for b in binaries():
        path = prefix / "bin" / b
        assert path.exists() and os.access(path, os.X_OK), b
        r = subprocess.run(["env", "-i", str(path), "--version"], capture_output=True, text=True)
        assert r.returncode == 0, f"{b}: {r.stderr}"
        assert project_version() in r.stdout, f"{b}: {r.stdout}"
        r = subprocess.run(["env", "-i", str(path), "--help"], capture_output=True, text=True)
        assert r.returncode == 0, f"{b}: {r.stderr}"
        assert b in r.stdout and "--version" in r.stdout, f"{b}: {r.stdout}"


def test_binaries_find_the_library_relative_to_themselves(prefix):
    # Not a system prefix: a RUNPATH relative to the binary, never a build-tree path.
    for b in binaries():
        tags = dynamic_section(prefix / "bin" / b)
        assert tags.get("RUNPATH") == ["$ORIGIN/../lib"], (b, tags)
        assert "RPATH" not in tags, (b, tags)
        assert any(n.startswith("libflr") for n in tags["NEEDED"]), (b, tags)


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


def test_every_installed_macro_is_usable(prefix, tmp_path):
    # Compiled against the installed headers and linked through the installed flr.pc.
    headers = sorted((prefix / "include" / "flr").glob("*.hpp"))
    macros = sorted({m for h in headers for m in re.findall(r"^#define (FLR_\w+)(?![\w(])", h.read_text(), re.M)})
    assert {"FLR_VERSION", "FLR_VERSION_MAJOR", "FLR_VERSION_MINOR", "FLR_VERSION_PATCH"} <= set(macros), macros
    main = tmp_path / "macros.cpp"
    main.write_text("".join(f"#include <flr/{h.name}>\n" for h in headers) + """
#include <cstdio>
#include <cstring>
#include <string>
#define FLR_TEST_STR2(x) #x
#define FLR_TEST_STR(x) FLR_TEST_STR2(x)
// Integers, usable in constant expressions.
static_assert(FLR_VERSION_MAJOR >= 0 && FLR_VERSION_MINOR >= 0 && FLR_VERSION_PATCH >= 0);
int main() {
    const std::string parts = std::to_string(FLR_VERSION_MAJOR) + "." + std::to_string(FLR_VERSION_MINOR) + "." +
                              std::to_string(FLR_VERSION_PATCH);
    if (parts != FLR_VERSION || std::strcmp(flr::version(), FLR_VERSION) != 0) {
        std::printf("mismatch: %s %s %s\\n", parts.c_str(), FLR_VERSION, flr::version());
        return 1;
    }
""" + "".join(f'    std::printf("{m}=%s\\n", FLR_TEST_STR({m}));\n' for m in macros) + "    return 0;\n}\n")
    env = dict(os.environ, PKG_CONFIG_PATH=str(libdir(prefix) / "pkgconfig"))
    flags = subprocess.run(["pkg-config", f"--define-variable=prefix={prefix}", "--cflags", "--libs", "flr"],
                           capture_output=True, text=True, env=env, check=True).stdout.split()
    exe = tmp_path / "macros"
    r = subprocess.run(["g++", "-std=c++20", "-Wall", "-Werror", str(main), "-o", str(exe)] + flags,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([str(exe)], capture_output=True, text=True, env={"LD_LIBRARY_PATH": str(libdir(prefix))})
    assert r.returncode == 0, r.stdout + r.stderr
    printed = dict(line.split("=", 1) for line in r.stdout.splitlines())
    assert sorted(printed) == macros
    assert printed["FLR_VERSION"] == f'"{project_version()}"'
    assert not any("@" in v for v in printed.values()), printed


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
