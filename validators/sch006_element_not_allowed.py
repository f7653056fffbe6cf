"""SCH006: an element that does not belong on this kind of item."""

from __future__ import annotations

from collections.abc import Iterator

from catalog_cli.findings import Finding
from catalog_cli.memo import per_standard
from catalog_cli.models import Entry, Item, profile_of
from catalog_cli.rules import Context, ItemRule
from catalog_cli.standard import Standard

_KIND = {
    "basic": ("基本目录事项", "a basic item"),
    "implementation": ("实施清单事项", "an implementation item"),
    "local": ("未关联基本目录的地方实施事项", "a local implementation item (no basic code)"),
}


@per_standard
def _absent(standard: Standard) -> dict[str, tuple[str, ...]]:
    """Per profile, the top-level keys marked ``absent`` (nested ones are not checked)."""
    return {
        profile: tuple(
            el.key for el in standard.with_presence(profile, "absent") if "." not in el.key
        )
        for profile in _KIND
    }


class RuleSCH006(ItemRule):
    """Elements marked ``absent`` for a kind in ``standards/elements.yaml`` must not appear.

    A basic item has ``levels`` (all levels that exercise it) and no implementing body; an
    implementation item has one ``level`` and a body. Mixing them up usually means a file was
    copied from the wrong template, and the stray value would never be exported.

    Bad (a basic item)::

        kind: basic
        level: 3
        body: {name: 沈阳市卫生健康委员会}

    Good::

        kind: basic
        levels: [3, 4]
    """

    code = "SCH006"
    name = "element-not-allowed"
    summary = "An element that does not belong on this kind of item."
    summary_zh = "该类事项不应有此要素。"
    per_file = True

    def check(self, entry: Entry, item: Item, ctx: Context) -> Iterator[Finding]:
        data = entry.doc.data
        if not isinstance(data, dict):
            return
        profile = profile_of(item)
        for key in _absent(ctx.standard)[profile]:
            if data.get(key) is not None:
                zh_kind, en_kind = _KIND[profile]
                yield self.finding(
                    ctx,
                    entry.doc,
                    f"/{key}",
                    f"{zh_kind}不应有要素 {ctx.label(key)}。",
                    f"{en_kind} must not carry {ctx.label(key)}",
                    hint_zh="删除这个键，或检查 kind 是否写对",
                    hint_en="remove the key, or check that kind is right",
                    key=True,
                )
