"""ELE007: item names with digits or full place names."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from catalog_cli.findings import Finding, Severity
from catalog_cli.models import Entry, Item
from catalog_cli.rules import Context, ItemRule

DIGITS = re.compile(r"[0-9０-９]+")
TITLE = re.compile(r"《[^《》]*》")


def _outside_titles(name: str) -> str:
    """The name with every 《…》 title blanked out (same length, so positions still match)."""
    if "《" not in name:  # most names quote no title: skip the substitution
        return name
    return TITLE.sub(lambda m: "\0" * len(m.group()), name)


@lru_cache(maxsize=4)
def _index(places: frozenset[str]) -> tuple[re.Pattern[str] | None, tuple[int, ...]]:
    """A pattern matching the last character of any place name, and the names' lengths."""
    if not places:
        return None, ()
    last = "".join(sorted({p[-1] for p in places}))
    return re.compile(f"[{re.escape(last)}]"), tuple(sorted({len(p) for p in places}))


def place_names_in(text: str, places: frozenset[str]) -> list[str]:
    """Full place names (with their suffix) found in ``text``, longest first at each position.

    Reading left to right, the longest place name starting at a position is taken and the
    reading resumes after it. Every name ends with one of a dozen suffixes (省, 市, 区...), so
    only the substrings ending at those characters are looked up, not every substring.
    """
    suffix, lengths = _index(places)
    if suffix is None:
        return []
    longest: dict[int, int] = {}  # start -> length of the longest name starting there
    for m in suffix.finditer(text):
        end = m.end()
        for n in lengths:  # ascending: a longer name found later replaces a shorter one
            start = end - n
            if start < 0:
                break
            if text[start:end] in places and longest.get(start, 0) < n:
                longest[start] = n
    found: list[str] = []
    resume = 0
    for start in sorted(longest):
        if start >= resume:
            resume = start + longest[start]
            found.append(text[start:resume])
    return found


class RuleELE007(ItemRule):
    """The same item has the same name everywhere (同一事项、同一标准): a name carries no place
    names and no numbers, which belong in the region, the implementing body or the conditions
    (Shenzhen practice). Names with them cannot be matched across regions.

    Checked on basic items, on local items (no basic code) and on implementation items that
    carry a name. A place name is a full name with its suffix from the division code list
    (辽宁省, 沈阳市, 广安区); a two-character name inside a word (合作 in 中外合作经营) is not one.
    Arabic and full-width digits are reported; Chinese numerals (第一类) are not. Text inside a
    《…》 title is exempt, because a law's or certificate's title is quoted verbatim
    (申领《四川省老年人优待证》). A warning: some names legitimately need a number; suppress it
    with a reason.

    Bad::

        name: 沈阳市和平区饮用水供水单位卫生许可
        name: 80周岁以上老年人高龄津贴发放

    Good::

        name: 饮用水供水单位卫生许可
        name: 高龄老年人津贴发放
    """

    code = "ELE007"
    name = "name-style"
    severity = Severity.WARNING
    summary = "An item name contains digits or a full place name."
    summary_zh = "事项名称含有数字或完整地名。"
    per_file = True

    def check(self, entry: Entry, item: Item, ctx: Context) -> Iterator[Finding]:
        name = item.name
        if not name or "/name" in entry.invalid:
            return
        text = _outside_titles(name)
        digits = DIGITS.findall(text)
        if digits:
            shown = "、".join(dict.fromkeys(digits))
            yield self.finding(
                ctx,
                entry.doc,
                "/name",
                f"事项名称 “{name}” 含有数字 {shown}。",
                f"the item name '{name}' contains the number(s) {', '.join(dict.fromkeys(digits))}",
                hint_zh="事项名称不含数字；数量、年龄等条件写在受理条件中",
                hint_en="item names carry no numbers; put amounts, ages etc. in the conditions",
            )
        places = list(dict.fromkeys(place_names_in(text, ctx.standard.regions.place_names)))
        if places:
            yield self.finding(
                ctx,
                entry.doc,
                "/name",
                f"事项名称 “{name}” 含有地名 {'、'.join(places)}。",
                f"the item name '{name}' contains the place name(s) {', '.join(places)}",
                hint_zh="事项名称不含地名；地区由 region 和实施主体表示",
                hint_en="item names carry no place names; the region and the body say where",
            )
