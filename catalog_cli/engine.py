"""The validation engine: files → documents → entries → rules → findings.

No printing and no exits here: the CLI turns :class:`RunResult` into output and an exit code,
and tests drive the engine directly.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fnmatch
import gc
import marshal
import os
import pickle
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalog_cli import cache
from catalog_cli.config import Config, ConfigError, find_root, load_config
from catalog_cli.facts import Facts, facts_of, references, suppressions_of
from catalog_cli.fastpath import load_file
from catalog_cli.findings import Finding, Severity
from catalog_cli.loader import Document, Suppression, load_document, relative, yaml_file_names
from catalog_cli.models import Entry, build_entry
from catalog_cli.parallel import PARALLEL_MIN_FILES, Crew, CrewError, chunked_map
from catalog_cli.rules import (
    Catalog,
    CatalogRule,
    Context,
    DocumentRule,
    ItemRule,
    Rule,
    bundled_rules_dir,
    discover_rules,
)
from catalog_cli.standard import Standard, load_standard


@dataclass
class Options:
    """What a run was asked to do (parsed from the command line by the CLI)."""

    paths: list[Path] = field(default_factory=list)
    cwd: Path = field(default_factory=Path.cwd)
    lang: str = "zh"
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    strict: bool = False
    use_cache: bool = True
    # The report the caller will render (format and options, see cli._report_token): when the
    # last run had the same inputs and rendered this report, it is the answer as it is.
    report_token: str = ""


@dataclass
class Session:
    """A catalog ready to check: its root, configuration, standard and rules."""

    root: Path
    config: Config
    config_source: Path | None
    standard: Standard
    rules: list[type[Rule]]


@dataclass
class RunResult:
    """Everything a reporter needs."""

    root: Path
    findings: list[Finding]
    documents: Mapping[str, Document]  # the reported files (loaded lazily on a cache hit)
    files: int
    references: Mapping[str, Collection[str]]  # path → codes it depends on (for --since)
    standard: Standard
    rules: list[type[Rule]] = field(default_factory=list)  # the rules that ran (reporters' table)
    cached: bool = False
    key: str | None = None  # the run cache's key (None without the cache)
    # the stored report (text, errors, warnings) of an identical run; findings are then empty
    report: tuple[str, int, int] | None = None

    def exit_code(self, strict: bool) -> int:
        failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
        return 1 if any(f.severity in failing for f in self.findings) else 0


def _matches(rule: type[Rule], selectors: Iterable[str]) -> bool:
    return any(
        s.upper() == rule.code
        or (s.isalpha() and rule.code.startswith(s.upper()))
        or s == rule.name
        for s in selectors
    )


def selected_rules(
    rules: list[type[Rule]], select: list[str], ignore: list[str]
) -> list[type[Rule]]:
    known = {r.code for r in rules} | {r.name for r in rules} | {r.code[:3] for r in rules}
    for s in [*select, *ignore]:
        if s.upper() not in known and s not in known:
            raise ConfigError(f"unknown rule '{s}' in select/ignore (see 'catalog rules')")
    return [r for r in rules if (not select or _matches(r, select)) and not _matches(r, ignore)]


def open_session(start: Path) -> Session:
    """Find the catalog that ``start`` belongs to and load its configuration, standard, rules."""
    root = find_root(start)
    if root is None:
        raise ConfigError(
            f"no catalog found at {start} or above it (looked for items/, catalog.toml or "
            "[tool.catalog] in pyproject.toml); run the command inside a catalog repository"
        )
    config, source = load_config(root)
    standard = load_standard(root / "standards")
    rules = discover_rules(root / "validators")
    return Session(root, config, source, standard, rules)


def item_files(session: Session, paths: list[Path]) -> list[Path]:
    """The item files to check: the given paths, or the configured ones under the root."""
    return [Path(n) for n in _item_names(session, paths)]


def _item_names(session: Session, paths: list[Path]) -> list[str]:
    """:func:`item_files` as strings (a validation needs no pathlib object per file)."""
    bases = paths or [session.root / p for p in session.config.paths]
    names: list[str] = []
    exclude = session.config.exclude
    rel = _relative_name(session.root)
    for base in bases:
        if not base.exists() and not base.is_symlink():
            raise ConfigError(f"path does not exist: {base}")
        found = yaml_file_names(base)
        if exclude:
            found = [n for n in found if not any(fnmatch.fnmatch(rel(n), p) for p in exclude)]
        names.extend(found)
    if not names:
        where = ", ".join(relative(b, session.root) for b in bases)
        raise ConfigError(f"no item files (*.yaml, *.yml) found under {where}")
    return names if len(bases) == 1 else _path_sorted(set(names))  # one walk: sorted, unique


def _path_sorted(names: Iterable[str]) -> list[str]:
    """Sorted as the Path objects would sort (by parts; "a/b" before "a-c")."""
    return sorted(names, key=lambda n: n.split(os.sep))  # noqa: PTH206 - strings on purpose


def _relative_name(root: Path) -> Callable[[str], str]:
    """``loader.relative`` for path strings of the file walk (the same result, no pathlib)."""
    base = str(root.absolute())
    prefix = base.rstrip(os.sep) + os.sep
    cwd = os.getcwd()  # noqa: PTH109 - strings on purpose

    def rel(name: str) -> str:
        full = name if os.path.isabs(name) else os.path.join(cwd, name)  # noqa: PTH117, PTH118
        if full.startswith(prefix):
            return full[len(prefix) :].replace(os.sep, "/")
        return "." if full == base else relative(Path(name), root)

    return rel


def _relative_names(root: Path, names: list[str]) -> list[str]:
    """:func:`_relative_name` of many names; those under the root as written are cut in bulk."""
    rel = _relative_name(root)
    if not names:
        return []
    probe = names[0]
    cut = rel(probe)
    head = probe[: len(probe) - len(cut)] if probe.endswith(cut) and cut != probe else ""
    if not head or os.sep != "/":
        return [rel(n) for n in names]
    n = len(head)
    return [name[n:] if name.startswith(head) else rel(name) for name in names]


# One file's loaded entry and the findings of the per-file rules on it.
Record = tuple[Entry, list[Finding]]


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


_JOB: _Job | None = None


def _per_file(rules: Sequence[type[Rule]]) -> list[type[Rule]]:
    return [r for r in rules if r.per_file and issubclass(r, DocumentRule | ItemRule)]


def _per_item(rules: Sequence[type[Rule]]) -> list[type[Rule]]:
    return [
        r for r in rules if r.per_item and not r.per_file and issubclass(r, DocumentRule | ItemRule)
    ]


def _check_entry(entry: Entry, instances: Sequence[Rule], ctx: Context, out: list[Finding]) -> None:
    for rule in instances:
        if isinstance(rule, DocumentRule):
            out.extend(rule.check(entry, ctx))
        elif isinstance(rule, ItemRule) and entry.item is not None:
            out.extend(rule.check(entry, entry.item, ctx))


def _load_records(names: list[str]) -> list[Record]:
    """Load, model and run the per-file rules on some files (in a worker, or in-process)."""
    job = _JOB
    assert job is not None
    ctx = Context(job.standard, job.root, job.lang, None)
    instances = [r() for r in job.rules]
    records: list[Record] = []
    for name in names:
        # the fast path only when it provably yields load_document's result (catalog_cli/fastpath.py)
        doc = load_file(Path(name), job.root, job.max_bytes, job.relative(name))
        entry = build_entry(doc)
        findings: list[Finding] = []
        _check_entry(entry, instances, ctx, findings)
        records.append((entry, findings))
    return records


def _load_chunk(names: list[str]) -> bytes:
    return pickle.dumps(_load_records(names), pickle.HIGHEST_PROTOCOL)


def _start_job(session: Session, rules: Sequence[type[Rule]], lang: str) -> None:
    global _JOB  # noqa: PLW0603 - forked workers inherit it: nothing to pickle per chunk
    _JOB = _Job(
        session.root,
        session.config.max_file_size,
        session.standard,
        lang,
        _per_file(rules),
        _relative_name(session.root),
        _per_item(rules),
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
                for entry, found in pickle.loads(raw):
                    entries.append(entry)
                    findings.extend(found)
    finally:
        _stop_job()
    return entries, findings


# ---------------------------------------------------------------------------------------------
# Validation in two rounds. Round one parses files in worker processes, runs the per-file rules
# and keeps the entries in the workers; only each file's Facts and findings come back (plus the
# basic items, pickled). Round two sends every worker the basic items, and the per-item rules
# (four-same, levels, required elements: an item and its basic item) run where the items are.
# The parent never rebuilds 100k items; catalog-wide rules (COD006, DUP) read the Facts.
#
# A file's result, as plain values (marshal: the item cache stores it as it is):
# [facts, per-file findings, basic key, per-item findings]; the basic key names the basic item
# the per-item rules saw ("path\0sha", "-" for none, "" when they need none), so a cached
# result is reused only while its basic item is unchanged.
Result = list[Any]
# In each worker: round one's entries that wait for round two, by chunk, with their position in
# the chunk; and the basic items it parsed, by identity (round two needs them, and need not
# unpickle its own).
_KEPT: dict[int, list[tuple[int, Entry, Facts]]] = {}
_OWN: dict[str, Entry] = {}


def _identity(facts: Facts) -> str:
    return f"{facts.path}\0{facts.sha}"


def _round_one(task: tuple[int, list[str]]) -> bytes:
    job = _JOB
    assert job is not None
    chunk, names = task
    rows: list[tuple[tuple[Any, ...], list[Any], str | None, list[Any] | None]] = []
    basics: list[tuple[int, bytes]] = []
    kept = _KEPT[chunk] = []
    # An item that names no basic item (a basic item, a local item, an unreadable file) needs
    # none for its per-item rules either: they run now, and it is not kept for round two.
    alone = Context(job.standard, job.root, job.lang, Catalog(job.root, basics={}))
    instances = [r() for r in job.item_rules]
    for k, (entry, found) in enumerate(_load_records(names)):
        facts = facts_of(entry)
        tuples = [cache.finding_tuple(f) for f in found]
        if facts.kind == "implementation" and facts.basic_code:
            rows.append((tuple(facts), tuples, None, None))
            kept.append((k, entry, facts))
            continue
        more: list[Finding] = []
        _check_entry(entry, instances, alone, more)
        rows.append((tuple(facts), tuples, "", [cache.finding_tuple(f) for f in more]))
        if facts.kind == "basic" and facts.basic_code:
            basics.append((k, pickle.dumps(entry, pickle.HIGHEST_PROTOCOL)))
            _OWN[_identity(facts)] = entry
    return marshal.dumps((rows, basics))


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
    ctx = Context(job.standard, job.root, job.lang, Catalog(job.root, basics=basics))
    instances = [r() for r in job.item_rules]
    out: dict[int, list[tuple[int, str, list[tuple[Any, ...]]]]] = {}
    for chunk, kept in _KEPT.items():
        rows = out[chunk] = []
        for k, entry, facts in kept:
            found: list[Finding] = []
            _check_entry(entry, instances, ctx, found)
            key = _basic_key(facts.kind, facts.basic_code, identities)
            rows.append((k, key, [cache.finding_tuple(f) for f in found]))
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
        identities = {c: f"{done[i][0][0]}\0{done[i][0][1]}" for c, i in first.items()}
        # cached results whose basic item changed: parse those files again for round two
        stale = [
            i
            for i, r in enumerate(done)
            if r[2] is not None and r[2] != _basic_key(r[0][2], r[0][3], identities)
        ]
        self._parse(crew, stale)
        if self.on_facts is not None:
            self.on_facts([r[0] for r in self.results if r is not None])
        fresh = [r for r in self.results if r is not None and r[2] is None]
        needed = {r[0][3] for r in fresh if r[0][2] == "implementation" and r[0][3] in first}
        payload = {c: (identities[c], self._pickled_basic(first[c])) for c in sorted(needed)}
        if fresh:
            for raw in crew.each(_round_two, payload):
                for chunk, rows in marshal.loads(raw).items():
                    for k, key, found in rows:
                        result = self.results[self.chunks[chunk][k]]
                        assert result is not None
                        result[2], result[3] = key, found
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
            ((entry, _),) = _load_records([self.names[i]])
            self.basics[i] = pickle.dumps(entry, pickle.HIGHEST_PROTOCOL)
        return self.basics[i]


def _gather(
    session: Session,
    names: list[str],
    results: list[Result | None],
    rules: Sequence[type[Rule]],
    lang: str,
    jobs: int | None,
    on_facts: Callable[[list[tuple[Any, ...]]], None] | None = None,
) -> tuple[list[Result], list[list[int]]]:
    """Complete ``results`` (None: not cached) on all cores; also the chunks computed now."""
    todo = sum(1 for r in results if r is None)
    workers = (jobs or os.cpu_count() or 1) if todo >= PARALLEL_MIN_FILES else 0
    _start_job(session, rules, lang)
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


def _results(
    session: Session,
    names: list[str],
    stats: list[cache.Stat] | None,
    context: str,
    rules: Sequence[type[Rule]],
    lang: str,
    since_ns: int,
    on_facts: Callable[[list[tuple[Any, ...]]], None] | None = None,
) -> list[Result]:
    """Every file's result, through the item cache when ``stats`` are given."""
    if stats is None:
        return _gather(session, names, [None] * len(names), rules, lang, None, on_facts)[0]
    store = cache.ItemCache(session.root, context)
    rels = _relative_names(session.root, names)
    results: list[Result | None] = [None] * len(names)
    by_shard: dict[str, list[tuple[int, str, bool]]] = {}
    for i, digest, shard, same in store.known(rels, names, stats):
        by_shard.setdefault(shard, []).append((i, digest, same))
    for shard, wanted in by_shard.items():
        rows = store.read_shard(shard)
        by_rel = {r[0][0]: r for r in rows}
        for i, digest, same in wanted:
            row = by_rel.get(rels[i])
            # a result is believed only for the path and the content it was made from
            if row is not None and row[0][1] == digest:
                results[i] = row
                if same:  # the index entry stays as it is
                    store.keep(rels[i])
                else:
                    store.remember(rels[i], stats[i], digest, shard, since_ns)
    done, chunks = _gather(session, names, results, rules, lang, None, on_facts)
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


