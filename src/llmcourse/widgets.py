"""ipywidgets panels used by the lectures. Each builder returns a widget to display; moving a control redraws
its output in place (an ipywidgets.Output), so the browser tests can see the change."""
from __future__ import annotations
