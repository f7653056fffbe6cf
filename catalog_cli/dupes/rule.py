"""Duplicate detection as rules of ``catalog check``: each pair class is one rule (DUP001–006).

The search runs once per run (memoized on the catalog) and every DUP rule picks its own class.
A pair becomes a finding on its *subject* — the local item that should implement a basic item,
the implementation linked to the wrong one, the province-added candidate — or, for symmetric
classes, on the side with the smaller path; the other side is a related location.
"""

from __future__ import annotations

import dataclasses
import hashlib
import marshal
import multiprocessing as mp
from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import rapidfuzz

from catalog_cli import cache
from catalog_cli.dupes import candidates, classify, find, incremental, normalize
from catalog_cli.dupes.candidates import SHARED_FROM, KeyPairs
from catalog_cli.dupes.classify import CODES
from catalog_cli.dupes.decisions import load_decisions
from catalog_cli.dupes.find import (
    DupesOptions,
    DupesResult,
    Pair,
    SearchState,
    Side,
    SideRow,
    find_pairs_of,
    side_rows,
)
from catalog_cli.dupes.normalize import Normalized, Normalizer
from catalog_cli.facts import Facts
from catalog_cli.findings import Finding, Location, Severity
from catalog_cli.parallel import crew_running, shares
from catalog_cli.rules import Catalog, CatalogRule, Context
from catalog_cli.standard import Standard

# A pair as its subject's finding: (message, path, line, column, pointer, hint, and the other
# side's path, line and column). Plain values: they cross back from the forked search and are
# kept in the cache as they are.
FindingRow = tuple[str, str, int | None, int | None, str, str, str, int | None, int | None]


@dataclass
class Found:
    """What the DUP rules report, by code: the pairs' findings and the search's own findings
    (``cache.finding_tuple`` rows: unusable names, stale decisions, invalid decisions)."""

    pairs: dict[str, list[FindingRow]]
    findings: list[tuple[Any, ...]]


def dupes_for(catalog: Catalog, ctx: Context) -> Found:
    """The duplicate search for this run, computed (or collected) on first use."""
    key = f"dupes:{ctx.lang}"
    found = catalog.memo.get(key)
    if found is None:
        start_search(catalog, ctx)
        found = catalog.memo[key]
    if isinstance(found, _Search):
        found = catalog.memo[key] = found.result()
    assert isinstance(found, Found)
    return found


BACKGROUND_MIN_ITEMS = 2000  # fewer: starting a process costs more than the search


def start_search(catalog: Catalog, ctx: Context) -> None:
    """Start this run's duplicate search: in a forked process for a large catalog, so that it
    runs on another core while the other rules run here (nothing else is left for that core
    once the files are loaded)."""
    key = f"dupes:{ctx.lang}"
    if key not in catalog.memo:
        catalog.memo[key] = _Search(catalog, ctx)


_JOB: _Search | None = None  # inherited by the forked search


def _search_job() -> Found:
    assert _JOB is not None
    return _JOB.run()


class _Search:
    """A duplicate search under way (or done inline when no process can be started)."""

    def __init__(self, catalog: Catalog, ctx: Context) -> None:
        global _JOB  # noqa: PLW0603 - the forked process inherits it: nothing to pickle
        self.root, self.use_cache, self.standard = catalog.root, ctx.use_cache, ctx.standard
        decisions, self.problems = load_decisions(catalog.root, ctx.lang)
        self.options = DupesOptions(lang=ctx.lang, decisions=decisions, state=True)
        self.tr = ctx.tr
        self.facts = catalog.facts
        self.pool: ProcessPoolExecutor | None = None
        self.future: Future[Found] | None = None
        self.key = ""
        if len(self.facts) >= BACKGROUND_MIN_ITEMS and "fork" in mp.get_all_start_methods():
            _JOB = self
            try:
                self.pool = ProcessPoolExecutor(1, mp_context=mp.get_context("fork"))
                self.future = self.pool.submit(_search_job)  # forks here, with _JOB set
            except OSError:  # no semaphores (some sandboxes): search inline when asked
                self.future = None
            finally:
                _JOB = None

    def run(self) -> Found:
        """The last run's findings when nothing they depend on changed, else the search.

        The findings depend only on the sides (names, codes, kinds, places, types), where each
        item's findings point, the decisions and the options: after an edit that changed none
        of them (a time limit, a fee), the last findings are the answer. (In the forked process
        too: hashing 100k items' facts then runs beside the rules in the parent.)
        """
        if self.use_cache:
            self.key = _result_key(self.facts, self.options, self.standard)
            last = _found(cache.load_value(self.root, RESULT_FILE, self.key))
            if last is not None:
                return last
        return self.search()

    def search(self) -> Found:
        """The search itself, with what the last run left in the cache, which it updates."""
        rows = side_rows(self.facts)
        return self._found(
            search_kept(rows, self.standard, self.options, self.root, use_cache=self.use_cache)
        )

    def _found(self, result: DupesResult) -> Found:
        """The result as findings, kept for a run in which no side changes (the search state is
        kept by search_kept)."""
        anchors = {f.path: (f.anchor, f.anchor_line, f.anchor_column) for f in self.facts}
        hint = self.tr(
            "核对两者是否为同一事项；若不是，在 decisions.yaml 中记录 not-duplicate",
            "check whether both are the same item; if not, record not-duplicate in decisions.yaml",
        )
        pairs: dict[str, list[FindingRow]] = {}
        for p in result.pairs:
            this, other = _subject(p)
            pointer, line, column = anchors.get(this.path, ("", None, None))
            message = self.tr(
                f"{p.reason}：“{this.name}” 与 {other.path} 的 “{other.name}”（相似度 {p.score}）",
                f"{p.reason}: '{this.name}' and '{other.name}' in {other.path} (score {p.score})",
            )
            there = anchors.get(other.path, ("", None, None))
            pairs.setdefault(CODES[p.cls], []).append(
                (message, this.path, line, column, pointer, hint, other.path, there[1], there[2])
            )
        found = Found(pairs, [cache.finding_tuple(f) for f in result.findings])
        if self.use_cache:
            cache.store_value(self.root, RESULT_FILE, self.key, (found.pairs, found.findings))
        return found

    def result(self) -> Found:
        found: Found | None = None
        if self.future is not None:
            try:
                found = self.future.result()
            except BrokenProcessPool:  # the process was killed: search here instead
                found = None
        if self.pool is not None:
            self.pool.shutdown()
        if found is None:
            found = self.run()
        found.findings = [*map(cache.finding_tuple, self.problems), *found.findings]
        return found


