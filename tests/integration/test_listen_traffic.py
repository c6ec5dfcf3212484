"""flr-listen on message shapes from real traffic (tests/data/messages): a NUL in a
string used by a command, a regex and a playbook; regexes on non-ASCII text; header and
body keys with dots or empty; messages without an id; a 300 KB body on a failing route.
Broker cases run against a private RabbitMQ."""

import json
import os
import pathlib
import subprocess
import sys

from listen import Listener, broker_config, read_records, record_command, replay, unique, wait_for, write_config

DATA = pathlib.Path(__file__).resolve().parents[1] / "data" / "messages"
NUL = "nul-in-string.org.fedoraproject.prod.buildsys.tag.json"
NON_ASCII = "non-ascii.io.pagure.prod.pagure.issue.comment.added.json"
DOTTED = "dotted-keys.org.fedoraproject.prod.bodhi.update.status.testing.koji-build-group.build.complete.json"
NO_ID = "legacy-fedmsg-no-msg-id.org.fedoraproject.prod.buildsys.tag.json"
LARGE = "large-body.org.fedoraproject.prod.copr.build.end.json"


def record(name):
    return json.loads((DATA / name).read_text())


def published(name, topic):
    """A (topic, body, headers, message_id) tuple for broker.publish from a dump record."""
    r = record(name)
    return (topic, r["body"], r["headers"], r["id"])



def letters(path, route):
    binary = os.path.join(os.environ["FLR_BUILD_DIR"], "bin", "flr-deadletter")
    p = subprocess.run([binary, "--config", path, "show", "--route", route, "--json"], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)["letters"]


def routes_ran(out):
    return sorted({r["route"] for r in read_records(out)})


def write_lines(tmp_path, records):
    path = tmp_path / "messages.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return str(path)


def dead_lettered(broker, queue, routes, tmp_path, messages):
    """Run flr-listen on `routes`, publish `messages`, wait for one dead letter and the
    work queue acked; returns the config path and the stopped Listener."""
    path = write_config(tmp_path, broker_config(broker, queue, routes))
    lis = Listener(path, tmp_path)
    try:
        broker.publish(messages)
        wait_for(lambda: broker.queue_depth(queue + ".dead") == (1, 0), what="the dead letter")
        wait_for(lambda: broker.queue_depth(queue) == (0, 0), what="acked")
    finally:
        assert lis.stop() == 0
    return path, lis


def test_nul_fails_the_command_is_dead_lettered_and_regexes_see_past_it(broker, tmp_path):
    t, queue = unique("t"), unique("q")
    out = str(tmp_path / "rec.jsonl")
    routes = [
        {"name": "cmd", "topic": f"{t}.tag", "command": record_command(out, "cmd", "tag arg=[{body.tag}]")},
        {"name": "allow", "topic": f"{t}.tag", "when": {"body.tag": {"regex": "^f41$"}},
         "command": record_command(out, "allow", "{body.name}")},
        {"name": "deny", "topic": f"{t}.tag", "when": {"body.tag": {"not_regex": "evil"}},
         "command": record_command(out, "deny", "{body.name}")},
        {"name": "plain", "topic": f"{t}.tag", "command": record_command(out, "plain", "{body.name}")},
    ]
    path, lis = dead_lettered(broker, queue, routes, tmp_path, [published(NUL, f"{t}.tag")])
    assert routes_ran(out) == ["plain"]  # never cmd with "tag arg=[f41", never the regex routes
    (letter,) = letters(path, "cmd")
    assert letter["route"] == "cmd" and letter["attempts"] == 1
    assert "NUL character" in letter["status"], letter
    assert letter["body"]["tag"] == "f41\u0000-evil"
    assert "a value holds a NUL character" in lis.text()


