"""flr-listen over amqps:// against a real RabbitMQ TLS listener that verifies the
client certificate (verify_peer, fail_if_no_peer_cert); certificates made with openssl."""

import os
import subprocess
import uuid

import pytest

from listen import Listener, binary, read_records, record_command, wait_for, write_config
from rabbitmq import RabbitMQ


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
