"""The container base image world the image tests share: a stand-in seed with an F41 image
(two arches; syslinux only on x86_64) and an F40 image, the flr.yaml `image` section, the
stand-in's control calls (tag, untag, complete a KIWI task, upload an archive to topurl),
Koji's buildsys.tag message, and small OCI archives built with tests/lib/registry.py."""

import json
import pathlib
import urllib.request
import uuid

from registry import make_layers, make_layout, make_oci_archive

IMAGE_PACKAGE = "Fedora-Container-Base-Generic"
IMAGE_NVR = IMAGE_PACKAGE + "-41-20241101.0"
SOURCES = ["bash-5.2.32-1.fc41", "glibc-2.40-3.fc41", "tool-1.0-1.fc41", "syslinux-6.04-0.26.fc41"]
F40_IMAGE_NVR = "Fedora-Container-Base-40-20241101.0"
F40_SOURCES = ["bash-5.2.26-3.fc40", "tool-1.0-1.fc40"]
ARCH_OCI = {"x86_64": "amd64", "aarch64": "arm64"}


def _rpms(nvr, arch):
    """The image RPMs of a source build: the main package and a -libs subpackage."""
    name, version, release = nvr.rsplit("-", 2)
    return [{"nvra": "%s.%s" % (nvr, arch), "build": nvr},
            {"nvra": "%s-libs-%s-%s.%s" % (name, version, release, arch), "build": nvr}]


def archive_name(nvr, arch):
    name, version, release = nvr.rsplit("-", 2)
    return "%s.%s-%s-%s.oci.tar.xz" % (name, arch, version, release)


def image_archives(nvr, sources, arches=("x86_64", "aarch64")):
    """The archives of an image build: per arch, the RPMs of `sources` (syslinux on x86_64 only)."""
    out = []
    for arch in arches:
        rpms = [r for s in sources if arch == "x86_64" or not s.startswith("syslinux-") for r in _rpms(s, arch)]
        out.append({"arch": arch, "filename": archive_name(nvr, arch), "rpms": rpms})
    return out


def seed():
    return {
        "koji": {
            "login_user": "releng",
            "users": [{"name": "releng", "perms": ["image"]}],
            "builds": ([{"nvr": s, "completion_time": "-30d"} for s in SOURCES + F40_SOURCES] + [
                {"nvr": IMAGE_NVR, "type": "image", "completion_time": "-3d",
                 "archives": image_archives(IMAGE_NVR, SOURCES)},
                {"nvr": F40_IMAGE_NVR, "type": "image", "completion_time": "-3d",
                 "archives": image_archives(F40_IMAGE_NVR, F40_SOURCES, ("x86_64",))}]),
            "tags": [
                {"name": "f41", "builds": SOURCES},
                {"name": "f41-updates", "parents": ["f41"]},
                {"name": "f41-updates-candidate", "parents": ["f41-updates"], "builds": [IMAGE_NVR]},
                {"name": "f40", "builds": F40_SOURCES},
                {"name": "f40-updates", "parents": ["f40"]},
                {"name": "f40-updates-candidate", "parents": ["f40-updates"], "builds": [F40_IMAGE_NVR]},
                {"name": "f42"},
            ],
        },
        "bodhi": {
            "releases": [{"name": "F40", "state": "current"}, {"name": "F41", "state": "current"},
                         {"name": "F42", "branch": "rawhide", "state": "pending"}],
            "updates": [
                {"alias": "FEDORA-2024-00000000aa", "release": "F40", "status": "stable",
                 "date_pushed": "-5d", "builds": ["tool-1.1-1.fc40"]},
                {"alias": "FEDORA-2024-00000000bb", "release": "F40", "status": "stable",
                 "date_pushed": "-1d", "builds": ["tool-1.2-1.fc40"]},
            ],
        },
    }


def image_section(state_dir, registries=(), **extra):
    section = {
        "state_dir": str(state_dir),
        "registries": list(registries),
        "registry_plain_http": True,
        "images": {
            "fedora": {
                "package": IMAGE_PACKAGE,
                "target": "f{N}-kiwi",
                "description_url": "https://pagure.io/fedora-kiwi-descriptions.git#main",
                "description_path": "teams/oci/container.kiwi",
                "profile": "Container-Base-Generic",
                "arches": ["x86_64", "aarch64"],
                "releases": {"40": {"package": "Fedora-Container-Base", "arches": ["x86_64"]}},
            },
        },
    }
    section.update(extra)
    return section


def tag_message(tag, nvr):
    """Koji's buildsys.tag message: build `nvr` tagged into `tag`."""
    name, version, release = nvr.rsplit("-", 2)
    return {"topic": "org.fedoraproject.prod.buildsys.tag", "id": str(uuid.uuid4()),
            "headers": {"fedora_messaging_schema": "koji_fedoramessaging.tag.TagV1",
                        "sent-at": "2024-11-05T12:00:00+00:00"},
            "body": {"base_url": "https://koji.fedoraproject.org", "build_id": 1, "instance": "primary",
                     "name": name, "version": version, "release": release, "owner": "packager",
                     "tag": tag, "tag_id": 2, "user": "bodhi"}}


class Control:
    """The stand-in's control API."""

    def __init__(self, url):
        self.url = url

    def _send(self, method, path, body, content_type="application/json"):
        req = urllib.request.Request(self.url + "/_standin/" + path, data=body, method=method,
                                     headers={"Content-Type": content_type})
        with urllib.request.urlopen(req, timeout=30) as response:
            return json.loads(response.read() or b"null")

    def post(self, path, obj=None):
        return self._send("POST", path, json.dumps(obj or {}).encode())

    def reset(self):
        return self.post("reset")

    def journal(self):
        with urllib.request.urlopen(self.url + "/_standin/journal", timeout=30) as response:
            return json.loads(response.read())

    def tag(self, nvr, tag="f41-updates", **extra):
        return self.post("image/tag", dict({"nvr": nvr, "tag": tag}, **extra))

    def untag(self, nvr, tag):
        return self.post("image/untag", {"nvr": nvr, "tag": tag})

    def complete(self, task_id, nvr, sources, tag="f41-updates-candidate"):
        return self.post("image/complete", {"task_id": task_id, "nvr": nvr, "tag": tag,
                                            "archives": image_archives(nvr, sources)})

    def upload(self, path, data):
        return self._send("PUT", "image/files/" + path, data, "application/octet-stream")

    def upload_archives(self, nvr, archives_by_arch):
        name, version, release = nvr.rsplit("-", 2)
        for arch, path in archives_by_arch.items():
            self.upload("packages/%s/%s/%s/images/%s" % (name, version, release, archive_name(nvr, arch)),
                        pathlib.Path(path).read_bytes())


def build_archives(directory, tag):
    """{arch: path} of small OCI archives (two layers each, different per arch and `tag`)."""
    directory = pathlib.Path(directory)
    out = {}
    for arch, oci_arch in ARCH_OCI.items():
        layout = directory / ("layout-%s-%s" % (tag, arch))
        make_layout(layout, make_layers([2000, 5000], seed=("%s-%s" % (tag, arch)).encode()), arch=oci_arch)
        path = directory / ("%s-%s.oci.tar.xz" % (tag, arch))
        make_oci_archive(layout, path)
        out[arch] = path
    return out
