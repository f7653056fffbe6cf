"""STD001: an implementation item's basic item is not in the catalog, or has been cancelled."""

from __future__ import annotations

from collections.abc import Iterator

from catalog_cli.codes import BASIC_CODE
from catalog_cli.findings import Finding
from catalog_cli.models import Entry, ImplementationItem, Item
from catalog_cli.rules import Context, ItemRule, location

CANCELLED = "取消"


def cancelled(item: Item, ctx: Context) -> bool:
    """An item is cancelled once its status says so or its cancel date has come (today counts)."""
    return item.status == CANCELLED or (
        item.cancel_date is not None and ctx.has_come(item.cancel_date)
    )


class RuleSTD001(ItemRule):
    """An implementation item implements exactly one basic item, which must exist and be in use.

    The implementation item inherits its name, type and legal basis from the basic item named by
    ``basic_code`` (四级四同); when that basic item is not in the catalog nothing can be
    inherited or compared. When the basic item has been cancelled, every implementation of it
    must be cancelled too: an item that no longer exists nationally cannot be handled locally.

    A basic item counts as cancelled when its ``status`` is ``取消``, or when its
    ``cancel_date`` is today or earlier (a cancel date in the future is only planned). The same
    test decides whether the implementation item is already cancelled. A ``basic_code`` that is
    not 12 digits is left to COD001, and an item without one to STD003. Validate the whole
    catalog (not a single implementation file) so that the basic items are loaded.

    Bad::

        # items/basic/000123018000.yaml
        status: 取消
        cancel_date: 2024-06-30
        # items/implementation/210102/...yaml
        basic_code: "000123018000"
        status: 在用

    Good::

        # the implementation item is cancelled with its basic item
        basic_code: "000123018000"
        status: 取消
        cancel_date: 2024-06-30
    """

    code = "STD001"
    name = "basic-item-missing"
    summary = "An implementation item's basic item is not in the catalog, or is cancelled."
    summary_zh = "实施清单事项对应的基本目录事项不存在或已取消。"
    per_item = True

    def check(self, entry: Entry, item: Item, ctx: Context) -> Iterator[Finding]:
        if not isinstance(item, ImplementationItem) or ctx.catalog is None:
            return
        code = item.basic_code
        if not code or not BASIC_CODE.match(code) or "/basic_code" in entry.invalid:
            return
        basic_entry = ctx.catalog.basic_entry(code)
        basic = ctx.catalog.basic(code)
        if basic_entry is None or basic is None:
            yield self.finding(
                ctx,
                entry.doc,
                "/basic_code",
                f"基本目录中没有基本编码为 “{code}” 的事项。",
                f"no basic item with basic code '{code}' is in the catalog",
                hint_zh=f"检查基本编码是否写错，或添加基本目录事项 items/basic/{code}.yaml",
                hint_en=f"check the code for typos, or add the basic item items/basic/{code}.yaml",
            )
            return
        if not cancelled(basic, ctx) or cancelled(item, ctx):
            return
        if basic.status == CANCELLED:
            why_zh, why_en, ptr = "状态为取消", "its status is 取消", "/status"
        else:
            why_zh = f"已于 {basic.cancel_date} 取消"
            why_en, ptr = f"it was cancelled on {basic.cancel_date}", "/cancel_date"
        yield self.finding(
            ctx,
            entry.doc,
            "/basic_code",
            f"基本目录事项 “{code}” {why_zh}，但本实施清单事项仍未取消。",
            f"the basic item '{code}' is cancelled ({why_en}), but this implementation item is not",
            hint_zh="同步取消本事项：status: 取消，并填写 cancel_date",
            hint_en="cancel this item too: status: 取消 and a cancel_date",
            related=[location(basic_entry, ptr)],
        )
