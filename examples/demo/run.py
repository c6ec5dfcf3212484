#!/usr/bin/python3
"""The README demo after the build: start the stand-ins for Pagure, dist-git, Koji and
Bugzilla (tests/standin) with seed.yaml and bare dist-git repos, replay messages.jsonl
through flr-listen with flr-listen.yaml, then show what happened and check it; then the
container base image part (image.py) and the new package repos and branches part (scm.py).

    examples/demo/run.py [--build-dir build] [--keep] [--save DIR]

Exit 0 only if the expected outcome happened."""

import argparse
import json
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time

import yaml

HERE = pathlib.Path(__file__).resolve().parent
SOURCE = HERE.parents[1]
sys.path.insert(0, str(SOURCE / "tests" / "standin"))
import make_distgit  # noqa: E402
from flr_standin import write_flr_yaml  # noqa: E402

sys.path.insert(0, str(HERE))
import image as image_demo  # noqa: E402
import scm as scm_demo  # noqa: E402

PHASE = "auto-recent"
OLD, RECENT = ("python-oldlib", 12001), ("python-retro", 12002)


def start_standin(tmp):
    git = tmp / "git"
    make_distgit.make_repo(str(git), OLD[0], scenario="retired", retired_days_ago=70)
    make_distgit.make_repo(str(git), RECENT[0], scenario="retired", retired_days_ago=35,
                           reason="Orphaned for 6+ weeks")
    ready = tmp / "ready.json"
    log = open(tmp / "standin.log", "w")
    proc = subprocess.Popen([sys.executable, str(SOURCE / "tests/standin/flr_standin.py"), "--port", "0",
                             "--ready-file", str(ready), "--seed", str(HERE / "seed.yaml"),
                             "--journal", str(tmp / "journal.jsonl"), "--distgit-root", str(git)],
                            stdout=log, stderr=log)
    deadline = time.time() + 20
    while not ready.exists():
        if time.time() > deadline or proc.poll() is not None:
            proc.kill()
            raise SystemExit("demo: the stand-in did not start:\n" + (tmp / "standin.log").read_text())
        time.sleep(0.05)
    return proc, json.loads(ready.read_text())["url"]


def git(tmp, pkg, *args):
    return subprocess.run(["git", "--git-dir", str(tmp / "git" / "rpms" / (pkg + ".git")), *args],
                          capture_output=True, text=True).stdout


