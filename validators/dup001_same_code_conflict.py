"""DUP001: ERROR — duplicate detection, run by ``catalog check`` (and ``catalog dupes``)."""

from __future__ import annotations

from catalog_cli.dupes.rule import DupRule
from catalog_cli.findings import Severity


class RuleDUP001(DupRule):
    """Same code, different item: "same code" is broken.

    A code identifies one item at every level (同一编码). Two files with one code and different
    names or types mean one of them carries the wrong code, and portals would merge two items.

    Bad::

        items/basic/000123018000.yaml:  name: 饮用水供水单位卫生许可
        items/basic/legacy.yaml:        basic_code: "000123018000", name: 公共场所卫生许可

    Good: each item under its own code; a cancelled item keeps its code with status 取消.
    """

    code = "DUP001"
    name = "same-code-conflict"
    severity = Severity.ERROR
    summary = "Two items share a code but their names or types differ."
    summary_zh = "两个事项编码相同但名称或类型不同。"
