"""YML004: plain values that YAML 1.1 tools read differently (yes/no/on/off, 0755, 0x1F)."""

from __future__ import annotations

from catalog_cli.findings import Severity
from catalog_cli.rules import ProblemRule


class RuleYML004(ProblemRule):
    """YAML 1.1 readers (PyYAML, many portals) turn ``yes`` into true, ``0755`` into 493 and
    ``000123018000`` into 123018000. This tool keeps the text exactly as written and warns, so
    that every reader of the file sees the same value: quote it.

    Bad::

        basic_code: 000123018000
        online: yes

    Good::

        basic_code: "000123018000"
        online: true
    """

    code = "YML004"
    name = "yaml11-ambiguous"
    severity = Severity.WARNING
    summary = "A plain value means something else to YAML 1.1 tools."
    summary_zh = "未加引号的值在 YAML 1.1 中含义不同。"
