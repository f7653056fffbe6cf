"""The catalog in figures (pure): counts, element completeness and the reform figures.

Which items each figure covers (every share says how many items it covers; a figure that covers
no item has no value, never a division by zero):

- **Counts** of modelled items per kind, type, level, region and department. Types and
  departments inherit from the basic item when the implementation file omits them. A basic item
  counts once under each of its ``levels``; basic items have no region.
- **Element completeness**: an item is complete when every element the element table requires
  for its profile (basic / implementation / local, ``types``-restricted elements only for those
  types) has a value; locked elements inherited from the basic item count as present.
- The **reform figures** cover *active implementation items*: implementation and local items
  whose status (their own, else their basic item's) is not 取消 (cancelled).

  - 最多跑一次 (at most one visit): ``visits ≤ 1`` among items with a ``visits`` value ≥ 0;
  - 零跑动 (zero visits): ``visits = 0`` among the same items;
  - 全程网办 (fully online): ``online_depth`` is the online-depth code whose label in the
    standard says 全程网办 (Ⅳ级, code 4), and ``online`` is not false, among items that state
    ``online`` or an ``online_depth``;
  - 即办件 share: ``handling_type`` is the handling-type code labelled 即办件 (code 1), among
    items whose handling type is a code of that list;
  - time-limit cut (承诺时限压缩): ``1 − Σ promised / Σ statutory`` in working days, over items
    whose two limits both have a value and the unit 工作日 and whose statutory limit is above 0
    (工作日 and 自然日 cannot be converted exactly, so calendar-day and mixed pairs are left
    out, and counted); the mean of the per-item cuts is reported too.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from catalog_cli.models import BasicItem, Entry, ImplementationItem, Item, effective_type
from catalog_cli.published import effective_status
from catalog_cli.standard import PROFILES, Element, Regions, Standard

GROUPINGS = ("region", "type", "level", "department")
CANCELLED = "取消"
WORKING_DAYS = "工作日"
NONE = ""  # group key of items without a value (shown as "(无)" / "(none)", sorted last)
# Structural keys every modelled item has: not elements staff fill in.
_STRUCTURAL = frozenset({"schema_version", "kind"})


@dataclass(frozen=True, slots=True)
class Share:
    """``count`` of ``covered`` items; ``value`` is None when the figure covers no item."""

    count: int = 0
    covered: int = 0

    @property
    def value(self) -> float | None:
        return self.count / self.covered if self.covered else None

    def to_dict(self) -> dict[str, Any]:
        v = self.value
        return {"count": self.count, "covered": self.covered, "share": _round(v)}


@dataclass(frozen=True, slots=True)
class LimitCut:
    """How much the promised time limits cut the statutory ones, in working days."""

    covered: int = 0
    statutory_days: float = 0.0
    promised_days: float = 0.0
    cut_sum: float = 0.0  # Σ (1 − promised/statutory) per item, for the mean
    excluded: dict[str, int] = field(default_factory=dict)  # why items were left out

    @property
    def value(self) -> float | None:
        return 1 - self.promised_days / self.statutory_days if self.statutory_days else None

    @property
    def mean(self) -> float | None:
        return self.cut_sum / self.covered if self.covered else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "covered": self.covered,
            "statutory_days": _round(self.statutory_days),
            "promised_days": _round(self.promised_days),
            "cut": _round(self.value),
            "mean_cut": _round(self.mean),
            "excluded": dict(sorted(self.excluded.items())),
        }


@dataclass
class Figures:
    """The reform figures over one set of implementation items (the catalog or one group)."""

    items: int = 0  # implementation and local items
    active: int = 0  # of which not cancelled: what the shares below cover at most
    at_most_one_visit: Share = Share()
    zero_visits: Share = Share()
    fully_online: Share = Share()
    immediate: Share = Share()
    limits: LimitCut = field(default_factory=LimitCut)
    complete: Share = Share()  # items (all kinds of the group) with every required element

    def to_dict(self) -> dict[str, Any]:
        return {
            "implementation_items": self.items,
            "active": self.active,
            "at_most_one_visit": self.at_most_one_visit.to_dict(),
            "zero_visits": self.zero_visits.to_dict(),
            "fully_online": self.fully_online.to_dict(),
            "immediate": self.immediate.to_dict(),
            "time_limit_cut": self.limits.to_dict(),
            "complete": self.complete.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class CountRow:
    """Items with one value of a grouping (a type, a level …), per kind."""

    key: str
    label: str
    basic: int
    implementation: int
    local: int

    @property
    def total(self) -> int:
        return self.basic + self.implementation + self.local

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "basic": self.basic,
            "implementation": self.implementation,
            "local": self.local,
            "total": self.total,
        }


@dataclass(frozen=True, slots=True)
class ElementFill:
    """How many of the items an element applies to carry it."""

    key: str
    label: str
    label_en: str
    filled: Share


@dataclass(frozen=True, slots=True)
class ProfileCompleteness:
    profile: str  # basic | implementation | local
    complete: Share
    elements: tuple[ElementFill, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "profile": self.profile,
            "complete": self.complete.to_dict(),
            "elements": [
                {"key": e.key, "label": e.label, "label_en": e.label_en} | e.filled.to_dict()
                for e in self.elements
            ],
        }


@dataclass(frozen=True, slots=True)
class Group:
    """One row of ``--by``: a value of the grouping, its label and its figures."""

    key: str
    label: str
    figures: Figures
    basic: int  # basic items in the group (none for regions: basic items have none)

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "basic_items": self.basic} | (
            self.figures.to_dict()
        )


@dataclass
class Stats:
    """Everything ``catalog stats`` shows."""

    items: dict[str, int]  # basic, implementation, local, total
    broken: int  # files that could not be modelled (not counted anywhere else)
    counts: dict[str, list[CountRow]]  # grouping → rows
    completeness: list[ProfileCompleteness]
    figures: Figures
    by: str | None = None
    groups: list[Group] = field(default_factory=list)
    region: str | None = None  # the --region filter (as a 6- or 9-digit code), if any
    standard_codes: dict[str, str | None] = field(default_factory=dict)  # codes the figures use

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "region": self.region,
            "items": self.items,
            "broken_files": self.broken,
            "counts": {g: [r.to_dict() for r in rows] for g, rows in self.counts.items()},
            "completeness": [p.to_dict() for p in self.completeness],
            "figures": self.figures.to_dict(),
            "codes": self.standard_codes,
        }
        if self.by is not None:
            out["by"] = self.by
            out["groups"] = [g.to_dict() for g in self.groups]
        return out


def _round(v: float | None) -> float | None:
    return None if v is None else round(v, 4)


def code_labelled(standard: Standard, codelist: str, word: str) -> str | None:
    """The code of ``codelist`` whose label contains ``word`` (全程网办, 即办件), if exactly one."""
    cl = standard.codelists.get(codelist)
    found = [c for c, label in cl.entries.items() if word in label] if cl else []
    return found[0] if len(found) == 1 else None


def region_key(region: str | None) -> str:
    """Canonical region code (``210100`` → ``2101``); national ``000000`` → ``00``."""
    return Regions.canonical(region.strip()) if region and region.strip() else NONE


def region_display(key: str) -> str:
    """A canonical region as the 6-digit (or 9-digit) code people write."""
    return key.ljust(6, "0") if key and len(key) <= 6 else key


def region_label(standard: Standard, key: str) -> str:
    if not key:
        return ""
    if set(key) == {"0"}:
        return "全国"
    return standard.regions.name(region_display(key)) or "?"


@dataclass(slots=True)
class _View:
    """One item with what it inherits, as the figures need it."""

    item: Item
    kind: str
    basic: BasicItem | None
    type: str
    department: str
    levels: tuple[str, ...]
    region: str
    status: str | None


@dataclass(frozen=True, slots=True)
class _Codes:
    """The codes the figures test for, looked up in the standard's code lists."""

    online: str | None  # 全程网办
    immediate: str | None  # 即办件
    handling: frozenset[str]  # every handling-type code

    @classmethod
    def of(cls, standard: Standard) -> _Codes:
        handling = standard.codelists.get("handling_types")
        return cls(
            code_labelled(standard, "online_depths", "全程网办"),
            code_labelled(standard, "handling_types", "即办件"),
            frozenset(handling.entries) if handling is not None else frozenset(),
        )


