"""DUP009: INFO — duplicate detection, run by ``catalog check`` (and ``catalog dupes``)."""

from __future__ import annotations

from catalog_cli.dupes.rule import DupRule
from catalog_cli.findings import Severity


class RuleDUP009(DupRule):
    """Names that cannot take part in the duplicate search.

    A name that consists only of filler, punctuation or level tags — or an implementation item
    with no name and no basic item to inherit one from — cannot be compared, so the search says
    so instead of silently skipping it.

    Bad::

        name: （县级）

    Good::

        name: 饮用水供水单位卫生许可
    """

    code = "DUP009"
    name = "unusable-name"
    severity = Severity.INFO
    summary = "An item name that is empty after normalization cannot be compared."
    summary_zh = "事项名称规范化后为空，无法参与查重。"
