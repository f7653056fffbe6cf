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
        # One finding per line, compact: readable, grep-able, and fast. orjson writes a
        # dataclass's fields in their order and enums as their value, which is exactly
        # Finding.to_dict (a test holds the two equal). The list is written in one call (a
        # call per finding took three times as long) and then broken into lines between the
        # findings: `},{"code":` occurs nowhere else, since a quote inside a JSON string is
        # always escaped and no nested object has a "code" key.
        if report.findings:
            body = orjson.dumps(report.findings)[1:-1]
            body = body.replace(b'},{"code":', b'},\n    {"code":')
            out.write('{\n  "findings": [\n    ' + body.decode() + "\n  ")
        else:
            out.write('{\n  "findings": [')
        out.write('],\n  "summary": ')
        out.write(json.dumps(report.summary(), ensure_ascii=False, indent=2).replace("\n", "\n  "))
        out.write("\n}\n")
