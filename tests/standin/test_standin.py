"""Tests of the stand-in services (flr_standin.py) and make_distgit.py.

Run with: python3 -m pytest -q tests/standin
"""

import json
import os
import pathlib
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import xmlrpc.client
import xml.etree.ElementTree as ET

import pytest

import make_distgit
from standin_services.koji import dumps_response

HERE = pathlib.Path(__file__).resolve().parent
SERVER = HERE / "flr_standin.py"
SEED = HERE / "seed-example.yaml"
FIXTURES = pathlib.Path(os.environ.get("FLR_SHARED_DIR", HERE.parents[2] / "shared")) / "fixtures" / "apis"

PAGURE_TOKEN = {"Authorization": "token pagure-token"}
DISTGIT_TOKEN = {"Authorization": "token distgit-token"}
BZ_KEY = "bugzilla-key"
REASON = "Orphaned for 6+ weeks"


# ---------------------------------------------------------------- helpers

def fixture(name):
    path = FIXTURES / (name + ".json")
    if not path.exists():
        pytest.skip("shared API fixtures not found at %s" % FIXTURES)
    return json.loads(path.read_text())


def assert_shape(actual, sample, where="$"):
    """Every key of ``sample`` is in ``actual`` with a value of the same kind.

    None on either side matches anything (nullable fields); lists compare
    their first elements.
    """
    if sample is None or actual is None:
        return
    if isinstance(sample, dict):
        assert isinstance(actual, dict), "%s: expected an object, got %r" % (where, actual)
        for key, value in sample.items():
            assert key in actual, "%s: missing key %r" % (where, key)
            assert_shape(actual[key], value, "%s.%s" % (where, key))
    elif isinstance(sample, list):
        assert isinstance(actual, list), "%s: expected a list, got %r" % (where, actual)
        if sample and actual:
            assert_shape(actual[0], sample[0], where + "[0]")
    elif isinstance(sample, bool):
        assert isinstance(actual, bool), "%s: expected a bool, got %r" % (where, actual)
    elif isinstance(sample, (int, float)):
        assert isinstance(actual, (int, float)) and not isinstance(actual, bool), \
            "%s: expected a number, got %r" % (where, actual)
    else:
        assert isinstance(actual, type(sample)), "%s: expected %s, got %r" % (where, type(sample).__name__, actual)


def request(method, url, data=None, json_body=None, headers=None, timeout=5):
    """(status, headers, body bytes) of one HTTP request; HTTP errors are returned."""
    headers = dict(headers or {})
    body = None
    if json_body is not None:
        body = json.dumps(json_body).encode()
        headers["Content-Type"] = "application/json"
    elif data is not None:
        body = urllib.parse.urlencode(data).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    req = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def jreq(method, url, **kwargs):
    status, _headers, body = request(method, url, **kwargs)
    return status, json.loads(body)


def start_server(tmp, *extra, name="standin"):
    ready = tmp / (name + ".ready")
    journal = tmp / (name + ".journal")
    proc = subprocess.Popen([sys.executable, str(SERVER), "--port", "0", "--ready-file", str(ready),
                             "--seed", str(SEED), "--journal", str(journal), *extra],
                            stderr=subprocess.PIPE)
    deadline = time.time() + 10
    while not ready.exists():
        if proc.poll() is not None or time.time() > deadline:
            proc.kill()
            raise RuntimeError("stand-in did not start: %s" % proc.stderr.read().decode())
        time.sleep(0.02)
    info = json.loads(ready.read_text())
    return proc, info, journal


def stop_server(proc):
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    proc.stderr.close()


def git(repo, *args):
    return subprocess.run(["git", "--git-dir", str(repo), *args], capture_output=True, text=True,
                          check=True).stdout.strip()


class Server:
    def __init__(self, url, journal, root, repos):
        self.url = url
        self.journal_path = journal
        self.root = root
        self.repos = repos

    def journal(self):
        return jreq("GET", self.url + "/_standin/journal")[1]

    def koji(self, query="", **kwargs):
        return xmlrpc.client.ServerProxy(self.url + "/kojihub" + query, allow_none=True,
                                         use_builtin_types=True, **kwargs)


def kw(**kwargs):
    """Keyword arguments the way koji's ClientSession encodes them."""
    return dict(kwargs, __starstar=True)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("standin")
    root = tmp / "distgit"
    repos = {
        "nethack": make_distgit.make_repo(root, "nethack", scenario="retired",
                                          branches=["rawhide", "f43", "f42:active"], reason=REASON),
        "foo": make_distgit.make_repo(root, "foo", scenario="unretired", branches=["rawhide", "f43"],
                                      shared_retirement=True),
    }
    proc, info, journal = start_server(tmp, "--distgit-root", str(root))
    assert info["pid"] == proc.pid
    try:
        yield Server(info["url"], journal, root, repos)
    finally:
        stop_server(proc)


@pytest.fixture(autouse=True)
def fresh_state(request):
    if "server" in request.fixturenames:
        srv = request.getfixturevalue("server")
        assert jreq("POST", srv.url + "/_standin/reset")[0] == 200


# ------------------------------------------------------------ server basics

