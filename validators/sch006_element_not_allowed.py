"""SCH006: an element that does not belong on this kind of item."""

from __future__ import annotations

from collections.abc import Iterator

from catalog_cli.findings import Finding
from catalog_cli.models import Entry, Item, profile_of
from catalog_cli.rules import Context, ItemRule

_KIND = {
    "basic": ("基本目录事项", "a basic item"),
    "implementation": ("实施清单事项", "an implementation item"),
    "local": ("未关联基本目录的地方实施事项", "a local implementation item (no basic code)"),
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
        profile = profile_of(item)
        data = entry.doc.data
        zh_kind, en_kind = _KIND[profile]
        for el in ctx.standard.with_presence(profile, "absent"):
            if "." in el.key:
                continue
            if isinstance(data, dict) and data.get(el.key) is not None:
                yield self.finding(
                    ctx,
                    entry.doc,
                    f"/{el.key}",
                    f"{zh_kind}不应有要素 {ctx.label(el.key)}。",
                    f"{en_kind} must not carry {ctx.label(el.key)}",
                    hint_zh="删除这个键，或检查 kind 是否写对",
                    hint_en="remove the key, or check that kind is right",
                    key=True,
                )
