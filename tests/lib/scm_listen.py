"""The example scm-requests routes (examples/scm/flr-listen.yaml) adapted for a test or a
demo run, as shipped except for paths, URLs and the inventory: the playbook by absolute
path, an inventory running the build's flr binaries directly (connection local, no sudo),
FLR_CONFIG passed through. Also pagure.io messages for the fedora-scm-requests queue."""

import copy

import yaml

from flrtest import BIN_DIR, SOURCE_DIR
from pagure_messages import _fixture, issue_message
from unretire_listen import inventory

EXAMPLES = SOURCE_DIR / "examples" / "scm"


def route_config(tmp_path, cfg_path, amqp=None, bin_dir=BIN_DIR):
    with open(EXAMPLES / "flr-listen.yaml") as f:
        cfg = copy.deepcopy(yaml.safe_load(f))
    for route in cfg["routes"]:
        route["playbook"] = str(EXAMPLES / route["playbook"])
    cfg["ansible"].update({"cfg": cfg_path, "inventory": inventory(tmp_path, bin_dir)})
    cfg["env_allow"] = ["FLR_CONFIG"]
    if amqp:
        cfg["amqp"] = amqp
    return cfg


def scm_message(topic, ticket, title, content, author="jdoe", agent=None, comment=None, status="Open"):
    """A pagure.io message about ticket `ticket` of releng/fedora-scm-requests."""
    m = issue_message(topic, ticket, title, content, author=author, agent=agent, comment=comment, status=status)
    m["body"]["project"] = _fixture(topic)["body"]["project"]
    m["body"]["issue"]["full_url"] = f"https://pagure.io/releng/fedora-scm-requests/issue/{ticket}"
    return m