def search_kept(
    rows: list[SideRow], standard: Standard, options: DupesOptions, root: Path, *, use_cache: bool
) -> DupesResult:
    """The search from the last search's state, when one was kept for these settings: only the
    items changed since are compared again (``incremental``); else :func:`search_cached`. The
    new state is kept for the next search."""
    state_key = f"{STATE_FILE} {_settings_key(options, standard)}"
    found: DupesResult | None = None
    if use_cache:
        state = _state(cache.load_value(root, STATE_FILE, state_key))
        if state is not None:
            found = _since(rows, standard, options, state)
    if found is None:
        found = search_cached([Side(*r) for r in rows], standard, options, root,
                              use_cache=use_cache)  # fmt: skip
    state = found.state
    # After a small edit the last state serves as well (what changed since is compared again
    # each run, and the result is kept): rewriting 100k items is not worth it.
    if use_cache and state is not None and not 0 <= state.changed < REWRITE_AFTER:
        cache.store_value(root, STATE_FILE, state_key, state.plain())
    return found


def with_severity(result: DupesResult, severity: Mapping[str, Severity]) -> DupesResult:
    """The pairs re-graded as ``[tool.catalog] severity`` says (by class name or DUP code), as
    ``DupesOptions.severity`` would have graded them: done after the search, so that the search
    is the one ``catalog check``'s DUP rules keep a state for."""
    if severity:
        result.pairs = [
            dataclasses.replace(
                p, severity=severity.get(p.cls) or severity.get(p.code) or p.severity
            )
            for p in result.pairs
        ]
    return result


def search_cached(
    sides: list[Side], standard: Standard, options: DupesOptions, root: Path, *, use_cache: bool
) -> DupesResult:
    """:func:`find_pairs_of` starting from the last search's similar names and normalizations
    (cache files: only new names are normalized and compared with the rest; both are exact, see
    ``candidates.pairs_since``), which it updates. A search of part of the catalog (``scope``)
    reads them but does not replace them: the next whole search would find too much new."""
    pairs_key = f"{SIMILAR_FILE} {options.threshold} rapidfuzz {rapidfuzz.__version__}"
    # normalization depends on its code and the vocabularies only
    source = Path(normalize.__file__).read_bytes() + repr(standard.vocabularies).encode()
    names_key = f"{NAMES_FILE} {hashlib.sha256(source).hexdigest()}"
    known: dict[str, Normalized] = {}
    if use_cache:
        options.similar = _similar(cache.load_value(root, SIMILAR_FILE, pairs_key))
        known = _normalized(cache.load_value(root, NAMES_FILE, names_key)) or {}
    new = sorted({s.name for s in sides} - known.keys())
    options.normalized = {**known, **_normalize_all(new, standard)} if new else known
    found = find_pairs_of(sides, standard, options)
    if use_cache and options.scope is None:
        if found.similar != options.similar:
            cache.store_value(root, SIMILAR_FILE, pairs_key, found.similar)
        if found.normalized.keys() - known.keys():
            table = {k: _fields(n) for k, n in found.normalized.items()}
            cache.store_value(root, NAMES_FILE, names_key, table)
    return found


_NAMES: tuple[list[str], Standard] | None = None  # inherited by the forked normalizers


