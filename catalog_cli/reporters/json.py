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
        doc = {
            "findings": [f.to_dict() for f in report.findings],
            "summary": report.summary(),
        }
        json.dump(doc, out, ensure_ascii=False, indent=2)
        out.write("\n")
