"""ELE003: on-site visits without a reason."""

from __future__ import annotations

from collections.abc import Iterator

from catalog_cli.findings import Finding
from catalog_cli.models import Entry, ImplementationItem, Item
from catalog_cli.rules import Context, ItemRule


class RuleELE003(ItemRule):
    """Items that can be handled online must not require a visit (the "three whenever" rules):
    every visit an applicant has to make needs a stated reason (必须现场办理原因说明), for example a
    signature in person or an on-site inspection.

    Bad::

        visits: 1

    Good::

        visits: 1
        visit_reason: 需现场核验申请人身份并签字确认
    """

    code = "ELE003"
    name = "visit-reason"
    summary = "On-site visits are required but no reason is given."
    summary_zh = "需要到现场办理，但没有说明必须现场办理的原因。"
    per_file = True

    def check(self, entry: Entry, item: Item, ctx: Context) -> Iterator[Finding]:
        if not isinstance(item, ImplementationItem) or not item.visits or item.visits <= 0:
            return
        if item.visit_reason is not None and item.visit_reason.strip():
            return
        if "/visit_reason" in entry.invalid:
            return  # wrong type: SCH003
        blank = item.visit_reason is not None
        yield self.finding(
            ctx,
            entry.doc,
            "/visit_reason" if blank else "/visits",
            f"到办事现场次数为 {item.visits}，必须说明现场办理的原因（visit_reason）"
            + ("，现在为空。" if blank else "。"),
            f"{item.visits} on-site visit(s) require a reason (visit_reason)"
            + (", it is blank" if blank else ""),
            hint_zh="填写 visit_reason:，或将 visits 改为 0",
            hint_en="add visit_reason:, or set visits to 0",
        )
