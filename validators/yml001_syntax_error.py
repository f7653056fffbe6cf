"""YML001: YAML syntax errors, located to the line and column the parser stopped at."""

from __future__ import annotations

from catalog_cli.findings import Severity
from catalog_cli.rules import ProblemRule


class RuleYML001(ProblemRule):
    """A file that does not parse cannot be checked at all; the parser's position is usually on
    the offending line or the line after it.

    Bad::

        name: 饮用水供水单位卫生许可
        type: "01
        levels: [3, 4

    Good::

        name: 饮用水供水单位卫生许可
        type: "01"
        levels: [3, 4]
    """

    code = "YML001"
    name = "syntax-error"
    severity = Severity.ERROR
    summary = "The file is not valid YAML."
    summary_zh = "文件不是合法的 YAML。"
