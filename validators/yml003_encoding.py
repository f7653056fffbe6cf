"""YML003: files that are not UTF-8 text (GBK, UTF-16, binary)."""

from __future__ import annotations

from catalog_cli.findings import Severity
from catalog_cli.rules import ProblemRule


class RuleYML003(ProblemRule):
    """Item files are exchanged between platforms and must read the same everywhere. Files saved
    by Windows tools in GBK/GB18030 are the common case; the finding says so and how to convert.
    A UTF-8 byte-order mark is accepted.

    Bad: a file saved as GBK (ANSI) in Notepad.

    Good: the same file converted with iconv -f GB18030 -t UTF-8 old.yaml > new.yaml.
    """

    code = "YML003"
    name = "encoding"
    severity = Severity.ERROR
    summary = "The file is not UTF-8 text."
    summary_zh = "文件不是 UTF-8 编码的文本。"
