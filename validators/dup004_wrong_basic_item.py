"""DUP004: WARNING — duplicate detection, run by ``catalog check`` (and ``catalog dupes``)."""

from __future__ import annotations

from catalog_cli.dupes.rule import DupRule
from catalog_cli.findings import Severity


class RuleDUP004(DupRule):
    """Linked to the wrong basic item?

    An implementation item that stores its own name which does not fit its basic item, but
    closely matches another basic item, was probably linked by the wrong basic_code.

    Bad::

        basic_code: "000122014000"         # 中外合资经营、中外合作经营企业申请从事娱乐场所经营活动审批
        name: 饮用水供水单位卫生许可         # that is 000123018000

    Good::

        basic_code: "000123018000"
    """

    code = "DUP004"
    name = "wrong-basic-item"
    severity = Severity.WARNING
    summary = "An implementation item's name fits another basic item better than its own."
    summary_zh = "实施清单事项的名称与所关联的基本目录事项不符，却与另一个基本目录事项相近。"
