"""Docs that cannot drift: every binary has a man page that renders cleanly and documents
every option its --help shows, and bash completion offers those options."""

import os
import re
import subprocess

import pytest

from flrtest import BIN_DIR, BUILD_DIR, SOURCE_DIR, binaries, run

BINARIES = binaries()
MAN_BUILD = BUILD_DIR / "man"
LONG_OPTION = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")


def man_page(binary):
    for section in ("1", "8"):
        page = MAN_BUILD / f"{binary}.{section}"
        if page.exists():
            return page
    return None


def render(page):
    r = subprocess.run(["groff", "-man", "-Tascii", "-ww", "-z", str(page)], capture_output=True, text=True)
    assert r.stderr == "", f"{page.name}: groff warnings:\n{r.stderr}"
    r = subprocess.run(["groff", "-man", "-Tascii", "-P-cbou", str(page)], capture_output=True, text=True)
    assert r.returncode == 0
    return r.stdout


def subcommands(help_text):
    out, inside = [], False
    for line in help_text.splitlines():
        if line.startswith("Subcommands:"):
            inside = True
            continue
        if inside and line and not line[0].isspace():
            inside = False
        if inside and line.strip():
            out.append(line.split()[0])
    return out


def help_options(binary):
    text = run([binary, "--help"]).stdout
    options = set(LONG_OPTION.findall(text))
    for sub in subcommands(text):
        options |= set(LONG_OPTION.findall(run([binary, sub, "--help"]).stdout))
    return options


@pytest.mark.parametrize("binary", BINARIES)
def test_every_binary_has_a_man_page(binary):
    assert man_page(binary) is not None, f"no man/{binary}.1 or .8"


@pytest.mark.parametrize("binary", BINARIES)
def test_man_page_documents_every_option(binary):
    page = man_page(binary)
    assert page is not None
    text = render(page)
    missing = sorted(o for o in help_options(binary) if o not in text)
    assert not missing, f"{page.name} does not document {missing}"


@pytest.mark.parametrize("binary", BINARIES)
def test_man_page_documents_every_subcommand(binary):
    text = render(man_page(binary))
    for sub in subcommands(run([binary, "--help"]).stdout):
        assert re.search(rf"\b{re.escape(sub)}\b", text), f"{binary}: subcommand {sub} undocumented"


@pytest.mark.parametrize("page", sorted(p.name for p in MAN_BUILD.glob("*.[1-8]")))
def test_pages_render_with_man(page):
    env = dict(os.environ, MANPAGER="cat", MANWIDTH="80", LANG="C.UTF-8")
    r = subprocess.run(["man", "-l", str(MAN_BUILD / page)], capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    assert "NAME" in r.stdout and len(r.stdout) > 200
    render(MAN_BUILD / page)  # and no groff warnings


def test_overview_and_config_pages_exist():
    for page in ("flr.7", "flr.yaml.5"):
        assert (MAN_BUILD / page).exists()


def complete(words):
    script = (f'source "{SOURCE_DIR}/completions/flr.bash"\n'
              f'COMP_WORDS=({" ".join(words)}); COMP_CWORD={len(words) - 1}\n'
              '_flr_complete\nprintf "%s\\n" "${COMPREPLY[@]}"\n')
    env = {"PATH": f"{BIN_DIR}:/usr/bin:/bin", "HOME": os.environ.get("HOME", "/tmp")}
    r = subprocess.run(["bash", "--norc", "-c", script], capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    return set(r.stdout.split())


@pytest.mark.parametrize("binary", BINARIES)
def test_completion_offers_every_option(binary):
    # Top-level options before a subcommand, each subcommand's options after it.
    text = run([binary, "--help"]).stdout
    assert set(LONG_OPTION.findall(text)) - complete([binary, "--"]) == set()
    for sub in subcommands(text):
        sub_opts = set(LONG_OPTION.findall(run([binary, sub, "--help"]).stdout))
        assert sub_opts - complete([binary, sub, "--"]) == set(), sub


@pytest.mark.parametrize("binary", BINARIES)
def test_completion_is_registered_for_the_binary(binary):
    env = {"PATH": f"{BIN_DIR}:/usr/bin:/bin"}
    r = subprocess.run(["bash", "--norc", "-c", f'source "{SOURCE_DIR}/completions/flr.bash"; complete -p {binary}'],
                       capture_output=True, text=True, env=env)
    assert "_flr_complete" in r.stdout, r.stderr


def test_completion_narrows_to_a_subcommand():
    for binary in BINARIES:
        subs = subcommands(run([binary, "--help"]).stdout)
        if subs:
            assert set(subs) <= complete([binary, ""])
            sub_opts = set(LONG_OPTION.findall(run([binary, subs[0], "--help"]).stdout))
            assert sub_opts <= complete([binary, subs[0], "--"])
