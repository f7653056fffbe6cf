"""``find_pairs``: the pure function behind ``catalog dupes`` (and, later, a ``catalog check`` rule).

Items → sides (code, effective name, level, region) → normalized names grouped by key →
candidate key pairs (equal key, equal stem, reordered words, and every pair above the threshold
from the lossless index) → name classification → item pairs by kind and level → decisions.

Which items are compared with which (comparing every pair would drown staff in legitimate
implementations of one basic item in different regions):
- basic × basic: duplicate / probable-duplicate, or national-candidate when a province-added item
  (prefix ≠ 00) matches a national item or an item of another province;
- implementation/local × implementation/local: only within the same region;
- local × basic: should-implement;
- implementation with its own stored name × another basic item: wrong-basic-item, when that name
  does not fit its own basic item (which must be loaded);
- two items with the same code: same-code-conflict when their names or types differ.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Container, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from catalog_cli.dupes.candidates import KeyPairs, pairs_since
from catalog_cli.dupes.classify import (
    CLASS_ORDER,
    CODES,
    SEVERITY,
    Match,
    class_reason,
    classify_names,
    reason_text,
)
from catalog_cli.dupes.decisions import Decision, stale_finding
from catalog_cli.dupes.normalize import Normalized, Normalizer
from catalog_cli.facts import Facts, facts_of
from catalog_cli.findings import Finding, Severity
from catalog_cli.models import Entry
from catalog_cli.standard import Regions, Standard

DEFAULT_THRESHOLD = 90.0
_CLASS_RANK = {cls: rank for rank, cls in enumerate(CLASS_ORDER)}


@dataclass(frozen=True, slots=True)
class Side:
    """One item as the pairs list shows it."""

    path: str
    kind: str  # basic | implementation | local
    code: str | None
    name: str  # effective name: stored, or inherited from the basic item
    own_name: bool  # the file stores a name of its own
    level: int | None
    region: str | None
    type: str | None
    basic_code: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "kind": self.kind,
            "code": self.code,
            "name": self.name,
            "level": self.level,
            "region": self.region,
        }


@dataclass(frozen=True, slots=True)
class Pair:
    cls: str
    score: float
    reason: str
    a: Side
    b: Side
    severity: Severity

    @property
    def code(self) -> str:
        return CODES[self.cls]

    def sort_key(self) -> tuple[int, float, str, str]:
        return (_CLASS_RANK[self.cls], -self.score, self.a.path, self.b.path)

    def to_dict(self) -> dict[str, Any]:
        return {
            "class": self.cls,
            "score": self.score,
            "reason": self.reason,
            "a": self.a.to_dict(),
            "b": self.b.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class VariantGroup:
    stem: str
    members: tuple[Side, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"stem": self.stem, "members": [m.to_dict() for m in self.members]}


@dataclass
class DupesOptions:
    threshold: float = DEFAULT_THRESHOLD
    scope: str | None = None
    variants: bool = False
    lang: str = "zh"
    severity: dict[str, Severity] = field(default_factory=dict)  # class name or DUP code
    decisions: list[Decision] = field(default_factory=list)
    # from an earlier run (catalog check's cache): its similar key pairs, so that only new keys
    # are searched, and its normalized names
    similar: KeyPairs | None = None
    normalized: dict[str, Normalized] | None = None
    state: bool = False  # return the state the next run's search can start from


# A side as plain values: (path, kind, code, name, own_name, level, region, type, basic_code)
SideRow = tuple[str, str, str | None, str, bool, int | None, str | None, str | None, str | None]
# What the candidate search needs of a key (from its group's first name): order key, stem,
# action groups (sorted), and the key's characters sorted (reordered blocks of words)
KeyAttrs = tuple[str, str, tuple[str, ...], str]
# A pair as (class, score, reason, index of side a, index of side b) into SearchState.rows
PairRow = tuple[str, float, str, int, int]


def side_row(s: Side) -> SideRow:
    return (s.path, s.kind, s.code, s.name, s.own_name, s.level, s.region, s.type, s.basic_code)


def key_attrs(key: str, n: Normalized) -> KeyAttrs:
    return (
        n.order_key,
        n.stem,
        tuple(sorted(n.actions)),
        "".join(sorted(key)) if len(key) >= 4 else "",
    )


def key_buckets(
    attrs: Mapping[str, KeyAttrs], only: Container[str] | None = None
) -> Iterator[list[str]]:
    """Keys that are candidates for each other, each list sorted: the same order key (reordered
    words), the same stem and actions, or the same sorted characters (reordered blocks of
    words). ``only``: just the buckets holding one of these keys."""
    wanted: tuple[set[Any], set[Any], set[Any]] | None = None
    if only is not None:
        chosen = [attrs[k] for k in attrs if k in only]
        wanted = ({a[0] for a in chosen}, {(a[1], a[2]) for a in chosen}, {a[3] for a in chosen})
    buckets: tuple[dict[Any, list[str]], ...] = (
        defaultdict(list),
        defaultdict(list),
        defaultdict(list),
    )
    for k, (order, stem, actions, chars) in attrs.items():
        # only the same action set shares a stem's bucket: variants need no pairs
        for n, v in enumerate((order, (stem, actions) if stem else "", chars)):
            if v and (wanted is None or v in wanted[n]):
                buckets[n][v].append(k)
    for table in buckets:
        for keys in table.values():
            if len(keys) > 1:
                yield sorted(keys)


@dataclass
class SearchState:
    """A finished search as the next run's search can start from it (``incremental.py``)."""

    rows: list[SideRow]  # every side searched, in order
    keys: list[str]  # each one's comparison key ("" when its name normalizes to nothing)
    attrs: dict[str, KeyAttrs]  # every key's attributes
    pairs: list[PairRow]  # the pairs found, before decisions took any out
    # how many items differ from the state the search started from (-1: a full search); not kept
    changed: int = -1

    @classmethod
    def of(
        cls, sides: list[Side], keys: list[str], attrs: dict[str, KeyAttrs], pairs: list[Pair]
    ) -> SearchState:
        where = {s.path: i for i, s in enumerate(sides)}
        return cls(
            [side_row(s) for s in sides],
            keys,
            attrs,
            [(p.cls, p.score, p.reason, where[p.a.path], where[p.b.path]) for p in pairs],
        )

    def plain(self) -> tuple[Any, ...]:
        """The state as plain values, arranged to load fast: rows by column, keys by number."""
        numbers = {k: i for i, k in enumerate(self.attrs)}
        return (
            [list(c) for c in zip(*self.rows, strict=True)] if self.rows else [[]] * 9,
            [numbers.get(k, -1) for k in self.keys],
            list(self.attrs),
            list(self.attrs.values()),
            self.pairs,
        )

    @classmethod
    def from_plain(cls, value: object) -> SearchState | None:
        """:meth:`plain`'s value back, when well-formed; else None."""
        if not (type(value) is tuple and len(value) == 5):
            return None
        columns, numbers, keys, attrs, pairs = value
        if not (
            type(columns) is list
            and len(columns) == 9
            and all(type(c) is list and len(c) == len(numbers) for c in columns)
            and type(numbers) is list
            and type(keys) is list
            and type(attrs) is list
            and len(keys) == len(attrs)
            and type(pairs) is list
            and all(type(p) is str for p in columns[0])
            and all(type(k) is str for k in keys)
            and all(type(a) is tuple and len(a) == 4 for a in attrs)
        ):
            return None
        n, m = len(numbers), len(keys)
        if not all(type(i) is int and -1 <= i < m for i in numbers):
            return None
        for p in pairs:
            if not (
                type(p) is tuple
                and len(p) == 5
                and type(p[3]) is int
                and type(p[4]) is int
                and 0 <= p[3] < n
                and 0 <= p[4] < n
            ):
                return None
        keys.append("")  # number -1
        return cls(
            list(zip(*columns, strict=True)) if n else [],
            [keys[i] for i in numbers],
            dict(zip(keys, attrs, strict=False)),
            pairs,
        )