def prepare_rules(rules: list[type[Rule]], catalog: Catalog, ctx: Context) -> None:
    """Let catalog rules start work that runs meanwhile (the duplicate search, on another core)."""
    for r in rules:
        if issubclass(r, CatalogRule):
            r().prepare(catalog, ctx)


def run_rules(
    rules: list[type[Rule]], catalog: Catalog, ctx: Context, *, prepared: bool = False
) -> Iterator[Finding]:
    """Run the rules that need the whole catalog (per-file and per-item ones ran in workers).

    A catalog's own rule that is neither reads ``catalog.entries``, which loads them here.
    ``prepared``: :func:`prepare_rules` was called already.
    """
    in_workers = {*_per_file(rules), *_per_item(rules)}
    if not prepared:
        prepare_rules(rules, catalog, ctx)
    instances = [r() for r in rules if r not in in_workers]
    doc_rules = [r for r in instances if isinstance(r, DocumentRule)]
    item_rules = [r for r in instances if isinstance(r, ItemRule)]
    if doc_rules or item_rules:
        for entry in catalog.entries:
            for dr in doc_rules:
                yield from dr.check(entry, ctx)
            if entry.item is not None:
                for ir in item_rules:
                    yield from ir.check(entry, entry.item, ctx)
    for r in instances:
        if isinstance(r, CatalogRule):
            yield from r.check(catalog, ctx)


