"""SCH005: a coded value is not in its code list."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from catalog_cli.findings import Finding, Severity
from catalog_cli.memo import per_standard
from catalog_cli.models import BasicItem, Entry, Item, element_path, values_at
from catalog_cli.rules import Context, ItemRule
from catalog_cli.standard import CodeList, Standard


def province_of(item: Item) -> str | None:
    """The province an item belongs to, for province-restricted code-list entries."""
    if isinstance(item, BasicItem):
        code = item.basic_code or ""
        return code[:2] if len(code) >= 2 and code[:2] != "00" else None
    return item.region[:2] if item.region else None


_NOT_SCALAR = (dict, list, bool)
_Path = tuple[tuple[str, bool, str], ...]


@per_standard
def _coded(
    standard: Standard,
) -> list[tuple[str, str | None, _Path, CodeList, frozenset[str], frozenset[int]]]:
    """Per coded element: its key; the key again when it is a plain top-level one; its path
    (models.element_path); its code list; the codes valid for every item (no province
    restriction), which most values are; and those codes as the integers whose text they are
    (``level: 4`` is the code "4")."""
    table = []
    for el in standard.coded_elements:
        cl = standard.codelists[str(el.codelist)]
        everywhere = frozenset(c for c in cl.entries if not cl.provinces.get(c))
        numbers = frozenset(int(c) for c in everywhere if c.isascii() and c.isdigit())
        numbers = frozenset(n for n in numbers if str(n) in everywhere)
        path = element_path(el.key)
        top = path[0][0] if len(path) == 1 and not path[0][1] else None
        table.append((el.key, top, path, cl, everywhere, numbers))
    return table


def _quiet(node: Any, path: _Path, everywhere: frozenset[str], numbers: frozenset[int]) -> bool:
    """True when no value ``values_at`` finds at ``path`` below ``node`` can be reported: each
    is null or a code valid for every item. False says nothing (the full check then runs)."""
    if not isinstance(node, dict):
        return True
    name, many, _ = path[0]
    value = node.get(name)
    if value is None:
        return True
    if len(path) == 1:
        if type(value) is str:  # the common case, inline
            return value in everywhere
        return _valid_everywhere(value, everywhere, numbers)
    if many and isinstance(value, list):
        return all(_quiet(v, path[1:], everywhere, numbers) for v in value)
    return _quiet(value, path[1:], everywhere, numbers)


def _valid_everywhere(value: Any, everywhere: frozenset[str], numbers: frozenset[int]) -> bool:
    """True when ``value`` (a scalar or a list of them) is a code valid for every item."""
    if type(value) is list:
        try:
            if everywhere.issuperset(value):  # a list of codes: one call
                return True
        except TypeError:  # an unhashable item (a mapping, a list): the full check
            return False
        return all(_valid_code(v, everywhere, numbers) for v in value)
    return _valid_code(value, everywhere, numbers)


def _valid_code(value: Any, everywhere: frozenset[str], numbers: frozenset[int]) -> bool:
    kind = type(value)
    # type() is exact: not bool (True == 1), not float (str(4.0) is no code although 4.0 == 4)
    return (kind is str and value in everywhere) or (kind is int and value in numbers)


class RuleSCH005(ItemRule):
    """Coded elements take their values from the code lists in ``standards/codelists.yaml``.

    Codes, not labels, are stored (``"01"``, not ``行政许可``), so that every level and every
    portal reads the same value. A catalog extends a list in its own ``standards/`` (for example
    a province's item type 99, valid only for that province's items). Values of an *open* list
    (department codes) that are not listed are a warning, not an error.

    Bad::

        type: 行政许可
        handling_type: "3"

    Good::

        type: "01"
        handling_type: "2"
    """

    code = "SCH005"
    name = "not-in-code-list"
    summary = "A coded value is not in its code list."
    summary_zh = "代码值不在代码表中。"
    per_file = True

    def check(self, entry: Entry, item: Item, ctx: Context) -> Iterator[Finding]:
        data = entry.doc.data
        if not isinstance(data, dict):
            return
        province = province_of(item)
        for key, top, path, cl, everywhere, numbers in _coded(ctx.standard):
            if top is not None:  # a top-level key, most of them: inline, it runs per item
                value = data.get(top)
                if value is None:
                    continue
                kind = type(value)
                if (kind is str and value in everywhere) or (kind is int and value in numbers):
                    continue
            if _quiet(data, path, everywhere, numbers):
                continue  # most items: no value to look at closely
            for ptr, value in values_at(data, key):
                values = value if isinstance(value, list) else [value]
                for i, v in enumerate(values):
                    if v is None or isinstance(v, _NOT_SCALAR):
                        continue  # wrong types are SCH003's business
                    text = str(v)
                    if text in everywhere or cl.valid(text, province):
                        continue
                    vptr = f"{ptr}/{i}" if isinstance(value, list) else ptr
                    yield self._finding(ctx, entry, vptr, key, text, cl)

    def _finding(
        self, ctx: Context, entry: Entry, ptr: str, key: str, text: str, cl: CodeList
    ) -> Finding:
        by_label = [c for c, label in cl.entries.items() if label == text]
        padded = text.zfill(2) if text.isdigit() and text.zfill(2) in cl.entries else None
        if by_label:
            hint_zh, hint_en = (
                f'写代码 "{by_label[0]}"（{text}）',
                f'write the code "{by_label[0]}" ({text})',
            )
        elif padded:
            hint_zh, hint_en = f'写成 "{padded}"', f'write "{padded}"'
        else:
            shown = "、".join(
                c if c == lbl else f"{c} {lbl}" for c, lbl in list(cl.entries.items())[:12]
            )
            hint_zh, hint_en = f"允许的值：{shown}", f"allowed: {', '.join(list(cl.entries)[:12])}"
        restricted = text in cl.entries
        zh = (
            f"{ctx.label(key)} 的值 “{text}” 只适用于省份 {', '.join(cl.provinces[text])} 的事项。"
            if restricted
            else f"{ctx.label(key)} 的值 “{text}” 不在代码表“{cl.label}”中。"
        )
        en = (
            f"{ctx.label(key)} value '{text}' is valid only for items of province(s) "
            f"{', '.join(cl.provinces[text])}"
            if restricted
            else f"{ctx.label(key)} value '{text}' is not in the code list '{cl.label_en}'"
        )
        return self.finding(
            ctx,
            entry.doc,
            ptr,
            zh,
            en,
            hint_zh=hint_zh,
            hint_en=hint_en,
            severity=Severity.WARNING if cl.open and not restricted else None,
        )