@dataclass
class DupesResult:
    pairs: list[Pair]
    variants: list[VariantGroup]
    findings: list[Finding]
    items: int
    names: int
    decided: int
    options: DupesOptions
    similar: KeyPairs = ([], [])  # this run's similar key pairs, for the next run
    normalized: dict[str, Normalized] = field(default_factory=dict)  # this run's names
    state: SearchState | None = None  # what the next run can start from (see incremental.py)

    def summary(self) -> dict[str, Any]:
        by_class = dict.fromkeys(CLASS_ORDER, 0)
        for p in self.pairs:
            by_class[p.cls] += 1
        sev = dict.fromkeys(("error", "warning", "info"), 0)
        for p in self.pairs:
            sev[p.severity.value] += 1
        out: dict[str, Any] = {
            "items": self.items,
            "names": self.names,
            "pairs": len(self.pairs),
            "by_class": by_class,
            "errors": sev["error"],
            "warnings": sev["warning"],
            "infos": sev["info"],
            "decided": self.decided,
            "findings": len(self.findings),
            "threshold": self.options.threshold,
            "scope": self.options.scope,
        }
        if self.options.variants:
            out["variant_groups"] = len(self.variants)
        return out

    def exit_code(self, strict: bool) -> int:
        failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
        sevs = [p.severity for p in self.pairs] + [f.severity for f in self.findings]
        return 1 if any(s in failing for s in sevs) else 0