def apply_suppressions(
    findings: list[Finding],
    suppressions: dict[str, list[Suppression]],
    ran: set[str],
    ctx: Context,
) -> list[Finding]:
    """Drop findings an inline ``# catalog: ignore[...]`` covers; report unused suppressions.

    ``suppressions``: path → the file's suppression comments.
    """
    kept: list[Finding] = []
    for f in findings:
        hit = None
        for s in suppressions.get(f.path, ()):
            if f.code in s.codes and (not s.targets or f.line in s.targets):
                hit = s
                break
        if hit is None:
            kept.append(f)
        else:
            hit.used = True
    if "SUP002" in ran:
        for path, found in suppressions.items():
            for s in found:
                if not s.used and s.codes & ran:
                    codes = ",".join(sorted(s.codes))
                    kept.append(
                        Finding(
                            "SUP002",
                            "unused-suppression",
                            Severity.WARNING,
                            ctx.tr(
                                f"忽略注释 ignore[{codes}] 没有对应的问题，可以删除。",
                                f"suppression ignore[{codes}] matches no finding; remove it",
                            ),
                            path,
                            s.line,
                            s.column,
                            hint=ctx.tr("删除这条注释", "delete the comment"),
                        )
                    )
    return kept


def override_severity(findings: list[Finding], overrides: dict[str, Severity]) -> list[Finding]:
    if not overrides:
        return findings
    out = []
    for f in findings:
        sev = overrides.get(f.code) or overrides.get(f.rule) or overrides.get(f.code[:3])
        out.append(f.with_severity(sev) if sev and sev != f.severity else f)
    return out


