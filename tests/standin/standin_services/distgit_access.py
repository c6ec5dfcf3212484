"""dist-git project access lists (GET /api/0/<ns>/<repo>/contributors), as Pagure answers
them: users and groups at each level, collaborators with their branch patterns.

Seed (a project in the ``distgit`` section):

  - name: foo
    owner: alice
    admins: [bob]
    committers: [carol]
    collaborators: [{user: dave, branches: "epel*"}]
    groups: {admin: [], commit: [kde-sig], collaborators: [{user: python-sig, branches: "f4*"}]}
"""


def _collaborators(entries):
    return [{"user": str(e["user"]), "branches": str(e.get("branches", ""))} for e in entries]


def contributors_json(project):
    return {
        "users": {
            "admin": sorted(set([project.owner] + list(project.admins))),
            "commit": list(project.committers),
            "collaborators": _collaborators(project.collaborators),
            "ticket": list(project.ticketers),
        },
        "groups": {
            "admin": list(project.groups.get("admin", [])),
            "commit": list(project.groups.get("commit", [])),
            "collaborators": _collaborators(project.group_collaborators),
            "ticket": list(project.groups.get("ticket", [])),
        },
    }
