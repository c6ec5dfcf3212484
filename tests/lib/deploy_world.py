"""One stand-in for a whole automation host: the worlds of the unretirement, scm-requests
and container-image tests (unretire_world, scm_world, image_world) in one seed, and one
flr.yaml with every workflow's section, as a host that runs all three has one
/etc/flr/flr.yaml.

The seeds share the services' accounts (one Pagure token, one dist-git token, one Koji
user). The Pagure token's owner is releng-bot, the account the example route files leave
out of `body.agent` and scm.bot_name's default; the Koji user has both the admin rights
unretirement's packageListUnblock needs and the `image` permission of kiwiBuild."""

import image_world
import scm_world
import unretire_world


def merged_seed(root):
    seed = unretire_world.seed(root)
    scm = scm_world.seed(root)
    image = image_world.seed()
    for section, key in (("pagure", "token"), ("distgit", "token"), ("distgit", "token_user"),
                         ("bugzilla", "api_key"), ("koji", "login_user")):
        other = (scm if section != "koji" else image)[section][key]
        assert seed[section][key] == other, (section, key, seed[section][key], other)
    seed["pagure"]["projects"] += scm["pagure"]["projects"]
    for key in ("token_user", "users", "tokens"):
        seed["pagure"][key] = scm["pagure"][key]
    seed["distgit"]["projects"] += scm["distgit"]["projects"]
    seed["distgit"]["users"] = sorted(set(seed["distgit"]["users"]) | set(scm["distgit"]["users"]))
    seed["bugzilla"]["bugs"] += scm["bugzilla"]["bugs"]
    seed["fasjson"], seed["rhel_packages"] = scm["fasjson"], scm["rhel_packages"]
    seed["koji"]["tags"] += image["koji"]["tags"]
    seed["koji"]["builds"] = image["koji"]["builds"]
    seed["koji"]["users"] = [{"name": seed["koji"]["login_user"], "perms": ["admin", "image"]}]
    seed["bodhi"] = image["bodhi"]
    return seed


class World(unretire_world.World):
    """unretire_world.World with the scm-requests and image worlds beside it; `image_state`
    is image.state_dir on the host."""

    def __init__(self, tmp, image_state, phase="auto-recent", address=None):
        self.image_state = image_state
        super().__init__(tmp, phase=phase, address=address)
        self.image = image_world.Control(self.url)

    def make_seed(self):
        return merged_seed(self.tmp)

    def sections(self, phase):
        return dict(super().sections(phase), scm=scm_world.SCM_POLICY,
                    image=image_world.image_section(self.image_state))

    def kiwi_builds(self):
        """The KIWI builds submitted to Koji (calls refused by the hub left out)."""
        return [e for e in self.entries() if e.get("call") == "kiwiBuild" and not e.get("fault")]