def test_playbook_msg_keeps_the_nul(tmp_path):
    seen = tmp_path / "seen.json"
    reader = tmp_path / "read_vars.py"
    reader.write_text(f"""import json, sys, yaml
yaml.SafeLoader.add_constructor("!unsafe", lambda loader, node: loader.construct_scalar(node)
                                if isinstance(node, yaml.ScalarNode) else None)
with open(sys.argv[sys.argv.index("-e") + 1][1:]) as f:
    v = yaml.safe_load(f)
with open({str(seen)!r}, "w") as f:
    json.dump({{"tag": v["msg"]["tag"], "id": v["flr_message"]["id"]}}, f)
""")
    cfg = write_config(tmp_path, {"ansible": {"playbook_cmd": [sys.executable, str(reader)]},
                                  "routes": [{"name": "pb", "topic": "#", "playbook": "/srv/tag.yml"}]})
    p = replay(cfg, write_lines(tmp_path, [record(NUL)]), tmp_path)
    assert p.returncode == 0, p.stderr
    assert json.loads(seen.read_text()) == {"tag": "f41\u0000-evil", "id": record(NUL)["id"]}


def test_regex_on_non_ascii_and_quoted_paths(tmp_path):
    out = str(tmp_path / "rec.jsonl")
    routes = [
        {"name": "miro", "topic": "#", "when": {"body.issue.user.fullname": {"regex": "^Miro Hron.ok$"}},
         "command": record_command(out, "miro", "{body.issue.user.name}")},
        {"name": "dotted", "topic": "#",
         "when": {'headers["fedora_messaging_rpm_python3.12"]': True, 'body.files[".packit.yaml"]': {"exists": True},
                  'body[""]': "pagure's empty key"},
         "command": record_command(out, "dotted", '{body.files[".packit.yaml"]}', '{body[""]}'),
         "ordering_key": '{headers["fedora_messaging_rpm_python3.12"]}'},
    ]
    cfg = write_config(tmp_path, {"routes": routes})
    p = replay(cfg, write_lines(tmp_path, [record(NON_ASCII), record(DOTTED)]), tmp_path)
    assert p.returncode == 0, p.stderr
    ends = {r["route"]: r["fields"] for r in read_records(out) if r["event"] == "end"}
    assert ends == {"miro": ["churchyard"], "dotted": ["specfile_path: python3.12.spec", "pagure's empty key"]}


def test_missing_id_is_a_missing_field(tmp_path):
    out = str(tmp_path / "rec.jsonl")
    routes = [{"name": "by-id", "topic": "#", "command": record_command(out, "by-id", "{id}")},
              {"name": "by-tag", "topic": "#", "command": record_command(out, "by-tag", "{body.tag}")},
              {"name": "no-id", "topic": "#", "when": {"id": {"exists": False}},
               "command": record_command(out, "no-id", "{topic}")}]
    cfg = write_config(tmp_path, {"routes": routes})
    p = replay(cfg, write_lines(tmp_path, [record(NO_ID)]), tmp_path)
    assert p.returncode != 0
    assert json.loads(p.stdout)["failed"] == 1
    assert "placeholder {id}: no such field in the message" in p.stderr
    assert routes_ran(out) == ["by-tag", "no-id"]


def test_message_without_id_from_the_broker(broker, tmp_path):
    t, queue = unique("t"), unique("q")
    out = str(tmp_path / "rec.jsonl")
    routes = [{"name": "by-id", "topic": f"{t}.x", "command": record_command(out, "by-id", "{id}")},
              {"name": "by-tag", "topic": f"{t}.x", "command": record_command(out, "by-tag", "{body.tag}")}]
    no_id = (f"{t}.x", {"tag": "f43"}, {"sent-at": "2026-11-20T10:00:00+00:00"}, None)
    path, _ = dead_lettered(broker, queue, routes, tmp_path, [no_id])
    assert routes_ran(out) == ["by-tag"]
    (letter,) = letters(path, "by-id")
    assert letter["route"] == "by-id" and "no such field" in letter["status"] and letter["id"] == ""


def test_failure_log_line_is_bounded_and_the_dead_letter_whole(broker, tmp_path):
    t, queue = unique("t"), unique("q")
    routes = [{"name": "broken", "topic": f"{t}.copr", "max_attempts": 1, "command": ["/bin/false"]}]
    path, lis = dead_lettered(broker, queue, routes, tmp_path, [published(LARGE, f"{t}.copr")])
    lines = lis.text().splitlines()
    (failed,) = [line for line in lines if "route broken failed after 1 attempt(s)" in line]
    assert len(failed.encode()) < 4096 + 200 and " ... [cut: 4096 of " in failed, failed[-200:]
    assert max(len(line.encode()) for line in lines) < 8192
    (letter,) = letters(path, "broken")
    assert letter["body"] == record(LARGE)["body"]
