"""SCH002: unknown keys."""

from __future__ import annotations

from catalog_cli.findings import Severity
from catalog_cli.rules import ProblemRule


class RuleSCH002(ProblemRule):
    """A misspelt key is a value that silently goes nowhere: the portal never sees it and the
    check for the real element says it is missing. Keys are the ASCII names in
    standards/elements.yaml.

    Bad::

        promise_limit: {value: 5, unit: 工作日}

    Good::

        promised_limit: {value: 5, unit: 工作日}
    """

    code = "SCH002"
    name = "unknown-key"
    severity = Severity.ERROR
    summary = "A key the standard does not define (with a did-you-mean)."
    summary_zh = "标准未定义的键（并提示可能的正确写法）。"
