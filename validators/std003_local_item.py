"""STD003: an implementation item that is not linked to a basic item."""

from __future__ import annotations

from collections.abc import Iterator

from catalog_cli.findings import Finding, Severity
from catalog_cli.models import Entry, ImplementationItem, Item
from catalog_cli.rules import Context, ItemRule


class RuleSTD003(ItemRule):
    """Every implementation item should implement a basic item (同一事项、同一编码): only then are
    its name, type and legal basis the same as everywhere else, and only then can portals match
    it across regions. Provinces keep items that have only a local code (地方编码) while the
    basic item is being found; they are reported as a warning until they are linked.

    Bad::

        kind: implementation
        local_code: 511A0138000000-511602000000-000-115113010833722043-1-00
        name: 适龄儿童、少年因身体状况需要延缓入学或者休学审批

    Good::

        kind: implementation
        basic_code: "000107003000"
        local_code: 511A0138000000-511602000000-000-115113010833722043-1-00
    """

    code = "STD003"
    name = "local-item"
    severity = Severity.WARNING
    summary = "An implementation item has no basic code (only a local code)."
    summary_zh = "实施清单事项没有基本编码（只有地方编码），未关联基本目录事项。"
    per_file = True

    def check(self, entry: Entry, item: Item, ctx: Context) -> Iterator[Finding]:
        if not isinstance(item, ImplementationItem) or item.basic_code:
            return
        if "/basic_code" in entry.invalid:
            return  # a basic code of the wrong type: SCH003
        local = f"（地方编码 {item.local_code}）" if item.local_code else ""
        local_en = f" (local code {item.local_code})" if item.local_code else ""
        yield self.finding(
            ctx,
            entry.doc,
            "/local_code" if item.local_code else "",
            f"本事项{local}没有基本编码，未关联基本目录事项。",
            f"this item{local_en} has no basic code: it is not linked to a basic item",
            hint_zh="在基本目录中找到对应事项并填写 basic_code；catalog dupes 可按名称推荐候选事项",
            hint_en="find its basic item and add basic_code; catalog dupes suggests candidates "
            "by name",
        )