def sides_of(entries: Iterable[Entry]) -> list[Side]:
    """Every modelled item as a side (names inherited from basic items where omitted)."""
    return sides_from_facts(facts_of(e) for e in entries)


def sides_from_facts(all_facts: Iterable[Facts]) -> list[Side]:
    """:func:`sides_of` from the files' facts (which is all it needs of them)."""
    return [Side(*r) for r in side_rows(all_facts)]


def side_rows(all_facts: Iterable[Facts]) -> list[SideRow]:
    """:func:`sides_from_facts` as plain tuples (cheaper when most are only compared)."""
    items = [f for f in all_facts if f.kind]
    basic_names = {
        f.basic_code: f.name for f in items if f.kind == "basic" and f.basic_code and f.name
    }
    basic_types = {f.basic_code: f.type for f in items if f.kind == "basic" and f.basic_code}
    out: list[SideRow] = []
    append = out.append
    for path, _, kind, basic_code, impl_code, local_code, name, typ, level, region, *_ in items:
        if kind == "basic":
            append((path, "basic", basic_code, name or "", bool(name), None, None, typ, basic_code))
            continue
        if basic_code:
            append((path, "implementation", impl_code or local_code or None,
                    name or basic_names.get(basic_code) or "", bool(name), level, region,
                    typ or basic_types.get(basic_code), basic_code))  # fmt: skip
        else:
            append((path, "local", impl_code or local_code or None, name or "", bool(name), level,
                    region, typ, basic_code))  # fmt: skip
    return out


def _region_key(side: Side) -> str:
    """Canonical region (prefix form: 21, 2101, 210102); basic items: 00 or their province."""
    if side.kind == "basic":
        code = side.code or ""
        return code[:2] if len(code) >= 2 and code[:2] != "00" else ""
    if not side.region:
        return "?"
    r = Regions.canonical(side.region)
    return "" if set(r) == {"0"} else r


def in_scope(side: Side, scope: str) -> bool:
    r = _region_key(side)
    if r == "?":
        return False
    return r == "" or r.startswith(scope) or scope.startswith(r)


@dataclass
class _Group:
    """The sides sharing one normalized key, arranged for comparison."""

    basics: list[Side] = field(default_factory=list)
    regional: dict[str, list[Side]] = field(default_factory=lambda: defaultdict(list))
    locals: list[Side] = field(default_factory=list)
    named_impls: list[Side] = field(default_factory=list)

    def add(self, s: Side) -> None:
        if s.kind == "basic":
            self.basics.append(s)
            return
        self.regional[_region_key(s)].append(s)
        if s.kind == "local":
            self.locals.append(s)
        elif s.own_name:
            self.named_impls.append(s)


