"""``--format json``: ``{"findings": [...], "summary": {...}}``, deterministic, documented in README."""

from __future__ import annotations

import json
from typing import TextIO

import orjson

from catalog_cli.reporters.base import Report


class JsonReporter:
    name = "json"
    machine = True
    description = "one JSON document: findings and summary"

    def render(self, report: Report, out: TextIO) -> None:
        # One finding per line, compact: readable, grep-able, and fast (orjson writes 50k
        # findings in ~0.05 s; the standard encoder needs over half a second, an indented dump
        # seconds). orjson writes a dataclass's fields in their order and enums as their value,
        # which is exactly Finding.to_dict (a test holds the two equal).
        lines = [orjson.dumps(f).decode() for f in report.findings]
        out.write('{\n  "findings": [')
        if lines:
            out.write("\n    " + ",\n    ".join(lines) + "\n  ")
        out.write('],\n  "summary": ')
        out.write(json.dumps(report.summary(), ensure_ascii=False, indent=2).replace("\n", "\n  "))
        out.write("\n}\n")
