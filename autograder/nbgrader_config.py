"""nbgrader configuration for the course. nbgrader reads it from the folder it runs in: run plain nbgrader
commands from autograder/ (`cd autograder && nbgrader autograde ps01_word2vec_cosine`). Paths below are absolute,
so they do not depend on that folder.

solutions/  = nbgrader source (solutions and hidden tests), exercises/ = the release students get.
Submissions, autograded copies, feedback and the gradebook stay under autograder/ and are git-ignored.
"""
import os

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

c.CourseDirectory.root = _root
# The exchange (hub): the course id and the exchange root are shared with the students' servers, which get the same
# two environment variables from the hub (README, "Instructors" and the hub section).
c.CourseDirectory.course_id = os.environ.get("LLMCOURSE_COURSE_ID", "llmcourse")
if os.environ.get("LLMCOURSE_EXCHANGE"):
    c.Exchange.root = os.environ["LLMCOURSE_EXCHANGE"]
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.submitted_directory = os.path.join("autograder", "submitted")
c.CourseDirectory.autograded_directory = os.path.join("autograder", "autograded")
c.CourseDirectory.feedback_directory = os.path.join("autograder", "feedback")
c.CourseDirectory.solution_directory = os.path.join("autograder", "solution_release")
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(_root, "autograder", "gradebook.db")
# Data files beside a notebook (none yet) travel with it; nothing else does.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".*"]

# Students see every visible test; hidden tests stay in solutions/ and are removed from the release.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
c.ClearHiddenTests.begin_test_delimeter = "BEGIN HIDDEN TESTS"
c.ClearHiddenTests.end_test_delimeter = "END HIDDEN TESTS"

# Formgrader's own "Generate Feedback" button works from the autograded notebooks, whose test cells hold the hidden
# tests (course_grader.py's feedback never does): remove them there too.
c.GenerateFeedback.preprocessors = ["nbgrader.preprocessors.GetGrades", "nbgrader.preprocessors.ClearHiddenTests",
                                    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor"]

# Generous per-cell limit for grading on a slow laptop; the course's own notebooks need seconds.
c.ExecutePreprocessor.timeout = 300
c.Execute.timeout = 300