def test_ready_file_url_and_unknown_paths(server):
    assert server.url.startswith("http://127.0.0.1:")
    assert request("GET", server.url + "/nowhere")[0] == 404
    assert request("GET", server.url + "/pagure/not/an/endpoint")[0] == 404
    assert jreq("GET", server.url + "/_standin/nothing")[0] == 404


# ------------------------------------------------------------------ pagure

def test_pagure_issue_matches_fixture(server):
    sample = fixture("pagure_issue")
    status, issue = jreq("GET", server.url + "/pagure/api/0/releng/issue/12")
    assert status == 200
    assert_shape(issue, sample["response_200"])
    assert issue["id"] == 12 and issue["user"] == {"fullname": "Jane Doe", "name": "jdoe"}
    assert issue["comments"][0]["comment"] == "Looking at it."
    assert issue["date_created"].isdigit()
    assert jreq("GET", server.url + "/pagure/api/0/releng/issue/12?comments=false")[1]["comments"] == []

    status, body = jreq("GET", server.url + "/pagure/api/0/releng/issue/999")
    assert (status, body) == (404, sample["response_404"])
    status, body = jreq("GET", server.url + "/pagure/api/0/nope/issue/1")
    assert (status, body) == (404, fixture("pagure_error")["examples"][0])


def test_pagure_issue_list_pagination_and_filters(server):
    sample = fixture("pagure_issues_list")["response_200"]
    base = server.url + "/pagure/api/0/releng/fedora-scm-requests/issues"
    status, page1 = jreq("GET", base + "?status=Open&per_page=1")
    assert status == 200
    assert_shape(page1, sample)
    assert set(page1) == set(sample)
    assert page1["total_issues"] == 1 and page1["issues"][0]["id"] == 2   # newest first
    pagination = page1["pagination"]
    assert (pagination["page"], pagination["pages"], pagination["per_page"]) == (1, 2, 1)
    assert pagination["prev"] is None and pagination["first"].startswith(base)
    status, page2 = jreq("GET", pagination["next"])
    assert [i["id"] for i in page2["issues"]] == [1]
    assert page2["pagination"]["next"] is None and page2["pagination"]["prev"]
    assert "status=Open" in page2["pagination"]["prev"]

    releng = server.url + "/pagure/api/0/releng/issues"
    assert [i["id"] for i in jreq("GET", releng)[1]["issues"]] == [12]           # Open by default
    assert [i["id"] for i in jreq("GET", releng + "?status=all")[1]["issues"]] == [12, 13]
    assert [i["id"] for i in jreq("GET", releng + "?status=Closed")[1]["issues"]] == [13]
    assert [i["id"] for i in jreq("GET", releng + "?status=Fixed")[1]["issues"]] == [13]
    assert [i["id"] for i in jreq("GET", releng + "?status=all&order=asc")[1]["issues"]] == [13, 12]
    assert [i["id"] for i in jreq("GET", releng + "?status=all&tags=unretirement")[1]["issues"]] == [12]
    assert [i["id"] for i in jreq("GET", releng + "?status=all&tags=!unretirement")[1]["issues"]] == [13]
    assert [i["id"] for i in jreq("GET", releng + "?status=all&author=releng")[1]["issues"]] == [13]
    since = int(time.time()) - 10 * 86400
    assert [i["id"] for i in jreq("GET", releng + "?status=all&since=%d" % since)[1]["issues"]] == [12]
    assert jreq("GET", releng + "?since=2020-13-45")[1]["error_code"] == "EDATETIME"
    assert jreq("GET", releng + "?per_page=101") == (400, {
        "error": "The per_page value must be between 1 and 100", "error_code": "EINVALIDPERPAGEVALUE"})
    assert jreq("GET", releng + "?page=0")[1]["error_code"] == "EINVALIDREQ"


def test_pagure_comment_status_and_journal(server):
    issue_url = server.url + "/pagure/api/0/releng/issue/12"
    status, body = jreq("POST", issue_url + "/comment", data={"comment": "hello"})
    assert status == 401 and body["error_code"] == "EINVALIDTOK"
    assert body == {"error": body["error"], "error_code": "EINVALIDTOK"}
    status, body = jreq("POST", issue_url + "/comment", data={"comment": "Done."}, headers=PAGURE_TOKEN)
    assert status == 200
    assert_shape(body, fixture("pagure_issue_comment")["response_200"])
    assert body["message"] == "Comment added"
    assert jreq("GET", issue_url)[1]["comments"][-1]["comment"] == "Done."

    status, body = jreq("POST", issue_url + "/status", data={"status": "Closed", "close_status": "Fixed"},
                        headers=PAGURE_TOKEN)
    assert (status, body) == (200, fixture("pagure_issue_status")["response_200"] | {
        "message": "Successfully edited issue #12"})
    issue = jreq("GET", issue_url)[1]
    assert (issue["status"], issue["close_status"], issue["closed_by"]["name"]) == ("Closed", "Fixed", "releng")
    status, body = jreq("POST", issue_url + "/status", data={"status": "Bogus"}, headers=PAGURE_TOKEN)
    assert status == 400 and body["error_code"] == "EINVALIDREQ" and body["errors"] == {"status": ["Not a valid choice"]}
    status, body = jreq("POST", issue_url + "/comment", data={"comment": " "}, headers=PAGURE_TOKEN)
    assert status == 400 and "comment" in body["errors"]

    entries = server.journal()
    assert [(e["service"], e["path"], e["auth"], e["status"]) for e in entries] == [
        ("pagure", "/pagure/api/0/releng/issue/12/comment", False, 401),
        ("pagure", "/pagure/api/0/releng/issue/12/comment", True, 200),
        ("pagure", "/pagure/api/0/releng/issue/12/status", True, 200),
        ("pagure", "/pagure/api/0/releng/issue/12/status", True, 400),
        ("pagure", "/pagure/api/0/releng/issue/12/comment", True, 400),
    ]
    assert entries[1]["form"] == {"comment": "Done."} and entries[1]["call"] is None
    file_entries = [json.loads(line) for line in server.journal_path.read_text().splitlines()]
    assert file_entries == entries
    assert "pagure-token" not in server.journal_path.read_text()


