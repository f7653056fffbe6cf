"""YML010: YAML tags and merge keys."""

from __future__ import annotations

from catalog_cli.findings import Severity
from catalog_cli.rules import ProblemRule


class RuleYML010(ProblemRule):
    """Item files are plain data read by many tools; explicit tags (``!!python/object``,
    ``!custom``) and merge keys (``<<``) are read differently, or not at all, by them.

    Bad::

        <<: *defaults
        name: !zh 饮用水供水单位卫生许可

    Good::

        name: 饮用水供水单位卫生许可
    """

    code = "YML010"
    name = "unsupported-yaml"
    severity = Severity.ERROR
    summary = "The file uses a YAML feature item files do not allow (tags, merge keys)."
    summary_zh = "文件使用了事项文件不允许的 YAML 特性（标签、合并键）。"
