"""DUP003: WARNING — duplicate detection, run by ``catalog check`` (and ``catalog dupes``)."""

from __future__ import annotations

from catalog_cli.dupes.rule import DupRule
from catalog_cli.findings import Severity


class RuleDUP003(DupRule):
    """Probably the same item (high similarity, small unexplained difference).

    Reported only when no key term (采矿权/探矿权, 公司/分公司), business action (设立/变更/注销) or
    number differs, and the names differ by one or two characters.

    Bad::

        建设工程消防验收
        建设工程消防验收备案抽查   # ... or a typo like 消坊

    Good: fix the typo, or record not-duplicate in decisions.yaml.
    """

    code = "DUP003"
    name = "probable-duplicate"
    severity = Severity.WARNING
    summary = "Very similar names with a small unexplained difference."
    summary_zh = "名称高度相似，存在少量无法解释的差异。"