def test_pagure_new_issue_and_users(server):
    status, body = jreq("POST", server.url + "/pagure/api/0/releng/new_issue",
                        json_body={"title": "Unretire rpms/foo", "issue_content": "please"},
                        headers={"Authorization": "token jdoe-token"})
    assert status == 200 and body["message"] == "Issue created"
    assert_shape(body, fixture("pagure_new_issue")["response_200"])
    assert body["issue"]["user"]["name"] == "jdoe" and body["issue"]["id"] == 14
    assert jreq("GET", server.url + "/pagure/api/0/releng/issue/14")[1]["title"] == "Unretire rpms/foo"

    status, users = jreq("GET", server.url + "/pagure/api/0/users?pattern=akh")
    assert status == 200 and users["users"] == ["akhairna"] and users["total_users"] == 1
    assert_shape(users, fixture("pagure_users_query")["response_200"])
    assert jreq("GET", server.url + "/distgit/api/0/users?pattern=nobody-here")[1]["users"] == []


# ------------------------------------------------------------------ distgit

def test_distgit_project_and_main_admin(server):
    url = server.url + "/distgit/api/0/rpms/nethack"
    status, project = jreq("GET", url)
    assert status == 200
    assert_shape(project, fixture("pagure_project")["response_200"])
    assert project["access_users"]["owner"] == ["orphan"] and project["fullname"] == "rpms/nethack"
    assert jreq("GET", server.url + "/distgit/api/0/rpms/nope") == (404, fixture("pagure_project")["response_404"])
    # Repos found under --distgit-root are projects too.
    assert jreq("GET", server.url + "/distgit/api/0/rpms/foo")[1]["access_users"]["owner"] == ["releng"]

    assert jreq("PATCH", url, json_body={"main_admin": "jdoe"})[0] == 401
    status, body = jreq("PATCH", url, json_body={"main_admin": "nobody-known"}, headers=DISTGIT_TOKEN)
    assert (status, body["error_code"]) == (400, "ENOUSER")
    status, body = jreq("PATCH", url, json_body={"main_admin": "jdoe"}, headers=DISTGIT_TOKEN)
    assert status == 200 and body["access_users"]["owner"] == ["jdoe"] and body["user"]["name"] == "jdoe"
    assert jreq("GET", url)[1]["access_users"]["owner"] == ["jdoe"]
    # The pagure.io token means nothing to dist-git.
    assert jreq("PATCH", url, json_body={"main_admin": "releng"}, headers=PAGURE_TOKEN)[0] == 401
    assert [e["service"] for e in server.journal()] == ["distgit"] * 4


def test_distgit_raw_files_from_git_and_memory(server):
    raw = server.url + "/distgit/rpms/%s/raw/%s/f/%s"
    for branch in ("rawhide", "f43"):
        status, _h, body = request("GET", raw % ("nethack", branch, "dead.package"))
        assert (status, body.decode()) == (200, REASON + "\n")
    assert request("GET", raw % ("nethack", "f42", "dead.package"))[0] == 404
    status, headers, body = request("HEAD", raw % ("nethack", "rawhide", "dead.package"))
    assert (status, headers["Content-Length"], body) == (200, str(len(REASON) + 1), b"")
    assert request("GET", raw % ("nethack", "f42", "nethack.spec"))[0] == 200
    assert request("GET", raw % ("nethack", "rawhide", "nethack.spec"))[0] == 404
    assert request("GET", raw % ("foo", "rawhide", "dead.package"))[0] == 404
    assert request("GET", raw % ("nope", "rawhide", "dead.package"))[0] == 404
    # bash has no repo on disk: its seeded in-memory state answers.
    assert request("GET", raw % ("bash", "rawhide", "dead.package"))[0] == 404


