"""SUP002: inline suppressions that no longer suppress anything."""

from __future__ import annotations

from catalog_cli.findings import Severity
from catalog_cli.rules import Rule


class RuleSUP002(Rule):
    """A ``# catalog: ignore[CODE] reason`` comment that matches no finding.

    Suppressions outlive the problems they hid: once an item is fixed, a stale comment would
    silently hide the next, different problem on that line. The engine reports a suppression
    that matched nothing (among the rules that ran) after all rules have run.

    Bad::

        name: 饮用水供水单位卫生许可  # catalog: ignore[ELE007] 名称含地名（已改正）

    Good::

        name: 饮用水供水单位卫生许可
    """

    code = "SUP002"
    name = "unused-suppression"
    severity = Severity.WARNING
    summary = "An inline suppression matches no finding."
    summary_zh = "忽略注释没有对应的问题。"
