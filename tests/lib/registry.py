"""A private OCI registry for tests: Debian's docker-registry (distribution 2.8) on
127.0.0.1 with a free port and its storage in a temp dir, in one of three setups:
no auth, htpasswd Basic, or token auth through a small token server (below) that signs
RS256 JWTs with a self-signed certificate the registry trusts (auth.token).

Also: a counting proxy that can answer 429 or stop the registry at a chosen request,
and builders for test images (OCI layout, .oci.tar.xz, docker-archive).

    with Registry(tmp, auth="basic") as reg:
        reg.host           # "127.0.0.1:PORT"
        reg.authfile       # containers-auth.json (mode 0600) for reg.user/reg.password
"""

import base64
import datetime
import hashlib
import http.client
import http.server
import json
import os
import pathlib
import signal
import socket
import subprocess
import tarfile
import threading
import time
import urllib.parse

REGISTRY_BIN = "/usr/bin/docker-registry"
SKOPEO = "/usr/bin/skopeo"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc=None, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the process exited with {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port}")


class TokenServer:
    """Issues registry tokens (RS256 JWTs with an x5c header) to user/password over Basic."""

    def __init__(self, directory, user, password, service, issuer):
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        from cryptography.x509.oid import NameOID

        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "flr test token issuer")])
        now = datetime.datetime.utcnow()
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(days=1))
                .not_valid_after(now + datetime.timedelta(days=2))
                .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                .sign(self.key, hashes.SHA256()))
        self.cert_path = pathlib.Path(directory) / "token.crt"
        self.cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        self.x5c = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()
        self.user, self.password, self.service, self.issuer = user, password, service, issuer
        self.requests = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                server.handle(self)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.realm = f"http://127.0.0.1:{self.port}/token"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def handle(self, h):
        import jwt

        query = urllib.parse.parse_qs(urllib.parse.urlsplit(h.path).query)
        self.requests.append(query)
        expected = "Basic " + base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
        if h.headers.get("Authorization") != expected:
            body = json.dumps({"errors": [{"code": "UNAUTHORIZED", "message": "bad credentials"}]}).encode()
            h.send_response(401)
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body)
            return
        access = []
        for scope in query.get("scope", []):
            kind, name, actions = scope.split(":")
            access.append({"type": kind, "name": name, "actions": actions.split(",")})
        now = int(time.time())
        claims = {"iss": self.issuer, "sub": self.user, "aud": self.service, "exp": now + 600,
                  "nbf": now - 10, "iat": now, "jti": os.urandom(8).hex(), "access": access}
        token = jwt.encode(claims, self.key, algorithm="RS256", headers={"x5c": [self.x5c]})
        body = json.dumps({"token": token, "expires_in": 600}).encode()
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class Registry:
    def __init__(self, directory, auth=None, user="releng", password="s3cret-pass"):
        self.dir = pathlib.Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.auth, self.user, self.password = auth, user, password
        self.port = free_port()
        self.host = f"127.0.0.1:{self.port}"
        self.proc = None
        self.token = None
        self.authfile = None
        self.log_path = self.dir / "registry.log"

    def _config(self):
        lines = [
            "version: 0.1",
            "log:",
            "  level: info",
            "  formatter: json",
            "storage:",
            f"  filesystem: {{rootdirectory: {self.dir / 'storage'}}}",
            "  delete: {enabled: true}",
            "http:",
            f"  addr: 127.0.0.1:{self.port}",
            "  secret: flr-test-fixed-secret",
        ]
        if self.auth == "basic":
            htpasswd = self.dir / "htpasswd"
            out = subprocess.run(["htpasswd", "-Bbn", self.user, self.password], check=True,
                                 capture_output=True, text=True).stdout
            htpasswd.write_text(out)
            lines += ["auth:", "  htpasswd:", "    realm: flr-test", f"    path: {htpasswd}"]
        elif self.auth == "token":
            self.token = TokenServer(self.dir, self.user, self.password, "flr-test-registry", "flr-test-issuer")
            lines += ["auth:", "  token:", f"    realm: {self.token.realm}", "    service: flr-test-registry",
                      "    issuer: flr-test-issuer", f"    rootcertbundle: {self.token.cert_path}"]
        path = self.dir / "config.yml"
        path.write_text("\n".join(lines) + "\n")
        return path

    def start(self):
        if not hasattr(self, "config"):
            self.config = self._config()
        log = open(self.log_path, "a")
        self.proc = subprocess.Popen([REGISTRY_BIN, "serve", str(self.config)], stdout=log, stderr=log,
                                     start_new_session=True)
        log.close()
        wait_port(self.port, self.proc)

    def stop(self, sig=signal.SIGKILL):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=20)
        self.proc = None

    def __enter__(self):
        self.start()
        if self.auth:
            self.authfile = self.dir / "auth.json"
            auth = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
            fd = os.open(self.authfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                json.dump({"auths": {self.host: {"auth": auth}}}, f)
        return self

    def __exit__(self, *exc):
        self.stop()
        if self.token:
            self.token.close()

    def access_log(self):
        """(method, path) of every request the registry logged."""
        out = []
        for line in self.log_path.read_text().splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if "http.request.method" in entry and "http.response.status" in entry:
                out.append((entry["http.request.method"], entry.get("http.request.uri", "")))
        return out

    def skopeo_creds(self):
        return ["--creds", f"{self.user}:{self.password}"] if self.auth else []


class Proxy:
    """A counting HTTP proxy in front of a Registry. `rules` decide per request:
    a function (method, path, n) -> None (forward), ("status", code, headers) or "stop"
    (stop the registry, drop the connection, start the registry again after `restart_after`)."""

    def __init__(self, registry, restart_after=1.0):
        self.registry = registry
        self.requests = []  # (method, path, body bytes forwarded)
        self.rule = None
        self.lock = threading.Lock()
        self.restart_after = restart_after
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _any(self):
                proxy.handle(self)

            do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = _any

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.host = f"127.0.0.1:{self.port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def count(self, method, marker=""):
        return sum(1 for m, p, _ in self.requests if m == method and marker in p)

    def bytes(self, method):
        return sum(b for m, _, b in self.requests if m == method)

    def handle(self, h):
        length = int(h.headers.get("Content-Length") or 0)
        with self.lock:
            n = len(self.requests) + 1
            action = self.rule(h.command, h.path, n) if self.rule else None
        if action == "stop":
            self.requests.append((h.command, h.path, 0))
            self.registry.stop()

            def restart():
                time.sleep(self.restart_after)
                self.registry.start()

            threading.Thread(target=restart, daemon=True).start()
            h.close_connection = True
            h.connection.shutdown(socket.SHUT_RDWR)
            return
        if action:
            _, code, headers = action
            h.rfile.read(length)
            self.requests.append((h.command, h.path, 0))
            h.send_response(code)
            for k, v in headers.items():
                h.send_header(k, v)
            h.send_header("Content-Length", "0")
            h.end_headers()
            return
        body = h.rfile.read(length) if length else b""
        self.requests.append((h.command, h.path, len(body)))
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.registry.port, timeout=60)
            headers = {k: v for k, v in h.headers.items() if k.lower() not in ("connection",)}
            conn.request(h.command, h.path, body=body if length else None, headers=headers)
            r = conn.getresponse()
            data = r.read()
        except OSError:
            h.send_response(502)
            h.send_header("Content-Length", "0")
            h.end_headers()
            return
        h.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() not in ("content-length", "connection", "transfer-encoding"):
                h.send_header(k, v)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        if h.command != "HEAD":
            h.wfile.write(data)
        conn.close()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


