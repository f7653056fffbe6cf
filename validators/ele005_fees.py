"""ELE005: a charged item without its fee basis or fee standard, or fees on a free item."""

from __future__ import annotations

from collections.abc import Iterator

from catalog_cli.findings import Finding, Severity
from catalog_cli.models import Entry, ImplementationItem, Item
from catalog_cli.rules import Context, ItemRule


class RuleELE005(ItemRule):
    """A fee may only be charged on a published legal basis and at a published amount, so a charged
    item (``charged: true``) names its fee basis (收费依据) and at least one fee item with a
    standard (收费标准). A free item (``charged: false``) that lists fees contradicts itself
    (warning: one of the two is out of date).

    Bad::

        charged: true
        fees:
          - name: 证书工本费

    Good::

        charged: true
        fee_basis: 《关于规范行政事业性收费的通知》
        fees:
          - name: 证书工本费
            standard: 每本 10 元
    """

    code = "ELE005"
    name = "fees"
    summary = "Charged without fee basis or fee standard, or free with fee items."
    summary_zh = "收费事项缺少收费依据或收费标准，或不收费事项列了收费项目。"
    per_file = True

    def check(self, entry: Entry, item: Item, ctx: Context) -> Iterator[Finding]:
        if not isinstance(item, ImplementationItem) or item.charged is None:
            return
        fees = item.fees or ()
        if item.charged:
            if not (item.fee_basis or "").strip() and "/fee_basis" not in entry.invalid:
                yield self.finding(
                    ctx,
                    entry.doc,
                    "/fee_basis" if item.fee_basis is not None else "/charged",
                    "收费事项必须填写收费依据（fee_basis）。",
                    "a charged item needs its fee basis (fee_basis)",
                    hint_zh="填写 fee_basis:（收费的法律法规或文件）",
                    hint_en="add fee_basis: (the law or document that allows the fee)",
                )
            if "/fees" in entry.invalid:
                return  # wrong type: SCH003
            if not any((f.standard or "").strip() for f in fees):
                yield self.finding(
                    ctx,
                    entry.doc,
                    "/fees" if fees else "/charged",
                    "收费事项至少要有一个写明收费标准（standard）的收费项目（fees）。"
                    if fees
                    else "收费事项至少要有一个收费项目（fees），并写明收费标准。",
                    "a charged item needs at least one fee item with a standard (fees[].standard)",
                    hint_zh="fees: [{name: 收费项目名称, standard: 收费标准}]",
                    hint_en="fees: [{name: fee item, standard: amount}]",
                )
        elif fees:
            yield self.finding(
                ctx,
                entry.doc,
                "/fees",
                f"是否收费为否（charged: false），却列了 {len(fees)} 个收费项目。",
                f"charged is false, but {len(fees)} fee item(s) are listed",
                hint_zh="收费的写 charged: true；不收费的删除 fees",
                hint_en="write charged: true if a fee is charged; else remove fees",
                severity=Severity.WARNING,
            )
