"""The scm-requests workflow end to end: pagure.io messages published to a real private
RabbitMQ, flr-listen (broker mode) with the example routes of examples/scm, the example
playbook run by a real ansible-playbook (connection local), flr-scm-request against the
stand-in and real bare dist-git repos. Every case of the issue: valid new_repo and
new_branch, each invalid rule closed Invalid, EPEL denied, a dist-git 500 recovered by
`@releng-bot retry`, help, valid from a non-maintainer and from a maintainer, a
redelivered message, the bot's own comments.

One broker, one stand-in, one flr-listen for the whole module; each test uses tickets of
its own.

The CI form publishes four invalid tickets (a ticket rule, a new_repo rule, a review-bug
rule, a new_branch rule); FLR_SCM_E2E_FULL=1 publishes one per validation rule
(test_scm.py checks every rule through the binaries in either form)."""

import os
import uuid

import pytest

from listen import Listener, ansible_cfg, wait_for, write_config
from pagure_messages import COMMENT, NEW
from scm_listen import route_config, scm_message
from scm_world import SCENARIOS, World


@pytest.fixture(scope="module")
def tmp(tmp_path_factory):
    return tmp_path_factory.mktemp("scm-e2e")


@pytest.fixture(scope="module")
def world(tmp):
    (tmp / "world").mkdir()
    w = World(tmp / "world")
    yield w
    w.stop()


@pytest.fixture(scope="module")
def listener(tmp, world, broker):
    queue = "flr-scm-" + uuid.uuid4().hex[:8]
    cfg = route_config(tmp, ansible_cfg(tmp), amqp={"url": broker.url, "queue": queue})
    cfg["workers"] = 3   # tickets in parallel; the jobs of one ticket stay in order
    lis = Listener(write_config(tmp, cfg), tmp, env={"FLR_CONFIG": str(world.config)})
    lis.queue = queue
    yield lis
    assert lis.stop() == 0


def new(tid):
    author, title, body = SCENARIOS[tid]
    return scm_message(NEW, tid, title, body, author=author)


def comment(world, tid, user, text):
    """`user` comments on the ticket (in the stand-in), and pagure.io says so on the bus."""
    world.add_comment(tid, user, text)
    author, title, body = SCENARIOS[tid]
    return scm_message(COMMENT, tid, title, body, author=author, agent=user, comment=text)


def publish(broker, *messages):
    broker.publish([(m["topic"], m["body"], m["headers"], m["id"]) for m in messages])


def settled(lis, *messages, timeout=120):
    """Wait until the last attempt of each message's job ended in exit 0."""
    for m in messages:
        needle = f'job id="{m["id"]}"'
        wait_for(lambda: any(needle in ln and 'status="exit 0"' in ln for ln in lis.text().splitlines()),
                 timeout=timeout, what=needle)


SENT = {}


def test_valid_new_repo(world, broker, listener):
    m = SENT["new_repo"] = new(1)
    publish(broker, m)
    settled(listener, m)
    assert world.git("newpkg", "rev-parse", "rawhide").returncode == 0, "a bare repo in the dist-git root"
    patch = [e for e in world.changes() if e["method"] == "PATCH" and e["path"] == "/distgit/api/0/rpms/newpkg"]
    assert patch and patch[0]["json"] == {"main_admin": "jdoe"}
    anitya = [e for e in world.changes() if e["path"] == "/distgit/_dg/anitya/rpms/newpkg"]
    assert anitya and anitya[0]["json"] == {"anitya_status": "monitoring"}
    bz = [e for e in world.changes() if e["path"] == "/rest/bug/101/comment"]
    assert bz and "/distgit/rpms/newpkg" in bz[0]["json"]["comment"]
    assert world.closed(1) == ["Processed"]


def test_redelivered_message_changes_nothing(world, broker, listener):
    before = world.changes()
    # The same message again, then a marker on the same ticket (so after it, in order).
    marker = scm_message(COMMENT, 1, *SCENARIOS[1][1:], author="jdoe", agent="jdoe", comment="thanks")
    publish(broker, SENT["new_repo"], marker)
    settled(listener, marker)
    assert world.changes() == before


