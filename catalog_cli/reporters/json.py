"""``--format json``: ``{"findings": [...], "summary": {...}}``, deterministic, documented in README."""

from __future__ import annotations

import json
from typing import TextIO

from catalog_cli.reporters.base import Report


class JsonReporter:
    name = "json"
    machine = True
    description = "one JSON document: findings and summary"

    def render(self, report: Report, out: TextIO) -> None:
        # One finding per line: readable, grep-able, and written by the C encoder (an indented
        # dump of 50k findings goes through the pure-Python encoder and takes seconds).
        encode = json.JSONEncoder(ensure_ascii=False).encode
        lines = [encode(f.to_dict()) for f in report.findings]
        out.write('{\n  "findings": [')
        if lines:
            out.write("\n    " + ",\n    ".join(lines) + "\n  ")
        out.write('],\n  "summary": ')
        out.write(json.dumps(report.summary(), ensure_ascii=False, indent=2).replace("\n", "\n  "))
        out.write("\n}\n")
