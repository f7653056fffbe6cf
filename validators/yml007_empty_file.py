"""YML007: empty item files (nothing, or only comments)."""

from __future__ import annotations

from catalog_cli.findings import Severity
from catalog_cli.rules import ProblemRule


class RuleYML007(ProblemRule):
    """An empty file in items/ is an item someone meant to write, or one that was emptied by
    mistake; either way it is not an item.

    Bad: ``items/basic/000123018000.yaml`` with no content.

    Good: the item's elements, or no file at all.
    """

    code = "YML007"
    name = "empty-file"
    severity = Severity.ERROR
    summary = "The file is empty."
    summary_zh = "文件是空的。"