def test_distgit_branches_urls_and_new_branch(server):
    base = server.url + "/distgit/api/0/rpms/nethack/git"
    status, branches = jreq("GET", base + "/branches")
    assert_shape(branches, fixture("pagure_git_branches")["response_200"])
    assert branches == {"branches": ["f42", "f43", "rawhide"], "default": "rawhide", "total_branches": 3}
    status, full = jreq("GET", base + "/branches?with_commits=1")
    assert full["branches"]["rawhide"] == server.repos["nethack"]["branches"]["rawhide"]
    assert full["default"] == {"rawhide": full["branches"]["rawhide"]}

    status, urls = jreq("GET", base + "/urls")
    assert_shape(urls, fixture("pagure_git_urls")["response_200"])
    assert urls["urls"]["ssh"] == "ssh://git@pkgs.example.org/rpms/nethack.git"
    assert urls["urls"]["git"] == "file://" + server.repos["nethack"]["path"]

    assert jreq("POST", base + "/branch", data={"branch": "f44"})[0] == 401
    status, body = jreq("POST", base + "/branch", data={"branch": "epel10", "from_branch": "f42"},
                        headers=DISTGIT_TOKEN)
    assert (status, body) == (200, fixture("pagure_git_branch_create")["response_200"])
    history = git(server.repos["nethack"]["path"], "rev-parse", "rawhide~1")
    status, body = jreq("POST", base + "/branch", data={"branch": "f44", "from_commit": history},
                        headers=DISTGIT_TOKEN)
    assert status == 200
    repo = server.repos["nethack"]["path"]
    assert git(repo, "rev-parse", "epel10") == server.repos["nethack"]["branches"]["f42"]
    assert git(repo, "rev-parse", "f44") == history
    for data, message in [({"branch": "f44", "from_branch": "rawhide"}, 'The branch "f44" already exists'),
                          ({"branch": "x", "from_branch": "f99"}, 'The "f99" branch does not exist'),
                          ({"branch": "x", "from_commit": "0" * 40}, 'The commit "%s" was not found' % ("0" * 40))]:
        assert jreq("POST", base + "/branch", data=data, headers=DISTGIT_TOKEN) == (
            400, {"error": message, "error_code": "ENOCODE"})
    assert jreq("POST", base + "/branch", data={"branch": "x", "from_branch": "f42", "from_commit": history},
                headers=DISTGIT_TOKEN)[1]["error_code"] == "EINVALIDREQ"
    assert jreq("POST", base + "/branch", data={"branch": "--force", "from_branch": "f42"},
                headers=DISTGIT_TOKEN)[1]["error_code"] == "EGITERROR"

    # Reset puts the bare repo's refs back as they were when the server loaded them.
    assert jreq("POST", server.url + "/_standin/reset")[0] == 200
    assert "f44" not in git(repo, "branch", "--list")
    assert jreq("GET", base + "/branches")[1]["total_branches"] == 3


def test_distgit_new_project(server):
    url = server.url + "/distgit/api/0/new"
    body = {"namespace": "rpms", "name": "newpkg", "description": "The newpkg package", "url": "",
            "create_readme": "true", "wait": True}
    assert jreq("POST", url, json_body=body)[0] == 401
    status, answer = jreq("POST", url, json_body=body, headers=DISTGIT_TOKEN)
    assert (status, answer) == (200, {"message": 'Project "rpms/newpkg" created'})
    status, answer = jreq("POST", url, json_body=dict(body, name="queued", wait=False), headers=DISTGIT_TOKEN)
    assert_shape(answer, fixture("pagure_new_project")["response_200_wait_false"])
    assert jreq("POST", url, json_body=body, headers=DISTGIT_TOKEN)[1]["error_code"] == "ENOCODE"
    assert jreq("POST", url, json_body={"name": "x"}, headers=DISTGIT_TOKEN)[1]["errors"] == {
        "description": ["This field is required."]}

    repo = server.root / "rpms" / "newpkg.git"
    assert git(repo, "show", "rawhide:README.md").startswith("# newpkg")
    status, project = jreq("GET", server.url + "/distgit/api/0/rpms/newpkg")
    assert project["access_users"]["owner"] == ["releng"]
    assert jreq("GET", server.url + "/distgit/api/0/rpms/newpkg/git/branches")[1]["branches"] == ["rawhide"]
    status, acls = jreq("POST", server.url + "/distgit/api/0/rpms/newpkg/git/generateacls",
                        json_body={"wait": False}, headers=DISTGIT_TOKEN)
    assert_shape(acls, fixture("pagure_generateacls")["response_200"])

    assert jreq("POST", server.url + "/_standin/reset")[0] == 200
    assert not repo.exists()
    assert jreq("GET", server.url + "/distgit/api/0/rpms/newpkg")[0] == 404


def test_distgit_anitya(server):
    sample = fixture("distgit_dg_anitya")
    url = server.url + "/distgit/_dg/anitya/rpms/bash"
    status, body = jreq("GET", url)
    assert (status, body) == (200, {"monitoring": "monitoring"})
    assert_shape(body, sample["get"]["response_200"])
    assert jreq("POST", url, json_body=sample["set"]["body"])[0] == 401
    status, body = jreq("POST", url, json_body={"anitya_status": "monitoring-with-scratch"}, headers=DISTGIT_TOKEN)
    assert (status, body) == (200, {"monitoring": "monitoring-with-scratch"})
    assert jreq("GET", url)[1] == {"monitoring": "monitoring-with-scratch"}
    status, body = jreq("POST", url, json_body={"anitya_status": "sometimes"}, headers=DISTGIT_TOKEN)
    assert status == 400 and body["errors"] == {"anitya_status": ["Not a valid choice"]}
    assert jreq("GET", server.url + "/distgit/_dg/anitya/rpms/nope")[0] == 404
    assert request("GET", server.url + "/pagure/_dg/anitya/rpms/bash")[0] == 404
    assert [e["json"] for e in server.journal()] == [
        {"anitya_status": "monitoring"}, {"anitya_status": "monitoring-with-scratch"},
        {"anitya_status": "sometimes"}]


