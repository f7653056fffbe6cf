"""Loading the catalog for the browsing commands (``show``, ``search``, ``stats``).

Loading 100k files takes tens of seconds, so a large catalog is loaded in slices with a
progress bar on stderr (never on stdout, which machine formats own; rich draws nothing when
stderr is not a terminal). Files that cannot be modelled are counted, and the caller says so
on stderr: they are ``catalog validate``'s business, never a reason to fail here.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO, TypeVar

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from catalog_cli import browse_report, engine, rounds, showing, stats
from catalog_cli.models import Entry
from catalog_cli.rules import Catalog
from catalog_cli.search import SearchIndex
from catalog_cli.standard import Regions, Standard

T = TypeVar("T")
PROGRESS_FROM = 2000  # files: from about here loading takes more than a second
SLICES = 20  # progress steps; each slice starts its own worker pool, so not too many


@dataclass
class Loaded:
    """The catalog as the browsing commands see it."""

    root: Path
    standard: Standard
    entries: list[Entry]

    @property
    def broken(self) -> int:
        """Files that could not be modelled (syntax errors, wrong shape): not counted."""
        return sum(1 for e in self.entries if e.item is None)


def broken_note(count: int, lang: str) -> str:
    """The stderr note about files that could not be read."""
    if lang == "zh":
        return f"注意：{count} 个文件无法解析，未计入（运行 catalog validate 查看原因）。"
    return f"note: {count} files could not be parsed and are left out (catalog validate says why)."


class Steps:
    """Progress on stderr for the slow steps of one command; shown only for large catalogs."""

    def __init__(self, console: Console, lang: str) -> None:
        self.lang = lang
        self.shown = False  # set by load() once it knows how many files there are
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )

    def tr(self, zh: str, en: str) -> str:
        return zh if self.lang == "zh" else en

    def step(self, zh: str, en: str, fn: Callable[[], T]) -> T:
        """Run ``fn`` under a spinner (when progress is shown)."""
        if not self.shown:
            return fn()
        task = self.progress.add_task(self.tr(zh, en), total=None)
        try:
            return fn()
        finally:
            self.progress.remove_task(task)

    def load(self, start: Path) -> Loaded:
        """Open the catalog ``start`` belongs to and model every item file (ConfigError if
        there is none), in slices with a bar when there are many files."""
        session = engine.open_session(start)
        files = engine.item_files(session, [])
        self.shown = len(files) >= PROGRESS_FROM
        if self.shown:
            self.progress.start()  # only now: an idle live display still prints blank lines
        else:
            entries, _ = rounds.load_entries(session, files)
            return Loaded(session.root, session.standard, entries)
        task = self.progress.add_task(
            self.tr("读取事项文件", "reading item files"), total=len(files)
        )
        size = -(-len(files) // SLICES)
        entries = []
        for i in range(0, len(files), size):
            part, _ = rounds.load_entries(session, files[i : i + size])
            entries.extend(part)
            self.progress.advance(task, len(part))
        self.progress.remove_task(task)
        return Loaded(session.root, session.standard, entries)


@contextmanager
def progress(console: Console, lang: str) -> Iterator[Steps]:
    """Steps with their live display on ``console`` (stderr) for the duration of a command."""
    s = Steps(console, lang)
    try:
        yield s
    finally:
        if s.shown:
            s.progress.stop()


class BrowseError(ValueError):
    """A bad option value (unknown region …); the message is in the user's language."""


def parse_region(code: str, standard: Standard, lang: str) -> str:
    """A region code of the list (21, 2101, 210102, padded or not) → canonical prefix form."""
    c = code.strip()
    if c.isdigit() and set(c) == {"0"}:  # national bodies
        return Regions.canonical(c)
    found = standard.regions.lookup(c)
    if found is None:
        zh, en = standard.regions.unknown(c)
        raise BrowseError(f"--region：{zh}" if lang == "zh" else f"--region: {en}")
    return found


def _text_target(out: TextIO) -> tuple[int | None, bool]:
    """(width, colour) for text output: the terminal's, or a fixed 100 columns without colour
    when ``out`` is a pipe or a file, so that output is stable."""
    tty = out.isatty()
    return (None if tty else 100), tty


def run_show(code: str, fmt: str, lang: str, out: TextIO, console: Console) -> int:
    """``catalog show``: 0 when found; UnknownCode (exit 2) with suggestions otherwise."""
    with progress(console, lang) as p:
        loaded = p.load(Path.cwd())
        index = p.step("建立索引", "indexing", lambda: SearchIndex(loaded.entries, loaded.standard))
    _note_broken(loaded, console, lang)
    catalog = Catalog(loaded.root, loaded.entries)
    shown = showing.find(code, catalog, loaded.standard, index)
    if fmt == "json":
        showing.render_json(shown, out)
    else:
        width, color = _text_target(out)
        showing.render_text(shown, out, loaded.standard, lang, width=width, color=color)
    return 0


def run_search(
    text: str,
    limit: int,
    kinds: Collection[str] | None,
    region: str | None,
    fmt: str,
    lang: str,
    out: TextIO,
    console: Console,
) -> int:
    """``catalog search``: 0 with hits, 1 without (like grep); BrowseError for a bad region."""
    if not text.strip():
        raise BrowseError(
            "请给出要查找的名称或编码。" if lang == "zh" else "give a name or a code to search for"
        )
    with progress(console, lang) as p:
        loaded = p.load(Path.cwd())
        prefix = parse_region(region, loaded.standard, lang) if region is not None else None
        index = p.step("建立索引", "indexing", lambda: SearchIndex(loaded.entries, loaded.standard))
        hits = index.search(text, limit=limit, kinds=kinds, region=prefix)
    _note_broken(loaded, console, lang)
    if fmt == "json":
        browse_report.search_json(text, hits, lang, out)
    elif hits:
        width, color = _text_target(out)
        browse_report.search_text(hits, loaded.standard, out, lang, width=width, color=color)
    if not hits:
        console.print(
            f"没有找到与 “{text.strip()}” 相符的事项。"
            if lang == "zh"
            else f"no item matches '{text.strip()}'",
            markup=False,  # (what the user typed may hold brackets)
        )
        return 1
    return 0


def run_stats(
    by: str | None, region: str | None, fmt: str, lang: str, out: TextIO, console: Console
) -> int:
    """``catalog stats``: always 0 once the catalog loads (empty groups show —)."""
    with progress(console, lang) as p:
        loaded = p.load(Path.cwd())
        prefix = parse_region(region, loaded.standard, lang) if region is not None else None
        result = p.step(
            "计算统计",
            "computing figures",
            lambda: stats.compute(loaded.entries, loaded.standard, by=by, region=prefix),
        )
    _note_broken(loaded, console, lang)
    if result.items["total"] == 0:
        console.print("没有可统计的事项。" if lang == "zh" else "there are no items to count")
    if fmt == "json":
        browse_report.stats_json(result, out)
    elif fmt == "csv":
        browse_report.stats_csv(result, out, lang)
    else:
        width, color = _text_target(out)
        browse_report.stats_text(result, loaded.standard, out, lang, width=width, color=color)
    return 0


def _note_broken(loaded: Loaded, console: Console, lang: str) -> None:
    if loaded.broken:
        console.print(broken_note(loaded.broken, lang))
