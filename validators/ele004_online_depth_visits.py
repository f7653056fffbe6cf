"""ELE004: online handling depth disagrees with visits, the online flag or the online address."""

from __future__ import annotations

from collections.abc import Iterator

from catalog_cli.findings import Finding, Severity
from catalog_cli.models import Entry, ImplementationItem, Item
from catalog_cli.rules import Context, ItemRule

FULLY_ONLINE = "4"


class RuleELE004(ItemRule):
    """网上办理深度 Ⅳ (``online_depth: "4"``) means 全程网办, fully online: the applicant never
    comes in, so ``visits`` must be 0 (error).

    Two further contradictions are warnings, because the data is unusable rather than wrong by
    law: ``online: false`` with an ``online_depth`` (which one is true?), and depth Ⅳ without an
    ``online_url`` (applicants cannot find where to apply).

    Bad::

        online: true
        online_depth: "4"
        visits: 1

    Good::

        online: true
        online_depth: "4"
        online_url: https://www.lnzwfw.gov.cn/
        visits: 0
    """

    code = "ELE004"
    name = "online-depth-visits"
    summary = "Fully online (depth Ⅳ) but visits > 0, or online flag/address contradict the depth."
    summary_zh = "全程网办（深度Ⅳ级）却需到现场，或是否网办、网办地址与办理深度矛盾。"
    per_file = True

    def check(self, entry: Entry, item: Item, ctx: Context) -> Iterator[Finding]:
        if not isinstance(item, ImplementationItem) or item.online_depth is None:
            return
        full = item.online_depth == FULLY_ONLINE
        if full and item.visits is not None and item.visits > 0:
            yield self.finding(
                ctx,
                entry.doc,
                "/visits",
                f"网上办理深度为Ⅳ级（全程网办），到办事现场次数应为 0，实际为 {item.visits}。",
                f"online depth Ⅳ (fully online) means 0 on-site visits, this item has "
                f"{item.visits}",
                hint_zh="将 visits 改为 0，或降低 online_depth",
                hint_en="set visits to 0, or lower online_depth",
            )
        if item.online is False:
            yield self.finding(
                ctx,
                entry.doc,
                "/online_depth",
                f"是否网办为否（online: false），却填写了网上办理深度 “{item.online_depth}”。",
                f"online is false, but an online depth '{item.online_depth}' is given",
                hint_zh="可网办的写 online: true；不能网办的删除 online_depth",
                hint_en="write online: true if it can be handled online; else remove online_depth",
                severity=Severity.WARNING,
            )
        elif full and not (item.online_url or "").strip() and "/online_url" not in entry.invalid:
            yield self.finding(
                ctx,
                entry.doc,
                "/online_depth",
                "网上办理深度为Ⅳ级（全程网办），但没有填写网办地址（online_url）。",
                "online depth Ⅳ (fully online) but no online address (online_url)",
                hint_zh="填写 online_url:（办理页面的网址）",
                hint_en="add online_url: (the address of the application page)",
                severity=Severity.WARNING,
            )
