"""The bus bridged into the work queue by RabbitMQ's own shovel, set up by the shipped
examples/deploy/shovel with only its public broker URL substituted.

Two private nodes: "public" plays Fedora's bus (amq.topic, the durable source queue
the script declares there), "work" runs the shovel plugin and holds the durable queue
flr-listen consumes. Checked: messages published on public reach flr-listen with their
routing key, id and headers; with flr-listen stopped they wait in the work queue with
their properties; with the work node down they wait in the source queue and are
delivered when it is back; nothing is lost."""

import os
import re
import subprocess
import time
import uuid

import pytest

from flrtest import SOURCE_DIR
from listen import Listener, read_records, record_command, wait_for, write_config
from rabbitmq import RABBITMQ_BIN, RabbitMQ

SHOVEL = SOURCE_DIR / "examples" / "deploy" / "shovel"
TOPIC = "io.pagure.prod.pagure.issue.new"
WORK_QUEUE = "flr-releng"


def shipped():
    """The shipped script's text and the names it sets."""
    text = SHOVEL.read_text()
    names = dict(re.findall(r"^(PUBLIC_URI|WORK_URI|QUEUE)='?([^'\n]*)'?$", text, re.M))
    return text, names


@pytest.fixture(scope="module")
def nodes():
    with RabbitMQ() as public, RabbitMQ(plugins=["rabbitmq_shovel"]) as work:
        yield public, work


@pytest.fixture(scope="module")
def bridge(nodes, tmp_path_factory):
    """The shipped script, run as the operator runs it on the work node (its rabbitmqctl
    talks to the work node), the public broker's URL replaced by the private one's."""
    public, work = nodes
    text, names = shipped()
    script = tmp_path_factory.mktemp("shovel") / "shovel"
    script.write_text(text.replace(names["PUBLIC_URI"], public.url.replace("guest@", "guest:guest@")))
    env = dict(work.env(), PATH=f"{RABBITMQ_BIN}:{os.environ['PATH']}")
    r = subprocess.run(["sh", str(script)], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    wait_for(lambda: "running" in work.ctl("shovel_status").stdout, timeout=60, what="shovel running")
    return names["QUEUE"]


@pytest.fixture(scope="module")
def listen_config(nodes, tmp_path_factory):
    _, work = nodes
    tmp = tmp_path_factory.mktemp("listen")
    out = str(tmp / "records.jsonl")
    cfg = {"amqp": {"url": work.url, "queue": WORK_QUEUE, "heartbeat": 5},
           "routes": [{"name": "tickets", "topic": TOPIC,
                       "command": record_command(out, "tickets", "{topic}", "{id}", "{headers.fedora_messaging_schema}",
                                                 "{headers.sent-at}", "{body.n}")}]}
    return write_config(tmp, cfg), tmp, out


def publish(public, count, tag):
    """`count` messages as fedora-messaging publishes them; returns their ids."""
    ids = [f"{tag}-{i}-{uuid.uuid4().hex[:6]}" for i in range(count)]
    public.publish([(TOPIC, {"n": i}, {"fedora_messaging_schema": "base.message", "sent-at": f"2026-11-30T09:0{i}:00"},
                     mid) for i, mid in enumerate(ids)])
    return ids


def finished(out):
    return {r["fields"][1]: r["fields"] for r in read_records(out) if r["event"] == "end"}


def listen_until_done(listen_config, ids, what, timeout=60):
    """flr-listen started until every message of `ids` was handled, then stopped."""
    config, tmp, out = listen_config
    lis = Listener(config, tmp)
    try:
        wait_for(lambda: set(ids) <= set(finished(out)), timeout=timeout, what=what)
    finally:
        assert lis.stop() == 0


def test_published_on_public_reaches_flr_listen(nodes, bridge, listen_config):
    public, _ = nodes
    config, tmp, out = listen_config
    lis = Listener(config, tmp)
    try:
        ids = publish(public, 3, "live")
        wait_for(lambda: set(ids) <= set(finished(out)), timeout=60, what="3 messages through the shovel")
    finally:
        assert lis.stop() == 0
    for i, mid in enumerate(ids):
        assert finished(out)[mid] == [TOPIC, mid, "base.message", f"2026-11-30T09:0{i}:00", str(i)]


def test_listener_stopped_messages_wait_in_the_work_queue(nodes, bridge, listen_config):
    public, work = nodes
    ids = publish(public, 4, "stopped")
    wait_for(lambda: work.queue_depth(WORK_QUEUE) == (4, 0), timeout=60, what="4 messages in the work queue")
    assert public.queue_depth(bridge) == (0, 0)
    # Properties as published, seen in the work queue (the peeked message goes back).
    conn = work.connection()
    ch = conn.channel()
    method, props, body = ch.basic_get(WORK_QUEUE, auto_ack=False)
    assert method.routing_key == TOPIC and props.message_id == ids[0], (method, props)
    assert (props.content_type, props.content_encoding, props.delivery_mode) == ("application/json", "utf-8", 2)
    # A quorum work queue adds its own x-delivery-count; every header published is there.
    published = {k: v for k, v in props.headers.items() if k != "x-delivery-count"}
    assert published == {"fedora_messaging_schema": "base.message", "sent-at": "2026-11-30T09:00:00"}
    assert body == b'{"n": 0}'
    ch.basic_nack(method.delivery_tag, requeue=True)
    conn.close()
    listen_until_done(listen_config, ids, "the waiting messages")
    assert work.queue_depth(WORK_QUEUE) == (0, 0)


def test_work_node_down_messages_wait_in_the_source_queue(nodes, bridge, listen_config):
    public, work = nodes
    out = listen_config[2]
    work.stop_node()
    try:
        ids = publish(public, 5, "down")
        assert public.queue_depth(bridge) == (5, 0)
        time.sleep(1)
        assert public.queue_depth(bridge) == (5, 0)
    finally:
        work.start()
    listen_until_done(listen_config, ids, "the messages held on the public side", timeout=90)
    assert public.queue_depth(bridge) == (0, 0) and work.queue_depth(WORK_QUEUE) == (0, 0)
    # Nothing lost over the three tests: every message published reached flr-listen.
    assert len(finished(out)) == 3 + 4 + 5
