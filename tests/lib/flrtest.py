"""Shared helpers for flr's integration tests: where the build is, and running binaries."""

import os
import pathlib
import subprocess

SOURCE_DIR = pathlib.Path(os.environ.get("FLR_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
BUILD_DIR = pathlib.Path(os.environ.get("FLR_BUILD_DIR", SOURCE_DIR / "build"))
BIN_DIR = BUILD_DIR / "bin"


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
