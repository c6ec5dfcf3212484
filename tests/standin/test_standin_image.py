"""Tests of the stand-in's image additions (standin_services/image.py): kiwiBuild and
getTaskInfo with their permission check, completing a task as an image build with
archives and RPM lists, the topurl file server, tagging, Bodhi's /releases/, and the
journal entry of each call.

Run with: python3 -m pytest -q tests/standin/test_standin_image.py
"""

import json
import pathlib
import sys
import urllib.error
import urllib.request
import xmlrpc.client

import pytest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "lib"))
from flrtest import start_standin  # noqa: E402
from image_world import IMAGE_NVR, SOURCES, Control, seed  # noqa: E402

KW = {"__starstar": True}


@pytest.fixture(scope="module")
def standin(tmp_path_factory):
    d = tmp_path_factory.mktemp("standin-image")
    s = seed()
    s["koji"]["users"].append({"name": "nobody", "perms": []})
    (d / "seed.json").write_text(json.dumps(s))
    proc, url = start_standin(d / "ready", "--seed", d / "seed.json", "--journal", d / "journal")
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def control(standin):
    c = Control(standin)
    c.reset()
    return c


def session(url, user=None):
    """A ServerProxy logged in with sslLogin (as `user` through the stand-in's header)."""
    class Transport(xmlrpc.client.Transport):
        def send_headers(self, connection, headers):
            if user:
                connection.putheader("X-Standin-Koji-User", user)
            super().send_headers(connection, headers)
    login = xmlrpc.client.ServerProxy(url + "/kojihub/ssllogin", allow_none=True, transport=Transport())
    info = login.sslLogin()
    return xmlrpc.client.ServerProxy("%s/kojihub?session-id=%s&session-key=%s" % (
        url, info["session-id"], info["session-key"]), allow_none=True)


def test_kiwi_build_needs_a_login_and_the_image_permission(standin, control):
    hub = xmlrpc.client.ServerProxy(standin + "/kojihub", allow_none=True)
    with pytest.raises(xmlrpc.client.Fault) as err:
        hub.kiwiBuild("f41-kiwi", ["x86_64"], "url", "path")
    assert err.value.faultCode == 1002
    with pytest.raises(xmlrpc.client.Fault) as err:
        session(standin, "nobody").kiwiBuild("f41-kiwi", ["x86_64"], "url", "path")
    assert err.value.faultCode == 1004
    task = session(standin).kiwiBuild("f41-kiwi", ["x86_64"], "url", "path", dict(KW, profile="P"))
    assert hub.getTaskInfo(task)["state"] == 1
    assert hub.getTaskInfo(task + 999) is None
    calls = [e for e in control.journal() if e.get("call") == "kiwiBuild"]
    assert [bool(e.get("fault")) for e in calls] == [True, True, False]
    assert calls[-1]["kwargs"]["profile"] == "P" and calls[-1]["result"] == task


def test_completing_a_task_makes_an_image_build_with_archives_and_rpms(standin, control):
    hub = xmlrpc.client.ServerProxy(standin + "/kojihub", allow_none=True)
    task = session(standin).kiwiBuild("f41-kiwi", ["x86_64", "aarch64"], "url", "path")
    done = control.complete(task, "Fedora-Container-Base-Generic-41-20241108.0", SOURCES)
    assert hub.getTaskInfo(task)["state"] == 2
    latest = hub.getLatestBuilds("f41-updates-candidate", dict(KW, package="Fedora-Container-Base-Generic"))
    assert latest[0]["nvr"] == "Fedora-Container-Base-Generic-41-20241108.0" != IMAGE_NVR
    archives = hub.listArchives(dict(KW, buildID=done["build_id"], type="image"))
    assert [a["arch"] for a in archives] == ["x86_64", "aarch64"]
    rpms = hub.listRPMs(dict(KW, imageID=archives[1]["id"]))
    assert "syslinux" not in {r["name"] for r in rpms} and "bash-libs" in {r["name"] for r in rpms}
    bash = hub.getBuild(next(r["build_id"] for r in rpms if r["name"] == "bash-libs"))
    assert bash["nvr"] == "bash-5.2.32-1.fc41"


def test_tag_untag_files_and_releases(standin, control):
    hub = xmlrpc.client.ServerProxy(standin + "/kojihub", allow_none=True)
    event = control.tag("glibc-2.39-1.fc41", epoch=1)["event"]
    latest = hub.getLatestBuilds("f41-updates", dict(KW, package="glibc"))[0]
    assert (latest["nvr"], latest["epoch"], latest["create_event"]) == ("glibc-2.39-1.fc41", 1, event)
    control.untag("glibc-2.40-3.fc41", "f41")
    control.untag("glibc-2.39-1.fc41", "f41-updates")
    assert hub.getLatestBuilds("f41-updates", dict(KW, package="glibc")) == []

    control.upload("packages/a/1/1/images/a.oci.tar.xz", b"\x00archive")
    with urllib.request.urlopen(standin + "/kojifiles/packages/a/1/1/images/a.oci.tar.xz") as r:
        assert r.read() == b"\x00archive"
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(standin + "/kojifiles/packages/b")
    assert err.value.code == 404

    with urllib.request.urlopen(standin + "/releases/?rows_per_page=2&page=2") as r:
        page = json.loads(r.read())
    assert (page["page"], page["pages"], [x["name"] for x in page["releases"]]) == (2, 2, ["F42"])
    assert page["releases"][0]["branch"] == "rawhide"
    services = [e["service"] for e in control.journal()]
    assert "kojifiles" in services and "bodhi" in services
