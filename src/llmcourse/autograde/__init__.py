"""The instructor's grading pipeline behind autograder/course_grader.py (see README, "Instructors").

sandbox.py (namespaces, limits, kill) + kernel.py (the sandboxed student process) + wire.py (strict plain-data
encoding) + notebooks.py (template vs submission) + engine.py (verdicts computed outside the student's process) +
batch.py (parallel, resumable, one gradebook writer) + collect.py, release.py, feedback.py, export.py.
"""
