"""Request/response plumbing, time parsing and the journal shared by all services."""

import datetime
import json
import re
import threading
import urllib.parse

# Parameter and body keys whose values are credentials: never journaled.
SECRET_KEYS = frozenset({
    "api_key", "bugzilla_api_key", "bugzilla_token", "bugzilla_password",
    "password", "token", "session-key", "authorization",
})
REDACTED = "<redacted>"

MUTATING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class Request:
    """One HTTP request as the services see it.

    ``route`` is the path below the service prefix (``/pagure/api/0/x`` has
    route ``/api/0/x``); the dispatcher sets it before calling a service.
    """

    def __init__(self, method, raw_path, headers, body, base_url):
        parts = urllib.parse.urlsplit(raw_path)
        self.method = method
        self.path = urllib.parse.unquote(parts.path)
        self.query_string = parts.query
        self.query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
        self.headers = headers
        self.body = body
        self.base_url = base_url
        self.route = self.path
        self._data = None

    def arg(self, name, default=None):
        values = self.query.get(name)
        return values[0] if values else default

    def arg_list(self, name):
        return list(self.query.get(name, []))

    def header(self, name, default=None):
        value = self.headers.get(name)
        return default if value is None else value

    @property
    def content_type(self):
        return (self.header("Content-Type", "") or "").split(";")[0].strip().lower()

    def data(self):
        """The body as ``(kind, value)``: kind is "json", "form" or None.

        Form fields with a single value map to a string, repeated fields to a
        list.  A body without Content-Type is read as JSON when it parses as
        JSON, else as a form (what Pagure's ``get_request_data`` accepts).
        """
        if self._data is None:
            self._data = self._parse_body()
        return self._data

    def _parse_body(self):
        if not self.body:
            return (None, {})
        text = self.body.decode("utf-8", errors="replace")
        ctype = self.content_type
        if "json" in ctype:
            try:
                return ("json", json.loads(text))
            except ValueError:
                return ("json", None)
        if ctype in ("", "application/x-www-form-urlencoded"):
            if ctype == "":
                try:
                    return ("json", json.loads(text))
                except ValueError:
                    pass
            fields = urllib.parse.parse_qs(text, keep_blank_values=True)
            return ("form", {k: v[0] if len(v) == 1 else v for k, v in fields.items()})
        return (None, {"_raw": text})

    def fields(self):
        """Body fields as a dict whatever the encoding ({} if not a mapping)."""
        kind, value = self.data()
        return value if kind in ("json", "form") and isinstance(value, dict) else {}

    def sanitized_query(self):
        return {k: (REDACTED if k.lower() in SECRET_KEYS else (v[0] if len(v) == 1 else v))
                for k, v in self.query.items()}


class Response:
    def __init__(self, status, body=b"", content_type="application/json", headers=None):
        self.status = status
        self.body = body if isinstance(body, bytes) else body.encode("utf-8")
        self.content_type = content_type
        self.headers = dict(headers or {})


def json_response(obj, status=200, headers=None):
    body = json.dumps(obj, indent=2, sort_keys=False).encode("utf-8") + b"\n"
    return Response(status, body, "application/json", headers)


def text_response(text, status=200, content_type="text/plain; charset=utf-8"):
    return Response(status, text, content_type)


def not_found_html():
    """Flask's stock 404 page, which Pagure's non-API routes answer with."""
    return Response(
        404,
        "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n"
        "<h1>Not Found</h1>\n<p>The requested URL was not found on the server.</p>\n",
        "text/html; charset=utf-8",
    )


def scrub(value):
    """Deep copy of ``value`` with credential-looking keys redacted."""
    if isinstance(value, dict):
        return {k: (REDACTED if str(k).lower() in SECRET_KEYS else scrub(v)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [scrub(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    return value


# --------------------------------------------------------------------------
# Time
# --------------------------------------------------------------------------

_RELATIVE = re.compile(r"^([+-])\s*(\d+(?:\.\d+)?)\s*([smhdw])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
UTC = datetime.timezone.utc


def to_epoch(value, now):
    """Seconds since the epoch for a seed time value.

    Accepts None, numbers (unix time), numeric strings, ``datetime``/``date``
    objects (YAML turns unquoted dates into those), ISO 8601 strings
    ("2024-03-01", "2024-03-01 10:00:00", "2024-03-01T10:00:00Z") and times
    relative to ``now`` such as "-35d", "-3h", "+10m".
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("not a time: %r" % (value,))
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.timestamp()
    if isinstance(value, datetime.date):
        return datetime.datetime(value.year, value.month, value.day, tzinfo=UTC).timestamp()
    text = str(value).strip()
    match = _RELATIVE.match(text)
    if match:
        sign, amount, unit = match.groups()
        delta = float(amount) * _UNIT_SECONDS[unit]
        return now + delta if sign == "+" else now - delta
    try:
        return float(text)
    except ValueError:
        pass
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    parsed = datetime.datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def utc(ts):
    return datetime.datetime.fromtimestamp(ts, UTC)


def fmt_unix(ts):
    """Pagure style: unix time as a decimal string."""
    return None if ts is None else str(int(ts))


def fmt_iso_z(ts):
    """Bugzilla style: 2017-04-12T10:00:00Z."""
    return None if ts is None else utc(ts).strftime("%Y-%m-%dT%H:%M:%SZ")


def fmt_space(ts):
    """Bodhi style: 2024-03-05 12:00:00."""
    return None if ts is None else utc(ts).strftime("%Y-%m-%d %H:%M:%S")


# --------------------------------------------------------------------------
# Journal
# --------------------------------------------------------------------------

class Journal:
    """Mutating requests, in memory and as JSON lines in a file.

    The file is truncated when the journal is created and on ``clear``.
    Entries are scrubbed of credentials before they are stored.
    """

    def __init__(self, path=None):
        self.path = path
        self._entries = []
        self._lock = threading.Lock()
        self._truncate()

    def _truncate(self):
        if self.path:
            with open(self.path, "w", encoding="utf-8"):
                pass

    def record(self, entry):
        entry = scrub(entry)
        entry = {"time": datetime.datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"), **entry}
        line = json.dumps(entry, sort_keys=False)
        with self._lock:
            self._entries.append(entry)
            if self.path:
                with open(self.path, "a", encoding="utf-8") as stream:
                    stream.write(line + "\n")
        return entry

    def entries(self):
        with self._lock:
            return [dict(e) for e in self._entries]

    def clear(self):
        with self._lock:
            self._entries = []
            self._truncate()


def http_entry(service, req, status, auth, call=None, args=None, **extra):
    """A journal entry for one HTTP request, with its body as ``form`` or ``json``.

    With ``call`` set (an XML-RPC method) the body is left out: ``args`` and
    ``kwargs`` already say what it held.
    """
    entry = {
        "service": service,
        "method": req.method,
        "path": req.path,
        "query": req.sanitized_query(),
        "call": call,
        "args": args,
    }
    kind, value = (None, {}) if call else req.data()
    if kind == "json":
        entry["json"] = value
    elif kind == "form":
        entry["form"] = value
    elif value:
        entry["body"] = value.get("_raw")
    entry["auth"] = bool(auth)
    entry["status"] = status
    entry.update(extra)
    return entry
