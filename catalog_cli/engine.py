"""The validation engine: files → documents → entries → rules → findings.

No printing and no exits here: the CLI turns :class:`RunResult` into output and an exit code,
and tests drive the engine directly.
"""

from __future__ import annotations

import contextlib
import fnmatch
import gc
import os
import pickle
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalog_cli import cache
from catalog_cli.config import Config, ConfigError, find_root, load_config
from catalog_cli.fastpath import load_file
from catalog_cli.findings import Finding, Severity
from catalog_cli.loader import Document, load_document, relative, yaml_file_names
from catalog_cli.models import Entry, ImplementationItem, build_entry
from catalog_cli.parallel import chunked_map
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
    # Commands that go on to use the items (export, release) need the loaded entries, which a
    # whole-run cache hit does not have: skip that layer (the item cache still saves parsing).
    keep_entries: bool = False


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
    references: dict[str, set[str]]  # path → codes it depends on (for --since)
    standard: Standard
    rules: list[type[Rule]] = field(default_factory=list)  # the rules that ran (reporters' table)
    cached: bool = False
    entries: list[Entry] | None = None  # every loaded entry; None on a whole-run cache hit

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


# One file's loaded entry and the findings of the per-file rules on it.
Record = tuple[Entry, list[Finding]]


@dataclass
class _Job:
    """What a worker needs besides its files: inherited through fork, set once per run."""

    root: Path
    max_bytes: int
    standard: Standard
    lang: str
    rules: list[type[Rule]]
    relative: Callable[[str], str]


_JOB: _Job | None = None


def _per_file(rules: Sequence[type[Rule]]) -> list[type[Rule]]:
    return [r for r in rules if r.per_file and issubclass(r, DocumentRule | ItemRule)]


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
        for rule in instances:
            if isinstance(rule, DocumentRule):
                findings.extend(rule.check(entry, ctx))
            elif isinstance(rule, ItemRule) and entry.item is not None:
                findings.extend(rule.check(entry, entry.item, ctx))
        records.append((entry, findings))
    return records


def _load_chunk(names: list[str]) -> bytes:
    # Pickled here rather than by the pool so that the parent can keep the very bytes as a
    # shard of the item cache (catalog_cli/cache.py) without pickling the records again.
    return pickle.dumps(_load_records(names), pickle.HIGHEST_PROTOCOL)


