"""Keep library chatter off stderr.

nbgrader gives a test cell zero points if anything is written to stderr, a harmless library warning included,
and students should not see pages of warnings either. Warnings are shown once, on stdout, in one short line.
"""
from __future__ import annotations

import logging
import os
import sys
import warnings


def _warning_to_stdout(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"(note: {category.__name__}: {message})", file=sys.stdout)


def quiet_libraries() -> None:
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    warnings.showwarning = _warning_to_stdout
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=FutureWarning)
    for name in ("transformers", "sentence_transformers", "huggingface_hub", "torch", "matplotlib"):
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
    except ImportError:
        pass
