"""STD004: level 6 (村/社区) is only for public services (type 20)."""

from __future__ import annotations

from collections.abc import Iterator

from catalog_cli.findings import Finding
from catalog_cli.models import BasicItem, Entry, ImplementationItem, Item, effective_type
from catalog_cli.rules import Context, ItemRule

VILLAGE = 6
PUBLIC_SERVICE = "20"


class RuleSTD004(ItemRule):
    """Villages and residents' committees (村/社区, level 6) are not organs of state power: they may
    provide public services (type 20 公共服务) but cannot exercise administrative power
    (licensing, penalties, inspection ...). A basic item listing level 6, or an implementation
    item at level 6, must therefore be of type 20. An implementation item that omits ``type``
    is judged by its basic item's type.

    Bad::

        type: "01"
        levels: [4, 5, 6]

    Good::

        type: "20"
        levels: [4, 5, 6]
    """

    code = "STD004"
    name = "village-level-type"
    summary = "Level 6 (village/community) on an item that is not a public service (type 20)."
    summary_zh = "非公共服务事项（类型 20）使用了村（社区）级层级 6。"
    per_item = True

    def check(self, entry: Entry, item: Item, ctx: Context) -> Iterator[Finding]:
        item_type: str | None
        if isinstance(item, BasicItem):
            if not item.levels or VILLAGE not in item.levels:
                return
            ptr, item_type = f"/levels/{item.levels.index(VILLAGE)}", item.type
        elif isinstance(item, ImplementationItem):
            if item.level != VILLAGE:
                return
            basic = ctx.catalog.basic(item.basic_code) if ctx.catalog is not None else None
            ptr, item_type = "/level", effective_type(item, basic)
        else:
            return
        if item_type is None or item_type == PUBLIC_SERVICE:
            return
        types = ctx.standard.codelists.get("item_types")
        type_label = types.entries.get(item_type, "") if types is not None else ""
        shown = f"{item_type} {type_label}".strip()
        yield self.finding(
            ctx,
            entry.doc,
            ptr,
            f"村（社区）级（层级 6）只能实施公共服务事项（类型 20），本事项类型为 {shown}。",
            f"level 6 (village/community) is only for public services (type 20); "
            f"this item's type is {item_type}",
            hint_zh="删除层级 6，或确认事项类型",
            hint_en="remove level 6, or check the item type",
        )
