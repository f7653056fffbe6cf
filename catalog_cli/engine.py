"""The validation engine: files → documents → entries → rules → findings.

It finds the catalog and its configuration, lists the item files, asks ``rounds`` for every
file's results (on all cores, through the item cache), runs the catalog-wide rules, and applies
suppressions, select/ignore and severity overrides. No printing and no exits here: the CLI
turns :class:`RunResult` into output and an exit code, and tests drive the engine directly.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fnmatch
import os
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalog_cli import cache
from catalog_cli.changes import Changes, involved_tuples
from catalog_cli.config import Config, ConfigError, find_root, load_config
from catalog_cli.facts import Facts, References, suppressions_of
from catalog_cli.fastpath import load_file
from catalog_cli.findings import Finding, Severity
from catalog_cli.loader import (
    Document,
    Suppression,
    load_document,
    relative,
    relative_name,
    yaml_file_names,
)
from catalog_cli.rounds import file_results, load_entries, per_file_rules, per_item_rules
from catalog_cli.rules import (
    Catalog,
    CatalogRule,
    Context,
    DocumentRule,
    ItemRule,
    Rule,
    bundled_rules_dir,
    discover_rules,
    reads_clock,
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
    # last run had the same inputs and rendered this report, it is the answer as it is. The
    # caller keeps its report under RunResult.key (cache.store_report) instead of the run's
    # findings being kept: a run is remembered in the form it was answered.
    report_token: str = ""
    # Whether to keep this run for an identical next one (the run cache; the item cache is
    # kept either way). The CLI says no in CI, where every checkout gives every file a new stat:
    # no later job could be answered from it, and keeping 100k items' run costs 0.3 s.
    keep_run: bool = True
    # ``--since`` when nothing is kept (CI): the changes, asked for once the files are checked.
    # Findings the changes do not involve are then dropped before they are built (the caller
    # filters the catalog-wide rules' findings); a kept run needs every finding.
    changes: Callable[[Path], Changes] | None = None


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
    changes: Changes | None = None  # what Options.changes answered (None: not asked)


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
            raise ConfigError(
                f"unknown rule '{s}' in select/ignore (see 'catalog rules')",
                zh=f"select/ignore 中的规则“{s}”不存在（见 catalog rules）",
            )
    return [r for r in rules if (not select or _matches(r, select)) and not _matches(r, ignore)]


def open_session(start: Path) -> Session:
    """Find the catalog that ``start`` belongs to and load its configuration, standard, rules."""
    root = find_root(start)
    if root is None:
        raise ConfigError(
            f"no catalog found at {start} or above it (looked for items/, catalog.toml or "
            "[tool.catalog] in pyproject.toml); run the command inside a catalog repository",
            zh=f"在 {start} 及其上级目录中找不到事项目录（查找了 items/、catalog.toml 和 "
            "pyproject.toml 中的 [tool.catalog]）；请在事项目录的仓库内运行此命令",
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
    rel = relative_name(session.root)
    for base in bases:
        if not base.exists() and not base.is_symlink():
            raise ConfigError(f"path does not exist: {base}", zh=f"路径不存在：{base}")
        found = yaml_file_names(base)
        if exclude:
            found = [n for n in found if not any(fnmatch.fnmatch(rel(n), p) for p in exclude)]
        names.extend(found)
    if not names:
        where = ", ".join(relative(b, session.root) for b in bases)
        raise ConfigError(
            f"no item files (*.yaml, *.yml) found under {where}",
            zh=f"{where} 下没有事项文件（*.yaml、*.yml）",
        )
    return names if len(bases) == 1 else _path_sorted(set(names))  # one walk: sorted, unique


def _path_sorted(names: Iterable[str]) -> list[str]:
    """Sorted as the Path objects would sort (by parts; "a/b" before "a-c")."""
    return sorted(names, key=lambda n: n.split(os.sep))  # noqa: PTH206 - strings on purpose


def prepare_rules(rules: list[type[Rule]], catalog: Catalog, ctx: Context) -> None:
    """Let catalog rules start work that runs meanwhile (the duplicate search, on another core)."""
    for r in rules:
        if issubclass(r, CatalogRule):
            r().prepare(catalog, ctx)


def run_rules(rules: list[type[Rule]], catalog: Catalog, ctx: Context) -> Iterator[Finding]:
    """Run the rules that need the whole catalog, after :func:`prepare_rules` (per-file and
    per-item ones ran in the workers).

    A catalog's own rule that is neither reads ``catalog.entries``, which loads them here.
    """
    in_workers = {*per_file_rules(rules), *per_item_rules(rules)}
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


def _run_rules(session: Session, options: Options, duplicates: bool) -> list[type[Rule]]:
    """The rules a run applies: selected, ignored, and the dupes group only for ``check``."""
    select = options.select or session.config.select
    ignore = [*session.config.ignore, *options.ignore]
    for name in session.config.severity:
        if not any(name in (r.code, r.name, r.code[:3]) for r in session.rules):
            raise ConfigError(
                f"unknown rule '{name}' in [tool.catalog] severity",
                zh=f"[tool.catalog] severity 中的规则“{name}”不存在",
            )
    return [
        r for r in selected_rules(session.rules, select, ignore) if duplicates or r.group != "dupes"
    ]


def _run_names(session: Session, options: Options) -> tuple[list[str], set[str] | None]:
    """The files a run loads, and the ones it reports on when paths were given (else None)."""
    names = _item_names(session, options.paths)
    wanted: set[str] | None = None
    if options.paths:
        # Cross-file rules (links, four-same, uniqueness) need the rest of the catalog even when
        # only some files are checked (pre-commit passes just the changed ones): load it all,
        # report on the given files.
        rel = relative_name(session.root)
        wanted = {rel(n) for n in names}
        with contextlib.suppress(ConfigError):  # no item folder: the given files are the catalog
            names = _path_sorted(set(names) | set(_item_names(session, [])))
    return names, wanted


def _item_context(
    session: Session, options: Options, rules: list[type[Rule]], today: dt.date
) -> str:
    """What the item cache's results depend on besides each file: see cache.context_digest."""
    cached = [*per_file_rules(rules), *per_item_rules(rules)]
    return cache.context_digest(
        standard_dirs=session.standard.directories,
        # the tool's own code too: an edited checkout must not be answered from the cache
        rule_dirs=[bundled_rules_dir(), session.root / "validators", Path(__file__).parent],
        config_json=session.config.model_dump_json(),
        # the files' own findings, in the output language. Not today's date: each result keeps
        # the days in which the dates its rules asked about (Context.has_come) stay as they
        # were, so a cache restored in CI serves the next days too; unless a rule reads the
        # clock itself.
        options={
            "root": str(session.root.absolute()),
            "lang": options.lang,
            "per_file": [r.code for r in per_file_rules(rules)],
            "per_item": [r.code for r in per_item_rules(rules)],
            "today": today.isoformat() if reads_clock(cached) else None,
        },
    )


