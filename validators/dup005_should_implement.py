"""DUP005: INFO — duplicate detection, run by ``catalog check`` (and ``catalog dupes``)."""

from __future__ import annotations

from catalog_cli.dupes.rule import DupRule
from catalog_cli.findings import Severity


class RuleDUP005(DupRule):
    """Should implement basic item X.

    County lists are full of items that carry only a provincial local code. When such an item's
    name matches a basic item, it should be linked to it (basic_code), so that it inherits the
    standard name, type and legal basis (四级四同).

    Bad::

        local_code: "511A0138000000-511602000000-000-..."
        name: 饮用水供水单位卫生许可（县级）

    Good::

        basic_code: "000123018000"
        implementation_code: "..."
    """

    code = "DUP005"
    name = "should-implement"
    severity = Severity.INFO
    summary = "A local item (no basic code) matches a basic item."
    summary_zh = "未关联基本目录的地方事项与某基本目录事项相同。"
