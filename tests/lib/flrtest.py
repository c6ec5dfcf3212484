"""Shared helpers for flr's integration tests: where the build is (the one way to find the
binaries: FLR_BUILD_DIR, set by ctest), running binaries, the Fedora-services stand-in,
and the stand-in's flr.yaml and secret-file writers (tests/standin/flr_standin.py)."""

import json
import os
import pathlib
import subprocess
import sys
import time

SOURCE_DIR = pathlib.Path(os.environ.get("FLR_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
BUILD_DIR = pathlib.Path(os.environ.get("FLR_BUILD_DIR", SOURCE_DIR / "build"))
BIN_DIR = BUILD_DIR / "bin"
STANDIN = pathlib.Path(os.environ.get("FLR_TEST_STANDIN", SOURCE_DIR / "tests" / "standin" / "flr_standin.py"))

sys.path.insert(0, str(SOURCE_DIR / "tests" / "standin"))
from flr_standin import write_flr_yaml, write_secret  # noqa: E402,F401  (re-exported for the tests)


def binary(name):
    """The path of flr binary `name` in the build."""
    return BIN_DIR / name


def binaries():
    """Every flr binary the build produced."""
    return sorted(p.name for p in BIN_DIR.glob("flr-*") if p.is_file() and os.access(p, os.X_OK))


def run(argv, env=None, input=None, timeout=60, cwd=None):
    """Run a binary from the build (a bare name) or any argv; never through a shell."""
    argv = [str(a) for a in argv]
    if "/" not in argv[0] and (BIN_DIR / argv[0]).exists():
        argv[0] = str(BIN_DIR / argv[0])
    full_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"),
                "LANG": "C.UTF-8"}
    if env:
        full_env.update(env)
    return subprocess.run(argv, env=full_env, input=input, capture_output=True, text=True,
                          timeout=timeout, cwd=cwd)


def start_standin(ready, *args, python=sys.executable, timeout=20):
    """Start the Fedora-services stand-in (tests/standin) on a free port with `args`.
    Returns (process, base URL) once it wrote `ready`; its stderr goes to `ready`.log."""
    ready = pathlib.Path(ready)
    log = open(f"{ready}.log", "w")
    proc = subprocess.Popen([python, str(STANDIN), "--port", "0", "--ready-file", str(ready), *map(str, args)],
                            stdout=subprocess.DEVNULL, stderr=log)
    log.close()
    deadline = time.time() + timeout
    while not ready.exists():
        if proc.poll() is not None or time.time() > deadline:
            proc.kill()
            raise RuntimeError("the stand-in did not start: " + pathlib.Path(f"{ready}.log").read_text())
        time.sleep(0.05)
    return proc, json.loads(ready.read_text())["url"]


class Service:
    """A service for a with-block: start() (returning self) on entry, stop() on exit,
    and stop() too when start() fails half-way."""

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc):
        self.stop()