# -------------------------------------------------------------------- koji

def test_koji_reads_match_fixtures(server):
    hub = server.koji()
    build = hub.getBuild("bash-5.2.26-3.fc40")
    assert_shape(build, fixture("koji_getBuild")["response"])
    assert hub.getBuild(2421063)["nvr"] == build["nvr"]
    assert hub.getBuild({"name": "bash", "version": "5.2.26", "release": "3.fc40"})["id"] == 2421063
    assert hub.getBuild("nope-1-1") is None

    latest = hub.getLatestBuilds("f40-updates", kw(package="bash"))
    assert_shape(latest, fixture("koji_getLatestBuilds")["response"])
    assert [b["nvr"] for b in latest] == ["bash-5.2.26-4.fc40"]
    tagged = hub.listTagged("f40-updates", kw(package="bash"))
    assert_shape(tagged, fixture("koji_listTagged")["response"])
    assert [b["nvr"] for b in tagged] == ["bash-5.2.26-4.fc40", "bash-5.2.26-3.fc40"]
    inherited = hub.listTagged("f40-updates-candidate", kw(inherit=True, latest=True))
    assert {(b["nvr"], b["tag_name"]) for b in inherited} == {
        ("Fedora-Container-Base-Generic-40-20240301.0", "f40-updates-candidate"),
        ("bash-5.2.26-4.fc40", "f40-updates")}
    assert hub.listTagged("f40-updates-candidate") == [inherited[0]]
    image = hub.getLatestBuilds("f40-updates-candidate", kw(package="Fedora-Container-Base-Generic"))[0]

    archives = hub.listArchives(kw(buildID=image["id"], type="image"))
    assert_shape(archives, fixture("koji_listArchives_image")["response"])
    assert [a["arch"] for a in archives] == ["x86_64", "aarch64"]
    assert "arch" not in hub.listArchives(kw(buildID=image["id"]))[0]
    rpms = hub.listRPMs(kw(imageID=archives[0]["id"]))
    assert_shape(rpms, fixture("koji_listRPMs_image")["response"])
    assert [(r["nvr"], r["build_id"]) for r in rpms] == [("bash-5.2.26-3.fc40", 2421063),
                                                         ("glibc-2.39-2.fc40", None)]
    assert [r["arch"] for r in hub.listRPMs(kw(buildID=2421063, arches="src"))] == ["src"]

    packages = hub.listPackages(kw(tagID="f43-updates", pkgID="nethack", inherited=True))
    assert_shape(packages, fixture("koji_listPackages")["response"])
    assert [(p["tag_name"], p["blocked"]) for p in packages] == [("f43", True)]
    assert hub.listPackages(kw(tagID="f43-updates", pkgID="nethack")) == []
    assert hub.listPackages(kw(tagID="f44", with_blocked=False)) == [
        dict(hub.listPackages(kw(tagID="f44", pkgID="bash"))[0])]
    tags = hub.listTags(kw(package="nethack"))
    assert_shape(tags, fixture("koji_listTags")["response"])
    assert [t["name"] for t in tags] == ["f44", "f43"]
    assert hub.getTag("f44")["id"] == 60000 and hub.getTag(60000)["name"] == "f44"
    assert hub.getTag("f99") is None
    with pytest.raises(xmlrpc.client.Fault) as err:
        hub.getTag("f99", kw(strict=True))
    assert err.value.faultCode == 1000 and "f99" in err.value.faultString


def test_koji_raw_wire_request(server):
    wire = fixture("koji_xmlrpc_wire")
    req = urllib.request.Request(server.url + "/kojihub", data=wire["request_xml"].encode(),
                                 headers={"Content-Type": "text/xml"}, method="POST")
    with urllib.request.urlopen(req, timeout=5) as resp:
        assert resp.status == 200 and resp.headers["Content-Type"] == "text/xml"
        (result,), method = xmlrpc.client.loads(resp.read(), use_builtin_types=True)
    assert [b["nvr"] for b in result] == ["bash-5.2.26-4.fc40"]
    assert request("GET", server.url + "/kojihub")[0] == 405
    # Integers past 32 bits travel as <i8>, as koji's marshaller writes them.
    big = dumps_response({"size": 2 ** 40})
    assert b"<i8>1099511627776</i8>" in big
    assert xmlrpc.client.loads(big)[0][0] == {"size": 2 ** 40}
    # Exactly one <params> holding one <param>, as the spec (and strict clients) want.
    root = ET.fromstring(big)
    assert [child.tag for child in root] == ["params"]
    assert [child.tag for child in root[0]] == ["param"]


def test_koji_faults_and_multicall(server):
    hub = server.koji()
    with pytest.raises(xmlrpc.client.Fault) as err:
        hub.noSuchMethod()
    assert (err.value.faultCode, err.value.faultString) == (1000, "Invalid method: noSuchMethod")
    with pytest.raises(xmlrpc.client.Fault) as err:
        hub.getBuild()
    assert err.value.faultCode == 1019
    with pytest.raises(xmlrpc.client.Fault) as err:
        hub.getBuild("nope-1-1", kw(strict=True))
    assert (err.value.faultCode, err.value.faultString) == (1000, "No such build: nope-1-1")
    results = hub.multiCall([{"methodName": "getTag", "params": ["f44"]},
                             {"methodName": "getBuild", "params": ["nope-1-1", kw(strict=True)]}])
    assert results[0][0]["name"] == "f44"
    assert results[1] == {"faultCode": 1000, "faultString": "No such build: nope-1-1"}
    multi = xmlrpc.client.MultiCall(hub)
    multi.getTag("f43")
    multi.getAPIVersion()
    assert [r["name"] if isinstance(r, dict) else r for r in multi()] == ["f43", 1]


