"""The instructor's grading pipeline behind autograder/course_grader.py (README, "Instructors"; the path of one
submission from the command line to the gradebook: docs/grader.md).

Reading order, one job per module:

Course folders and notebooks
    coursedir.py         where the course's files are: nbgrader's CourseDirectory with autograder/nbgrader_config.py
    notebooks.py         the source notebook (trusted template) and a student's notebook (untrusted submission)
    submission_files.py  what a submission folder must contain before it is graded

The student's process (untrusted side)
    sandbox.py           start one student process in fresh Linux namespaces, with limits; why it died (reason)
    zygote.py            the warm start: a clean process with the notebook's imports done forks each student process
    confinement.py       inside it, before any student code: hide folders, set rlimits, drop every privilege
    student_process.py   inside it: serve the grader's requests (run a cell, names, calls on remotes)
    protocol.py          the table of requests, reply keys and handle kinds between the two sides
    wire.py              strict plain-data encoding of what crosses: the trust boundary
    mirror.py            models, optimisers and arrays that cross whole (lent and written back)

The grader's side of one notebook
    remote.py            Remote: an object that stays in the student's process; the gradient bridge
    session.py           the student process seen from the grader: cells, restarts, requests
    verdicts.py          grade one notebook: every test cell runs here, on values from the sandbox

A batch
    submission.py        one submission graded in a worker, from bytes (templates and notebooks); never raises
    batch.py             a batch: resumable, the parent is the one writer; executor: a local process pool...
    cluster.py           ... or the workers of a Dask cluster (--scheduler), tasks carrying their notebooks as bytes
    reference.py         the reference solution graded first; refuses an assignment it would lose points on
    results.py           result.json per student, and the resume key
    gradebook.py         nbgrader's gradebook: cells, scores, the integrity check
    formgrade.py         autograded notebooks for formgrader

Before and after grading
    release.py, collect.py, exchange.py, deadlines.py, latepenalty.py, scores.py, feedback.py, export.py
"""
