"""Duplicate detection as rules of ``catalog check``: each pair class is one rule (DUP001–006).

The search runs once per run (memoized on the catalog) and every DUP rule picks its own class.
A pair becomes a finding on its *subject* — the local item that should implement a basic item,
the implementation linked to the wrong one, the province-added candidate — or, for symmetric
classes, on the side with the smaller path; the other side is a related location.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

import rapidfuzz

from catalog_cli import cache
from catalog_cli.dupes.candidates import KeyPairs
from catalog_cli.dupes.classify import CODES
from catalog_cli.dupes.decisions import load_decisions
from catalog_cli.dupes.find import DupesOptions, DupesResult, Pair, Side, find_pairs
from catalog_cli.findings import Finding, Location
from catalog_cli.rules import Catalog, CatalogRule, Context


def dupes_for(catalog: Catalog, ctx: Context) -> DupesResult:
    """The duplicate search for this run, computed on first use."""
    key = f"dupes:{ctx.lang}"
    found = catalog.memo.get(key)
    if found is None:
        decisions, problems = load_decisions(catalog.root, ctx.lang)
        options = DupesOptions(lang=ctx.lang, decisions=decisions)
        cache_key = f"{SIMILAR_FILE} {options.threshold} rapidfuzz {rapidfuzz.__version__}"
        if ctx.use_cache:
            options.similar = _similar(cache.load_value(catalog.root, SIMILAR_FILE, cache_key))
        found = find_pairs(catalog.entries, ctx.standard, options)
        found.findings = [*problems, *found.findings]
        if ctx.use_cache and found.similar != options.similar:
            cache.store_value(catalog.root, SIMILAR_FILE, cache_key, found.similar)
        catalog.memo[key] = found
    return found


# The similar name pairs of the last run, so that after an edit only new names are searched.
SIMILAR_FILE = "similar-names.bin"


def _similar(value: object) -> KeyPairs | None:
    """The cached key pairs when well-formed (indices in range), else None."""
    if not (isinstance(value, tuple) and len(value) == 2):
        return None
    keys, pairs = value
    if not (isinstance(keys, list) and all(isinstance(k, str) for k in keys)):
        return None
    if not isinstance(pairs, list):
        return None
    n = len(keys)
    for p in pairs:
        if not (
            isinstance(p, tuple) and len(p) == 2 and all(type(i) is int and 0 <= i < n for i in p)
        ):
            return None
    return keys, pairs


def _subject(p: Pair) -> tuple[Side, Side]:
    if p.cls in ("should-implement", "wrong-basic-item"):
        return (p.a, p.b) if p.a.kind != "basic" else (p.b, p.a)
    if p.cls == "national-candidate":
        return (p.a, p.b) if (p.a.code or "")[:2] != "00" else (p.b, p.a)
    return p.a, p.b


class DupRule(CatalogRule):
    """Base of the DUP rules; subclasses name the pair class they report."""

    group = "dupes"
    pair_class: ClassVar[str] = ""

    def check(self, catalog: Catalog, ctx: Context) -> Iterator[Finding]:
        result = dupes_for(catalog, ctx)
        entries = catalog.memo.get("entries-by-path")
        if entries is None:  # shared by the nine DUP rules of one run
            entries = catalog.memo["entries-by-path"] = {e.path: e for e in catalog.entries}
        for p in result.pairs:
            if CODES.get(p.cls) != self.code:
                continue
            this, other = _subject(p)
            entry, other_entry = entries.get(this.path), entries.get(other.path)
            pointer = _pointer(entry.doc.data if entry else None)
            line, col = entry.doc.locate(pointer) if entry else (None, None)
            o_line, o_col = (
                other_entry.doc.locate(_pointer(other_entry.doc.data))
                if other_entry
                else (None, None)
            )
            yield Finding(
                code=self.code,
                rule=self.name,
                severity=self.severity,
                message=ctx.tr(
                    f"{p.reason}：“{this.name}” 与 {other.path} 的 “{other.name}”（相似度 {p.score}）",
                    f"{p.reason}: '{this.name}' and '{other.name}' in {other.path} "
                    f"(score {p.score})",
                ),
                path=this.path,
                line=line,
                column=col,
                pointer=pointer,
                hint=self.hint(ctx, other),
                related=(Location(other.path, o_line, o_col),),
            )
        for f in result.findings:
            if f.code == self.code:
                yield f.with_severity(self.severity)

    def hint(self, ctx: Context, other: Side) -> str:
        return ctx.tr(
            "核对两者是否为同一事项；若不是，在 decisions.yaml 中记录 not-duplicate",
            "check whether both are the same item; if not, record not-duplicate in decisions.yaml",
        )


def _pointer(data: object) -> str:
    if isinstance(data, dict):
        for key in ("name", "basic_code", "local_code", "implementation_code"):
            if key in data:
                return f"/{key}"
    return ""
