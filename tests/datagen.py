"""Load a data generator script from data/generators/ as a module (they are scripts, not a package)."""
from __future__ import annotations

import importlib.util

from llmcourse.paths import DATA_DIR

GENERATORS_DIR = DATA_DIR / "generators"


def load_generator(name: str):
    spec = importlib.util.spec_from_file_location(f"generator_{name}", GENERATORS_DIR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