def validate(
    options: Options, session: Session | None = None, *, duplicates: bool = False
) -> RunResult:
    """Run every selected rule on the catalog ``options`` points at.

    Duplicate-detection rules (group ``dupes``) run only with ``duplicates`` (``catalog check``).
    """
    start = options.paths[0] if options.paths else options.cwd
    session = session or open_session(start)
    select = options.select or session.config.select
    ignore = [*session.config.ignore, *options.ignore]
    for name in session.config.severity:
        if not any(name in (r.code, r.name, r.code[:3]) for r in session.rules):
            raise ConfigError(f"unknown rule '{name}' in [tool.catalog] severity")
    rules = [
        r for r in selected_rules(session.rules, select, ignore) if duplicates or r.group != "dupes"
    ]
    names = _item_names(session, options.paths)
    wanted: set[str] | None = None
    if options.paths:
        # Cross-file rules (links, four-same, uniqueness) need the rest of the catalog even when
        # only some files are checked (pre-commit passes just the changed ones): load it all,
        # report on the given files.
        rel = _relative_name(session.root)
        wanted = {rel(n) for n in names}
        with contextlib.suppress(ConfigError):  # no item folder: the given files are the catalog
            names = _path_sorted(set(names) | set(_item_names(session, [])))
    key: str | None = None
    since_ns = time.time_ns()
    stats: list[cache.Stat] | None = None
    context = ""
    if options.use_cache:
        stats = cache.file_stats(names)
        context = cache.context_digest(
            standard_dirs=session.standard.directories,
            # the tool's own code too: an edited checkout must not be answered from the cache
            rule_dirs=[bundled_rules_dir(), session.root / "validators", Path(__file__).parent],
            config_json=session.config.model_dump_json(),
            # what the item cache's results depend on: the files' own findings, in the output
            # language, as of today (a cancel date that has come changes findings)
            options={
                "root": str(session.root.absolute()),
                "lang": options.lang,
                "per_file": [r.code for r in _per_file(rules)],
                "per_item": [r.code for r in _per_item(rules)],
                "today": dt.date.today().isoformat(),
            },
        )
        decisions = str(session.root / "decisions.yaml")
        key = cache.run_key(
            context,
            {"rules": [r.code for r in rules], "wanted": sorted(wanted) if wanted else None},
            [*names, decisions],
            [*stats, *cache.file_stats([decisions])],
        )
        if options.report_token:
            report = cache.load_report(session.root, key, options.report_token)
            if report is not None:
                return RunResult(
                    session.root, [], {}, 0, {}, session.standard, rules, True, key, report
                )
        hit = cache.load(session.root, key)
        if hit is not None:
            return _from_cache(hit, session, rules, key)
    root, max_bytes = session.root, session.config.max_file_size
    started: list[tuple[Catalog, Context]] = []

    def begin(rows: list[tuple[Any, ...]]) -> None:
        if started:  # (a retry on one core knows the same facts)
            return
        catalog = Catalog(
            root,
            facts=[Facts(*t) for t in rows],
            load=lambda: load_entries(session, [Path(n) for n in names])[0],
            document=lambda path: load_file(root / path, root, max_bytes, path),
        )
        ctx = Context(session.standard, root, options.lang, catalog, options.use_cache)
        prepare_rules(rules, catalog, ctx)
        started.append((catalog, ctx))

    results = _results(session, names, stats, context, rules, options.lang, since_ns, begin)
    begin([r[0] for r in results])
    catalog, ctx = started[0]
    facts = catalog.facts
    findings = [cache.finding(t) for r in results for t in (*r[1], *r[3])]
    findings.extend(run_rules(rules, catalog, ctx, prepared=True))
    paths = [f.path for f in facts]
    if wanted is not None:
        findings = [f for f in findings if f.path in wanted]
        paths = [p for p in paths if p in wanted]
    shown = set(paths)
    suppressions = {f.path: suppressions_of(f) for f in facts if f.suppressions and f.path in shown}
    findings = apply_suppressions(findings, suppressions, {r.code for r in rules}, ctx)
    findings = override_severity(findings, session.config.severity)
    findings.sort(key=Finding.sort_key)
    refs = references(facts)
    if key is not None and stats is not None and not cache.racy(stats, since_ns):
        cache.store(session.root, key, sorted(paths), findings, refs)
    else:
        key = None  # nothing stored under it: a report must not be either
    documents = _LazyDocuments(root, set(paths), max_bytes)
    return RunResult(root, findings, documents, len(paths), refs, session.standard, rules, key=key)


