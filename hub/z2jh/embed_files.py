#!/usr/bin/env python3
"""Rewrite values.yaml's `singleuser.extraFiles` from hub/student and hub/staff (run after editing those files;
tests/test_hub_configs.py fails until values.yaml carries the same contents)."""
import json
from pathlib import Path

import yaml

HUB = Path(__file__).resolve().parents[1]
VALUES = HUB / "z2jh" / "values.yaml"
FILES = {"nbgrader-student": "student/nbgrader_config.py", "exchange-student": "student/llmcourse_exchange.py",
         "server-student": "student/jupyter_server_config.d/llmcourse-student.json",
         "lab-student": "student/labconfig/page_config.json", "nbgrader-staff": "staff/nbgrader_config.py",
         "server-staff": "staff/jupyter_server_config.json", "lab-staff": "staff/labconfig/page_config.json"}


def indent(text: str, spaces: int) -> str:
    return "\n".join(" " * spaces + line if line else "" for line in text.rstrip("\n").split("\n"))


def main() -> None:
    text = VALUES.read_text()
    head = text[:text.index("  extraFiles:\n")]  # extraFiles is the last key of singleuser, at the end of the file
    out = head + "  extraFiles:\n    # The files of hub/student and hub/staff (tests/test_hub_configs.py checks they are the same).\n"
    for key, path in FILES.items():
        out += f"    {key}:\n      mountPath: /etc/llmcourse/{path}\n"
        if path.endswith(".json"):
            out += "      data:\n" + indent(yaml.safe_dump(json.loads((HUB / path).read_text()), sort_keys=False), 8) + "\n"
        else:
            out += "      stringData: |\n" + indent((HUB / path).read_text(), 8) + "\n"
    VALUES.write_text(out)


if __name__ == "__main__":
    main()