# ---- test images

def _digest(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _tar_of(name, payload):
    import io
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        info = tarfile.TarInfo(name)
        info.size = len(payload)
        info.mtime = 0
        t.addfile(info, io.BytesIO(payload))
    return buf.getvalue()


def make_layers(sizes, seed=b"flr"):
    """Uncompressed layer tars holding `sizes` bytes of random-looking data each."""
    layers = []
    for i, size in enumerate(sizes):
        payload = hashlib.shake_256(seed + bytes([i])).digest(size) if size <= (1 << 20) else (
            os.urandom(size))
        layers.append(_tar_of(f"file{i}", payload))
    return layers


def make_layout(directory, layers, arch="amd64", tag="latest"):
    """An OCI image layout with one image; returns its manifest digest."""
    d = pathlib.Path(directory)
    (d / "blobs" / "sha256").mkdir(parents=True, exist_ok=True)
    (d / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')

    def put(data):
        digest = _digest(data)
        (d / "blobs" / "sha256" / digest[7:]).write_bytes(data)
        return digest

    config = json.dumps({"architecture": arch, "os": "linux",
                         "rootfs": {"type": "layers", "diff_ids": [_digest(l) for l in layers]}}).encode()
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": put(config),
                   "size": len(config)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": put(l), "size": len(l)}
                   for l in layers]}).encode()
    mdigest = put(manifest)
    (d / "index.json").write_text(json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": mdigest,
                       "size": len(manifest), "annotations": {"org.opencontainers.image.ref.name": tag}}]}))
    return mdigest


def make_oci_archive(layout, path):
    """Pack an OCI layout into an archive; the compression follows the name (.tar, .tar.gz, .tar.xz)."""
    mode = "w:xz" if str(path).endswith(".xz") else "w:gz" if str(path).endswith(".gz") else "w"
    with tarfile.open(path, mode) as t:
        for p in sorted(pathlib.Path(layout).rglob("*")):
            t.add(p, arcname=str(p.relative_to(layout)), recursive=False)


def make_docker_archive(path, layers):
    """A `docker save`-style archive: manifest.json, <id>.json config, <n>/layer.tar."""
    import io
    config = json.dumps({"architecture": "amd64", "os": "linux",
                         "rootfs": {"type": "layers", "diff_ids": [_digest(l) for l in layers]}}).encode()
    config_name = hashlib.sha256(config).hexdigest() + ".json"
    names = [f"{hashlib.sha256(l).hexdigest()}/layer.tar" for l in layers]
    manifest = json.dumps([{"Config": config_name, "RepoTags": ["fedora:40"], "Layers": names}]).encode()
    with tarfile.open(path, "w") as t:
        for name, data in [(config_name, config), *zip(names, layers), ("manifest.json", manifest)]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return config, layers


def blobs_of(layout):
    """{digest: bytes} of every blob file in an OCI layout."""
    root = pathlib.Path(layout) / "blobs" / "sha256"
    return {"sha256:" + p.name: p.read_bytes() for p in root.iterdir()}


def skopeo(*args, timeout=120):
    r = subprocess.run([SKOPEO, *map(str, args)], capture_output=True, text=False, timeout=timeout)
    if r.returncode != 0:
        raise AssertionError(f"skopeo {args}: {r.stderr.decode()}")
    return r.stdout