class _LazyDocuments(Mapping[str, Document]):
    """Documents loaded on first access: a cached run reads only the files a reporter shows."""

    def __init__(self, root: Path, paths: set[str], max_bytes: int) -> None:
        self._root, self._paths, self._max = root, paths, max_bytes
        self._loaded: dict[str, Document] = {}

    def __getitem__(self, path: str) -> Document:
        if path not in self._paths:
            raise KeyError(path)
        if path not in self._loaded:
            # reporters read only the text (source lines); parsing 50k files again took 20 s
            self._loaded[path] = load_document(
                self._root / path, self._root, max_bytes=self._max, parse=False
            )
        return self._loaded[path]

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._paths))

    def __len__(self) -> int:
        return len(self._paths)


def _from_cache(
    hit: dict[str, Any], session: Session, rules: list[type[Rule]], key: str
) -> RunResult:
    # every checked path, not only those with findings: junit has a test case per file
    docs = _LazyDocuments(session.root, set(hit["paths"]), session.config.max_file_size)
    return RunResult(
        session.root,
        hit["findings"],
        docs,
        len(docs),
        hit["references"],
        session.standard,
        rules,
        cached=True,
        key=key,
    )


def check(options: Options) -> RunResult:
    """``catalog check``: validation plus duplicate detection, as findings."""
    return validate(options, duplicates=True)