def _cross(x: list[Side], y: list[Side]) -> Iterator[tuple[Side, Side]]:
    return itertools.product(x, y)


STAR_FROM = 50  # more copies of one name than this in one bucket: pair each with the first


def _within(sides: list[Side]) -> Iterator[tuple[Side, Side]]:
    """All pairs, or for a large group the first side (smallest path) with each other one, so
    that a name copied thousands of times yields thousands of pairs, not millions."""
    if len(sides) <= STAR_FROM:
        yield from itertools.combinations(sides, 2)
        return
    ordered = sorted(sides, key=lambda s: (s.path, s.code or ""))
    for other in ordered[1:]:
        yield ordered[0], other


def _expand(g1: _Group, g2: _Group | None) -> Iterator[tuple[Side, Side]]:
    """Item pairs worth comparing between two key groups (or within one when g2 is None)."""
    if g2 is None:
        yield from _within(g1.basics)
        for sides in g1.regional.values():
            yield from _within(sides)
        yield from _cross(g1.locals, g1.basics)
        yield from _cross(g1.named_impls, g1.basics)
        return
    yield from _cross(g1.basics, g2.basics)
    for region, sides in g1.regional.items():
        other = g2.regional.get(region)
        if other:
            yield from _cross(sides, other)
    yield from _cross(g1.locals, g2.basics)
    yield from _cross(g2.locals, g1.basics)
    yield from _cross(g1.named_impls, g2.basics)
    yield from _cross(g2.named_impls, g1.basics)


