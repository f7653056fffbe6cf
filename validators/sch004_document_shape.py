"""SCH004: the file's top level is not an item this tool reads."""

from __future__ import annotations

from catalog_cli.findings import Severity
from catalog_cli.rules import ProblemRule


class RuleSCH004(ProblemRule):
    """Every item file is a mapping with ``schema_version: 1`` and ``kind: basic`` or
    ``kind: implementation``; anything else cannot be checked element by element.

    Bad::

        - name: 饮用水供水单位卫生许可

    Good::

        schema_version: 1
        kind: basic
        name: 饮用水供水单位卫生许可
    """

    code = "SCH004"
    name = "document-shape"
    severity = Severity.ERROR
    summary = "The file is not an item (no mapping, unknown kind, unsupported schema version)."
    summary_zh = "文件不是事项（不是映射、kind 未知或格式版本不支持）。"
