"""JupyterHub configuration for a class on one machine. `python3 course.py hub --roster roster.csv` runs it
(`jupyterhub -f hub/jupyterhub_config.py` with the LLMCOURSE_* variables that hub/classroom.py describes).

Users: one per roster row (students), plus the instructors (hub admins) and TAs. Students get Assignment List and
Validate; instructors and TAs get formgrader on the course's autograder/ (see hub/spawner.py).
Loopback only: the hub listens on 127.0.0.1 unless `--ip` says otherwise; README "Running a class on JupyterHub"
says how to expose it (TLS and a real authenticator), which this file does not do for you.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from classroom import Settings  # noqa: E402
from authenticator import RosterPasswordAuthenticator  # noqa: E402
from spawner import CourseSpawner  # noqa: E402

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)
course = Settings.from_environment()
students = course.students
staff = course.staff

# Network: the public proxy port, and the hub's and proxy's internal APIs, all on loopback by default.
c.JupyterHub.ip = course.ip
c.JupyterHub.port = course.port
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = course.hub_port
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{course.proxy_api_port}"
c.ConfigurableHTTPProxy.command = [course.proxy_command]
c.ConfigurableHTTPProxy.pid_file = str(course.private / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{course.private / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(course.private / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(course.private / "jupyterhub.pid")
# Stopping the hub stops every server it started: nothing is left running.
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

# Who may log in: each roster student and staff member with their own password (.hub/hub/passwords.csv, written
# by course.py). A demo authenticator for a trusted machine; a real class uses PAM, OAuth or LTI (README).
c.JupyterHub.authenticator_class = RosterPasswordAuthenticator
c.RosterPasswordAuthenticator.passwords_file = str(course.private / "passwords.csv")
c.Authenticator.allowed_users = set(students) | set(staff)
c.Authenticator.admin_users = set(course.instructors)
c.JupyterHub.load_groups = {
    "students": {"users": students},
    "instructors": {"users": course.instructors},
    "tas": {"users": course.tas},
}

# Servers: the course's venv, JupyterLab, roles as above.
c.JupyterHub.spawner_class = CourseSpawner
c.CourseSpawner.course_root = str(course.course_root)
c.CourseSpawner.venv = str(course.venv)
c.CourseSpawner.exchange = str(course.exchange)
c.CourseSpawner.state_dir = str(course.state)
c.CourseSpawner.staff = staff
c.CourseSpawner.system_users = course.system_users
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