class _Acc:
    """Accumulates the figures of one set of items."""

    def __init__(self, codes: _Codes) -> None:
        self.codes = codes
        self.items = self.active = 0
        self.c: Counter[str] = Counter()
        self.excluded: Counter[str] = Counter()
        self.stat = self.prom = self.cut_sum = 0.0

    def add(self, v: _View, complete: bool) -> None:
        self.c["all"] += 1
        self.c["complete"] += complete
        if not isinstance(v.item, ImplementationItem):
            return
        it = v.item
        self.items += 1
        if v.status == CANCELLED:
            return
        self.active += 1
        if it.visits is not None and it.visits >= 0:
            self.c["visits"] += 1
            self.c["le1"] += it.visits <= 1
            self.c["zero"] += it.visits == 0
        # a standard without a 全程网办 / 即办件 code: the figure covers nothing (not 0%)
        if self.codes.online is not None and (it.online is not None or it.online_depth is not None):
            self.c["online_known"] += 1
            self.c["online"] += it.online_depth == self.codes.online and it.online is not False
        if (
            self.codes.immediate is not None
            and it.handling_type is not None
            and it.handling_type in self.codes.handling
        ):
            self.c["handling"] += 1
            self.c["immediate"] += it.handling_type == self.codes.immediate
        s, p = it.statutory_limit, it.promised_limit
        if s is None or p is None:
            self.excluded["missing"] += 1
        elif s.unit != WORKING_DAYS or p.unit != WORKING_DAYS:
            self.excluded["not_working_days"] += 1
        elif s.value <= 0 or p.value < 0:
            self.excluded["not_positive"] += 1
        else:
            self.c["limits"] += 1
            self.stat += s.value
            self.prom += p.value
            self.cut_sum += 1 - p.value / s.value

    def figures(self) -> Figures:
        c = self.c
        return Figures(
            items=self.items,
            active=self.active,
            at_most_one_visit=Share(c["le1"], c["visits"]),
            zero_visits=Share(c["zero"], c["visits"]),
            fully_online=Share(c["online"], c["online_known"]),
            immediate=Share(c["immediate"], c["handling"]),
            limits=LimitCut(c["limits"], self.stat, self.prom, self.cut_sum, dict(self.excluded)),
            complete=Share(c["complete"], c["all"]),
        )


