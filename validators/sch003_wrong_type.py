"""SCH003: values of the wrong type."""

from __future__ import annotations

from catalog_cli.findings import Severity
from catalog_cli.rules import ProblemRule


class RuleSCH003(ProblemRule):
    """Exports and portals rely on types: a time limit is a number, materials are a list,
    a date is YYYY-MM-DD. The other elements of the item are still checked.

    Bad::

        visits: 一次
        materials: 身份证

    Good::

        visits: 1
        materials:
          - name: 身份证
    """

    code = "SCH003"
    name = "wrong-type"
    severity = Severity.ERROR
    summary = "A value has the wrong type (text, number, list, mapping, date)."
    summary_zh = "值的类型不对（文字、数字、列表、映射、日期）。"
