"""pagure.io issue messages for the releng ticket queue, built from the fixtures in
tests/data/messages (fedora-messaging dumps of io.pagure.prod.pagure.issue.new and
...issue.comment.added, whose project is releng/fedora-scm-requests): the project
becomes pagure.io/releng (fullname "releng", no namespace), as for the tickets
`fedpkg request-unretirement` files, and the issue carries the given ticket."""

import copy
import json
import pathlib
import uuid

DATA = pathlib.Path(__file__).resolve().parents[1] / "data" / "messages"
NEW = "io.pagure.prod.pagure.issue.new"
COMMENT = "io.pagure.prod.pagure.issue.comment.added"


def _fixture(topic):
    return json.loads((DATA / (topic + ".json")).read_text())


def _releng_project(project):
    p = copy.deepcopy(project)
    p.update({"name": "releng", "namespace": None, "fullname": "releng", "url_path": "releng",
              "full_url": "https://pagure.io/releng", "description": "Fedora Release Engineering",
              "close_status": ["Processed", "Denied", "Invalid"]})
    return p


def issue_message(topic, ticket, title, content, author="jdoe", agent=None, comment=None, status="Open",
                  sent_at="2026-11-22T09:00:00+00:00"):
    """A full fedora-messaging dump: {topic, headers, id, body, queue, priority}."""
    m = _fixture(topic)
    body = m["body"]
    body["project"] = _releng_project(body["project"])
    issue = body["issue"]
    user = {"name": author, "fullname": author, "full_url": f"https://pagure.io/user/{author}",
            "url_path": f"user/{author}"}
    issue.update({"id": ticket, "title": title, "content": content, "status": status, "user": user,
                  "full_url": f"https://pagure.io/releng/issue/{ticket}"})
    agent = agent or author
    body["agent"] = agent
    if topic == COMMENT:
        c = issue["comments"][0]
        c.update({"comment": comment or "", "user": dict(user, name=agent, fullname=agent,
                                                          full_url=f"https://pagure.io/user/{agent}",
                                                          url_path=f"user/{agent}")})
        issue["comments"] = [c]
    m["headers"] = {k: v for k, v in m["headers"].items() if not k.startswith("fedora_messaging_user_")}
    m["headers"][f"fedora_messaging_user_{agent}"] = True
    m["headers"]["sent-at"] = sent_at
    m["id"] = str(uuid.uuid4())
    m["topic"] = topic
    return m


def scm_request_message():
    """The unchanged fixture: a ticket of releng/fedora-scm-requests (not ours)."""
    m = _fixture(NEW)
    m["id"] = str(uuid.uuid4())
    return m
