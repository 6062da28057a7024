"""The course's late policies as an nbgrader LateSubmissionPlugin (its own module: importing nbgrader is slow, and
the grading workers never need it)."""
from __future__ import annotations

from nbgrader.plugins import LateSubmissionPlugin
from traitlets import Unicode

from llmcourse.autograde.deadlines import Policy


class CoursePenalty(LateSubmissionPlugin):
    """nbgrader's late-submission plugin interface, with the course's policies (see deadlines.Policy)."""

    policy = Unicode("none", help="none, per-day:P, zero-after:N or per-day:P,zero-after:N").tag(config=True)

    def late_submission_penalty(self, student_id: str, score: float, total_seconds_late: float):
        return Policy.parse(self.policy).penalty(score, total_seconds_late)
