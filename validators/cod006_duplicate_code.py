"""COD006: two items of the catalog carry the same code."""

from __future__ import annotations

from collections.abc import Iterator

from catalog_cli.facts import Facts
from catalog_cli.findings import Finding
from catalog_cli.rules import Catalog, CatalogRule, Context

# (item kind, key) → labels; each group is unique on its own.
_GROUPS = {
    ("basic", "basic_code"): ("基本目录事项", "basic item"),
    ("implementation", "implementation_code"): ("实施清单事项", "implementation item"),
    ("basic", "local_code"): ("基本目录事项", "basic item"),
    ("implementation", "local_code"): ("实施清单事项", "implementation item"),
}


class RuleCOD006(CatalogRule):
    """A code identifies one item: no two files carry the same code.

    Unique across the catalog: the ``basic_code`` of basic items, the ``implementation_code``
    of implementation items, and ``local_code`` (the provincial 地方编码) among basic items and
    among implementation items, local ones included. The same basic code on many
    implementation items is normal (they implement the same basic item) and not reported.
    Codes are never reused (a cancelled item keeps its code with status 取消), so a duplicate
    is either a copied file or a second definition of the same item. The first file in path
    order is taken as the original; every later one is reported with a link to it.

    Bad (two files)::

        # items/basic/000123018000.yaml
        basic_code: "000123018000"
        # items/basic/000123018000-copy.yaml
        basic_code: "000123018000"

    Good::

        # one file per code; a changed item gets a new version, not a second file
        basic_code: "000123018000"
    """

    code = "COD006"
    name = "duplicate-code"
    summary = "Two items carry the same basic, implementation or local code."
    summary_zh = "两个事项的基本编码、实施编码或地方编码重复。"

    def check(self, catalog: Catalog, ctx: Context) -> Iterator[Finding]:
        for (kind, key), (zh_kind, en_kind) in _GROUPS.items():
            first: dict[str, Facts] = {}
            for facts in catalog.facts:
                if facts.kind != kind:
                    continue
                code: str | None = getattr(facts, key)  # None when missing or invalid
                if code is None:
                    continue
                original = first.setdefault(code, facts)
                if original is facts:
                    continue
                label = ctx.label(key)
                yield self.finding(
                    ctx,
                    catalog.location(facts.path, f"/{key}"),
                    f"/{key}",
                    f"{label} “{code}” 重复：{zh_kind} {original.path} 已使用该编码。",
                    f"{label} '{code}' is a duplicate: the {en_kind} {original.path} "
                    "already uses it",
                    hint_zh="合并两个文件，或为其中一个改正编码；编码一经使用不得复用",
                    hint_en="merge the two files or correct one code; codes are never reused",
                    related=[catalog.location(original.path, f"/{key}")],
                )
