"""Validation on all cores: files → results, in two rounds on worker processes.

Round one parses files in forked workers (:class:`~catalog_cli.parallel.Crew`), runs the
per-file rules and keeps the items in the workers; only each file's
:class:`~catalog_cli.facts.Facts` and findings come back (plus the basic items, pickled). Round
two sends every worker the basic items, and the per-item rules (four-same, levels, required
elements: an item and its basic item) run where the items are (an item that names no basic
item has them run in round one, and is not kept). The parent never rebuilds 100k items; the
engine runs the catalog-wide rules (COD006, DUP) on the facts.

Each file's result is a list of plain values, which the item cache (``cache.ItemCache``)
stores as they are: ``[facts, per-file findings, basic key, per-item findings, window]``. The
basic key names the basic item the per-item rules saw (``path\\0sha``, ``-`` for none, ``""``
when they need none), so a cached result is reused only while its basic item is unchanged. The
window is the days (ordinals, ``lo <= today < hi``) in which the rules' answers on dates stay
as they were (``Context.has_come``): a cached result is reused only within it.

:func:`load_entries` is the other way in: full entries in this process, for the commands that
use the items (export, show, search, stats).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import gc
import marshal
import os
import pickle
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from catalog_cli import cache
from catalog_cli.facts import Facts, facts_of
from catalog_cli.fastpath import load_file
from catalog_cli.findings import Finding
from catalog_cli.loader import relative_name, relative_names
from catalog_cli.models import Entry, build_entry
from catalog_cli.parallel import PARALLEL_MIN_FILES, Crew, CrewError, chunked_map
from catalog_cli.rules import Catalog, Context, DocumentRule, ItemRule, ProblemRule, Rule
from catalog_cli.standard import Standard

if TYPE_CHECKING:  # the engine imports this module
    from catalog_cli.engine import Session

# Days (ordinals) from lo (included) to hi (excluded); see Context.window.
Window = tuple[int, int]
# One file's loaded entry, the findings of the per-file rules on it and their window.
Record = tuple[Entry, list[Finding], Window]


@dataclass
class _Job:
    """What a worker needs besides its files: inherited through fork, set once per run."""

    root: Path
    max_bytes: int
    standard: Standard
    lang: str
    rules: list[type[Rule]]  # per-file rules: they run while loading
    relative: Callable[[str], str]
    item_rules: list[type[Rule]] = field(default_factory=list)  # per-item: round two
    today: dt.date = field(default_factory=dt.date.today)  # the run's date, in every worker


_JOB: _Job | None = None


def per_file_rules(rules: Sequence[type[Rule]]) -> list[type[Rule]]:
    return [r for r in rules if r.per_file and issubclass(r, DocumentRule | ItemRule)]


def per_item_rules(rules: Sequence[type[Rule]]) -> list[type[Rule]]:
    return [
        r for r in rules if r.per_item and not r.per_file and issubclass(r, DocumentRule | ItemRule)
    ]


def _check_entry(entry: Entry, instances: Sequence[Rule], ctx: Context, out: list[Finding]) -> None:
    problems = {p.code for p in entry.doc.problems}
    for rule in instances:
        if isinstance(rule, DocumentRule):
            # a problem rule that only reports its code's problems has nothing to say on a
            # file without them (most files: 14 rules, a generator each, per file saved)
            if type(rule).check is ProblemRule.check and rule.code not in problems:
                continue
            out.extend(rule.check(entry, ctx))
        elif isinstance(rule, ItemRule) and entry.item is not None:
            out.extend(rule.check(entry, entry.item, ctx))


def _load_records(names: list[str]) -> list[Record]:
    """Load, model and run the per-file rules on some files (in a worker, or in-process)."""
    job = _JOB
    assert job is not None
    ctx = Context(job.standard, job.root, job.lang, None, today=job.today)
    instances = [r() for r in job.rules]
    records: list[Record] = []
    for name in names:
        # the fast path only when it provably yields load_document's result (catalog_cli/fastpath.py)
        doc = load_file(Path(name), job.root, job.max_bytes, job.relative(name))
        entry = build_entry(doc)
        findings: list[Finding] = []
        _check_entry(entry, instances, ctx, findings)
        records.append((entry, findings, ctx.take_window()))
    return records


def _load_chunk(names: list[str]) -> bytes:
    return pickle.dumps(_load_records(names), pickle.HIGHEST_PROTOCOL)


def _start_job(
    session: Session, rules: Sequence[type[Rule]], lang: str, today: dt.date | None = None
) -> None:
    global _JOB  # noqa: PLW0603 - forked workers inherit it: nothing to pickle per chunk
    _JOB = _Job(
        session.root,
        session.config.max_file_size,
        session.standard,
        lang,
        per_file_rules(rules),
        relative_name(session.root),
        per_item_rules(rules),
        today or dt.date.today(),
    )


@contextlib.contextmanager
def _paused_gc() -> Iterator[None]:
    """Pause the collector while a catalog loads, then freeze what was loaded.

    The collector would scan the growing heap of parsed items over and over; and the loaded
    catalog lives until the end of the run, so every later collection would walk millions of
    objects that cannot be garbage.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def load_entries(
    session: Session,
    files: list[Path],
    jobs: int | None = None,
    *,
    rules: Sequence[type[Rule]] = (),
    lang: str = "zh",
) -> tuple[list[Entry], list[Finding]]:
    """Load and model every file and run the per-file ``rules`` on it, on all cores.

    Returns the entries (in the order of ``files``) and the per-file findings. Workers are
    forked, so they inherit the standard and the rule classes (a catalog's own rule files too).
    """
    entries: list[Entry] = []
    findings: list[Finding] = []
    names = [str(f) for f in files]
    _start_job(session, rules, lang)
    try:
        with _paused_gc():
            for raw in chunked_map(_load_chunk, names, workers=jobs):
                for entry, found, _ in pickle.loads(raw):
                    entries.append(entry)
                    findings.extend(found)
    finally:
        _stop_job()
    return entries, findings


