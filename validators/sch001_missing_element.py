"""SCH001: elements the element table requires for this kind of item are missing."""

from __future__ import annotations

from collections.abc import Iterator

from catalog_cli.findings import Finding
from catalog_cli.memo import per_standard
from catalog_cli.models import (
    Entry,
    ImplementationItem,
    effective_type,
    is_blank,
    parents_of,
    profile_of,
)
from catalog_cli.rules import Context, DocumentRule
from catalog_cli.standard import Element, Standard

_SIZED = (str, list, dict)
# (element, key in its parent, top-level) of the required elements, per profile and item type:
# the rule runs on every item, and the answer changes only with these two (and the standard).
_Plan = list[tuple[Element, str, bool]]


@per_standard
def _plans(standard: Standard) -> dict[tuple[str, str | None], _Plan]:
    return {}


def _plan(standard: Standard, profile: str, item_type: str | None) -> _Plan:
    plans = _plans(standard)
    found = plans.get((profile, item_type))
    if found is None:
        found = plans[(profile, item_type)] = [
            (el, el.key.rsplit(".", 1)[-1].removesuffix("[]"), "." not in el.key)
            for el in standard.with_presence(profile, "required")
            if not el.types or item_type in el.types
        ]
    return found


class RuleSCH001(DocumentRule):
    """Every element the standard requires for the item's kind must be present and not blank.

    Which elements are required is data: ``standards/elements.yaml`` has a column per kind
    (``basic``, ``implementation``, ``local``: an implementation item with only a provincial
    local code). Elements marked ``locked`` may be omitted on implementation items; they are
    inherited from the basic item. Elements with ``types`` are required only for those item
    types (materials for licensing items, type 01).

    Bad::

        schema_version: 1
        kind: implementation
        basic_code: "000123018000"
        # no promised_limit, no body ...

    Good::

        promised_limit: {value: 10, unit: 工作日}
        body: {name: 沈阳市和平区卫生健康局, credit_code: "...", nature: "1"}
    """

    code = "SCH001"
    name = "missing-element"
    summary = "A required element is missing or blank."
    summary_zh = "缺少必填要素或为空。"
    per_item = True

    def check(self, entry: Entry, ctx: Context) -> Iterator[Finding]:
        for p in entry.doc.problems:
            if p.code == self.code:
                yield self.from_problem(ctx, entry.doc, p)
        item = entry.item
        if item is None or not isinstance(entry.doc.data, dict):
            return
        profile = profile_of(item)
        basic = None
        if isinstance(item, ImplementationItem) and ctx.catalog is not None:
            basic = ctx.catalog.basic(item.basic_code)
        data = entry.doc.data
        for el, last, top in _plan(ctx.standard, profile, effective_type(item, basic)):
            if top:  # most required elements: one lookup when present (as they mostly are)
                value = data.get(last)
                if value is not None and not (isinstance(value, _SIZED) and not value):
                    continue
            for parent_ptr, parent in parents_of(data, el.key):
                ptr = f"{parent_ptr}/{last}"
                if ptr in entry.invalid:
                    continue  # already reported as a wrong type
                if last not in parent or is_blank(parent[last]):
                    yield self.finding(
                        ctx,
                        entry.doc,
                        parent_ptr if last not in parent else ptr,
                        f"缺少必填要素 {ctx.label(el.key)}。",
                        f"missing required element {ctx.label(el.key)}",
                        hint_zh=f"添加 {last}:",
                        hint_en=f"add {last}:",
                        key=last in parent,
                    )
