"""The class roles on The Littlest JupyterHub (the same as hub/spawner.py on one machine). hub/tljh/setup.sh copies
this file to /opt/tljh/config/jupyterhub_config.d/ and writes the class file it reads (/etc/llmcourse/class.json:
course folder, exchange, staff user names)."""
import json
import os

with open(os.environ.get("LLMCOURSE_CLASS_FILE", "/etc/llmcourse/class.json")) as handle:
    CLASS = json.load(handle)


def llmcourse_roles(spawner):
    """Staff servers get formgrader on the course folder; every other server is a student's."""
    staff = spawner.user.name in CLASS["staff"]
    spawner.environment.update({
        "LLMCOURSE_EXCHANGE": CLASS["exchange"],
        "LLMCOURSE_COURSE_ID": "llmcourse",
        "LLMCOURSE_COURSE_ROOT": CLASS["course"],
        "JUPYTER_CONFIG_PATH": os.path.join(CLASS["config"], "staff" if staff else "student"),
    })
    if staff:
        spawner.notebook_dir = CLASS["course"]


c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)
c.Spawner.pre_spawn_hook = llmcourse_roles
c.Spawner.default_url = "/lab"
