"""DUP006: INFO — duplicate detection, run by ``catalog check`` (and ``catalog dupes``)."""

from __future__ import annotations

from catalog_cli.dupes.rule import DupRule
from catalog_cli.findings import Severity


class RuleDUP006(DupRule):
    """A candidate for the national catalog.

    A basic item a province added (prefix ≠ 00) that matches a national item should use the
    national code; the same item added by two provinces under different codes is a candidate for
    the national catalog.

    Bad::

        210131035000 移动式压力容器、气瓶充装许可   # Liaoning's own code
        000131035000 移动式压力容器、气瓶充装许可   # the national item

    Good: implement 000131035000.
    """

    code = "DUP006"
    name = "national-candidate"
    severity = Severity.INFO
    summary = "A province-added basic item duplicates a national item or another province's."
    summary_zh = "省级增补的基本目录事项与国家目录或其他省份的事项相同。"
