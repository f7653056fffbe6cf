"""SCH005: a coded value is not in its code list."""

from __future__ import annotations

from collections.abc import Iterator

from catalog_cli.findings import Finding, Severity
from catalog_cli.models import BasicItem, Entry, Item, values_at
from catalog_cli.rules import Context, ItemRule
from catalog_cli.standard import CodeList


def province_of(item: Item) -> str | None:
    """The province an item belongs to, for province-restricted code-list entries."""
    if isinstance(item, BasicItem):
        code = item.basic_code or ""
        return code[:2] if len(code) >= 2 and code[:2] != "00" else None
    return item.region[:2] if item.region else None


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
        province = province_of(item)
        for el in ctx.standard.coded_elements:
            cl = ctx.standard.codelists[str(el.codelist)]
            for ptr, value in values_at(entry.doc.data, el.key):
                values = value if isinstance(value, list) else [value]
                for i, v in enumerate(values):
                    if v is None or isinstance(v, dict | list | bool):
                        continue  # wrong types are SCH003's business
                    text = str(v)
                    if cl.valid(text, province):
                        continue
                    vptr = f"{ptr}/{i}" if isinstance(value, list) else ptr
                    yield self._finding(ctx, entry, vptr, el.key, text, cl)

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
