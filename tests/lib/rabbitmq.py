"""A private RabbitMQ node for tests: started as the current user from Debian's
/usr/lib/rabbitmq/bin/rabbitmq-server, on 127.0.0.1 with free ports, its own node
name, epmd, cookie and data under a temp dir; stopped (with its epmd) at the end.

    with RabbitMQ() as broker:
        broker.url            # amqp://guest@127.0.0.1:PORT/%2F
        broker.publish(...)   # pika
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid

from flrtest import Service

RABBITMQ_BIN = "/usr/lib/rabbitmq/bin"
# How often a quorum queue publishes its figures to rabbitmqctl (RabbitMQ: 5 s); the
# tests read them while things happen, so their private brokers tick faster.
QUORUM_TICK_MS = 200


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_port_with_dist():
    """A port P with P+20000 free too (RabbitMQ's distribution port)."""
    for _ in range(100):
        port = free_port()
        if port + 20000 > 65535:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port + 20000))
            except OSError:
                continue
        return port
    raise RuntimeError("no free port pair")


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_certificates(d):
    """A CA, a server certificate for 127.0.0.1/localhost and a client certificate
    (CN=guest), all signed by the CA; files in directory d."""
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=flr test CA",
            "-keyout", "ca.key", "-out", "ca.pem", cwd=d)
    for name, cn, ext in (("server", "localhost", "subjectAltName=IP:127.0.0.1,DNS:localhost"),
                          ("client", "guest", "extendedKeyUsage=clientAuth")):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={cn}", "-keyout", f"{name}.key",
                "-out", f"{name}.csr", cwd=d)
        with open(os.path.join(d, f"{name}.ext"), "w") as f:
            f.write(ext + "\n")
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", "2", "-extfile", f"{name}.ext", "-out", f"{name}.pem", cwd=d)
        os.chmod(os.path.join(d, f"{name}.key"), 0o600)


def terminate(proc):
    if proc and proc.poll() is None:
        proc.terminate()
        proc.wait()