class _Finder:
    def __init__(self, standard: Standard, options: DupesOptions) -> None:
        self.norm = Normalizer(standard.vocabularies)
        self.opt = options
        self.lang = options.lang

    def severity(self, cls: str) -> Severity:
        sev = self.opt.severity
        return sev.get(cls) or sev.get(CODES[cls]) or SEVERITY[cls]

    def pair(self, cls: str, score: float, reason: str, x: Side, y: Side) -> Pair:
        a, b = (x, y) if (x.path, x.code or "") <= (y.path, y.code or "") else (y, x)
        return Pair(cls, score, reason, a, b, self.severity(cls))

    def item_class(
        self, m: Match, x: Side, y: Side, basics: Mapping[str, Side]
    ) -> tuple[str, str] | None:
        """(class, reason) for two items whose names match, or None when not reported."""
        base = reason_text(m, self.lang)
        name_cls = "duplicate" if m.kind == "duplicate" else "probable-duplicate"
        if x.kind == "basic" and y.kind == "basic":
            px, py = (x.code or "")[:2], (y.code or "")[:2]
            if px != py and (px != "00" or py != "00"):
                return "national-candidate", class_reason("national-candidate", base, self.lang)
            return name_cls, base
        if x.kind == "basic" or y.kind == "basic":
            basic, other = (x, y) if x.kind == "basic" else (y, x)
            if other.kind == "local":
                return "should-implement", class_reason(
                    "should-implement", base, self.lang, f"{basic.code} {basic.name}"
                )
            if not other.own_name or other.basic_code == basic.code:
                return None
            own = basics.get(other.basic_code or "")
            if own is None or self.fits(other.name, own.name):
                return None
            return "wrong-basic-item", class_reason(
                "wrong-basic-item", base, self.lang, f"{basic.code} {basic.name}"
            )
        if (
            x.kind == "implementation"
            and y.kind == "implementation"
            and (x.basic_code == y.basic_code)
        ):
            extra = (
                f"同一基本目录事项 {x.basic_code} 在同一地区实施了两次；"
                if self.lang == "zh"
                else f"basic item {x.basic_code} is implemented twice in one region; "
            )
            return name_cls, extra + base
        return name_cls, base

    def code_pairs(
        self,
        group: list[Side],
        pairs: list[Pair],
        reported: set[tuple[str, str]],
        only: Container[str] | None = None,
    ) -> None:
        """The pairs of items sharing one code (``only``: those involving one of these paths)."""
        for x, y in itertools.combinations(group, 2):
            if only is not None and x.path not in only and y.path not in only:
                continue
            if x.name != y.name or (x.type or "") != (y.type or ""):
                what = []
                if x.name != y.name:
                    what.append(("名称不同", "names differ"))
                if (x.type or "") != (y.type or ""):
                    what.append((f"类型 {x.type} / {y.type}", f"types {x.type} / {y.type}"))
                detail = (
                    "、".join(w[0] for w in what)
                    if self.lang == "zh"
                    else ", ".join(w[1] for w in what)
                )
                reason = class_reason("same-code-conflict", detail, self.lang)
                score = round(fuzz.ratio(x.name, y.name), 1)
                pairs.append(self.pair("same-code-conflict", score, reason, x, y))
            else:
                reason = (
                    f"同一编码 {x.code} 出现在两个文件中"
                    if self.lang == "zh"
                    else f"the same code {x.code} is in two files"
                )
                pairs.append(self.pair("duplicate", 100.0, reason, x, y))
            reported.add((x.path, y.path))
            reported.add((y.path, x.path))

    def emit(
        self,
        x: Side,
        y: Side,
        norms: Mapping[str, Normalized],
        basics: Mapping[str, Side],
        pairs: list[Pair],
        reported: set[tuple[str, str]],
    ) -> None:
        """Add the pair of two items whose keys are worth comparing, when it is one."""
        if (x.path, y.path) in reported:
            return
        m = classify_names(self.norm, norms[x.name], norms[y.name], self.opt.threshold)
        if m is None or m.kind == "variant":
            return
        got = self.item_class(m, x, y, basics)
        if got is None:
            return
        reported.add((x.path, y.path))
        reported.add((y.path, x.path))
        pairs.append(self.pair(got[0], m.score, got[1], x, y))

    def decide(
        self,
        pairs: list[Pair],
        known: Iterable[str | None],
        in_view: Iterable[str | None],
        findings: list[Finding],
    ) -> tuple[list[Pair], int]:
        """The pairs no decision covers and how many one did; stale decisions to ``findings``.
        ``known``: every item's code; ``in_view``: the codes of the items searched."""
        decisions = self.opt.decisions
        if not decisions:
            return pairs, 0
        decided = 0
        known_codes = {c for c in known if c}
        codes_in_view = {c for c in in_view if c}
        by_codes = {d.codes: d for d in decisions}
        used: set[frozenset[str]] = set()
        kept: list[Pair] = []
        for p in pairs:
            c = frozenset(x for x in (p.a.code, p.b.code) if x)
            if len(c) == 2 and c in by_codes:
                used.add(c)
                decided += 1
            else:
                kept.append(p)
        for d in decisions:
            unknown = sorted(c for c in d.codes if c not in known_codes)
            if unknown:
                findings.append(stale_finding(d, unknown, self.lang))
            elif d.codes not in used and d.codes <= codes_in_view:
                findings.append(stale_finding(d, [], self.lang))
        return kept, decided

    def fits(self, name: str, basic_name: str) -> bool:
        m = classify_names(
            self.norm,
            self.norm.normalize(name),
            self.norm.normalize(basic_name),
            self.opt.threshold,
        )
        return m is not None and m.kind in ("duplicate", "probable")


def _unusable(side: Side, lang: str) -> Finding:
    zh = (
        f"事项名称 “{side.name}” 规范化后为空，无法参与查重。"
        if side.name
        else "事项没有名称（也无法从基本目录事项继承），无法参与查重。"
    )
    en = (
        f"the name '{side.name}' is empty after normalization; it cannot be compared"
        if side.name
        else "the item has no name (and none to inherit from its basic item); not compared"
    )
    return Finding(
        "DUP009",
        "unusable-name",
        Severity.INFO,
        zh if lang == "zh" else en,
        side.path,
        None,
        None,
        "/name",
    )


def find_pairs(
    entries: Iterable[Entry], standard: Standard, options: DupesOptions | None = None
) -> DupesResult:
    """Every reported pair, variant group and finding for the given entries. Never raises for data."""
    return find_pairs_of(sides_of(entries), standard, options)


