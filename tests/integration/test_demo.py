"""The README demo after the build (scripts/demo --no-setup): it must show phase 1 and
phase 2 of the unretirement workflow, stay short, and leave nothing behind."""

import os
import subprocess

from flrtest import BUILD_DIR, SOURCE_DIR


def test_demo_runs_and_shows_the_outcome(tmp_path):
    env = dict(os.environ, FLR_BUILD_DIR=str(BUILD_DIR), TMPDIR=str(tmp_path))
    p = subprocess.run([str(SOURCE_DIR / "scripts" / "demo"), "--no-setup"], env=env, capture_output=True,
                       text=True, timeout=300)
    out = p.stdout
    assert p.returncode == 0, out + p.stderr
    assert "FAIL" not in out
    for needle in ("**Verdict: `needs-review`**", "**Verdict: `auto`**", "packageListUnblock(f44, python-retro)",
                   '"close_status": "Processed"', "Unretirement request: ", "#12002 closed as Processed"):
        assert needle in out, out
    # The container base image part: the report names the package, one build submitted, the
    # weekly release pushed every tag, and a week with nothing built pushed nothing.
    for needle in ("bash: bash-5.2.32-1.fc41 -> bash-5.2.37-1.fc41", "kiwiBuild(f41-kiwi",
                   ":41 index, :latest index", "nothing built since Fedora-Container-Base-Generic-41-20241108.0"):
        assert needle in out, out
    assert len(out.splitlines()) <= 60, out
    assert list(tmp_path.iterdir()) == [], "the demo left files behind"
    procs = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert str(tmp_path) not in procs, "the stand-in is still running"
