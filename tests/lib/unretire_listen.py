"""The example unretirement route file (examples/unretirement/flr-listen.yaml) adapted
for a test or a demo run: playbooks by absolute path, an inventory running the flr
binaries of the build directly (connection local, no sudo), the stand-in's account as
the bot whose comments are ignored, FLR_CONFIG passed through to the binaries."""

import copy
import os

import yaml

from flrtest import BIN_DIR, SOURCE_DIR

EXAMPLES = SOURCE_DIR / "examples" / "unretirement"


def inventory(tmp_path, bin_dir=BIN_DIR):
    path = os.path.join(str(tmp_path), "inventory.yml")
    inv = {"all": {"hosts": {"localhost": {
        "ansible_connection": "local", "ansible_python_interpreter": "/usr/bin/python3",
        "flr_sudo": [], "flr_bin": str(bin_dir)}}}}
    with open(path, "w") as f:
        yaml.safe_dump(inv, f)
    return path


def route_config(tmp_path, cfg_path, bot="releng", amqp=None, playbook=None):
    """The example routes as a dict; `playbook` (check.yml, unretire.yml) overrides the example's."""
    with open(EXAMPLES / "flr-listen.yaml") as f:
        cfg = yaml.safe_load(f)
    cfg = copy.deepcopy(cfg)
    for route in cfg["routes"]:
        route["playbook"] = str(EXAMPLES / (playbook or route["playbook"]))
        if "body.agent" in route.get("when", {}):
            route["when"]["body.agent"] = {"not": [bot]}
    cfg["ansible"].update({"cfg": cfg_path, "inventory": inventory(tmp_path)})
    cfg["env_allow"] = ["FLR_CONFIG"]
    if amqp:
        cfg["amqp"] = amqp
    return cfg