def catalog_facts(options: Options) -> tuple[Session, list[Facts]]:
    """Every item file's facts (of the given paths only, when there are some), as ``catalog
    check`` with these options gets them: through the item cache, so that after a check this
    reads its results instead of parsing the catalog again, and fills it when it is cold."""
    start = options.paths[0] if options.paths else options.cwd
    session = open_session(start)
    rules = _run_rules(session, options, duplicates=True)
    names, wanted = _run_names(session, options)
    today = run_date()
    stats = cache.file_stats(names) if options.use_cache else None
    context = _item_context(session, options, rules, today) if options.use_cache else ""
    results = file_results(
        session, names, stats, context, rules, options.lang, time.time_ns(), None, today
    )
    facts = [Facts(*r[0]) for r in results]
    return session, facts if wanted is None else [f for f in facts if f.path in wanted]


def run_date() -> dt.date:
    """The date a run checks as of: today (tests move it)."""
    return dt.date.today()


def validate(
    options: Options, session: Session | None = None, *, duplicates: bool = False
) -> RunResult:
    """Run every selected rule on the catalog ``options`` points at.

    Duplicate-detection rules (group ``dupes``) run only with ``duplicates`` (``catalog check``).
    """
    start = options.paths[0] if options.paths else options.cwd
    session = session or open_session(start)
    rules = _run_rules(session, options, duplicates)
    names, wanted = _run_names(session, options)
    key: str | None = None
    since_ns = time.time_ns()
    today = run_date()  # one date for the whole run
    stats: list[cache.Stat] | None = None
    context = ""
    if options.use_cache:
        stats = cache.file_stats(names)
        context = _item_context(session, options, rules, today)
        decisions = str(session.root / "decisions.yaml")
        key = cache.run_key(
            context,
            # the whole run's findings: the catalog-wide rules may compare dates with today
            {
                "rules": [r.code for r in rules],
                "wanted": sorted(wanted) if wanted else None,
                "today": today.isoformat(),
            },
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
        ctx = Context(session.standard, root, options.lang, catalog, options.use_cache, today)
        prepare_rules(rules, catalog, ctx)
        started.append((catalog, ctx))

    results = file_results(
        session, names, stats, context, rules, options.lang, since_ns, begin, today
    )
    # With --since in CI nothing is kept: only the findings the changes involve are built,
    # once the changes are known (see Options.changes). Otherwise every file's findings are
    # built now, beside the duplicate search, which is still running.
    defer = options.changes is not None and not options.keep_run

    def built(changes: Changes | None) -> list[Finding]:
        tuples = [t for r in results for t in (*r[1], *r[3])]
        if changes is not None:
            tuples = involved_tuples(tuples, changes, lazy.table)
        return [cache.finding(t) for t in tuples]

    def safely_built(changes: Changes | None) -> list[Finding]:
        nonlocal results
        try:
            return built(changes)
        except (TypeError, ValueError, KeyError, IndexError):  # a cached result of the wrong shape
            results = file_results(
                session, names, None, context, rules, options.lang, since_ns, None, today
            )
            return built(changes)

    begin([r[0] for r in results])
    catalog, ctx = started[0]
    facts = catalog.facts
    lazy = References(facts)  # (what --since and the run cache need, worked out when asked)
    findings = [] if defer else safely_built(None)
    # the catalog-wide rules collect the duplicate search: asking for the changes after them
    # leaves nothing running when that fails (a missing reference: exit 2)
    late = list(run_rules(rules, catalog, ctx))
    changes = options.changes(root) if options.changes is not None else None
    if defer:
        findings = safely_built(changes)
    findings.extend(late)
    paths = [f.path for f in facts]
    if wanted is not None:
        findings = [f for f in findings if f.path in wanted]
        paths = [p for p in paths if p in wanted]
    shown = set(paths)
    suppressions = {f.path: suppressions_of(f) for f in facts if f.suppressions and f.path in shown}
    findings = apply_suppressions(findings, suppressions, {r.code for r in rules}, ctx)
    findings = override_severity(findings, session.config.severity)
    findings.sort(key=Finding.sort_key)
    # (a kept report needs no references)
    refs: Mapping[str, Collection[str]] = lazy if not options.report_token else {}
    if key is not None and stats is not None and not cache.racy(stats, since_ns):
        if not options.report_token and options.keep_run:
            cache.store(session.root, key, sorted(paths), findings, lazy.table())
    else:
        key = None  # nothing stored under it: a report must not be either
    documents = _LazyDocuments(root, set(paths), max_bytes)
    return RunResult(
        root,
        findings,
        documents,
        len(paths),
        refs,
        session.standard,
        rules,
        key=key,
        changes=changes,
    )


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

    def __contains__(self, path: object) -> bool:  # (Mapping's would load the document)
        return path in self._paths

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