def test_koji_login_unblock_and_journal(server):
    hub = server.koji()
    with pytest.raises(xmlrpc.client.Fault) as err:
        hub.packageListUnblock("f44", "nethack")
    assert (err.value.faultCode, err.value.faultString) == (1002, "Not logged in")
    assert hub.getLoggedInUser() is None

    session = hub.sslLogin()
    assert set(session) == {"session-id", "session-key", "header-auth"}
    query = "?session-id=%s&session-key=%s&callnum=%%d" % (session["session-id"], session["session-key"])
    assert server.koji(query % 1).getLoggedInUser()["name"] == "releng"
    assert server.koji(query % 2).packageListUnblock("f44", "nethack") is None
    assert hub.listPackages(kw(tagID="f44", pkgID="nethack"))[0]["blocked"] is False
    with pytest.raises(xmlrpc.client.Fault) as err:
        server.koji(query % 3).packageListUnblock("f44", "nethack")
    assert err.value.faultString == "package nethack NOT blocked in tag f44"
    # Blocked by inheritance: unblocking adds an explicit entry in the child tag.
    server.koji(query % 4).packageListUnblock("f43-updates", "nethack")
    assert [(p["tag_name"], p["blocked"]) for p in
            hub.listPackages(kw(tagID="f43-updates", pkgID="nethack", inherited=True))] == [("f43-updates", False)]
    assert hub.listPackages(kw(tagID="f43", pkgID="nethack"))[0]["blocked"] is True
    with pytest.raises(xmlrpc.client.Fault) as err:
        server.koji(query % 5).packageListUnblock("f40", "nethack")
    assert err.value.faultString == "no data (blocked or otherwise) for package nethack in tag f40"
    with pytest.raises(xmlrpc.client.Fault) as err:
        server.koji(query % 6).packageListUnblock("f42", "nethack")
    assert err.value.faultString == "No such tagInfo: 'f42'"

    for callnum, code in ((6, 1009), (3, 1008)):
        with pytest.raises(xmlrpc.client.Fault) as err:
            server.koji(query % callnum).getLoggedInUser()
        assert err.value.faultCode == code
    bad = "?session-id=%s&session-key=wrong" % session["session-id"]
    for call in (lambda hub: hub.getLoggedInUser(), lambda hub: hub.packageListUnblock("f43", "nethack")):
        with pytest.raises(xmlrpc.client.Fault) as err:
            call(server.koji(bad))
        assert (err.value.faultCode, err.value.faultString) == (1002, "Invalid session or bad credentials")
    # Header-based sessions (koji >= 1.30) work too; logout expires the session.
    headers = [("Koji-Session-Id", str(session["session-id"])), ("Koji-Session-Key", session["session-key"]),
               ("Koji-Callnum", "10")]
    assert server.koji(headers=headers).logout() is None
    with pytest.raises(xmlrpc.client.Fault) as err:
        server.koji(query % 11).getLoggedInUser()
    assert err.value.faultCode == 1007

    jdoe = xmlrpc.client.ServerProxy(server.url + "/kojihub", allow_none=True,
                                     headers=[("X-Standin-Koji-User", "jdoe")])
    other = jdoe.sslLogin()
    with pytest.raises(xmlrpc.client.Fault) as err:
        server.koji("?session-id=%s&session-key=%s" % (other["session-id"], other["session-key"])
                    ).packageListUnblock("f43", "nethack")
    assert err.value.faultCode == 1004

    entries = server.journal()
    assert [(e["call"], e["args"], e["auth"], (e["fault"] or {}).get("faultCode")) for e in entries] == [
        ("packageListUnblock", ["f44", "nethack"], False, 1002),
        ("packageListUnblock", ["f44", "nethack"], True, None),
        ("packageListUnblock", ["f44", "nethack"], True, 1000),
        ("packageListUnblock", ["f43-updates", "nethack"], True, None),
        ("packageListUnblock", ["f40", "nethack"], True, 1000),
        ("packageListUnblock", ["f42", "nethack"], True, 1000),
        ("packageListUnblock", ["f43", "nethack"], False, 1002),
        ("packageListUnblock", ["f43", "nethack"], True, 1004),
    ]
    assert all(e["service"] == "koji" and e["path"] == "/kojihub" and e["status"] == 200 for e in entries)
    assert entries[1]["query"]["session-key"] == "<redacted>"
    assert session["session-key"] not in server.journal_path.read_text()


# ---------------------------------------------------------------- bugzilla

