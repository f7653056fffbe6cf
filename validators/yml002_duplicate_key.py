"""YML002: duplicate keys in a mapping."""

from __future__ import annotations

from catalog_cli.findings import Severity
from catalog_cli.rules import ProblemRule


class RuleYML002(ProblemRule):
    """Most YAML libraries silently keep the last of two equal keys, so one of the values a person
    wrote is lost without a word. This tool keeps the first, and reports the second with a link
    to the first.

    Bad::

        promised_limit: {value: 5, unit: 工作日}
        promised_limit: {value: 3, unit: 工作日}

    Good::

        promised_limit: {value: 3, unit: 工作日}
    """

    code = "YML002"
    name = "duplicate-key"
    severity = Severity.ERROR
    summary = "A mapping has the same key twice."
    summary_zh = "同一映射中键重复。"
