"""nbgrader for a student's server on the class hub (found through JUPYTER_CONFIG_PATH, set by hub/spawner.py;
the Littlest JupyterHub and Kubernetes set-ups in hub/tljh and hub/z2jh install the same file)."""
import os
import sys

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

c.Exchange.root = os.environ.get("LLMCOURSE_EXCHANGE", "/usr/local/share/nbgrader/exchange")
c.CourseDirectory.course_id = os.environ.get("LLMCOURSE_COURSE_ID", "llmcourse")
# The hub user, not the OS user: on a one-machine demo every server runs as the same OS user.
c.CourseDirectory.student_id = os.environ.get("JUPYTERHUB_USER", "")
# Submissions readable by their owner and the instructors only (llmcourse_exchange.py, next to this file).
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
c.ExchangeFactory.submit = "llmcourse_exchange.PrivateSubmit"
# Validate runs the whole notebook in the student's server: on a busy hub a cell (importing torch) can take longer
# than nbgrader's default 30 s.
c.Execute.timeout = 300
