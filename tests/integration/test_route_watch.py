"""A route that never fires, made visible: flr-listen warns at startup about a route whose
topic no binding of the queue delivers (the org.fedoraproject.* prefix on a queue bound to
io.pagure.#, toddlers' mistake for years), and keeps each route's last match time as a
log line and a metric. Replay mode: no broker needed."""

import json
import re

from listen import replay, write_config
from scm_listen import scm_message
from scm_world import SCENARIOS
from pagure_messages import NEW


def test_wrong_prefix_route_is_reported_and_never_matches(tmp_path):
    cfg = {
        "routes": [
            {"name": "right-prefix", "topic": "io.pagure.*.pagure.issue.new", "command": ["/bin/true"]},
            {"name": "wrong-prefix", "topic": "org.fedoraproject.*.pagure.issue.new", "command": ["/bin/true"]},
        ],
        "amqp": {"url": "amqp://127.0.0.1:1/%2F", "queue": "q", "bindings": ["io.pagure.prod.pagure.issue.#"]},
        "metrics": {"textfile": str(tmp_path / "flr.prom")},
    }
    author, title, body = SCENARIOS[1]
    messages = tmp_path / "messages.jsonl"
    messages.write_text(json.dumps(scm_message(NEW, 1, title, body, author=author)) + "\n")
    r = replay(write_config(tmp_path, cfg), messages, tmp_path)
    assert r.returncode == 0, r.stderr
    assert re.search(r'warning: route "wrong-prefix" can never fire: its topic org\.fedoraproject\.\*\.pagure\.issue\.new '
                     r"matches nothing the queue's bindings \(io\.pagure\.prod\.pagure\.issue\.#\) deliver", r.stderr)
    assert "right-prefix\" can never fire" not in r.stderr
    assert 'route "right-prefix" matched (match 1; the last before: never)' in r.stderr
    prom = (tmp_path / "flr.prom").read_text()
    last = dict(re.findall(r'flr_listen_route_last_match_seconds\{route="([^"]+)"\} (\S+)', prom))
    assert float(last["right-prefix"]) > 1.7e9 and float(last["wrong-prefix"]) == 0
    assert 'flr_listen_route_matches_total{route="wrong-prefix"} 0' in prom


def test_the_shipped_scm_routes_use_the_io_pagure_prefix():
    from scm_listen import EXAMPLES
    import yaml
    cfg = yaml.safe_load((EXAMPLES / "flr-listen.yaml").read_text())
    assert all(r["topic"].startswith("io.pagure.") for r in cfg["routes"])
