"""The new package repos and branches part of the README demo (run.py calls run()): three
new fedora-scm-requests tickets replayed through flr-listen with the example routes and
playbook (examples/scm), against the stand-in (the tickets, dist-git projects and their
access lists, review bugs, FASJSON users) and real bare dist-git repos: a new repository
created, a branch created at rawhide's head, an invalid request closed with its reasons."""

import json
import pathlib
import subprocess
import sys
import textwrap

HERE = pathlib.Path(__file__).resolve().parent
SOURCE = HERE.parents[1]
sys.path.insert(0, str(SOURCE / "tests" / "lib"))
from listen import write_config  # noqa: E402
from pagure_messages import NEW  # noqa: E402
from scm_listen import route_config, scm_message  # noqa: E402
from scm_world import World, branch_ticket, repo_ticket, review_bug  # noqa: E402

NEW_REPO, NEW_BRANCH, INVALID = 13101, 13102, 13103
# ticket -> (author, title, body), as fedpkg request-repo and request-branch file them
TICKETS = {
    NEW_REPO: ("jdoe",) + repo_ticket("python-tomli-w", bug=2301101),
    NEW_BRANCH: ("alice",) + branch_ticket("existing", "f44"),
    INVALID: ("mallory",) + repo_ticket("bash", bug=2301103, monitor="sometimes"),
}
BUGS = [review_bug(2301101, "python-tomli-w"),
        review_bug(2301103, "bash", creator="mallory@example.org", flag={"status": "?"})]


def _replay(world, tmp, bin_dir, env):
    cfg = route_config(tmp, str(HERE / "ansible.cfg"), bin_dir=bin_dir)
    cfg["env_allow"] += ["ANSIBLE_HOME", "ANSIBLE_LOCAL_TEMP"]
    messages = tmp / "scm-messages.jsonl"
    messages.write_text("".join(json.dumps(scm_message(NEW, tid, title, body, author=author)) + "\n"
                                for tid, (author, title, body) in TICKETS.items()))
    r = subprocess.run([str(bin_dir / "flr-listen"), "--config", write_config(tmp, cfg, "scm-listen.yaml"),
                        "--replay", str(messages), "--json"],
                       env=dict(env, FLR_CONFIG=str(world.config), TMPDIR=str(tmp)),
                       capture_output=True, text=True, timeout=300)
    (tmp / "flr-listen.log").write_text(r.stderr)
    return r.returncode == 0 and json.loads(r.stdout or "{}").get("succeeded") == len(TICKETS)


def _reasons(comment):
    """The reasons listed at the end of a report."""
    return [ln for ln in comment.partition("\nReasons:\n")[2].splitlines() if ln.startswith("- ")]


def run(bin_dir, tmp, env):
    """Print the scm part; return {check: ok}."""
    tmp = pathlib.Path(tmp) / "scm"
    tmp.mkdir()
    world = World(tmp, TICKETS, BUGS)
    try:
        print(f"\n== New repos and branches: {len(TICKETS)} fedora-scm-requests tickets through examples/scm's"
              " routes and playbook")
        replay_ok = _replay(world, tmp, bin_dir, env)
        closed = {tid: ", ".join(world.closed(tid)) or "open" for tid in TICKETS}
        repo = world.git("python-tomli-w", "rev-parse", "--is-bare-repository", "rawhide")
        rawhide = world.git("existing", "rev-parse", "rawhide").stdout.strip()
        f44 = world.git("existing", "rev-parse", "f44").stdout.strip()
        reasons = _reasons((world.comments(INVALID) or [""])[-1])
        shown = {NEW_REPO: "rpms/python-tomli-w.git " + ("created" if repo.returncode == 0 else "MISSING"),
                 NEW_BRANCH: f"f44 at rawhide's head {f44[:12]}" if f44 == rawhide
                 else f"f44 at {f44[:12] or 'MISSING'}, rawhide at {rawhide[:12]}",
                 INVALID: "the reasons in its comment:"}
        for tid, (author, title, _) in TICKETS.items():
            print(f"   #{tid} {title} by {author} -> {closed[tid]}; {shown[tid]}")
        for ln in reasons:
            print("   " + textwrap.shorten(ln, 96, placeholder="..."))
        return {
            "scm: the three tickets ran the example playbook": replay_ok,
            f"scm: #{NEW_REPO} rpms/python-tomli-w.git is a bare repo, the ticket closed Processed":
                repo.stdout.split()[:1] == ["true"] and world.closed(NEW_REPO) == ["Processed"],
            f"scm: #{NEW_BRANCH} f44 of rpms/existing at rawhide's head, the ticket closed Processed":
                bool(f44) and f44 == rawhide and world.closed(NEW_BRANCH) == ["Processed"],
            f"scm: #{INVALID} closed Invalid with its {len(reasons)} reasons":
                len(reasons) >= 2 and world.closed(INVALID) == ["Invalid"],
        }
    finally:
        world.stop()
