"""The class hub's configuration files load and say what they should, without starting a hub (the end-to-end run
is tests/test_hub_semester.py): the one-machine hub (hub/jupyterhub_config.py in JupyterHub's own config loader),
the students' and staff's nbgrader and server configuration, the roster, the exchange's permissions, the
passwords, and the Littlest JupyterHub and Kubernetes (z2jh) set-ups."""
from __future__ import annotations

import asyncio
import json
import os
import stat
import subprocess
import sys
import types
from pathlib import Path

import pytest
import yaml
from traitlets.config import Config, PyFileConfigLoader

from llmcourse.paths import REPO_ROOT

HUB = REPO_ROOT / "hub"
sys.path.insert(0, str(HUB))
sys.path.insert(0, str(REPO_ROOT))
import classroom  # noqa: E402
import course  # noqa: E402


def write_roster(path: Path, *ids: str) -> Path:
    path.write_text("student_id,lms_id\n" + "".join(f"{i},{n}\n" for n, i in enumerate(ids)))
    return path


def load_py_config(path: Path) -> Config:
    loader = PyFileConfigLoader(path.name, str(path.parent))
    return loader.load_config()


@pytest.fixture
def hub_env(tmp_path, monkeypatch):
    roster = write_roster(tmp_path / "roster.csv", "ada", "bo", "cy")
    settings = classroom.Settings(course_root=tmp_path, roster=roster, instructors=["prof"], tas=["ta1"], port=18123,
                                  hub_port=18124, proxy_api_port=18125, proxy_command="/opt/chp")
    for key, value in settings.to_environment().items():
        monkeypatch.setenv(key, value)
    return settings


def test_jupyterhub_config_loads_in_jupyterhub(hub_env):
    from jupyterhub.app import JupyterHub

    app = JupyterHub()
    app.load_config_file(str(HUB / "jupyterhub_config.py"))
    config = app.config
    assert config.JupyterHub.ip == "127.0.0.1" and config.JupyterHub.port == 18123  # loopback by default
    assert config.JupyterHub.hub_ip == "127.0.0.1"
    assert config.ConfigurableHTTPProxy.api_url == "http://127.0.0.1:18125"
    assert config.ConfigurableHTTPProxy.command == ["/opt/chp"]
    assert config.Authenticator.allowed_users == {"ada", "bo", "cy", "prof", "ta1"}
    assert config.Authenticator.admin_users == {"prof"}
    assert config.JupyterHub.load_groups["students"]["users"] == ["ada", "bo", "cy"]
    assert config.CourseSpawner.staff == ["prof", "ta1"]
    assert config.CourseSpawner.exchange == str(hub_env.course_root / ".hub" / "exchange")
    assert config.JupyterHub.cleanup_servers is True
    assert config.JupyterHub.authenticator_class.__name__ == "RosterPasswordAuthenticator"
    assert config.JupyterHub.spawner_class.__name__ == "CourseSpawner"
    # the classes are what JupyterHub accepts for those traits
    app.authenticator_class = config.JupyterHub.authenticator_class
    app.spawner_class = config.JupyterHub.spawner_class


def test_roster_errors_name_the_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("student_id\nada\nAda Lovelace\nada\n9lives\n")
    with pytest.raises(classroom.RosterError) as error:
        classroom.read_roster(bad)
    message = str(error.value)
    assert "line 3: 'Ada Lovelace'" in message and "line 4: 'ada' is listed twice" in message
    assert "line 5: '9lives'" in message
    headless = tmp_path / "headless.csv"
    headless.write_text("ada\nbo\n")
    with pytest.raises(classroom.RosterError, match="student_id column"):
        classroom.read_roster(headless)
    assert classroom.read_roster(write_roster(tmp_path / "ok.csv", "ada", "bo")) == ["ada", "bo"]