# A file's result (see the module docstring).
Result = list[Any]
# In each worker: round one's entries that wait for round two, by chunk, with their position in
# the chunk; and the basic items it parsed, by identity (round two needs them, and need not
# unpickle its own).
_KEPT: dict[int, list[tuple[int, Entry, Facts]]] = {}
_OWN: dict[str, Entry] = {}


def _identity(path: str, sha: str) -> str:
    """A file's identity as the basic item of others: its path and its content."""
    return f"{path}\0{sha}"


def _round_one(task: tuple[int, list[str]]) -> bytes:
    job = _JOB
    assert job is not None
    chunk, names = task
    rows: list[tuple[tuple[Any, ...], list[Any], str | None, list[Any] | None, Window]] = []
    basics: list[tuple[int, bytes]] = []
    kept = _KEPT[chunk] = []
    # An item that names no basic item (a basic item, a local item, an unreadable file) needs
    # none for its per-item rules either: they run now, and it is not kept for round two.
    alone = Context(job.standard, job.root, job.lang, Catalog(job.root, basics={}), today=job.today)
    instances = [r() for r in job.item_rules]
    for k, (entry, found, own) in enumerate(_load_records(names)):
        facts = facts_of(entry)
        tuples = [cache.finding_tuple(f) for f in found]
        if facts.kind == "implementation" and facts.basic_code:
            rows.append((tuple(facts), tuples, None, None, own))
            kept.append((k, entry, facts))
            continue
        more: list[Finding] = []
        _check_entry(entry, instances, alone, more)
        window = narrowed(own, alone.take_window())
        rows.append((tuple(facts), tuples, "", [cache.finding_tuple(f) for f in more], window))
        if facts.kind == "basic" and facts.basic_code:
            basics.append((k, _shipped(entry)))
            _OWN[_identity(facts.path, facts.sha)] = entry
    return marshal.dumps((rows, basics))


def narrowed(a: Window, b: Window) -> Window:
    """The days in both windows."""
    return (max(a[0], b[0]), min(a[1], b[1]))


def _shipped(basic: Entry) -> bytes:
    """A basic item as round two receives it: its model and its text (for positions), not its
    raw data, which the per-item rules do not read of a basic item (a third less to send, and
    to hold in every worker)."""
    doc = dataclasses.replace(basic.doc, data=None)
    return pickle.dumps(Entry(doc, basic.item, basic.invalid), pickle.HIGHEST_PROTOCOL)


def _basic_key(kind: str, code: str | None, identities: Mapping[str, str]) -> str:
    """The identity of the basic item an item's per-item findings depend on (see Result)."""
    if kind != "implementation" or not code:
        return ""
    return identities.get(code, "-")


