"""Reporters: one interface, one table from format name to reporter. Adding a format is one file."""

from __future__ import annotations

from catalog_cli.reporters.base import Report, Reporter, RuleInfo, Since
from catalog_cli.reporters.github import GithubReporter
from catalog_cli.reporters.json import JsonReporter
from catalog_cli.reporters.junit import JunitReporter
from catalog_cli.reporters.markdown import MarkdownReporter
from catalog_cli.reporters.sarif import SarifReporter
from catalog_cli.reporters.text import TextReporter

REPORTERS: dict[str, Reporter] = {
    r.name: r
    for r in (
        TextReporter(),
        JsonReporter(),
        GithubReporter(),
        SarifReporter(),
        JunitReporter(),
        MarkdownReporter(),
    )
}

__all__ = ["REPORTERS", "Report", "Reporter", "RuleInfo", "Since"]