def test_hub_command_refuses_a_bad_roster_before_starting_anything(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("student_id\nAda Lovelace\n")
    args = course.hub_arguments(["--roster", str(bad), "--course-root", str(tmp_path)])
    with pytest.raises(SystemExit, match="not usable as a hub user name"):
        course.hub_settings(args)
    clash = write_roster(tmp_path / "clash.csv", "ada", "instructor")
    with pytest.raises(SystemExit, match="also instructor or TA"):
        course.hub_settings(course.hub_arguments(["--roster", str(clash), "--course-root", str(tmp_path)]))
    assert not (tmp_path / ".hub").exists()
    defaults = course.hub_arguments(["--roster", "r.csv"])
    assert defaults.ip == "127.0.0.1" and not defaults.system_users


def test_exchange_has_nbgraders_permissions(tmp_path):
    root = tmp_path / "exchange"
    assert classroom.exchange_problems(root)
    classroom.prepare_exchange(root)
    assert classroom.exchange_problems(root) == []
    assert stat.S_IMODE(root.stat().st_mode) == 0o1777  # world-writable, sticky
    inbound = root / "llmcourse" / "inbound"
    assert stat.S_IMODE(inbound.stat().st_mode) == 0o2733  # students write, cannot list
    os.chmod(inbound, 0o777)
    assert any("inbound" in p for p in classroom.exchange_problems(root))
    classroom.prepare_exchange(root)  # idempotent, repairs
    assert classroom.exchange_problems(root) == []


def test_passwords_are_private_kept_and_checked(tmp_path):
    from authenticator import RosterPasswordAuthenticator

    path = tmp_path / "hub" / "passwords.csv"
    first = classroom.write_passwords(path, ["ada", "bo"])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = classroom.write_passwords(path, ["ada", "bo", "cy"])
    assert again["ada"] == first["ada"] and again["bo"] == first["bo"] and len(set(again.values())) == 3
    auth = RosterPasswordAuthenticator(passwords_file=str(path))
    check = lambda user, password: asyncio.run(auth.authenticate(None, {"username": user, "password": password}))
    assert check("ada", again["ada"]) == "ada"
    assert check("ada", again["bo"]) is None  # another student's password
    assert check("mallory", again["ada"]) is None
    assert check("ada", "") is None


def test_students_see_assignment_list_and_validate_only():
    server = json.loads((HUB / "student" / "jupyter_server_config.d" / "llmcourse-student.json").read_text())
    extensions = server["ServerApp"]["jpserver_extensions"]
    assert extensions["nbgrader.server_extensions.formgrader"] is False
    assert extensions["nbgrader.server_extensions.course_list"] is False
    assert extensions["nbgrader.server_extensions.assignment_list"] is True
    disabled = json.loads((HUB / "student" / "labconfig" / "page_config.json").read_text())["disabledExtensions"]
    assert set(disabled) == {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                             "@jupyter/nbgrader:course-list"}
    # the ids are the installed nbgrader lab extension's own plugin ids
    bundle = " ".join(p.read_text(errors="ignore") for p in
                      (Path(sys.prefix) / "share/jupyter/labextensions/@jupyter/nbgrader/static").glob("*.js"))
    for plugin in disabled:
        assert f'"{plugin}"' in bundle, f"{plugin} is not a plugin of the installed nbgrader"


def test_student_nbgrader_config_takes_the_hub_user_and_a_private_submit(monkeypatch):
    from nbgrader.exchange.default.submit import ExchangeSubmit
    from traitlets.utils.importstring import import_item

    monkeypatch.setenv("JUPYTERHUB_USER", "ada")
    monkeypatch.setenv("LLMCOURSE_EXCHANGE", "/srv/x")
    config = load_py_config(HUB / "student" / "nbgrader_config.py")
    assert config.CourseDirectory.student_id == "ada"
    assert config.Exchange.root == "/srv/x" and config.CourseDirectory.course_id == "llmcourse"
    assert issubclass(import_item(config.ExchangeFactory.submit), ExchangeSubmit)


def test_staff_nbgrader_config_is_the_course_config_plus_the_exchange(monkeypatch):
    monkeypatch.setenv("LLMCOURSE_COURSE_ROOT", str(REPO_ROOT))
    monkeypatch.setenv("LLMCOURSE_EXCHANGE", "/srv/x")
    config = load_py_config(HUB / "staff" / "nbgrader_config.py")
    assert config.CourseDirectory.root == str(REPO_ROOT)
    assert config.CourseDirectory.db_url.endswith("autograder/gradebook.db")
    assert config.Exchange.root == "/srv/x"
    server = json.loads((HUB / "staff" / "jupyter_server_config.json").read_text())
    assert server["ServerApp"]["jpserver_extensions"]["nbgrader.server_extensions.formgrader"] is True


def test_private_submit_keeps_a_submission_from_other_students(tmp_path):
    """A real `nbgrader fetch_assignment` + `submit` with the students' configuration: the submission is named
    after the hub user and readable by its owner and the instructors' group only."""
    exchange = tmp_path / "exchange"
    course_folder = classroom.prepare_exchange(exchange)
    import shutil

    shutil.copytree(REPO_ROOT / "exercises" / "ps01_word2vec_cosine",
                    course_folder / "outbound" / "ps01_word2vec_cosine")
    home = tmp_path / "home"
    home.mkdir()
    bin_dir = Path(sys.executable).parent
    env = dict(os.environ, HOME=str(home), JUPYTERHUB_USER="ada", LLMCOURSE_EXCHANGE=str(exchange),
               JUPYTER_CONFIG_PATH=str(HUB / "student"), PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    for step in ("fetch_assignment", "submit"):
        result = subprocess.run([str(bin_dir / "nbgrader"), step, "ps01_word2vec_cosine"], cwd=home, env=env,
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stderr[-2000:]
    (submission,) = (course_folder / "inbound").iterdir()
    assert submission.name.startswith("ada+ps01_word2vec_cosine+")
    assert stat.S_IMODE(submission.stat().st_mode) == 0o770
    files = [p for p in submission.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"ps01_word2vec_cosine.ipynb", "timestamp.txt", "submission_secret.txt"}
    assert {stat.S_IMODE(p.stat().st_mode) for p in files} == {0o640}


def test_z2jh_values_mount_the_exchange_and_carry_the_hub_files():
    values = yaml.safe_load((HUB / "z2jh" / "values.yaml").read_text())
    single = values["singleuser"]
    exchange = single["extraEnv"]["LLMCOURSE_EXCHANGE"]
    volumes = {v["name"]: v for v in single["storage"]["extraVolumes"]}
    mounts = {m["name"]: m["mountPath"] for m in single["storage"]["extraVolumeMounts"]}
    assert mounts["nbgrader-exchange"] == exchange
    claim = volumes["nbgrader-exchange"]["persistentVolumeClaim"]["claimName"]
    claims = {d["metadata"]["name"]: d for d in yaml.safe_load_all((HUB / "z2jh" / "exchange-pvc.yaml").read_text())}
    assert claims[claim]["spec"]["accessModes"] == ["ReadWriteMany"]  # every user pod mounts it
    assert "llmcourse-course" in claims
    assert any("chmod 1777" in " ".join(c["command"]) for c in single["initContainers"])
    for key, spec in single["extraFiles"].items():
        local = HUB / Path(spec["mountPath"]).relative_to("/etc/llmcourse")
        if "stringData" in spec:
            assert spec["stringData"] == local.read_text(), f"values.yaml's {key} differs from {local}"
        else:
            assert spec["data"] == json.loads(local.read_text()), f"values.yaml's {key} differs from {local}"
    assert single["extraEnv"]["JUPYTER_CONFIG_PATH"] == "/etc/llmcourse/student"
    groups = values["hub"]["config"]["JupyterHub"]["load_groups"]
    assert set(values["hub"]["config"]["Authenticator"]["admin_users"]) <= set(groups["instructors"]["users"])


def test_z2jh_roles_hook_gives_staff_formgrader_and_students_their_own_uid():
    code = yaml.safe_load((HUB / "z2jh" / "values.yaml").read_text())["hub"]["extraConfig"]["llmcourse-roles"]
    assert code.strip() == (HUB / "z2jh" / "roles.py").read_text().strip()
    config = Config()
    namespace = {"c": config}
    exec(compile(code, "roles.py", "exec"), namespace)
    assert config.KubeSpawner.uid is namespace["llmcourse_uid"]

    def spawner(name, *groups):
        user = types.SimpleNamespace(name=name, groups=[types.SimpleNamespace(name=g) for g in groups])
        return types.SimpleNamespace(user=user, environment={}, notebook_dir=None, volumes=[], volume_mounts=[])

    ta, ada, bo = spawner("ta1", "tas"), spawner("ada", "students"), spawner("bo", "students")
    for s in (ta, ada):
        config.KubeSpawner.pre_spawn_hook(s)
    assert ta.environment["JUPYTER_CONFIG_PATH"] == "/etc/llmcourse/staff" and ta.notebook_dir == "/srv/course"
    assert ta.volume_mounts and not ada.volume_mounts and ada.environment == {}
    uids = {namespace["llmcourse_uid"](s) for s in (ta, ada, bo)}
    assert len(uids) == 3 and namespace["llmcourse_uid"](ta) == 1000


def test_tljh_setup_script_and_hub_config(tmp_path, monkeypatch):
    assert subprocess.run(["bash", "-n", str(HUB / "tljh" / "setup.sh")]).returncode == 0
    class_file = tmp_path / "class.json"
    class_file.write_text(json.dumps({"course": "/srv/llmcourse", "exchange": "/srv/nbgrader/exchange",
                                      "staff": ["prof", "ta1"], "config": "/etc/llmcourse"}))
    monkeypatch.setenv("LLMCOURSE_CLASS_FILE", str(class_file))
    config = load_py_config(HUB / "tljh" / "jupyterhub_config.d" / "llmcourse.py")
    hook = config.Spawner.pre_spawn_hook
    ta = types.SimpleNamespace(user=types.SimpleNamespace(name="ta1"), environment={}, notebook_dir=None)
    ada = types.SimpleNamespace(user=types.SimpleNamespace(name="ada"), environment={}, notebook_dir=None)
    hook(ta)
    hook(ada)
    assert ta.environment["JUPYTER_CONFIG_PATH"] == "/etc/llmcourse/staff" and ta.notebook_dir == "/srv/llmcourse"
    assert ada.environment["JUPYTER_CONFIG_PATH"] == "/etc/llmcourse/student" and ada.notebook_dir is None
    assert ada.environment["LLMCOURSE_EXCHANGE"] == "/srv/nbgrader/exchange"
