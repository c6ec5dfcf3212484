"""flr-listen over amqps:// against a real RabbitMQ TLS listener that verifies the
client certificate (verify_peer, fail_if_no_peer_cert); certificates made with openssl."""

import re
import subprocess
import uuid

import pytest

from flrtest import BUILD_DIR, SOURCE_DIR
from listen import Listener, binary, read_records, record_command, wait_for, write_config
from rabbitmq import RabbitMQ
from units import Service


@pytest.fixture(scope="module")
def broker():
    with RabbitMQ(tls=True) as b:
        yield b


def tls_config(broker, tmp_path, queue, routes, cert=True):
    password = tmp_path / "password"
    password.write_text("guest")
    password.chmod(0o600)
    tls = {"ca": broker.certs["ca"]}
    if cert:
        tls.update(cert=broker.certs["cert"], key=broker.certs["key"])
    return {"amqp": {"url": broker.tls_url, "password_file": str(password), "queue": queue, "tls": tls},
            "routes": routes}


def test_tls_with_a_client_certificate(broker, tmp_path):
    t, queue = f"t{uuid.uuid4().hex[:8]}", f"q{uuid.uuid4().hex[:8]}"
    out = str(tmp_path / "rec.jsonl")
    routes = [{"name": "tls", "topic": f"{t}.x", "command": record_command(out, "tls", "{body.n}")}]
    lis = Listener(write_config(tmp_path, tls_config(broker, tmp_path, queue, routes)), tmp_path)
    try:
        broker.publish([(f"{t}.x", {"n": 7}, {}, "tls-1")])
        wait_for(lambda: [r["fields"] for r in read_records(out) if r["event"] == "end"] == [["7"]],
                 what="the job over TLS")
        wait_for(lambda: broker.queue_depth(queue) == (0, 0), what="acked")
        conns = broker.ctl("list_connections", "-q", "--no-table-headers", "ssl", "peer_cert_subject").stdout
        assert "true" in conns and "CN=guest" in conns, conns
    finally:
        assert lis.stop() == 0


def test_tls_without_a_client_certificate_is_refused(broker, tmp_path):
    routes = [{"name": "a", "topic": "a", "command": ["/bin/true"]}]
    path = write_config(tmp_path, tls_config(broker, tmp_path, "q-nocert", routes, cert=False))
    p = subprocess.run([binary(), "--config", path], capture_output=True, text=True, timeout=60)
    assert p.returncode == 4 and len(p.stderr.splitlines()) == 1, p.stderr


def test_the_production_example_as_its_unit_runs_it(broker, tmp_path):
    """examples/listen/production.yaml as shipped, only its URL and paths moved, started
    with systemd/flr-listen@.service's own command line and environment: it logs in with
    its client certificate alone (SASL EXTERNAL, as on Fedora's broker), declares its
    quorum work queue with the delivery limit and its dead letter queue, binds its
    route's topic, writes its metrics, reloads on the unit's ExecReload and drains on
    SIGTERM."""
    root = tmp_path / "root"
    paths = {"/etc/flr/playbooks/": str(SOURCE_DIR / "examples" / "unretirement") + "/",
             "/etc/flr/": f"{root}/etc/flr/", "/var/lib/": f"{root}/var/lib/", "/run/": f"{root}/run/",
             "/usr/bin/": str(BUILD_DIR / "bin") + "/",
             "/etc/fedora-messaging/cacert.pem": broker.certs["ca"],
             "/etc/fedora-messaging/releng-cert.pem": broker.certs["cert"],
             "/etc/fedora-messaging/releng-key.pem": broker.certs["key"]}
    text = (SOURCE_DIR / "examples" / "listen" / "production.yaml").read_text()
    text = text.replace("amqps://releng@rabbitmq.fedoraproject.org/%2Fpubsub",
                        f"amqps://releng@localhost:{broker.tls_port}/%2F")
    for old, new in paths.items():
        text = re.sub(r"(?<=[ :])" + re.escape(old), new, text)
    textfile = root / "var/lib/prometheus/node-exporter/flr_listen_releng.prom"
    textfile.parent.mkdir(parents=True)
    config = root / "etc/flr/listen/releng.yaml"
    config.parent.mkdir(parents=True)
    config.write_text(text)
    unit = Service("flr-listen@.service", "releng", paths)
    assert unit.env["FLR_LISTEN_CONFIG"] == str(config) and unit.env["FLR_LISTEN_INSTANCE"] == "releng"
    lis = Listener(None, tmp_path, env=unit.env, command=unit.command())
    try:
        conns = broker.ctl("list_connections", "-q", "--no-table-headers", "auth_mechanism", "user").stdout
        assert "EXTERNAL\tguest" in conns, conns  # the certificate's CN, no password
        queues = broker.ctl("list_queues", "-q", "--no-table-headers", "name", "type", "arguments").stdout
        work = [line for line in queues.splitlines() if line.startswith("releng-flr\t")]
        assert len(work) == 1 and "\tquorum\t" in work[0] and "x-delivery-limit" in work[0], queues
        assert any(line.startswith("releng-flr.dead\t") for line in queues.splitlines()), queues
        bindings = broker.ctl("list_bindings", "-q", "--no-table-headers", "source_name", "destination_name",
                              "routing_key").stdout
        assert "amq.topic\treleng-flr\tio.pagure.prod.pagure.issue.new" in bindings, bindings
        # A ticket that is not an unretirement request: matched by topic, not by `when`.
        body = {"project": {"fullname": "releng"}, "issue": {"id": 9, "title": "Please fix the compose"}}
        broker.publish([("io.pagure.prod.pagure.issue.new", body, {}, "prod-1")])
        wait_for(lambda: broker.queue_depth("releng-flr") == (0, 0), what="acked without a run")
        wait_for(textfile.exists, what="the metrics textfile")
        assert "flr_listen_connected 1" in textfile.read_text()
        subprocess.run(unit.command("ExecReload", MAINPID=str(lis.proc.pid)), check=True, timeout=30)
        lis.wait_log("SIGHUP: reloaded 1 route(s)")
        assert (root / "var/lib/flr/listen/releng.db").exists()  # the journal in StateDirectory=
    finally:
        assert lis.stop() == 0
    s = lis.summary()
    assert (s["received"], s["routed"], s["unrouted"]) == ("1", "0", "1"), s
