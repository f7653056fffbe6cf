"""SUP001: inline suppressions must name the rules and give a reason."""

from __future__ import annotations

from catalog_cli.findings import Severity
from catalog_cli.rules import ProblemRule


class RuleSUP001(ProblemRule):
    """A suppression silences a check for everyone who reads the file later; the reason is what
    tells them why it was safe. A comment without one is not applied.

    Bad::

        name: 沈阳市和平区饮用水供水单位卫生许可  # catalog: ignore[ELE009]

    Good::

        name: 沈阳市和平区饮用水供水单位卫生许可  # catalog: ignore[ELE009] 名称经省局批准保留地名
    """

    code = "SUP001"
    name = "invalid-suppression"
    severity = Severity.ERROR
    summary = "An inline suppression lacks rule codes or a reason."
    summary_zh = "忽略注释缺少规则代码或理由。"
