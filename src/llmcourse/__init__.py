"""Plumbing for the course notebooks: seeding, model loading, plotting, widgets, data sets and grading helpers.

Notebooks teach; this package holds whatever more than one notebook needs. Import what you need from its
modules (`from llmcourse.plotting import heatmap`); `setup_notebook()` is the one call every notebook starts with.
"""
from llmcourse.notebook import setup_notebook

__all__ = ["setup_notebook"]
__version__ = "0.1.0"
