#!/usr/bin/python3
"""Test action: record_action.py OUT ROUTE SLEEP FAILFILE FIELD...

Appends {"event": "start"|"end", "route", "fields", "t", "pid"} lines to OUT. Sleeps SLEEP
seconds in between. When FAILFILE exists and holds a number N > 0, decrements it and
exits 1 (for retry tests)."""

import json
import os
import sys
import time


def record(out, event, route, fields):
    line = json.dumps({"event": event, "route": route, "fields": fields, "t": time.time(), "pid": os.getpid()})
    fd = os.open(out, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    os.write(fd, (line + "\n").encode())
    os.close(fd)


def main():
    out, route, sleep, fail_file, *fields = sys.argv[1:]
    record(out, "start", route, fields)
    if float(sleep) > 0:
        time.sleep(float(sleep))
    if fail_file != "-" and os.path.exists(fail_file):
        with open(fail_file) as f:
            left = int(f.read().strip() or 0)
        if left > 0:
            with open(fail_file, "w") as f:
                f.write(str(left - 1))
            print("failing on purpose", flush=True)
            return 1
    record(out, "end", route, fields)
    return 0


if __name__ == "__main__":
    sys.exit(main())
