"""COD004: an implementation item's level disagrees with its basic item or its region."""

from __future__ import annotations

from collections.abc import Iterator

from catalog_cli.findings import Finding
from catalog_cli.models import BasicItem, Entry, ImplementationItem, Item
from catalog_cli.rules import Context, ItemRule, location

_LEVELS = {
    1: ("国家级", "national"),
    2: ("省级", "province"),
    3: ("市级", "city"),
    4: ("县级", "county"),
    5: ("镇（乡、街道）级", "township"),
    6: ("村（社区）级", "village"),
}
# The region levels an item of each level may sit in. A village (社区/村) item may carry its
# township's 9-digit code: the shipped region list has no village codes, and platforms file
# village items under the township. Every other level must match exactly.
_ALLOWED = {1: {1}, 2: {2}, 3: {3}, 4: {4}, 5: {5}, 6: {5, 6}}
_REGION_SHAPE = {
    1: ("000000", "000000"),
    2: ("XX0000", "XX0000"),
    3: ("XXXX00", "XXXX00"),
    4: ("6 位县级代码", "a 6-digit county code"),
    5: ("9 位乡镇（街道）代码", "a 9-digit township code"),
    6: ("12 位村（社区）代码", "a 12-digit village code"),
}


class RuleCOD004(ItemRule):
    """An implementation item's level (行使层级) fits its basic item and its region.

    1. The level is one of the basic item's ``levels``: a county may not implement an item the
       basic catalog reserves for provinces.
    2. The level matches the level of the region code (``standards/regions``): ``000000`` is
       national (level 1), ``XX0000`` a province (2), ``XXXX00`` a city (3), other 6-digit codes a
       county (4), 9 digits a township (5), 12 digits a village (6). Platform padding is
       ignored (``511602000000`` is the county 511602). A village item (level 6) may also sit in
       its township's region, because the region list has no village codes; every other level
       must match exactly, so a township item needs the township's 9-digit code, not the
       county's. Regions not in the region list are left to COD005.

    Bad::

        level: 2            # basic item has levels [3, 4]
        region: "210102"    # a county, but level 3 (city)
        level: 3

    Good::

        level: 4
        region: "210102"
    """

    code = "COD004"
    name = "level-consistency"
    summary = "The level is not among the basic item's levels or does not match the region."
    summary_zh = "行使层级不在基本目录事项的行使层级中，或与行政区划的层级不一致。"
    per_item = True

    def check(self, entry: Entry, item: Item, ctx: Context) -> Iterator[Finding]:
        if not isinstance(item, ImplementationItem) or item.level is None:
            return
        level, doc = item.level, entry.doc
        if level not in _LEVELS:
            return  # not a level at all: SCH005
        zh_level, en_level = _LEVELS[level]
        basic_entry = ctx.catalog.basic_entry(item.basic_code) if ctx.catalog else None
        basic = basic_entry.item if basic_entry is not None else None
        levels = basic.levels if isinstance(basic, BasicItem) else None
        if basic_entry is not None and levels and level not in levels:
            allowed = ", ".join(str(x) for x in levels)
            yield self.finding(
                ctx,
                doc,
                "/level",
                f"行使层级 {level}（{zh_level}）不在基本目录事项 {item.basic_code} 的行使层级 "
                f"[{allowed}] 中。",
                f"level {level} ({en_level}) is not among the levels [{allowed}] of the "
                f"basic item {item.basic_code}",
                hint_zh=f"改为 {allowed} 之一，或先在基本目录事项中增加该层级",
                hint_en=f"use one of {allowed}, or add the level to the basic item first",
                related=[location(basic_entry, "/levels")],
            )
        region = item.region
        regions = ctx.standard.regions
        if not region or "/region" in entry.invalid or not regions.exists(region):
            return
        region_level = regions.level(region)
        if region_level is None or region_level in _ALLOWED[level]:
            return
        zh_region, en_region = _LEVELS[region_level]
        shape_zh, shape_en = _REGION_SHAPE[level]
        name = regions.name(region)
        shown = f"{region} {name}" if name else region
        yield self.finding(
            ctx,
            doc,
            "/level",
            f"行使层级 {level}（{zh_level}）与行政区划 {shown}（{zh_region}）不一致。",
            f"level {level} ({en_level}) does not match the region {shown} ({en_region} level)",
            hint_zh=f"{zh_level}事项的行政区划应为{shape_zh}；或改正行使层级",
            hint_en=f"a {en_level}-level item needs {shape_en} as its region; or fix the level",
        )