def _load_chunks(
    session: Session,
    names: list[str],
    rules: Sequence[type[Rule]],
    lang: str,
    jobs: int | None,
    *,
    want_bytes: bool,
) -> Iterator[tuple[bytes | None, list[Record]]]:
    """The records of ``names`` chunk by chunk, in order, on all cores; with their pickled
    bytes when ``want_bytes``.

    Parsing and per-file checks are CPU-bound and independent, so large catalogs are split into
    chunks for worker processes (forked, so they inherit the standard and the rule classes,
    including a catalog's own rule files).
    """
    global _JOB  # noqa: PLW0603 - forked workers inherit it: nothing to pickle per chunk
    _JOB = _Job(
        session.root,
        session.config.max_file_size,
        session.standard,
        lang,
        _per_file(rules),
        _relative_name(session.root),
    )
    # The collector would scan the growing heap of parsed items over and over: pause it.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for raw in chunked_map(_load_chunk, names, workers=jobs):
            yield (raw if want_bytes else None), pickle.loads(raw)
    finally:
        _JOB = None
        # The loaded catalog lives until the end of the run: move it out of the collector's
        # sight, or every later collection walks millions of objects that cannot be garbage.
        gc.freeze()
        if gc_was_enabled:
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

    Returns the entries (in the order of ``files``) and the per-file findings.
    """
    entries: list[Entry] = []
    findings: list[Finding] = []
    names = [str(f) for f in files]
    for _, records in _load_chunks(session, names, rules, lang, jobs, want_bytes=False):
        for entry, found in records:
            entries.append(entry)
            findings.extend(found)
    return entries, findings


def _load_cached(
    session: Session,
    names: list[str],
    stats: list[cache.Stat],
    context: str,
    rules: Sequence[type[Rule]],
    lang: str,
    since_ns: int,
) -> tuple[list[Entry], list[Finding]]:
    """:func:`load_entries` through the item cache: only new and changed files are parsed."""
    store = cache.ItemCache(session.root, context)
    rel = _relative_name(session.root)
    rels = [rel(n) for n in names]
    by_shard: dict[str, list[tuple[int, str]]] = {}
    for i, digest, shard in store.known(rels, names, stats):
        by_shard.setdefault(shard, []).append((i, digest))
    # As in _load_chunks: the collector would scan the growing heap over and over, then every
    # later collection would walk the whole catalog; pause it, and freeze what was loaded.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _load_from(store, session, names, rels, stats, by_shard, rules, lang, since_ns)
    finally:
        gc.freeze()
        if gc_was_enabled:
            gc.enable()


def _load_from(
    store: cache.ItemCache,
    session: Session,
    names: list[str],
    rels: list[str],
    stats: list[cache.Stat],
    by_shard: dict[str, list[tuple[int, str]]],
    rules: Sequence[type[Rule]],
    lang: str,
    since_ns: int,
) -> tuple[list[Entry], list[Finding]]:
    """The records the cache has (``by_shard``), and the others parsed and stored."""
    records: list[Record | None] = [None] * len(names)
    for shard, wanted in by_shard.items():
        found = store.read_shard(shard)
        if not isinstance(found, list):
            continue
        by_rel = {r[0].doc.relpath: r for r in found}
        for i, digest in wanted:
            record = by_rel.get(rels[i])
            # a record is believed only for the path and the content it was made from
            if record is not None and record[0].doc.sha == digest:
                records[i] = record
                store.remember(rels[i], stats[i], digest, shard, since_ns)
    missing = [i for i, r in enumerate(records) if r is None]
    todo = iter(missing)
    chunks = _load_chunks(session, [names[i] for i in missing], rules, lang, None, want_bytes=True)
    for raw, part in chunks if missing else ():
        shard = store.write_shard(raw) if raw is not None else ""
        for record in part:
            i = next(todo)
            records[i] = record
            store.remember(rels[i], stats[i], record[0].doc.sha, shard, since_ns)
    done = [r for r in records if r is not None]
    assert len(done) == len(names)
    if store.fragmented():  # every edit adds a shard: after many, write them afresh
        size = max(64, len(done) // 16)
        for k in range(0, len(done), size):
            part = done[k : k + size]
            shard = store.write_shard(pickle.dumps(part, pickle.HIGHEST_PROTOCOL))
            for i, (entry, _) in enumerate(part, k):
                store.remember(rels[i], stats[i], entry.doc.sha, shard, since_ns)
    store.save()
    entries = [r[0] for r in done]
    findings = [f for r in done for f in r[1]]
    return entries, findings


def run_rules(rules: list[type[Rule]], catalog: Catalog, ctx: Context) -> Iterator[Finding]:
    """Run the rules that need the whole catalog (per-file ones ran while loading)."""
    in_workers = set(_per_file(rules))
    instances = [r() for r in rules if r not in in_workers]
    doc_rules = [r for r in instances if isinstance(r, DocumentRule)]
    item_rules = [r for r in instances if isinstance(r, ItemRule)]
    for r in instances:
        if isinstance(r, CatalogRule):
            r.prepare(catalog, ctx)  # e.g. the duplicate search, on another core meanwhile
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
    findings: list[Finding], documents: dict[str, Document], ran: set[str], ctx: Context
) -> list[Finding]:
    """Drop findings an inline ``# catalog: ignore[...]`` covers; report unused suppressions."""
    kept: list[Finding] = []
    for f in findings:
        doc = documents.get(f.path)
        hit = None
        if doc is not None:
            for s in doc.suppressions:
                if f.code in s.codes and (not s.targets or f.line in s.targets):
                    hit = s
                    break
        if hit is None:
            kept.append(f)
        else:
            hit.used = True
    if "SUP002" in ran:
        for doc in documents.values():
            for s in doc.suppressions:
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
                            doc.relpath,
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
    if options.use_cache:
        since_ns = time.time_ns()
        stats = cache.file_stats(names)
        context = cache.context_digest(
            standard_dirs=session.standard.directories,
            # the tool's own code too: an edited checkout must not be answered from the cache
            rule_dirs=[bundled_rules_dir(), session.root / "validators", Path(__file__).parent],
            config_json=session.config.model_dump_json(),
            # what the item cache's records depend on: the files' own findings
            options={
                "root": str(session.root.absolute()),
                "lang": options.lang,
                "per_file": [r.code for r in _per_file(rules)],
            },
        )
        decisions = str(session.root / "decisions.yaml")
        key = cache.run_key(
            context,
            {"rules": [r.code for r in rules], "wanted": sorted(wanted) if wanted else None},
            [*names, decisions],
            [*stats, *cache.file_stats([decisions])],
        )
        hit = None if options.keep_entries else cache.load(session.root, key)
        if hit is not None:
            return _from_cache(hit, session, rules)
        entries, findings = _load_cached(
            session, names, stats, context, rules, options.lang, since_ns
        )
    else:
        entries, findings = load_entries(
            session, [Path(n) for n in names], rules=rules, lang=options.lang
        )
    catalog = Catalog(session.root, entries)
    ctx = Context(session.standard, session.root, options.lang, catalog, options.use_cache)
    documents = {e.doc.relpath: e.doc for e in entries}
    findings.extend(run_rules(rules, catalog, ctx))
    if wanted is not None:
        findings = [f for f in findings if f.path in wanted]
        documents = {p: d for p, d in documents.items() if p in wanted}
    findings = apply_suppressions(findings, documents, {r.code for r in rules}, ctx)
    findings = override_severity(findings, session.config.severity)
    findings.sort(key=Finding.sort_key)
    refs = references(entries)
    if key is not None and not cache.racy(stats, since_ns):
        cache.store(session.root, key, sorted(documents), findings, refs)
    return RunResult(
        session.root,
        findings,
        documents,
        len(documents),
        refs,
        session.standard,
        rules,
        entries=entries,
    )


def references(entries: list[Entry]) -> dict[str, set[str]]:
    """Codes each file depends on (an implementation item depends on its basic item)."""
    return {
        e.path: {e.item.basic_code}
        for e in entries
        if isinstance(e.item, ImplementationItem) and e.item.basic_code
    }


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


def _from_cache(hit: dict[str, Any], session: Session, rules: list[type[Rule]]) -> RunResult:
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
    )


def check(options: Options) -> RunResult:
    """``catalog check``: validation plus duplicate detection, as findings."""
    return validate(options, duplicates=True)