def test_bugzilla_bug_and_errors(server):
    sample = fixture("bugzilla_bug")["response_200"]
    status, body = jreq("GET", server.url + "/rest/bug/1441813?Bugzilla_api_key=" + BZ_KEY)
    assert status == 200
    assert_shape(body, sample)
    bug = body["bugs"][0]
    assert bug["creator"] == "akhairna@redhat.com"
    flag = bug["flags"][0]
    assert (flag["name"], flag["status"], flag["setter"]) == ("fedora-review", "+", "mjordan@redhat.com")
    assert flag["modification_date"].endswith("Z")
    # Logged out, Bugzilla hides the domains of email addresses.
    logged_out = jreq("GET", server.url + "/rest/bug/1441813")[1]["bugs"][0]
    assert (logged_out["creator"], logged_out["flags"][0]["setter"]) == ("akhairna", "mjordan")
    fields = jreq("GET", server.url + "/rest/bug/1441813?include_fields=id,flags")[1]["bugs"][0]
    assert set(fields) == {"id", "flags"}

    status, body = jreq("GET", server.url + "/rest/bug/999")
    assert status == 404 and (body["error"], body["code"], body["message"]) == (True, 101, "Bug #999 does not exist.")
    status, body = jreq("GET", server.url + "/rest/bug/1441813", headers={"X-BUGZILLA-API-KEY": "wrong"})
    assert (status, body["code"]) == (400, 306)
    assert jreq("GET", server.url + "/rest/product")[1]["code"] == 32614


def test_bugzilla_comment(server):
    url = server.url + "/rest/bug/1441813/comment"
    status, body = jreq("POST", url, json_body={"comment": "created"})
    assert (status, body["code"]) == (401, 410)
    status, body = jreq("POST", url, json_body={"comment": "The Pagure repository was created",
                                                "is_private": False},
                        headers={"X-BUGZILLA-API-KEY": BZ_KEY})
    assert status == 201
    assert_shape(body, fixture("bugzilla_comment")["response_201"])
    status, body = jreq("POST", url + "?Bugzilla_api_key=" + BZ_KEY, json_body={"comment": ""})
    assert (status, body["code"]) == (400, 50)
    comments = jreq("GET", url)[1]["bugs"]["1441813"]["comments"]
    assert [c["text"] for c in comments] == ["Spec URL: https://example.org/nethack.spec",
                                             "The Pagure repository was created"]
    assert comments[1]["creator"] == "releng" and comments[1]["count"] == 1

    entries = server.journal()
    assert [(e["service"], e["auth"], e["status"]) for e in entries] == [
        ("bugzilla", False, 401), ("bugzilla", True, 201), ("bugzilla", True, 400)]
    assert entries[1]["json"]["comment"] == "The Pagure repository was created"
    assert entries[2]["query"]["Bugzilla_api_key"] == "<redacted>"
    assert BZ_KEY not in server.journal_path.read_text()


# ------------------------------------------------------------------- bodhi

def test_bodhi_updates(server):
    sample = fixture("bodhi_updates_query")
    status, body = jreq("GET", server.url + "/updates/?releases=F40&status=stable"
                        "&pushed_since=2024-03-01T00:00:00&rows_per_page=100&page=1")
    assert status == 200
    assert_shape(body, sample["response_200"])
    assert [u["alias"] for u in body["updates"]] == ["FEDORA-2024-0123456789"]
    assert (body["page"], body["pages"], body["rows_per_page"], body["total"]) == (1, 1, 100, 1)
    assert body["updates"][0]["date_pushed"] == "2024-03-05 12:00:00"

    page1 = jreq("GET", server.url + "/updates/?releases=F40&rows_per_page=1")[1]
    page2 = jreq("GET", server.url + "/updates/?releases=F40&rows_per_page=1&page=2")[1]
    assert (page1["pages"], page1["total"]) == (2, 2)
    assert [u["alias"] for u in page1["updates"] + page2["updates"]] == [
        "FEDORA-2024-0123456790", "FEDORA-2024-0123456789"]
    assert jreq("GET", server.url + "/updates/?packages=bash&releases=F39,F40")[1]["total"] == 2
    status, body = jreq("GET", server.url + "/updates/?rows_per_page=x")
    assert status == 400 and body["status"] == "error" and body["errors"][0]["name"] == "rows_per_page"
    assert jreq("GET", server.url + "/updates/?releases=F99")[1]["errors"][0]["name"] == "releases"
    status, body = jreq("GET", server.url + "/updates/FEDORA-2024-0123456789")
    assert status == 200 and body["update"]["builds"][0]["nvr"] == "bash-5.2.26-4.fc40"


# ------------------------------------------------------------------ faults

def test_fail_next_and_journal_of_injected_failures(server):
    status, body = jreq("POST", server.url + "/_standin/faults",
                        json_body={"fail_next": 2, "status": 503, "path_prefix": "/pagure/", "retry_after": 1})
    assert status == 200 and body["faults"][0]["remaining"] == 2
    assert request("GET", server.url + "/distgit/api/0/rpms/bash")[0] == 200      # other prefix
    status, headers, _body = request("GET", server.url + "/pagure/api/0/releng/issue/12")
    assert status == 503 and headers["Retry-After"] == "1"
    url = server.url + "/pagure/api/0/releng/issue/12/comment"
    assert request("POST", url, data={"comment": "retry"}, headers=PAGURE_TOKEN)[0] == 503
    assert request("POST", url, data={"comment": "retry"}, headers=PAGURE_TOKEN)[0] == 200
    assert jreq("GET", server.url + "/_standin/faults")[1] == {"faults": []}
    assert [(e["status"], e.get("injected")) for e in server.journal()] == [(503, "fail"), (200, None)]

    jreq("POST", server.url + "/_standin/faults", json_body={"fail_next": 1, "path_prefix": "/kojihub"})
    query = "?session-id=1&session-key=k"
    with pytest.raises(xmlrpc.client.ProtocolError) as err:
        server.koji(query).packageListUnblock("f44", "nethack")
    assert err.value.errcode == 503
    entry = server.journal()[-1]
    assert (entry["call"], entry["args"], entry["status"], entry["injected"]) == (
        "packageListUnblock", ["f44", "nethack"], 503, "fail")
    assert jreq("POST", server.url + "/_standin/faults", json_body={"bogus": 1})[0] == 400


