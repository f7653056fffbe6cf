"""YML006: files over the size limit (max-file-size, 1 MiB by default)."""

from __future__ import annotations

from catalog_cli.findings import Severity
from catalog_cli.rules import ProblemRule


class RuleYML006(ProblemRule):
    """One item per file keeps files small; a huge file is almost always a mistake (an export
    dumped into items/) and would slow every check. The limit is configurable.

    Bad: a 30 MB spreadsheet export saved as items/all.yaml.

    Good: ``catalog import export.xlsx``, which writes one file per item.
    """

    code = "YML006"
    name = "file-too-large"
    severity = Severity.ERROR
    summary = "The file is larger than the configured limit."
    summary_zh = "文件超过大小上限。"
