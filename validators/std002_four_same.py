"""STD002: an implementation item changes an element its basic item fixes (四级四同)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from catalog_cli.findings import Finding
from catalog_cli.models import Entry, ImplementationItem, Item, LegalBasis
from catalog_cli.rules import Context, ItemRule, location


def _comparable(value: Any) -> Any:
    """Legal basis as a list of (law, provision); everything else as stored."""
    if isinstance(value, tuple) and all(isinstance(v, LegalBasis) for v in value):
        return [(v.law, v.provision) for v in value]
    return value


def _show(value: Any) -> str:
    if isinstance(value, tuple) and all(isinstance(v, LegalBasis) for v in value):
        text = "；".join(v.law + (v.provision or "") for v in value) or "（空）"
    else:
        text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


class RuleSTD002(ItemRule):
    """Same item, same standard (四级四同): name, basic code, type and legal basis are identical at
    every level. An implementation item may omit them (they are inherited from its basic item);
    any it does carry must equal the basic item's value exactly.

    Which elements are fixed is data: those marked ``implementation: locked`` in
    ``standards/elements.yaml`` (name, type, legal_basis). Names are compared exactly as stored,
    with no normalization; finding near-identical names is the job of ``catalog dupes``. The
    legal basis is compared as the ordered list of (law, provision) pairs. The basic code itself
    is the link to the basic item, checked by STD001 and the COD rules.

    Bad::

        # basic item: name: 饮用水供水单位卫生许可
        kind: implementation
        basic_code: "000123018000"
        name: 和平区饮用水供水单位卫生许可

    Good::

        kind: implementation
        basic_code: "000123018000"
        # name omitted: inherited from the basic item
    """

    code = "STD002"
    name = "four-same"
    summary = "An implementation item changes a locked element (name, type, legal basis)."
    summary_zh = "实施清单事项的名称、类型或设定依据与基本目录事项不一致（四级四同）。"
    per_item = True

    def check(self, entry: Entry, item: Item, ctx: Context) -> Iterator[Finding]:
        if not isinstance(item, ImplementationItem) or ctx.catalog is None:
            return
        basic_entry = ctx.catalog.basic_entry(item.basic_code)
        basic = ctx.catalog.basic(item.basic_code)
        if basic_entry is None or basic is None:
            return  # STD001 / STD003
        for el in ctx.standard.elements.values():
            key = el.key
            if "." in key or el.presence("implementation") != "locked":
                continue
            ptr = f"/{key}"
            if ptr in entry.invalid or key not in type(item).model_fields:
                continue
            mine, theirs = getattr(item, key), getattr(basic, key, None)
            if mine is None or theirs is None:
                continue  # omitted: inherited; missing on the basic item: SCH001 there
            if _comparable(mine) == _comparable(theirs):
                continue
            label = ctx.label(key)
            yield self.finding(
                ctx,
                entry.doc,
                ptr,
                f"{label} 与基本目录事项不一致：本事项为 “{_show(mine)}”，"
                f"基本目录事项为 “{_show(theirs)}”。",
                f"{label} differs from the basic item: this item has '{_show(mine)}', "
                f"the basic item has '{_show(theirs)}'",
                hint_zh=f"删除 {key}（从基本目录事项继承），或改成与基本目录事项完全一致",
                hint_en=f"remove {key} (it is inherited from the basic item), or make it identical",
                related=[location(basic_entry, ptr)],
            )
