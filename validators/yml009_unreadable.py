"""YML009: files that cannot be read (permissions, I/O errors)."""

from __future__ import annotations

from catalog_cli.findings import Severity
from catalog_cli.rules import ProblemRule


class RuleYML009(ProblemRule):
    """A file the tool cannot read is reported rather than skipped, so a check never passes by not
    looking.

    Bad: ``chmod 000 items/basic/000123018000.yaml``

    Good: a file readable by the user running the check.
    """

    code = "YML009"
    name = "unreadable"
    severity = Severity.ERROR
    summary = "The file cannot be read."
    summary_zh = "文件无法读取。"
