"""A shipped systemd unit (systemd/*.service) read as systemd runs it, so that tests start
the service with the unit's own command line and environment: Environment= and
EnvironmentFile= (a leading "-": optional), StateDirectory= and RuntimeDirectory= as
$STATE_DIRECTORY and $RUNTIME_DIRECTORY, %i, and $VAR / ${VAR} in ExecStart= and
ExecReload=. Absolute paths are moved with `paths` ({"/etc/flr/": "/tmp/x/etc/", ...}),
the only change a test makes."""

import os
import re
import shlex

from flrtest import SOURCE_DIR


def _move(value, paths):
    for old, new in paths.items():
        if value.startswith(old):
            return new + value[len(old):]
    return value


def _expand(word, env):
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: env.get(m.group(1) or m.group(2), m.group(0)), word)


class Service:
    def __init__(self, unit, instance, paths):
        self.settings = []
        section = None
        for line in (SOURCE_DIR / "systemd" / unit).read_text().splitlines():
            line = line.strip()
            if line.startswith("["):
                section = line
            elif section == "[Service]" and line and not line.startswith("#"):
                key, _, value = line.partition("=")
                self.settings.append((key, value.replace("%i", instance)))
        self.env = {}
        for key, value in self.settings:
            if key == "Environment":
                name, _, val = value.partition("=")
                self.env[name] = _move(val, paths)
            elif key == "EnvironmentFile":
                optional = value.startswith("-")
                path = _move(value.lstrip("-"), paths)
                if not os.path.exists(path):
                    assert optional, f"{unit}: EnvironmentFile {path} is missing"
                    continue
                for entry in open(path).read().splitlines():
                    if entry.strip() and not entry.startswith("#"):
                        name, _, val = entry.partition("=")
                        self.env[name.strip()] = val.strip()
            elif key in ("StateDirectory", "RuntimeDirectory"):
                base = "/var/lib/" if key == "StateDirectory" else "/run/"
                var = "STATE_DIRECTORY" if key == "StateDirectory" else "RUNTIME_DIRECTORY"
                self.env[var] = _move(base + value, paths)
                os.makedirs(self.env[var], mode=0o700, exist_ok=True)
        self.paths = paths

    def get(self, key):
        values = [v for k, v in self.settings if k == key]
        assert len(values) == 1, f"{key}: {values}"
        return values[0]

    def command(self, key="ExecStart", **extra):
        """The argv of ExecStart= (or ExecReload=), with `extra` variables (MAINPID)."""
        env = dict(self.env, **extra)
        return [_move(_expand(word, env), self.paths) for word in shlex.split(self.get(key))]