class _Basics(Mapping[str, Entry]):
    """Basic code → entry, unpickled on first use (a worker needs those its items name)."""

    def __init__(self, payload: Mapping[str, tuple[str, bytes]], own: Mapping[str, Entry]):
        self._payload, self._own = payload, own
        self._done: dict[str, Entry] = {}

    def __getitem__(self, code: str) -> Entry:
        if code not in self._done:
            identity, raw = self._payload[code]
            own = self._own.get(identity)
            self._done[code] = own if own is not None else pickle.loads(raw)
        return self._done[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._payload)

    def __len__(self) -> int:
        return len(self._payload)


def _round_two(payload: dict[str, tuple[str, bytes]]) -> bytes:
    """The per-item rules on every entry this worker kept, against the basic items sent."""
    job = _JOB
    assert job is not None
    identities = {code: identity for code, (identity, _) in payload.items()}
    basics = _Basics(payload, _OWN)
    ctx = Context(
        job.standard, job.root, job.lang, Catalog(job.root, basics=basics), today=job.today
    )
    instances = [r() for r in job.item_rules]
    out: dict[int, list[tuple[int, str, list[tuple[Any, ...]], Window]]] = {}
    for chunk, kept in _KEPT.items():
        rows = out[chunk] = []
        for k, entry, facts in kept:
            found: list[Finding] = []
            _check_entry(entry, instances, ctx, found)
            key = _basic_key(facts.kind, facts.basic_code, identities)
            rows.append((k, key, [cache.finding_tuple(f) for f in found], ctx.take_window()))
    _KEPT.clear()
    _OWN.clear()
    return marshal.dumps(out)


