"""nbgrader for an instructor's or TA's server on the class hub: the course's own configuration
(autograder/nbgrader_config.py: gradebook, autograded notebooks, feedback) plus the hub's exchange."""
import os

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

_course = os.environ.get("LLMCOURSE_COURSE_ROOT", os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
load_subconfig(os.path.join(_course, "autograder", "nbgrader_config.py"))  # noqa: F821 (traitlets)
c.Exchange.root = os.environ.get("LLMCOURSE_EXCHANGE", "/usr/local/share/nbgrader/exchange")
c.CourseDirectory.course_id = os.environ.get("LLMCOURSE_COURSE_ID", "llmcourse")