def _normalize_share(share: tuple[int, int]) -> list[Normalized]:
    assert _NAMES is not None
    names, standard = _NAMES
    norm = Normalizer(standard.vocabularies)
    return [norm.normalize(n) for n in names[share[0] :: share[1]]]


def _normalize_all(names: list[str], standard: Standard) -> dict[str, Normalized]:
    """The normalized names, on all cores when there are many (a cold run has 50k)."""
    global _NAMES  # noqa: PLW0603 - the forked processes inherit it: nothing to pickle
    # While validation's workers still hold the items (the search starts beside them), two more
    # processes would only share the same cores and add their memory to the peak.
    if len(names) < SHARED_FROM or crew_running():
        norm = Normalizer(standard.vocabularies)
        return {n: norm.normalize(n) for n in names}
    _NAMES = (names, standard)
    try:
        parts = shares(_normalize_share)
    finally:
        _NAMES = None
    out: dict[str, Normalized] = {}
    for k, part in enumerate(parts):
        out.update(zip(names[k :: len(parts)], part, strict=True))
    return out


# The last search's result, for a run in which no side changed.
RESULT_FILE = "dupes-result.bin"


def _settings_key(options: DupesOptions, standard: Standard) -> str:
    """What a search's result depends on besides the items: its code, the vocabularies, the
    options and the decisions."""
    h = hashlib.sha256(f"rapidfuzz {rapidfuzz.__version__}\n".encode())
    for module in (find, normalize, classify, candidates, incremental):
        h.update(Path(str(module.__file__)).read_bytes())
    h.update(repr(standard.vocabularies).encode())
    settings = (options.threshold, options.scope, options.variants, options.lang)
    h.update(repr((settings, sorted(options.severity.items()), options.decisions)).encode())
    return h.hexdigest()


def _result_key(facts: list[Facts], options: DupesOptions, standard: Standard) -> str:
    h = hashlib.sha256(f"{RESULT_FILE} {_settings_key(options, standard)}\n".encode())
    # what sides_from_facts reads: path, then kind through region (not the content digest);
    # and where each item's findings point (anchor, line, column)
    h.update(marshal.dumps([(f[0], *f[2:13]) for f in facts]))
    return h.hexdigest()


# Where the last search ended, so that after an edit only the changed items are compared again.
STATE_FILE = "dupes-state.bin"
REWRITE_AFTER = 100  # items changed since the kept state: then keep this run's instead


def _state(value: object) -> SearchState | None:
    """The stored search state when well-formed, else None."""
    return SearchState.from_plain(value)


def _since(
    rows: list[SideRow], standard: Standard, options: DupesOptions, state: SearchState
) -> DupesResult | None:
    """The search from the last state; None (search it all) when that fails on a bad state."""
    try:
        return incremental.search_since(rows, standard, options, state)
    except (TypeError, ValueError, KeyError, IndexError, AttributeError):
        return None


def _found(value: object) -> Found | None:
    """A stored result when well-formed, else None."""
    if not (isinstance(value, tuple) and len(value) == 2):
        return None
    pairs, findings = value
    if not (type(pairs) is dict and type(findings) is list):
        return None
    for code, rows in pairs.items():
        if not (type(code) is str and type(rows) is list):
            return None
        if not all(type(r) is tuple and len(r) == 9 for r in rows):
            return None
    try:
        for t in findings:
            cache.finding(t)
    except (TypeError, ValueError, KeyError):
        return None
    return Found(pairs, findings)


# The normalized names of the last run: the normalization of 50k names takes seconds.
NAMES_FILE = "normalized-names.bin"
_FIELDS = [f.name for f in dataclasses.fields(Normalized)]
_FIELD_TYPES = [str, tuple, str, str, frozenset, tuple, frozenset, str, tuple, tuple, tuple]


def _fields(n: Normalized) -> tuple[Any, ...]:
    return tuple(getattr(n, f) for f in _FIELDS)


def _normalized(value: object) -> dict[str, Normalized] | None:
    """The cached normalizations when well-formed, else None."""
    if not isinstance(value, dict):
        return None
    out: dict[str, Normalized] = {}
    for name, fields in value.items():
        if not (
            isinstance(fields, tuple)
            and len(fields) == len(_FIELD_TYPES)
            and fields[0] == name
            and all(type(v) is t for v, t in zip(fields, _FIELD_TYPES, strict=True))
        ):
            return None
        out[name] = Normalized(*fields)
    return out


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

    def prepare(self, catalog: Catalog, ctx: Context) -> None:
        start_search(catalog, ctx)

    def check(self, catalog: Catalog, ctx: Context) -> Iterator[Finding]:
        found = dupes_for(catalog, ctx)
        code, name, severity = self.code, self.name, self.severity
        for message, path, line, column, pointer, hint, o_path, o_line, o_col in found.pairs.get(
            code, ()
        ):
            yield Finding(code, name, severity, message, path, line, column, pointer, hint,
                          (Location(o_path, o_line, o_col),))  # fmt: skip
        for t in found.findings:
            if t[0] == code:
                yield cache.finding(t).with_severity(severity)
