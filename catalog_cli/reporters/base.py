"""The reporter interface and the report it renders."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TextIO

from catalog_cli.findings import Finding, summarize
from catalog_cli.loader import Document


@dataclass(frozen=True)
class RuleInfo:
    """What a reporter may say about a rule (SARIF's rule table): texts in the report's language."""

    code: str
    name: str
    severity: str
    summary: str
    doc: str = ""


@dataclass
class Report:
    """Findings plus what a reporter may show beside them."""

    findings: list[Finding]
    files: int
    lang: str = "zh"
    documents: Mapping[str, Document] = field(default_factory=dict)
    tool: str = "catalog"
    version: str = ""
    command: str = "validate"
    rules: list[RuleInfo] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return summarize(self.findings, self.files)

    def tr(self, zh: str, en: str) -> str:
        return zh if self.lang == "zh" else en


class Reporter(Protocol):
    """Renders a report. ``machine`` formats own stdout: nothing else may be printed there."""

    name: str
    machine: bool
    description: str

    def render(self, report: Report, out: TextIO) -> None: ...
