"""What nbgrader's gradebook says about one submission: per-cell scores (auto, manual), TA comments, the late
penalty and the final score. Export and feedback read scores from here only, so both show the same numbers."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class CellScore:
    score: float            # nbgrader's Grade.score: the manual score when a TA gave one, else the auto score
    max_score: float
    auto: float | None
    manual: float | None
    needs_manual_grade: bool
    kind: str               # "test" (code) or "written" (markdown)


@dataclass
class SubmissionScores:
    student: str
    cells: dict[str, CellScore] = field(default_factory=dict)       # grade_id -> score
    comments: dict[str, str] = field(default_factory=dict)          # grade_id -> the TA's (or grader's) comment
    raw: float = 0.0
    max_score: float = 0.0
    penalty: float = 0.0
    timestamp: object = None
    duedate: object = None                                          # with the student's extension
    seconds_late: float = 0.0

    @property
    def final(self) -> float:
        return max(0.0, self.raw - self.penalty)

    @property
    def auto(self) -> float:
        return sum(c.score for c in self.cells.values() if c.kind == "test")

    @property
    def manual(self) -> float:
        return sum(c.score for c in self.cells.values() if c.kind == "written")

    @property
    def needs_manual_grade(self) -> bool:
        return any(c.needs_manual_grade for c in self.cells.values())


def submission_scores(gradebook, assignment: str, student: str) -> SubmissionScores | None:
    """None when the gradebook has no submission of this student."""
    from nbgrader.api import MissingEntry

    try:
        submission = gradebook.find_submission(assignment, student)
    except MissingEntry:
        return None
    scores = SubmissionScores(student, raw=float(submission.score or 0.0), max_score=float(submission.max_score or 0),
                              penalty=float(submission.late_submission_penalty or 0.0),
                              timestamp=submission.timestamp, duedate=submission.duedate,
                              seconds_late=float(submission.total_seconds_late or 0.0))
    for notebook in submission.notebooks:
        for grade in notebook.grades:
            scores.cells[grade.name] = CellScore(float(grade.score or 0.0), float(grade.max_score or 0.0),
                                                 grade.auto_score, grade.manual_score, bool(grade.needs_manual_grade),
                                                 "test" if grade.cell_type == "code" else "written")
        for comment in notebook.comments:
            if comment.comment:
                scores.comments[comment.name] = comment.comment
    return scores
