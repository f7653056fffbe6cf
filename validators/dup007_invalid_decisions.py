"""DUP007: ERROR — duplicate detection, run by ``catalog check`` (and ``catalog dupes``)."""

from __future__ import annotations

from catalog_cli.dupes.rule import DupRule
from catalog_cli.findings import Severity


class RuleDUP007(DupRule):
    """The reviewed-pairs file is validated like an item file.

    decisions.yaml at the catalog root is a list of {a, b, decision, into (for merge), reason,
    by, date}; decision is not-duplicate, duplicate or merge. A broken file would silently bring
    back every pair it was meant to silence, so every problem is reported with file and line.

    Bad::

        - {a: "000123018000", b: "000123019000", decision: maybe}

    Good::

        - a: "000123018000"
          b: "000123019000"
          decision: not-duplicate
          reason: 前者为供水单位，后者为涉水产品
          by: 张三
          date: 2026-11-01
    """

    code = "DUP007"
    name = "invalid-decisions"
    severity = Severity.ERROR
    summary = "decisions.yaml cannot be read or has invalid entries."
    summary_zh = "decisions.yaml 无法读取或含有无效记录。"