def test_stall_next(server):
    jreq("POST", server.url + "/_standin/faults", json_body={"stall_next": 1, "seconds": 1.5,
                                                             "path_prefix": "/rest/"})
    started = time.time()
    with pytest.raises((socket.timeout, TimeoutError, urllib.error.URLError)):
        request("GET", server.url + "/rest/bug/1441813", timeout=0.5)
    assert time.time() - started < 1.4
    started = time.time()
    assert request("GET", server.url + "/rest/bug/1441813", timeout=5)[0] == 200
    assert time.time() - started < 1.0


def test_fail_first_option(tmp_path):
    proc, info, _journal = start_server(tmp_path, "--fail-first", "2", "--fail-status", "502", name="failing")
    try:
        url = info["url"] + "/updates/"
        assert [request("GET", url)[0] for _ in range(3)] == [502, 502, 200]
        assert request("GET", info["url"] + "/_standin/journal")[0] == 200
    finally:
        stop_server(proc)
    assert not (tmp_path / "failing.ready").exists()


# ------------------------------------------------------------- make_distgit

def test_make_distgit_retired_branches_diverge(tmp_path):
    summary = make_distgit.make_repo(tmp_path, "nethack", scenario="retired", branches=["rawhide", "f43"],
                                     retired_days_ago=35, reason=REASON)
    repo = summary["path"]
    assert git(repo, "symbolic-ref", "HEAD") == "refs/heads/rawhide"
    retirements = summary["retirement_commits"]
    assert retirements["rawhide"] != retirements["f43"]
    for branch, sha in retirements.items():
        assert git(repo, "rev-parse", branch) == sha
        author = git(repo, "log", "-1", "--format=%an <%ae>|%cn <%ce>|%s", sha)
        releng = "Fedora Release Engineering <releng@fedoraproject.org>"
        assert author == "%s|%s|%s" % (releng, releng, REASON)
        assert git(repo, "ls-tree", "--name-only", sha) == "dead.package"
        assert git(repo, "show", "%s:dead.package" % sha) == REASON
        age_days = (time.time() - int(git(repo, "log", "-1", "--format=%at", sha))) / 86400
        assert 34.9 < age_days < 35.1
        assert "nethack.spec" in git(repo, "ls-tree", "--name-only", sha + "~1")
    assert int(git(repo, "rev-list", "--count", "rawhide")) == 4


def test_make_distgit_shared_retirement_and_unretirement(tmp_path):
    shared = make_distgit.make_repo(tmp_path, "foo", scenario="retired", branches=["rawhide", "f43", "f42:active"],
                                    shared_retirement=True)
    assert shared["retirement_commits"]["rawhide"] == shared["retirement_commits"]["f43"]
    assert shared["branches"]["rawhide"] == shared["branches"]["f43"]
    assert "dead.package" not in git(shared["path"], "ls-tree", "--name-only", "f42")

    unretired = make_distgit.make_repo(tmp_path, "bar", scenario="unretired", branches=["rawhide", "f43"],
                                       request_url="https://pagure.io/releng/issue/12")
    repo = unretired["path"]
    for branch in ("rawhide", "f43"):
        head = unretired["branches"][branch]
        assert head == unretired["revert_commits"][branch]
        files = git(repo, "ls-tree", "--name-only", head).split()
        assert "dead.package" not in files and "bar.spec" in files
        message = git(repo, "log", "-1", "--format=%B", head)
        assert "This reverts commit %s." % unretired["retirement_commits"][branch] in message
        assert "Unretirement request: https://pagure.io/releng/issue/12" in message
        assert "Signed-off-by: Fedora Release Engineering <releng@fedoraproject.org>" in message
    assert unretired["revert_commits"]["rawhide"] != unretired["revert_commits"]["f43"]


def test_make_distgit_command_line(tmp_path):
    cmd = [sys.executable, str(HERE / "make_distgit.py"), "--root", str(tmp_path), "--package", "baz",
           "--namespace", "container", "--scenario", "retired", "--branch", "rawhide",
           "--retired-days-ago", "70", "--reason", "Retired for legal reasons"]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
    summary = json.loads(proc.stdout)
    assert summary["path"] == str(tmp_path / "container" / "baz.git")
    assert git(summary["path"], "show", "rawhide:dead.package") == "Retired for legal reasons"
    again = subprocess.run(cmd, capture_output=True, text=True)
    assert again.returncode == 1 and "exists" in again.stderr
    assert subprocess.run(cmd + ["--force"], capture_output=True).returncode == 0
    with pytest.raises(make_distgit.DistGitError):
        make_distgit.make_repo(tmp_path, "qux", branches=["rawhide:gone"])