@dataclass
class _Gather:
    """The results of every file of a run, from the item cache or computed now."""

    names: list[str]
    results: list[Result | None]
    workers: int
    chunks: list[list[int]] = field(default_factory=list)  # file positions per computed chunk
    basics: dict[int, bytes] = field(default_factory=dict)  # pickled basic entries parsed now
    # called with every file's facts as soon as all are known, before round two: catalog-wide
    # work that needs only them (the duplicate search) starts then, beside round two
    on_facts: Callable[[list[tuple[Any, ...]]], None] | None = None

    def run(self, crew: Crew) -> list[Result]:
        self._parse(crew, [i for i, r in enumerate(self.results) if r is None])
        first: dict[str, int] = {}  # the basic item a code resolves to: the first in path order
        for i, r in enumerate(self.results):
            assert r is not None
            if r[0][2] == "basic" and r[0][3]:
                first.setdefault(r[0][3], i)
        done = [r for r in self.results if r is not None]
        identities = {c: _identity(done[i][0][0], done[i][0][1]) for c, i in first.items()}
        # cached results whose basic item changed: parse those files again for round two. (A
        # result's basic key is "" exactly when its facts name no basic item it depends on,
        # see _basic_key; otherwise it is the identity its code resolved to, or "-".)
        get = identities.get
        stale = [i for i, r in enumerate(done) if r[2] and r[2] != get(r[0][3], "-")]
        if self.on_facts is not None:  # (the stale results' facts are those of their content)
            self.on_facts([r[0] for r in done])
        self._parse(crew, stale)
        fresh = [r for r in self.results if r is not None and r[2] is None]
        needed = {r[0][3] for r in fresh if r[0][2] == "implementation" and r[0][3] in first}
        payload = {c: (identities[c], self._pickled_basic(first[c])) for c in sorted(needed)}
        if fresh:
            for raw in crew.each(_round_two, payload):
                for chunk, rows in marshal.loads(raw).items():
                    for k, key, found, window in rows:
                        result = self.results[self.chunks[chunk][k]]
                        assert result is not None
                        result[2], result[3] = key, found
                        result[4] = narrowed(result[4], window)
        complete = [r for r in self.results if r is not None and r[2] is not None]
        assert len(complete) == len(self.results)
        return complete

    def _parse(self, crew: Crew, positions: list[int]) -> None:
        if not positions:
            return
        size = max(64, len(positions) // (max(self.workers, 1) * 8))
        tasks = []
        for k in range(0, len(positions), size):
            part = positions[k : k + size]
            tasks.append((len(self.chunks), [self.names[i] for i in part]))
            self.chunks.append(part)
        for (chunk, _), raw in zip(tasks, crew.map(_round_one, tasks), strict=True):
            rows, basics = marshal.loads(raw)
            part = self.chunks[chunk]
            for i, row in zip(part, rows, strict=True):
                self.results[i] = list(row)
            for k, pickled in basics:
                self.basics[part[k]] = pickled

    def _pickled_basic(self, i: int) -> bytes:
        if i not in self.basics:  # cached, not parsed in this run: parse it here
            ((entry, _, _),) = _load_records([self.names[i]])
            self.basics[i] = _shipped(entry)
        return self.basics[i]


def _gather(
    session: Session,
    names: list[str],
    results: list[Result | None],
    rules: Sequence[type[Rule]],
    lang: str,
    jobs: int | None,
    on_facts: Callable[[list[tuple[Any, ...]]], None] | None,
    today: dt.date,
) -> tuple[list[Result], list[list[int]]]:
    """Complete ``results`` (None: not cached) on all cores; also the chunks computed now."""
    todo = sum(1 for r in results if r is None)
    workers = (jobs or os.cpu_count() or 1) if todo >= PARALLEL_MIN_FILES else 0
    _start_job(session, rules, lang, today)
    try:
        with _paused_gc():
            try:
                with Crew(workers) as crew:
                    gather = _Gather(names, list(results), workers, on_facts=on_facts)
                    return gather.run(crew), gather.chunks
            except CrewError:  # a worker died or none could start: the same work, here
                _KEPT.clear()
                _OWN.clear()
                with Crew(0) as crew:
                    gather = _Gather(names, list(results), 0, on_facts=on_facts)
                    return gather.run(crew), gather.chunks
    finally:
        _KEPT.clear()
        _OWN.clear()
        _stop_job()


def _stop_job() -> None:
    global _JOB  # noqa: PLW0603
    _JOB = None


def file_results(
    session: Session,
    names: list[str],
    stats: list[cache.Stat] | None,
    context: str,
    rules: Sequence[type[Rule]],
    lang: str,
    since_ns: int,
    on_facts: Callable[[list[tuple[Any, ...]]], None] | None,
    today: dt.date,
) -> list[Result]:
    """Every file's result as of ``today``, through the item cache when ``stats`` are given."""
    if stats is None:
        nothing: list[Result | None] = [None] * len(names)
        return _gather(session, names, nothing, rules, lang, None, on_facts, today)[0]
    with _paused_gc():  # (the collector would walk the growing heap of 100k cached results)
        return _through_cache(
            session, names, stats, context, rules, lang, since_ns, on_facts, today
        )


def _through_cache(
    session: Session,
    names: list[str],
    stats: list[cache.Stat],
    context: str,
    rules: Sequence[type[Rule]],
    lang: str,
    since_ns: int,
    on_facts: Callable[[list[tuple[Any, ...]]], None] | None,
    today: dt.date,
) -> list[Result]:
    day = today.toordinal()
    store = cache.ItemCache(session.root, context)
    rels = relative_names(session.root, names)
    results: list[Result | None] = [None] * len(names)
    kept: list[str] = []
    for shard, wanted in store.known(rels, names, stats).items():
        by_rel = {r[0][0]: r for r in store.read_shard(shard)}
        for i, digest, same in wanted:
            row = by_rel.get(rels[i])
            # a result is believed only for the path and the content it was made from, and
            # while the dates its rules asked about are on the same side of today
            if row is not None and row[0][1] == digest and row[4][0] <= day < row[4][1]:
                results[i] = row
                if same:  # the index entry stays as it is
                    kept.append(rels[i])
                else:
                    store.remember(rels[i], stats[i], digest, shard, since_ns)
    store.keep(kept)
    done, chunks = _gather(session, names, results, rules, lang, None, on_facts, today)
    for part in chunks:
        shard = store.write_shard([done[i] for i in part])
        for i in part:
            store.remember(rels[i], stats[i], done[i][0][1], shard, since_ns)
    if store.fragmented():  # every edit adds a shard: after many, write them afresh
        size = max(64, len(done) // 16)
        for k in range(0, len(done), size):
            shard = store.write_shard(done[k : k + size])
            for i in range(k, min(k + size, len(done))):
                store.remember(rels[i], stats[i], done[i][0][1], shard, since_ns)
    store.save()
    return done
