"""The duplicate search after an edit: the last search's pairs, and only the changed items
compared again against an index of the rest.

``find_pairs_of`` over 100k items takes seconds: grouping every name, expanding every group,
classifying every candidate pair. A pull request changes a few items. A pair's class depends on
its two items, on their comparison keys' groups (which items are compared with which, and each
key's first name, which stands for it among keys) and, for ``wrong-basic-item``, on the basic
item an implementation names. So after an edit:

* the *changed* items are those whose side (path, kind, code, name, level, region, type, basic
  code) differs from the last search's, the removed ones, and the implementations of a basic
  item whose code is among the changed basic items' (old or new);
* the *dirty* keys are the changed items' keys, old and new; every item with a dirty key is
  compared again, with every item it would be compared with in a full search (its key's group,
  and the groups of the keys that share its order key, stem and actions, or sorted characters,
  or whose ``fuzz.ratio`` reaches the threshold);
* every other pair of the last search stands: neither of its items nor their keys' groups
  changed, so the full search would find it again, the same.

The result equals the full search's (a test compares both on random edits of random catalogs).
When many keys changed, comparing each against all keys costs more than the full search, and
``search_since`` returns None.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterator, Mapping

from rapidfuzz import fuzz, process

from catalog_cli.dupes.candidates import INCREMENTAL_MAX
from catalog_cli.dupes.classify import CODES, classify_names
from catalog_cli.dupes.find import (
    DupesOptions,
    DupesResult,
    KeyAttrs,
    Pair,
    SearchState,
    Side,
    SideRow,
    _expand,
    _Finder,
    _Group,
    _unusable,
    key_attrs,
    key_buckets,
)
from catalog_cli.dupes.normalize import Normalized
from catalog_cli.findings import Finding
from catalog_cli.standard import Standard

# more changed items or keys than this: comparing each with every key costs what the full
# search does (the same limit as for the similar-name search's new keys)
MAX_DIRTY_KEYS = INCREMENTAL_MAX


class _Norms(dict[str, Normalized]):
    """Names normalized when first asked for (a search after an edit needs a few hundred)."""

    def __init__(self, finder: _Finder) -> None:
        super().__init__()
        self._normalize = finder.norm.normalize

    def __missing__(self, name: str) -> Normalized:
        n = self[name] = self._normalize(name)
        return n


class _Sides(Mapping[str, Side]):
    """Sides by a field of their rows (path, or a basic item's code), made when first asked for:
    a search after an edit looks at a few thousand of 100k."""

    def __init__(self, rows: list[SideRow], index: dict[str, int]) -> None:
        self._rows, self._index = rows, index
        self._made: dict[int, Side] = {}

    def at(self, i: int) -> Side:
        s = self._made.get(i)
        if s is None:
            s = self._made[i] = Side(*self._rows[i])
        return s

    def __getitem__(self, key: str) -> Side:
        return self.at(self._index[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)


def search_since(
    rows: list[SideRow], standard: Standard, opt: DupesOptions, state: SearchState
) -> DupesResult | None:
    """``find_pairs_of`` over the sides ``rows`` describe, from the last search's ``state``; None
    when the options ask for what the state does not cover, or when too much changed."""
    if opt.scope is not None or opt.variants:
        return None
    f = _Finder(standard, opt)
    norms = _Norms(f)
    old_rows, old_keys = state.rows, state.keys
    if len(old_keys) != len(old_rows):
        return None
    at = {r[0]: i for i, r in enumerate(rows)}
    sides = _Sides(rows, at)

    # 1. What changed, and each item's key (unchanged items keep theirs).
    changed: set[str] = set()
    removed: list[str] = []
    diff: list[int] = []
    if len(rows) == len(old_rows):  # the usual case: the same files, a few edited
        diff = [i for i, (r, o) in enumerate(zip(rows, old_rows, strict=True)) if r != o]
    if len(rows) == len(old_rows) and all(rows[i][0] == old_rows[i][0] for i in diff):
        old_at = at  # the same path at every position
        keys = list(old_keys)
        changed.update(rows[i][0] for i in diff)
    else:
        old_at = {r[0]: i for i, r in enumerate(old_rows)}
        keys = []
        for r in rows:
            i = old_at.get(r[0], -1)
            if i >= 0 and old_rows[i] == r:
                keys.append(old_keys[i])
            else:
                changed.add(r[0])
                keys.append("")  # computed below: only for the few changed items
        removed = [p for p in old_at if p not in at]
    if len(changed) + len(removed) > MAX_DIRTY_KEYS:
        return None
    basic_codes = {r[2] for r in rows if r[0] in changed and r[1] == "basic"}
    basic_codes |= {old_rows[old_at[p]][2] for p in (*changed, *removed) if p in old_at}
    basic_codes.discard(None)
    if basic_codes:  # an implementation's class depends on the basic item it names
        changed.update(r[0] for r in rows if r[1] != "basic" and r[8] in basic_codes)
    dirty: set[str] = set()
    for p in changed:
        i = at[p]
        keys[i] = norms[rows[i][3]].key
        dirty.add(keys[i])
    for p in (*changed, *removed):
        if p in old_at:
            dirty.add(old_keys[old_at[p]])
    dirty.discard("")
    if len(dirty) > MAX_DIRTY_KEYS:
        return None

    # 2. The groups of keys (row numbers here; arranged for comparison only where needed).
    members: dict[str, list[int]] = defaultdict(list)
    findings: list[Finding] = []
    for i, k in enumerate(keys):
        if k:
            members[k].append(i)
        else:
            findings.append(_unusable(sides.at(i), f.lang))
    arranged: dict[str, _Group] = {}

    def group(k: str) -> _Group:
        g = arranged.get(k)
        if g is None:
            g = arranged[k] = _Group()
            for i in members[k]:
                g.add(sides.at(i))
        return g

    def first_name(k: str) -> str:
        return rows[members[k][0]][3]

    dirty = {k for k in dirty if k in members}
    involved = {rows[i][0] for k in dirty for i in members[k]} | changed | set(removed)
    attrs: dict[str, KeyAttrs] = {}
    for k in members:
        known = state.attrs.get(k) if k not in dirty else None
        attrs[k] = known if known is not None else key_attrs(k, norms[first_name(k)])

    # 3. The last search's pairs that stand.
    severity = {cls: f.severity(cls) for cls in CODES}
    pairs: list[Pair] = []
    for cls, score, reason, i, j in state.pairs:
        a, b = old_rows[i][0], old_rows[j][0]
        if a not in involved and b not in involved:
            pairs.append(Pair(cls, score, reason, sides[a], sides[b], severity[cls]))
    reported: set[tuple[str, str]] = set()

    # 4. Same code, for the codes of involved items.
    codes = {r[2] for r in rows if r[2] and r[0] in involved}
    by_code: dict[str, list[Side]] = defaultdict(list)
    for i, r in enumerate(rows):
        if r[2] in codes:
            by_code[r[2]].append(sides.at(i))
    for same in by_code.values():
        f.code_pairs(same, pairs, reported, involved)

    # 5. Within each dirty key, then every key pair with a dirty key, as the full search would.
    basics = _Sides(rows, {r[2]: i for i, r in enumerate(rows) if r[1] == "basic" and r[2]})
    for k in sorted(dirty):
        for x, y in _expand(group(k), None):
            f.emit(x, y, norms, basics, pairs, reported)
    for k1, k2 in sorted(_partners(dirty, attrs, opt.threshold)):
        m = classify_names(f.norm, norms[first_name(k1)], norms[first_name(k2)], opt.threshold)
        if m is None or m.kind == "variant":
            continue
        for x, y in _expand(group(k1), group(k2)):
            f.emit(x, y, norms, basics, pairs, reported)

    raw = pairs
    codes_all = [r[2] for r in rows] if opt.decisions else []
    pairs, decided = f.decide(pairs, codes_all, codes_all, findings)
    pairs.sort(key=Pair.sort_key)
    findings.sort(key=Finding.sort_key)
    result = DupesResult(pairs, [], findings, len(rows), len(members), decided, opt)
    result.state = SearchState(
        rows,
        keys,
        attrs,
        [(p.cls, p.score, p.reason, at[p.a.path], at[p.b.path]) for p in raw],
        len(changed) + len(removed),
    )
    return result


def _partners(
    dirty: set[str], attrs: dict[str, KeyAttrs], threshold: float
) -> set[tuple[str, str]]:
    """Every pair of keys, one of them dirty, that the full search would take as a candidate:
    those sharing a bucket (``key_buckets``), and those similar enough."""
    out: set[tuple[str, str]] = set()
    for bucket in key_buckets(attrs, dirty):
        for k1, k2 in itertools.combinations(bucket, 2):
            if k1 in dirty or k2 in dirty:
                out.add((k1, k2))
    everything = list(attrs)
    for k in dirty:
        for other, _, _ in process.extract(
            k, everything, scorer=fuzz.ratio, score_cutoff=threshold, limit=None
        ):
            if other != k:
                out.add((k, other) if k < other else (other, k))
    return out