def _views(entries: Iterable[Entry], region: str | None) -> list[_View]:
    items = [e.item for e in entries if e.item is not None]
    basics: dict[str, BasicItem] = {}
    for it in items:
        if isinstance(it, BasicItem) and it.basic_code:
            basics.setdefault(it.basic_code, it)
    out: list[_View] = []
    for it in items:
        if isinstance(it, BasicItem):
            if region is not None:
                continue  # basic items have no region
            out.append(
                _View(
                    it,
                    "basic",
                    None,
                    it.type or NONE,
                    it.department or NONE,
                    tuple(str(lv) for lv in it.levels or ()),
                    NONE,
                    it.status,
                )
            )
            continue
        assert isinstance(it, ImplementationItem)
        rk = region_key(it.region)
        if region is not None and not (rk and rk.startswith(region)):
            continue
        basic = basics.get(it.basic_code) if it.basic_code else None
        out.append(
            _View(
                it,
                "implementation" if it.basic_code else "local",
                basic,
                effective_type(it, basic) or NONE,
                it.department or (basic.department if basic else None) or NONE,
                (str(it.level),) if it.level is not None else (NONE,),
                rk,
                effective_status(it, basic),
            )
        )
    return out


def _blank(value: object) -> bool:
    # models hold lists as tuples; never `value == ()`: comparing a pydantic model is slow
    return value is None or (isinstance(value, str | tuple) and not value)


def _present(v: _View, key: str) -> bool:
    value = getattr(v.item, key, None)
    if _blank(value) and v.basic is not None:
        value = getattr(v.basic, key, None)  # a locked element inherited from the basic item
    return not _blank(value)


def _required(standard: Standard) -> dict[str, list[Element]]:
    """Per profile, the top-level elements the element table requires (or lets inherit)."""
    out: dict[str, list[Element]] = {}
    for profile in PROFILES:
        out[profile] = sorted(
            (
                el
                for el in standard.elements.values()
                if "." not in el.key
                and "[" not in el.key
                and el.key not in _STRUCTURAL
                and el.presence(profile) in ("required", "locked")
            ),
            key=lambda el: el.key,
        )
    return out