class RabbitMQ(Service):
    """tls=True adds a TLS listener (self.tls_port) that requires a client certificate
    signed by the test CA (verify_peer, fail_if_no_peer_cert) and takes PLAIN or EXTERNAL
    (the certificate's CN, guest) logins; self.certs names the files.
    plugins: the plugins to enable (rabbitmq_shovel, ...)."""

    def __init__(self, tls=False, plugins=()):
        self.dir = tempfile.mkdtemp(prefix="flr-rabbitmq-")
        self.tls = tls
        self.extra_plugins = list(plugins)
        self.tls_port = free_port() if tls else None
        self.certs = {}
        self.port = free_port_with_dist()
        self.epmd_port = free_port()
        self.node = f"flr-test-{uuid.uuid4().hex[:10]}@localhost"
        self.pid_file = os.path.join(self.dir, "rabbit.pid")
        self.server = None
        self.epmd = None

    @property
    def url(self):
        return f"amqp://guest@127.0.0.1:{self.port}/%2F"

    @property
    def tls_url(self):
        return f"amqps://guest@localhost:{self.tls_port}/%2F"  # the certificate names localhost

    def tls_config(self):
        d = os.path.join(self.dir, "certs")
        os.makedirs(d, exist_ok=True)
        make_certificates(d)
        self.certs = {k: os.path.join(d, f) for k, f in
                      (("ca", "ca.pem"), ("cert", "client.pem"), ("key", "client.key"))}
        return (f"listeners.ssl.default = {self.tls_port}\n"
                f"ssl_options.cacertfile = {d}/ca.pem\n"
                f"ssl_options.certfile = {d}/server.pem\n"
                f"ssl_options.keyfile = {d}/server.key\n"
                "ssl_options.verify = verify_peer\n"
                "ssl_options.fail_if_no_peer_cert = true\n"
                # A client certificate alone logs in as its CN (SASL EXTERNAL).
                "auth_mechanisms.1 = PLAIN\n"
                "auth_mechanisms.2 = AMQPLAIN\n"
                "auth_mechanisms.3 = EXTERNAL\n"
                "ssl_cert_login_from = common_name\n")

    def env(self):
        erl_args = "-kernel inet_dist_use_interface {127,0,0,1}"
        env = dict(os.environ)
        env.update({
            "HOME": self.dir,
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.port + 20000),
            "RABBITMQ_MNESIA_BASE": os.path.join(self.dir, "mnesia"),
            "RABBITMQ_LOG_BASE": os.path.join(self.dir, "log"),
            "RABBITMQ_PID_FILE": self.pid_file,
            "RABBITMQ_CONF_ENV_FILE": os.path.join(self.dir, "rabbitmq-env.conf"),
            "RABBITMQ_CONFIG_FILE": os.path.join(self.dir, "rabbitmq"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": os.path.join(self.dir, "advanced.config"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": os.path.join(self.dir, "enabled_plugins"),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
            "ERL_EPMD_PORT": str(self.epmd_port),
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": erl_args,
            "RABBITMQ_CTL_ERL_ARGS": erl_args,
        })
        return env

    def ctl(self, *args, check=True, timeout=60):
        return subprocess.run([f"{RABBITMQ_BIN}/rabbitmqctl", "-n", self.node, *args], env=self.env(),
                              check=check, capture_output=True, text=True, timeout=timeout)

    def config_text(self):
        """rabbitmq.conf (a cluster node adds its listeners)."""
        text = "loopback_users = none\nlog.console = false\nlog.file.level = warning\n"
        return text + (self.tls_config() if self.tls else "")

    def plugins(self):
        return list(self.extra_plugins) + (["rabbitmq_auth_mechanism_ssl"] if self.tls else [])

    def start_epmd(self, env):
        epmd = shutil.which("epmd") or "/usr/bin/epmd"
        self.epmd = subprocess.Popen([epmd, "-address", "127.0.0.1", "-port", str(self.epmd_port)], env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def start(self):
        self.launch()
        return self.wait_started()

    def launch(self):
        """Writes the node's files and starts it (and its epmd) without waiting."""
        with open(os.path.join(self.dir, "rabbitmq-env.conf"), "w") as f:
            f.write("")
        with open(os.path.join(self.dir, "rabbitmq.conf"), "w") as f:
            f.write(self.config_text())
        with open(os.path.join(self.dir, "advanced.config"), "w") as f:
            f.write(f"[{{rabbit, [{{quorum_tick_interval, {QUORUM_TICK_MS}}}]}}].\n")
        with open(os.path.join(self.dir, "enabled_plugins"), "w") as f:
            f.write("[" + ",".join(self.plugins()) + "].\n")
        env = self.env()
        self.start_epmd(env)
        log = open(os.path.join(self.dir, "server.out"), "w")
        self.server = subprocess.Popen([f"{RABBITMQ_BIN}/rabbitmq-server"], env=env, stdout=log,
                                       stderr=subprocess.STDOUT, start_new_session=True)

    def wait_started(self):
        deadline = time.time() + 90
        while time.time() < deadline:
            if self.server.poll() is not None:
                raise RuntimeError("rabbitmq-server exited: " + self.server_log())
            if os.path.exists(self.pid_file):
                break
            time.sleep(0.2)
        self.ctl("wait", self.pid_file, timeout=90)
        return self

    def server_log(self):
        with contextlib.suppress(OSError), open(os.path.join(self.dir, "server.out")) as f:
            return f.read()[-3000:]
        return ""

    def stop(self):
        self.stop_node()
        shutil.rmtree(self.dir, ignore_errors=True)

    def stop_node(self):
        """Stop the node and its epmd, keeping its data: start() brings it back with its
        durable queues, persistent messages and runtime parameters."""
        if self.server and self.server.poll() is None:
            with contextlib.suppress(Exception):
                self.ctl("stop", self.pid_file, timeout=60)
            try:
                self.server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.server.pid, signal.SIGKILL)
                self.server.wait()
        terminate(self.epmd)

    # --- helpers for tests (pika) ---
    def connection(self):
        import pika
        params = pika.ConnectionParameters(host="127.0.0.1", port=self.port,
                                           credentials=pika.PlainCredentials("guest", "guest"))
        return pika.BlockingConnection(params)

    def publish(self, messages, exchange="amq.topic"):
        """Publish (topic, body-bytes-or-obj, headers, message_id) tuples."""
        import json
        import pika
        conn = self.connection()
        ch = conn.channel()
        ch.confirm_delivery()
        for topic, body, headers, msg_id in messages:
            if not isinstance(body, (bytes, str)):
                body = json.dumps(body)
            props = pika.BasicProperties(content_type="application/json", content_encoding="utf-8",
                                         delivery_mode=2, headers=headers or {}, message_id=msg_id)
            ch.basic_publish(exchange, topic, body, props)
        conn.close()

    def restart_app(self, down_seconds=2.0):
        """Stop the broker application (every connection is closed), wait, start it again.
        Durable queues and persistent messages survive, as in a broker restart."""
        self.ctl("stop_app")
        time.sleep(down_seconds)
        self.ctl("start_app")

    @contextlib.contextmanager
    def frozen(self):
        """The broker stopped (SIGSTOP) inside the block: connections stay open, silent."""
        os.killpg(self.server.pid, signal.SIGSTOP)
        try:
            yield
        finally:
            os.killpg(self.server.pid, signal.SIGCONT)

    def close_connections(self, reason="test"):
        """rabbitmqctl close_connection for every client connection; returns how many."""
        out = self.ctl("list_connections", "-q", "--no-table-headers", "pid").stdout
        pids = [line.strip() for line in out.splitlines() if line.strip()]
        for pid in pids:
            self.ctl("close_connection", pid, reason)
        return len(pids)

    def queue_depth(self, queue):
        """(ready, unacked) from rabbitmqctl, as they were at the call or later: a quorum
        queue publishes its figures once a tick, so a read at once could be a tick old
        (and say (0, 0) for messages just published)."""
        time.sleep(3 * QUORUM_TICK_MS / 1000)
        out = self.ctl("list_queues", "-q", "--no-table-headers", "name", "messages_ready",
                       "messages_unacknowledged").stdout
        for line in out.splitlines():
            parts = line.split()
            if parts and parts[0] == queue:
                return int(parts[1]), int(parts[2])
        return None
