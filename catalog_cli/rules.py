"""The rule interface and rule discovery.

A rule is a class in its own file under ``validators/``: a stable ``code`` (``COD003``), a
kebab-case ``name``, a default ``severity``, a one-line ``summary`` in English and Chinese, a
docstring that is its user documentation (why, a bad and a good example), and a generator
``check`` that yields findings. It never prints, exits or reads configuration. Three kinds:

- :class:`DocumentRule` runs on every loaded file (even one that could not be parsed);
- :class:`ItemRule` runs on every file that could be modelled as an item;
- :class:`CatalogRule` runs once on the whole catalog (uniqueness, inheritance, links).
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.resources
import importlib.util
import inspect
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, ClassVar

from catalog_cli.facts import Facts, facts_of
from catalog_cli.findings import Finding, Location, Severity
from catalog_cli.loader import Document, Problem
from catalog_cli.models import BasicItem, Entry, ImplementationItem, Item
from catalog_cli.standard import Standard

CODE_RE = re.compile(r"[A-Z]{3}\d{3}\Z")
NAME_RE = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*\Z")


class RuleLoadError(Exception):
    """A rule file cannot be imported or breaks the rule contract (exit code 2)."""


class Catalog:
    """The whole catalog as cross-file rules see it, with indexes they share.

    Every file has its :class:`~catalog_cli.facts.Facts` (codes, name, type, level, region):
    catalog-wide rules read those, and find a file's positions through :meth:`location`. The
    full entries are there when the run loaded them in this process (``entries``); a large run
    keeps them in its worker processes, and then ``entries`` loads them again on first use
    (``load``), so a rule that needs them works, only slower. ``basics`` maps a basic code to its
    entry where only the basic items are at hand (the rules that run beside the workers' items).
    """

    def __init__(
        self,
        root: Path,
        entries: list[Entry] | None = None,
        *,
        facts: list[Facts] | None = None,
        load: Callable[[], list[Entry]] | None = None,
        document: Callable[[str], Document | None] | None = None,
        basics: Mapping[str, Entry] | None = None,
    ) -> None:
        self.root = root
        self._entries = entries
        self._facts = facts
        self._load = load
        self._document = document
        self._basics = basics
        self._docs: dict[str, Document | None] = {}
        # Results several rules share within one run (e.g. the duplicate search): key → value.
        self.memo: dict[str, Any] = {}

    @property
    def entries(self) -> list[Entry]:
        """Every loaded file (loaded now if the run kept them elsewhere)."""
        if self._entries is None:
            self._entries = self._load() if self._load is not None else []
        return self._entries

    @property
    def facts(self) -> list[Facts]:
        """Every file's facts, in path order."""
        if self._facts is None:
            self._facts = [facts_of(e) for e in self.entries]
        return self._facts

    def _basic_entries(self) -> Mapping[str, Entry]:
        if self._basics is None:
            first: dict[str, Entry] = {}
            for e in self.entries:
                if isinstance(e.item, BasicItem) and e.item.basic_code:
                    first.setdefault(e.item.basic_code, e)
            self._basics = first
        return self._basics

    def basic(self, code: str | None) -> BasicItem | None:
        """The basic item with this code (the first, if the code is duplicated)."""
        entry = self.basic_entry(code)
        return entry.item if entry is not None and isinstance(entry.item, BasicItem) else None

    def basic_entry(self, code: str | None) -> Entry | None:
        return self._basic_entries().get(code or "") if code else None

    def implementations(self) -> Iterator[tuple[Entry, ImplementationItem]]:
        for e in self.entries:
            if isinstance(e.item, ImplementationItem):
                yield e, e.item

    def document(self, path: str) -> Document | None:
        """The document of ``path`` (read again when the run did not keep it here)."""
        if self._entries is not None:
            if not self._docs:
                self._docs = {e.path: e.doc for e in self._entries}
            return self._docs.get(path)
        if path not in self._docs:
            self._docs[path] = self._document(path) if self._document is not None else None
        return self._docs[path]

    def location(self, path: str, pointer: str, *, key: bool = False) -> Location:
        """Where the node at ``pointer`` of ``path`` is (no line when the file is gone)."""
        doc = self.document(path)
        line, col = doc.locate(pointer, key=key) if doc is not None else (None, None)
        return Location(path, line, col)


# A window no answer of has_come limits: from day 0 to after the last day a date can have.
ALWAYS = (0, dt.date.max.toordinal() + 1)


@dataclass
class Context:
    """What a rule may read: the standard, the catalog, the output language."""

    standard: Standard
    root: Path
    lang: str = "zh"
    catalog: Catalog | None = None
    use_cache: bool = False  # whether rules may keep results in .catalog-cache/ for the next run
    # The run's date: one for the whole run (and its workers), even across midnight.
    today: dt.date = field(default_factory=dt.date.today)
    # The days between which what has_come answered stays true, as ordinals: (the latest day
    # asked that had come, the earliest that had not). The item cache keeps a file's findings
    # only while today lies in their window; the engine reads it per file (take_window).
    window: tuple[int, int] = ALWAYS

    def has_come(self, day: dt.date) -> bool:
        """Whether ``day`` is today or earlier.

        A rule asks the date only through this, never the clock: a file's cached findings are
        then reused on later days, until the next date they depend on comes.
        """
        n = day.toordinal()
        lo, hi = self.window
        if n <= self.today.toordinal():
            self.window = (max(lo, n), hi)
            return True
        self.window = (lo, min(hi, n))
        return False

    def take_window(self) -> tuple[int, int]:
        """The window of the answers given since the last call (see ``window``), then reset."""
        window, self.window = self.window, ALWAYS
        return window

    def tr(self, zh: str, en: str) -> str:
        return zh if self.lang == "zh" else en

    def label(self, key: str) -> str:
        """An element's label in the output language, with its YAML key: 承诺办结时限 (promised_limit)."""
        return f"{self.standard.label(key, self.lang)} ({key})"


class Rule:
    """Base of all rules; subclass one of the three kinds below."""

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity] = Severity.ERROR
    summary: ClassVar[str]
    summary_zh: ClassVar[str]
    source: ClassVar[str] = "bundled"
    # "validate" rules run in validate and check; "dupes" rules (duplicate detection) only in
    # check, because comparing every name is a different, slower question than "is this valid".
    group: ClassVar[str] = "validate"
    # A rule that reads only its own file (never ctx.catalog) declares per_file = True: it then
    # runs in the worker processes that parse the files, on every core. A test checks the
    # declaration against the source.
    per_file: ClassVar[bool] = False
    # A rule that reads its own file and, through ctx.catalog.basic() / basic_entry(), its basic
    # item, and nothing else of the catalog, declares per_item = True: it then runs in the
    # worker processes too, once they know every basic item (for an item that names no basic
    # item, ctx.catalog knows none; a basic entry there has its model and text, not its raw
    # data). Also checked by a test.
    per_item: ClassVar[bool] = False

    @classmethod
    def doc(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    def finding(
        self,
        ctx: Context,
        doc: Document | Location,
        pointer: str,
        zh: str,
        en: str,
        *,
        hint_zh: str = "",
        hint_en: str = "",
        key: bool = False,
        related: Iterable[Location] = (),
        severity: Severity | None = None,
    ) -> Finding:
        """A finding at the node ``pointer`` points to in ``doc`` (its key when ``key``); or at
        a location found already (``Catalog.location``), for rules that read no document."""
        if isinstance(doc, Location):
            path, (line, column) = doc.path, (doc.line, doc.column)
        else:
            path, (line, column) = doc.relpath, doc.locate(pointer, key=key)
        return Finding(
            code=self.code,
            rule=self.name,
            severity=severity or self.severity,
            message=ctx.tr(zh, en),
            path=path,
            line=line,
            column=column,
            pointer=pointer,
            hint=ctx.tr(hint_zh, hint_en),
            related=tuple(related),
        )

    def from_problem(self, ctx: Context, doc: Document, p: Problem) -> Finding:
        return Finding(
            code=self.code,
            rule=self.name,
            severity=self.severity,
            message=ctx.tr(p.zh, p.en),
            path=doc.relpath,
            line=p.line,
            column=p.column,
            pointer=p.pointer,
            hint=ctx.tr(p.hint_zh, p.hint_en),
            related=tuple(Location(doc.relpath, ln, col) for ln, col in p.related),
        )


class DocumentRule(Rule):
    def check(self, entry: Entry, ctx: Context) -> Iterator[Finding]:
        raise NotImplementedError


class ProblemRule(DocumentRule):
    """Reports the problems the loader or the models recorded under this rule's code."""

    per_file = True

    def check(self, entry: Entry, ctx: Context) -> Iterator[Finding]:
        for p in entry.doc.problems:
            if p.code == self.code:
                yield self.from_problem(ctx, entry.doc, p)


class ItemRule(Rule):
    def check(self, entry: Entry, item: Item, ctx: Context) -> Iterator[Finding]:
        raise NotImplementedError


class CatalogRule(Rule):
    def prepare(self, catalog: Catalog, ctx: Context) -> None:
        """Start work that can run while the other rules run (optional; ``check`` collects it).

        The engine calls it on every catalog rule before running any rule.
        """

    def check(self, catalog: Catalog, ctx: Context) -> Iterator[Finding]:
        raise NotImplementedError


def location(entry: Entry, pointer: str) -> Location:
    """A related location for another file's node."""
    line, col = entry.doc.locate(pointer)
    return Location(entry.path, line, col)


# A call that may read the clock: today(), now(), time(), localtime()...
_CLOCK = re.compile(r"\b(?:today|now|utcnow|time|time_ns|localtime|gmtime|fromtimestamp)\s*\(")


def reads_clock(rules: Iterable[type[Rule]]) -> bool:
    """Whether one of these rules' files may read the clock itself, not through
    ``Context.has_come``: its findings then hold for the day only (the item cache keys them by
    the date). A file that cannot be read counts as reading it."""
    for rule in rules:
        try:
            source = inspect.getsource(sys.modules[rule.__module__])
        except (OSError, TypeError, KeyError):
            return True
        if _CLOCK.search(source):
            return True
    return False


def bundled_rules_dir() -> Path:
    return Path(str(importlib.resources.files("catalog_cli.bundled_rules")))


def _rules_in(module: ModuleType, source: str) -> list[type[Rule]]:
    found = []
    for obj in vars(module).values():
        if (
            inspect.isclass(obj)
            and issubclass(obj, Rule)
            and obj.__module__ == module.__name__
            and "code" in vars(obj)
        ):
            _check_contract(obj, module)
            obj.source = source
            found.append(obj)
    return found


def _check_contract(cls: type[Rule], module: ModuleType) -> None:
    where = getattr(module, "__file__", module.__name__)
    if not CODE_RE.match(cls.code):
        raise RuleLoadError(f"{where}: rule code {cls.code!r} is not three capitals + three digits")
    if not NAME_RE.match(getattr(cls, "name", "")):
        raise RuleLoadError(f"{where}: rule {cls.code} needs a kebab-case name")
    for attr in ("summary", "summary_zh"):
        if not getattr(cls, attr, ""):
            raise RuleLoadError(f"{where}: rule {cls.code} needs {attr}")
    if not (cls.__doc__ or "").strip():
        raise RuleLoadError(f"{where}: rule {cls.code} needs a docstring (why, bad, good)")


def _import_bundled(stem: str) -> ModuleType:
    return importlib.import_module(f"catalog_cli.bundled_rules.{stem}")


def _import_local(path: Path) -> ModuleType:
    name = f"catalog_rules_local.{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise RuleLoadError(f"{path}: cannot be loaded as a rule file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def discover_rules(local_dir: Path | None = None) -> list[type[Rule]]:
    """Bundled rules, then a catalog's own ``validators/`` (a rule there replaces one by code)."""
    by_code: dict[str, type[Rule]] = {}
    sources: list[tuple[str, Path]] = [("bundled", bundled_rules_dir())]
    if (
        local_dir is not None
        and local_dir.is_dir()
        and local_dir.resolve() != bundled_rules_dir().resolve()
    ):
        sources.append(("catalog", local_dir))
    for source, directory in sources:
        seen: dict[str, Path] = {}
        for path in sorted(directory.glob("*.py")):
            if path.name.startswith("_"):
                continue
            try:
                module = _import_bundled(path.stem) if source == "bundled" else _import_local(path)
            except RuleLoadError:
                raise
            except Exception as exc:  # a broken catalog rule file is a configuration error
                raise RuleLoadError(f"{path}: cannot import rule file: {exc!r}") from exc
            for cls in _rules_in(module, source):
                if cls.code in seen:
                    raise RuleLoadError(
                        f"{path}: rule code {cls.code} is also defined in {seen[cls.code]}"
                    )
                seen[cls.code] = path
                by_code[cls.code] = cls
    return [by_code[c] for c in sorted(by_code)]