def test_valid_new_branch(world, broker, listener):
    m = new(2)
    publish(broker, m)
    settled(listener, m)
    head = world.git("existing", "rev-parse", "rawhide").stdout.strip()
    assert world.git("existing", "rev-parse", "f44").stdout.strip() == head
    assert world.closed(2) == ["Processed"]


# ticket -> a phrase of the rule's message in the closing comment
INVALID = {3: "not one flr creates repositories in", 4: "^[a-zA-Z0-9_][a-zA-Z0-9-_.+]*$",
           5: "already exists in dist-git", 6: "monitoring-stable-scratch", 7: "a review bug is required",
           8: "not \"Package Review\"", 9: "not Fedora or Fedora EPEL", 10: "not assigned",
           11: "no fedora-review+", 12: "not by the assignee", 13: "more than 60 days ago",
           14: "Review Request: sumpkg - <summary>", 15: "not by the ticket's author jdoe",
           17: "does not exist in dist-git", 18: "not an active Fedora release",
           19: "must end on June 1st or December 1st", 20: "already exists", 24: "no ``` block"}


SHORT = (6, 13, 19, 24)


def test_each_invalid_request_is_closed_invalid_with_its_reason(world, broker, listener):
    tickets = INVALID if os.environ.get("FLR_SCM_E2E_FULL") else {t: INVALID[t] for t in SHORT}
    messages = [new(tid) for tid in tickets]
    publish(broker, *messages)
    settled(listener, *messages, timeout=300)
    for tid, phrase in tickets.items():
        assert world.closed(tid) == ["Invalid"], tid
        assert phrase in world.comments(tid)[-1], (tid, world.comments(tid))


def test_epel_branch_of_a_rhel_package_is_denied(world, broker, listener):
    m = new(22)
    publish(broker, m)
    settled(listener, m)
    assert world.closed(22) == ["Denied"]
    assert "already an EL package" in world.comments(22)[-1]


def test_distgit_500_is_recovered_by_retry(world, broker, listener):
    world.fail_next("/distgit/api/0/rpms/existing/git/branch", status=500, method="POST")
    m = new(26)
    publish(broker, m)
    # The first attempt fails and records it; flr-listen's retry finds the bot's own
    # report as the last comment and does nothing.
    settled(listener, m)
    assert world.comments(26)[-1].startswith("## Request stopped")
    assert world.closed(26) == []
    r = comment(world, 26, "alice", "@releng-bot retry")
    publish(broker, r)
    settled(listener, r)
    assert world.closed(26) == ["Processed"]
    assert world.git("existing", "rev-parse", "feature").returncode == 0


def test_help_is_answered(world, broker, listener):
    m = new(23)
    publish(broker, m)
    settled(listener, m)
    assert "not a request" in world.comments(23)[-1]
    h = comment(world, 23, "jdoe", "@releng-bot help")
    publish(broker, h)
    settled(listener, h)
    assert "`@releng-bot valid`" in world.comments(23)[-1]


def test_valid_from_a_non_maintainer_is_refused_from_a_maintainer_processes(world, broker, listener):
    m = new(21)
    publish(broker, m)
    settled(listener, m)
    assert "@alice, @carol" in world.comments(21)[-1]
    n = len(world.comments(21))
    chatter = comment(world, 21, "mallory", "any news?")
    publish(broker, chatter)
    settled(listener, chatter)
    assert len(world.comments(21)) == n + 1, "a comment that is no command gets no answer"
    v = comment(world, 21, "mallory", "@releng-bot valid")
    publish(broker, v)
    settled(listener, v)
    assert world.comments(21)[-1].startswith("@mallory: only a maintainer of rpms/existing")
    ok = comment(world, 21, "carol", "@releng-bot valid")
    publish(broker, ok)
    settled(listener, ok)
    assert world.closed(21) == ["Processed"]


def test_the_bots_own_comments_trigger_nothing(world, broker, listener):
    own = scm_message(COMMENT, 16, *SCENARIOS[16][1:], author="jdoe", agent="releng-bot", comment="report")
    m = new(16)
    publish(broker, own, m)
    settled(listener, m)
    wait_for(lambda: broker.queue_depth(listener.queue) == (0, 0), what="queue drained")
    assert f'job id="{own["id"]}"' not in listener.text()
    assert len(world.comments(16)) == 1 and "Approval needed" in world.comments(16)[0]
