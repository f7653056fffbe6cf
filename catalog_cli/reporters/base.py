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


@dataclass(frozen=True)
class Since:
    """``--since REF``: the findings are those involving what changed, not all there are."""

    ref: str
    changed: frozenset[str]  # the checked files added, changed or renamed since ``ref``

    def to_dict(self) -> dict[str, Any]:
        """What json's summary and the SARIF run say of it."""
        return {"ref": self.ref, "changed": len(self.changed)}


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
    since: Since | None = None

    def summary(self) -> dict[str, Any]:
        s = summarize(self.findings, self.files)
        if self.since is not None:
            s["since"] = self.since.to_dict()
        return s

    def scope(self) -> str:
        """Under ``--since``, a sentence saying that only what involves the changes is reported
        (a report that says "no problems found" must not seem to speak for the other files);
        else ""."""
        if self.since is None:
            return ""
        n, ref = len(self.since.changed), self.since.ref
        return self.tr(
            f"只报告与自 {ref} 以来改动的 {n} 个文件有关的问题。",
            f"Only findings involving the {n} file{'' if n == 1 else 's'} changed since {ref} "
            "are reported.",
        )

    def tr(self, zh: str, en: str) -> str:
        return zh if self.lang == "zh" else en


class Reporter(Protocol):
    """Renders a report. ``machine`` formats own stdout: nothing else may be printed there."""

    name: str
    machine: bool
    description: str

    def render(self, report: Report, out: TextIO) -> None: ...
