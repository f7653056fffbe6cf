"""``--format sarif``: a SARIF 2.1.0 log for code-scanning tools, deterministic byte for byte.

One run; ``tool.driver.rules`` lists every rule of the run (sorted by code), results point into
it by ``ruleId`` and ``ruleIndex``. URIs are relative to ``%SRCROOT%`` (the catalog root), so the
file does not depend on where the catalog was checked out. ``info`` becomes ``note``.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any, TextIO
from urllib.parse import quote

import orjson

from catalog_cli.findings import Finding, Location, Severity
from catalog_cli.reporters.base import Report, RuleInfo

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SRCROOT = "%SRCROOT%"
LEVEL = {"error": "error", "warning": "warning", "info": "note"}
_LEVEL_OF = {s: LEVEL[s.value] for s in Severity}  # (an enum's .value is a slow lookup)


@lru_cache(maxsize=1 << 16)  # a file has several findings, and related locations repeat files
def uri(path: str) -> str:
    """A relative URI reference for a ``/``-separated path (non-ASCII and spaces percent-encoded)."""
    return quote(path, safe="/")


def physical(path: str, line: int | None, column: int | None) -> dict[str, Any]:
    loc: dict[str, Any] = {"artifactLocation": {"uri": uri(path), "uriBaseId": SRCROOT}}
    if line is not None and line >= 1:
        region: dict[str, Any] = {"startLine": line}
        if column is not None and column >= 1:
            region["startColumn"] = column
        loc["region"] = region
    return loc


def rule_descriptor(rule: RuleInfo) -> dict[str, Any]:
    desc: dict[str, Any] = {"id": rule.code, "name": rule.name}
    if rule.summary:
        desc["shortDescription"] = {"text": rule.summary}
    if rule.doc:
        # The doc's first paragraph says why the rule exists; the whole doc (with its bad and
        # good examples, Markdown-compatible) is the help a code-scanning page shows.
        desc["fullDescription"] = {"text": rule.doc.split("\n\n", 1)[0].strip()}
        desc["help"] = {"text": rule.doc, "markdown": rule.doc}
    desc["defaultConfiguration"] = {"level": LEVEL.get(rule.severity, "warning")}
    return desc


def rule_table(report: Report) -> list[RuleInfo]:
    """The report's rules, plus a bare entry for any finding whose rule it does not list."""
    rules = {r.code: r for r in report.rules}
    for f in report.findings:
        if f.code not in rules:
            rules[f.code] = RuleInfo(f.code, f.rule, f.severity.value, "")
    return [rules[c] for c in sorted(rules)]


def fingerprint(f: Finding) -> str:
    """Stable across runs, line moves and languages: what is wrong, where in which file."""
    return hashlib.sha256(f"{f.code}\0{f.path}\0{f.pointer}".encode()).hexdigest()


def result(f: Finding, index: int, report: Report) -> dict[str, Any]:
    res: dict[str, Any] = {
        "ruleId": f.code,
        "ruleIndex": index,
        "level": _LEVEL_OF[f.severity],
        "message": {"text": f.message},
        "locations": [{"physicalLocation": physical(f.path, f.line, f.column)}],
    }
    if f.related:
        res["relatedLocations"] = [_related(i, r) for i, r in enumerate(f.related)]
    res["partialFingerprints"] = {"catalogFinding/v1": fingerprint(f)}
    props: dict[str, Any] = {}
    if f.pointer:
        props["pointer"] = f.pointer
    if f.hint:
        props["hint"] = f.hint
    if props:
        res["properties"] = props
    return res


def _related(i: int, r: Location) -> dict[str, Any]:
    return {"id": i, "physicalLocation": physical(r.path, r.line, r.column)}


def sarif_log(report: Report) -> dict[str, Any]:
    rules = rule_table(report)
    index = {r.code: i for i, r in enumerate(rules)}
    driver: dict[str, Any] = {"name": report.tool}
    if report.version:
        driver["version"] = report.version
    driver["rules"] = [rule_descriptor(r) for r in rules]
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "originalUriBaseIds": {
                    SRCROOT: {"description": {"text": "The root of the catalog repository."}}
                },
                "language": "zh-CN" if report.lang == "zh" else "en-US",
                "columnKind": "unicodeCodePoints",
                "results": [result(f, index[f.code], report) for f in report.findings],
                **_since(report),
            }
        ],
    }


def _since(report: Report) -> dict[str, Any]:
    """Under --since, the run says that its results are only those involving the changes."""
    if report.since is None:
        return {}
    return {"properties": {"since": report.since.to_dict()}}


class SarifReporter:
    name = "sarif"
    machine = True
    description = "SARIF 2.1.0 for code scanning"

    def render(self, report: Report, out: TextIO) -> None:
        # orjson's two-space indentation is byte for byte json.dumps(indent=2,
        # ensure_ascii=False) on these plain values (str, int, list, dict), and about ten times
        # as fast: the standard library's indenting encoder is pure Python (3 s for 50k results).
        out.write(orjson.dumps(sarif_log(report), option=orjson.OPT_INDENT_2).decode())
        out.write("\n")
