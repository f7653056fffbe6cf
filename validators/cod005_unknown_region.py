"""COD005: the region code is not in the region list."""

from __future__ import annotations

from collections.abc import Iterator

from catalog_cli.findings import Finding
from catalog_cli.models import Entry, ImplementationItem, Item
from catalog_cli.rules import Context, ItemRule
from catalog_cli.standard import Regions

_KINDS = {
    2: ("省级代码", "province code"),
    4: ("地市级代码", "prefecture code"),
    6: ("县级代码", "county code"),
    9: ("乡镇（街道）代码", "township code"),
}


def looked_up(code: str) -> tuple[str, int]:
    """The code the region list was searched for, and its length (which list it is in)."""
    c = Regions.canonical(code)
    if len(c) == 12:
        c = c[:9]  # no village list: the township prefix is what must exist
    return c, len(c)


class RuleCOD005(ItemRule):
    """The region (行政区划) is a code of the region list in ``standards/regions``.

    6 digits (GB/T 2260: province ``XX0000``, prefecture ``XXXX00``, county), 9 digits (township)
    or 12 digits (village). Platform padding is understood: ``511602000000`` is looked up as the
    county 511602, ``110000`` as the province 11. The list has no village codes, so a 12-digit
    code is accepted when its 9-digit township exists. ``000000`` stands for national bodies.
    The message names the code that was looked up and in which list.

    Bad::

        region: "2101"            # 4 digits
        region: "219999"          # no such county

    Good::

        region: "210102"
        region: "511602000000"
    """

    code = "COD005"
    name = "unknown-region"
    summary = "The region code is malformed or not in the region list."
    summary_zh = "行政区划代码格式错误或不在行政区划代码表中。"
    per_file = True

    def check(self, entry: Entry, item: Item, ctx: Context) -> Iterator[Finding]:
        if not isinstance(item, ImplementationItem):
            return
        region = item.region
        if not region or "/region" in entry.invalid:
            return
        regions, label = ctx.standard.regions, ctx.label("region")
        if not (region.isascii() and region.isdigit()) or len(region) not in (6, 9, 12):
            yield self.finding(
                ctx,
                entry.doc,
                "/region",
                f"{label} “{region}” 应为 6、9 或 12 位数字。",
                f"{label} '{region}' must be 6, 9 or 12 digits",
                hint_zh="县级写 6 位（210102），乡镇写 9 位，村（社区）写 12 位；国家级写 000000",
                hint_en="6 digits for a county (210102), 9 for a township, 12 for a village; "
                "000000 for national bodies",
            )
            return
        if regions.exists(region):
            return
        tried, size = looked_up(region)
        kind_zh, kind_en = _KINDS.get(size, ("代码", "code"))
        tables = (
            (tried[:6], regions.areas),
            (tried[:4], regions.cities),
            (tried[:2], regions.provinces),
        )
        parent = next(((p, t[p]) for p, t in tables if len(p) < size and p in t), None)
        hint_zh = hint_en = ""
        if parent is not None:
            hint_zh = (
                f"上级 {parent[0]}（{parent[1]}）存在，请核对后几位；已撤销的旧代码请换成现行代码"
            )
            hint_en = (
                f"the parent {parent[0]} exists; check the remaining digits, and replace a "
                "retired code by the current one"
            )
        else:
            hint_zh = "代码表为 2023 年行政区划；请核对代码"
            hint_en = "the region list is the 2023 division list; check the code"
        via_zh = f"（按 {tried} 查找）" if tried != region else ""
        via_en = f" (looked up as {tried})" if tried != region else ""
        yield self.finding(
            ctx,
            entry.doc,
            "/region",
            f"{label} “{region}” 不在行政区划代码表中{via_zh}：没有这个{kind_zh}。",
            f"{label} '{region}' is not in the region list{via_en}: no such {kind_en}",
            hint_zh=hint_zh,
            hint_en=hint_en,
        )
