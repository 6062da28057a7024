# Roles (the same as hub/spawner.py on one machine): members of the "instructors" and "tas" groups get formgrader
# on the course folder; everyone else is a student.
import zlib

COURSE_ROOT = "/srv/course"
STAFF_GROUPS = {"instructors", "tas"}


def llmcourse_is_staff(spawner):
    return bool(STAFF_GROUPS & {group.name for group in spawner.user.groups})


def llmcourse_uid(spawner):
    """Staff run as the image's user 1000 (owner of the course folder); each student as a uid of their own, so
    nbgrader's write-only inbound hides one student's submission from another (one shared uid would not)."""
    if llmcourse_is_staff(spawner):
        return 1000
    return 100000 + zlib.crc32(spawner.user.name.encode()) % 2_000_000_000


def llmcourse_roles(spawner):
    if llmcourse_is_staff(spawner):
        spawner.environment["JUPYTER_CONFIG_PATH"] = "/etc/llmcourse/staff"
        spawner.environment["LLMCOURSE_COURSE_ROOT"] = COURSE_ROOT
        spawner.notebook_dir = COURSE_ROOT
        spawner.volumes.append({"name": "llmcourse-course", "persistentVolumeClaim": {"claimName": "llmcourse-course"}})
        spawner.volume_mounts.append({"name": "llmcourse-course", "mountPath": COURSE_ROOT})


c.KubeSpawner.uid = llmcourse_uid  # noqa: F821 (c is the hub's config)
c.KubeSpawner.pre_spawn_hook = llmcourse_roles  # noqa: F821