def summarize_comment(text):
    """The heading, the verdict and its reasons of a report; the first lines otherwise."""
    keep = [ln for ln in text.splitlines() if ln.startswith(("## ", "**Verdict", "- ", "Unretired", "Done"))]
    lines = keep[:6] if keep else text.splitlines()[:4]
    return [textwrap.shorten(ln, 100, placeholder="...") for ln in lines]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build-dir", default=os.environ.get("FLR_BUILD_DIR", str(SOURCE / "build")))
    ap.add_argument("--keep", action="store_true", help="keep the temp directory")
    ap.add_argument("--save", metavar="DIR", help="copy the temp directory (the stand-ins' journals, the "
                    "dist-git repos) to DIR, a new directory, before removing it")
    args = ap.parse_args()
    bin_dir = pathlib.Path(args.build_dir).resolve() / "bin"
    if not (bin_dir / "flr-listen").exists():
        raise SystemExit(f"demo: no flr-listen in {bin_dir}: build first")

    tmp = pathlib.Path(tempfile.mkdtemp(prefix="flr-demo-"))
    proc = None
    try:
        proc, url = start_standin(tmp)
        # The stand-in's own writer: its URLs, the seed's credentials as 0600 files in tmp.
        seed = yaml.safe_load((HERE / "seed.yaml").read_text())
        flr_yaml = pathlib.Path(write_flr_yaml(tmp / "flr.yaml", url, seed, tmp / "git",
                                               {"unretirement": {"phase": PHASE, "rawhide_tag": "f44"}}))
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp), "LANG": "C.UTF-8",
               "TMPDIR": str(tmp), "FLR_CONFIG": str(flr_yaml), "FLR_DEMO_BIN": str(bin_dir),
               "ANSIBLE_HOME": str(tmp / "ansible"), "ANSIBLE_LOCAL_TEMP": str(tmp / "ansible" / "tmp")}
        argv = [str(bin_dir / "flr-listen"), "--config", str(HERE / "flr-listen.yaml"),
                "--replay", str(HERE / "messages.jsonl"), "--json"]
        print("== Replaying 3 messages from the releng ticket queue (policy phase: %s)" % PHASE)
        print(f"   1. new ticket #{OLD[1]} \"Unretire rpms/{OLD[0]}\": retired 10 weeks ago, no review bug")
        print(f"   2. new ticket #{RECENT[1]} from fedpkg request-unretirement: {RECENT[0]}, retired 5 weeks ago")
        print(f"   3. a comment by flr's own account on #{OLD[1]}: must not trigger anything")
        print("   $ flr-listen --config examples/demo/flr-listen.yaml --replay examples/demo/messages.jsonl")
        r = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=600)
        (tmp / "flr-listen.log").write_text(r.stderr)
        try:
            summary = json.loads(r.stdout)
            print("   summary: " + " ".join(f"{k}={round(v, 1) if isinstance(v, float) else v}"
                                        for k, v in summary.items()) + f" (exit {r.returncode})")
        except ValueError:
            summary = {}
            print(f"   (no summary; exit {r.returncode})")
        for ln in r.stderr.splitlines():
            m = re.search(r'job id="([^"]*)" .* route="([^"]*)" .*status="(.*)" duration_ms', ln)
            if m:
                print(f"   message ...{m[1][-5:]} -> {m[2]}: {m[3]}")

        journal = [json.loads(ln) for ln in (tmp / "journal.jsonl").read_text().splitlines() if ln.strip()]
        print("\n== What flr posted on the tickets (Pagure stand-in)")
        for e in journal:
            if e["path"].endswith("/comment"):
                print(f"-- {e['path'].split('/api/0/')[1]}")
                for ln in summarize_comment(e["form"]["comment"]):
                    print("   " + ln)

        print("\n== What else flr changed (stand-in journal; the git push shows in the log below)")
        for e in journal:
            if e["path"].endswith("/comment"):
                continue
            what = e.get("call") and f"{e['call']}({', '.join(map(str, e.get('args', [])))})"
            what = what or f"{e['method']} {e['path']} {json.dumps(e.get('form') or e.get('json') or {})}"
            print(f"   {e['service']}: {what}")

        print(f"\n== git log of rpms/{RECENT[0]} (rawhide) in the bare dist-git repo")
        for ln in git(tmp, RECENT[0], "log", "-3", "--format=%h %ad %an: %s", "--date=short",
                      "rawhide").splitlines():
            print("   " + ln)

        comments = {tid: [e["form"]["comment"] for e in journal
                          if e["path"] == f"/pagure/api/0/releng/issue/{tid}/comment"] for tid in (OLD[1], RECENT[1])}
        closes = {tid: [e["form"].get("close_status") for e in journal
                        if e["path"] == f"/pagure/api/0/releng/issue/{tid}/status"] for tid in (OLD[1], RECENT[1])}
        unblocks = [e.get("args") for e in journal if e.get("call") == "packageListUnblock"]
        checks = {
            "flr-listen replay: 2 jobs succeeded, flr's own comment not routed":
                r.returncode == 0 and summary.get("succeeded") == 2 and summary.get("unrouted") == 1,
            f"#{OLD[1]} got a needs-review report and stays open":
                any("**Verdict: `needs-review`**" in c for c in comments[OLD[1]]) and not closes[OLD[1]],
            f"#{RECENT[1]} got an auto report": any("**Verdict: `auto`**" in c for c in comments[RECENT[1]]),
            f"{RECENT[0]}: retirement reverted and pushed":
                git(tmp, RECENT[0], "log", "-1", "--format=%s", "rawhide").startswith("Unretirement request:"),
            f"{RECENT[0]}: unblocked in Koji f44": unblocks == [["f44", RECENT[0]]],
            f"#{RECENT[1]} closed as Processed": closes[RECENT[1]] == ["Processed"],
            f"{OLD[0]}: untouched": "Unretirement request" not in git(tmp, OLD[0], "log", "--format=%s", "rawhide"),
        }
        checks.update(image_demo.run(bin_dir, tmp, env))
        checks.update(scm_demo.run(bin_dir, tmp, env))
        print("\n== Outcome")
        for what, ok in checks.items():
            print(f"   {'ok  ' if ok else 'FAIL'} {what}")
        if not all(checks.values()):
            print("\nflr-listen's log:\n" + r.stderr[-4000:], file=sys.stderr)
            return 1
        print("\nPhase 1: every new unretirement ticket gets the check report. Phase 2: packages retired\n"
              "less than 8 weeks ago are unretired at once. The phase is unretirement.phase in flr.yaml.")
        return 0
    finally:
        if proc and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=10)
        if args.save:
            shutil.copytree(tmp, args.save, symlinks=True)
        if args.keep:
            print(f"(kept {tmp})")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
