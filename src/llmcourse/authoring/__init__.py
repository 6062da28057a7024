"""Maintainers' tools for writing assignments (docs/CONVENTIONS.md): reading nbgrader source notebooks, grading them
in-process against named mutants, and checking that each instruction sentence is enforced by a test. Neither
students' notebooks nor the grader import this package."""
