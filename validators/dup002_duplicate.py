"""DUP002: WARNING — duplicate detection, run by ``catalog check`` (and ``catalog dupes``)."""

from __future__ import annotations

from catalog_cli.dupes.rule import DupRule
from catalog_cli.findings import Severity


class RuleDUP002(DupRule):
    """The same item recorded twice (同一事项).

    Names identical after normalization, or differing only by renamed terminology (开业登记 →
    设立登记 for 个体工商户), filler (的, 办理, spaces), level tags (（县级）), punctuation width,
    traditional vs simplified characters or word order. Implementations of one basic item in
    different regions are not compared with each other.

    Bad::

        企业投资项目备案（市级/县级）
        企业投资项目备案

    Good: one item; record a reviewed pair in decisions.yaml (decision: not-duplicate) if they
    really are two items.
    """

    code = "DUP002"
    name = "duplicate"
    severity = Severity.WARNING
    summary = "The same item under two codes or in two records."
    summary_zh = "同一事项出现在两个编码或两条记录中。"