def _group_keys(v: _View, by: str) -> tuple[str, ...]:
    if by == "region":  # keyed as people write codes: 210100, not the canonical 2101
        return (region_display(v.region),) if v.kind != "basic" else ()
    if by == "type":
        return (v.type,)
    if by == "department":
        return (v.department,)
    return v.levels or (NONE,)


_CODELIST = {"type": "item_types", "level": "levels", "department": "departments"}


def _label(standard: Standard, by: str, key: str) -> str:
    if by == "region":
        return region_label(standard, key)
    cl = standard.codelists.get(_CODELIST[by])
    return cl.entries.get(key, "?") if cl is not None and key else ""


def _sort(keys: Iterable[str], by: str) -> list[str]:
    def order(k: str) -> tuple[int, int, str]:
        if not k:
            return (1, 0, k)
        return (0, int(k) if by == "level" and k.isdigit() else 0, k)

    return sorted(keys, key=order)


def compute(
    entries: Iterable[Entry],
    standard: Standard,
    *,
    by: str | None = None,
    region: str | None = None,
) -> Stats:
    """Every figure of ``catalog stats`` for the entries (``region``: canonical prefix filter)."""
    if by is not None and by not in GROUPINGS:
        raise ValueError(f"unknown grouping {by!r}")
    entries = list(entries)
    broken = sum(1 for e in entries if e.item is None)
    views = _views(entries, region)
    codes = _Codes.of(standard)
    required = _required(standard)
    fill: dict[str, Counter[str]] = {p: Counter() for p in PROFILES}
    applies: dict[str, Counter[str]] = {p: Counter() for p in PROFILES}
    complete_by_profile: Counter[str] = Counter()
    total_by_profile: Counter[str] = Counter()
    overall = _Acc(codes)
    groups: dict[str, _Acc] = defaultdict(lambda: _Acc(codes))
    basic_in_group: Counter[str] = Counter()
    counts: dict[str, dict[str, Counter[str]]] = {g: defaultdict(Counter) for g in GROUPINGS}
    kinds: Counter[str] = Counter()
    for v in views:
        kinds[v.kind] += 1
        profile = v.kind
        complete = True
        for el in required[profile]:
            if el.types and v.type not in el.types:
                continue
            applies[profile][el.key] += 1
            if _present(v, el.key):
                fill[profile][el.key] += 1
            else:
                complete = False
        total_by_profile[profile] += 1
        complete_by_profile[profile] += complete
        overall.add(v, complete)
        for g in GROUPINGS:
            for key in _group_keys(v, g):
                counts[g][key][v.kind] += 1
        if by is not None:
            for key in _group_keys(v, by):
                groups[key].add(v, complete)
                basic_in_group[key] += v.kind == "basic"
    completeness = [
        ProfileCompleteness(
            p,
            Share(complete_by_profile[p], total_by_profile[p]),
            tuple(
                ElementFill(
                    el.key, el.label, el.label_en, Share(fill[p][el.key], applies[p][el.key])
                )
                for el in required[p]
                if applies[p][el.key]
            ),
        )
        for p in PROFILES
        if total_by_profile[p]
    ]
    count_rows = {
        g: [
            CountRow(k, _label(standard, g, k), c["basic"], c["implementation"], c["local"])
            for k in _sort(rows, g)
            for c in (rows[k],)
        ]
        for g, rows in counts.items()
    }
    return Stats(
        items={
            "basic": kinds["basic"],
            "implementation": kinds["implementation"],
            "local": kinds["local"],
            "total": sum(kinds.values()),
        },
        broken=broken,
        counts=count_rows,
        completeness=completeness,
        figures=overall.figures(),
        by=by,
        groups=[
            Group(k, _label(standard, by, k), groups[k].figures(), basic_in_group[k])
            for k in _sort(groups, by)
        ]
        if by is not None
        else [],
        region=region_display(region) if region is not None else None,
        standard_codes={"fully_online": codes.online, "immediate": codes.immediate},
    )