def find_pairs_of(
    all_sides: list[Side], standard: Standard, options: DupesOptions | None = None
) -> DupesResult:
    """:func:`find_pairs` from the items' sides (which is all it needs of them)."""
    opt = options or DupesOptions()
    f = _Finder(standard, opt)
    sides = [s for s in all_sides if opt.scope is None or in_scope(s, opt.scope)]
    findings: list[Finding] = []
    pairs: list[Pair] = []
    reported: set[tuple[str, str]] = set()

    # 1. Same code in two files.
    by_code: dict[str, list[Side]] = defaultdict(list)
    for s in sides:
        if s.code:
            by_code[s.code].append(s)
    for group in by_code.values():
        f.code_pairs(group, pairs, reported)

    # 2. Group sides by normalized key.
    norms: dict[str, Normalized] = {}
    earlier = opt.normalized or {}
    groups: dict[str, _Group] = defaultdict(_Group)
    rep: dict[str, Normalized] = {}
    for s in sides:
        n = norms.get(s.name)
        if n is None:
            n = norms[s.name] = earlier.get(s.name) or f.norm.normalize(s.name)
        if not n.key:
            findings.append(_unusable(s, f.lang))
            continue
        groups[n.key].add(s)
        rep.setdefault(n.key, n)
    keys = sorted(groups)
    basics = {s.code: s for s in sides if s.kind == "basic" and s.code}

    def emit(x: Side, y: Side) -> None:
        f.emit(x, y, norms, basics, pairs, reported)

    # 3. Within one key.
    for k in keys:
        for x, y in _expand(groups[k], None):
            emit(x, y)

    # 4. Candidate key pairs: reordered words, same stem, and similar keys.
    attrs = {k: key_attrs(k, rep[k]) for k in keys}
    key_pairs: set[tuple[str, str]] = set()
    for related in key_buckets(attrs):
        key_pairs.update(itertools.combinations(related, 2))
    similar = pairs_since(keys, opt.threshold, opt.similar)
    for i, j in similar[1]:
        key_pairs.add((keys[i], keys[j]))
    for k1, k2 in sorted(key_pairs):
        m = classify_names(f.norm, rep[k1], rep[k2], opt.threshold)
        if m is None or m.kind == "variant":
            continue
        for x, y in _expand(groups[k1], groups[k2]):
            emit(x, y)

    # 5. Variant groups: one stem, several action sets, within one bucket (basic / a region).
    variants: list[VariantGroup] = []
    if opt.variants:
        stems: dict[tuple[str, str], list[Side]] = defaultdict(list)
        for s in sides:
            n = norms[s.name]
            if n.key and n.stem and n.actions:
                bucket = "basic" if s.kind == "basic" else _region_key(s)
                stems[(n.stem, bucket)].append(s)
        for s in sides:  # the bare item (no action word) belongs to its variants' group
            n = norms[s.name]
            if n.key and n.stem and not n.actions:
                bucket = "basic" if s.kind == "basic" else _region_key(s)
                if (n.stem, bucket) in stems:
                    stems[(n.stem, bucket)].append(s)
        for (stem, _), members in stems.items():
            acts = {norms[m.name].actions for m in members}
            if len(acts) >= 2:
                variants.append(
                    VariantGroup(stem, tuple(sorted(members, key=lambda s: (s.path, s.code or ""))))
                )
        variants.sort(key=lambda v: (v.stem, v.members[0].path))

    # 6. Decisions: decided pairs are not reported; unknown or unmatched decisions are stale.
    raw = pairs
    pairs, decided = f.decide(pairs, (s.code for s in all_sides), (s.code for s in sides), findings)

    pairs.sort(key=Pair.sort_key)
    findings.sort(key=Finding.sort_key)
    result = DupesResult(
        pairs, variants, findings, len(sides), len(keys), decided, opt, similar, norms
    )
    if opt.state and opt.scope is None and not opt.variants:  # for the next run's search
        result.state = SearchState.of(sides, [norms[s.name].key for s in sides], attrs, raw)
    return result
