"""Read and update bare git repositories with the git command line.

Every call passes an argument list to subprocess (never a shell).
"""

import os
import subprocess


class GitError(Exception):
    pass


def _env(extra=None):
    env = dict(os.environ)
    env.update({"LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"})
    env.pop("GIT_DIR", None)
    env.pop("GIT_WORK_TREE", None)
    env.update(extra or {})
    return env


class BareRepo:
    """A bare repository on disk, as a dist-git project's storage."""

    def __init__(self, path):
        self.path = os.path.abspath(path)

    def exists(self):
        return os.path.isfile(os.path.join(self.path, "HEAD"))

    def git(self, *args, stdin=None, check=True, env=None):
        proc = subprocess.run(
            ["git", "--git-dir", self.path, *args],
            input=stdin, capture_output=True, env=_env(env), check=False,
        )
        if check and proc.returncode != 0:
            raise GitError(proc.stderr.decode("utf-8", errors="replace").strip()
                           or "git %s failed" % args[0])
        return proc

    def _out(self, *args):
        return self.git(*args).stdout.decode("utf-8").strip()

    def branches(self):
        """{branch name: head commit} for refs/heads."""
        out = self._out("for-each-ref", "--format=%(refname:strip=2) %(objectname)", "refs/heads")
        result = {}
        for line in out.splitlines():
            name, sha = line.rsplit(" ", 1)
            result[name] = sha
        return result

    def default_branch(self):
        proc = self.git("symbolic-ref", "--short", "HEAD", check=False)
        return proc.stdout.decode("utf-8").strip() if proc.returncode == 0 else None

    def resolve_commit(self, rev):
        if rev.startswith("-"):
            return None
        proc = self.git("rev-parse", "--verify", "--quiet", rev + "^{commit}", check=False)
        return proc.stdout.decode("utf-8").strip() if proc.returncode == 0 else None

    def read_file(self, ref, path):
        """Content of ``path`` at ``ref`` as bytes, or None when it is not a file there."""
        if ref.startswith("-"):
            return None
        spec = "%s:%s" % (ref, path)
        kind = self.git("cat-file", "-t", spec, check=False)
        if kind.returncode != 0 or kind.stdout.strip() != b"blob":
            return None
        return self.git("cat-file", "blob", spec).stdout

    def create_branch(self, name, start):
        """Create refs/heads/``name`` at commit ``start``; fails if it exists."""
        ref = "refs/heads/" + name
        if name.startswith("-") or self.git("check-ref-format", ref, check=False).returncode != 0:
            raise GitError("invalid branch name: %s" % name)
        sha = self.resolve_commit(start)
        if sha is None:
            raise GitError("no such commit: %s" % start)
        self.git("update-ref", ref, sha, "")

    def refs(self):
        """{full ref name: object} of every ref, to restore later."""
        out = self._out("for-each-ref", "--format=%(refname) %(objectname)")
        return dict(line.rsplit(" ", 1) for line in out.splitlines())

    def restore_refs(self, snapshot):
        current = self.refs()
        for ref in current:
            if ref not in snapshot:
                self.git("update-ref", "-d", ref)
        for ref, sha in snapshot.items():
            if current.get(ref) != sha:
                self.git("update-ref", ref, sha)

    @classmethod
    def create(cls, path, default_branch, readme=None, author=("Pagure", "pagure@localhost")):
        """A new bare repository; with ``readme`` text, one commit adding README.md."""
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        proc = subprocess.run(
            ["git", "init", "--quiet", "--bare", "--initial-branch", default_branch, path],
            capture_output=True, env=_env(), check=False,
        )
        if proc.returncode != 0:
            raise GitError(proc.stderr.decode("utf-8", errors="replace").strip())
        repo = cls(path)
        if readme is not None:
            blob = repo.git("hash-object", "-w", "--stdin", stdin=readme.encode("utf-8"))
            tree = repo.git("mktree", stdin=b"100644 blob %s\tREADME.md\n" % blob.stdout.strip())
            ident = {"GIT_AUTHOR_NAME": author[0], "GIT_AUTHOR_EMAIL": author[1],
                     "GIT_COMMITTER_NAME": author[0], "GIT_COMMITTER_EMAIL": author[1]}
            commit = repo.git("commit-tree", tree.stdout.decode().strip(), "-m", "Initial commit",
                              env=ident)
            repo.git("update-ref", "refs/heads/" + default_branch, commit.stdout.decode().strip())
        return repo
