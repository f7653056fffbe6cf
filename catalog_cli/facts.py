"""What the catalog-wide rules need to know of a file, small enough to send and cache cheaply.

Parsing and modelling happen in worker processes, and an item (a pydantic model with a dozen
nested ones) costs more to send to the parent than to build. The rules that compare items with
each other (uniqueness of codes, the duplicate search) read only a handful of fields, so the
workers send those as a :class:`Facts` tuple of plain values (``marshal`` can store it, so the
item cache needs no pickles). Full items stay where they were built.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from typing import NamedTuple

from catalog_cli.loader import Suppression
from catalog_cli.models import BasicItem, Entry, ImplementationItem

# (codes, reason, line, column, targets) of a Suppression
SuppressionFacts = tuple[frozenset[str], str, int, int, frozenset[int]]


class Facts(NamedTuple):
    """One file as the catalog-wide rules see it. Codes are those the model accepted.

    The order of the fields is part of the item cache and of the duplicate search's cache key
    (``path``, then ``kind`` to ``region``): change it together with ``cache.FORMAT``.
    """

    path: str
    sha: str  # git's object id of the file's bytes (loader.blob_id)
    kind: str  # "basic", "implementation", or "" when the file could not be modelled
    basic_code: str | None  # codes: None when missing, blank or of the wrong type
    implementation_code: str | None
    local_code: str | None
    name: str | None  # as stored (None: omitted, inherited from the basic item)
    type: str | None  # as stored
    level: int | None
    region: str | None
    anchor: str  # where a finding about the item as a whole points: /name, /basic_code...
    anchor_line: int | None  # and its position (the duplicate search reports thousands)
    anchor_column: int | None
    suppressions: tuple[SuppressionFacts, ...]


_ANCHORS = ("name", "basic_code", "local_code", "implementation_code")


def _code(entry: Entry, key: str) -> str | None:
    value = getattr(entry.item, key, None)
    return value if isinstance(value, str) and value and f"/{key}" not in entry.invalid else None


def facts_of(entry: Entry) -> Facts:
    """The facts of a loaded entry."""
    doc, item = entry.doc, entry.item
    data = doc.data
    anchor = ""
    if isinstance(data, dict):
        anchor = next((f"/{k}" for k in _ANCHORS if k in data), "")
    # (the root's position when no anchor key is there: rare, and it costs a full scan)
    line, column = doc.locate(anchor) if item is not None else (None, None)
    sups = tuple((s.codes, s.reason, s.line, s.column, s.targets) for s in doc.suppressions)
    kind = "basic" if isinstance(item, BasicItem) else "implementation" if item else ""
    impl = item if isinstance(item, ImplementationItem) else None
    return Facts(
        doc.relpath,
        doc.sha,
        kind,
        _code(entry, "basic_code"),
        _code(entry, "implementation_code"),
        _code(entry, "local_code"),
        getattr(item, "name", None),
        getattr(item, "type", None),
        impl.level if impl else None,
        impl.region if impl else None,
        anchor,
        line,
        column,
        sups,
    )


def suppressions_of(facts: Facts) -> list[Suppression]:
    """Fresh (unused) suppression objects of a file."""
    return [Suppression(c, r, ln, col, t) for c, r, ln, col, t in facts.suppressions]


def references(facts: Iterable[Facts]) -> dict[str, set[str]]:
    """Codes each file depends on (an implementation item depends on its basic item)."""
    return {f.path: {f.basic_code} for f in facts if f.kind == "implementation" and f.basic_code}


class References(Mapping[str, Collection[str]]):
    """:func:`references`, worked out on first use (a pull request's run in CI needs them only
    when items were deleted)."""

    def __init__(self, facts: Iterable[Facts]) -> None:
        self._facts: Iterable[Facts] | None = facts
        self._refs: dict[str, set[str]] = {}

    def table(self) -> dict[str, set[str]]:
        """The references as a dict (worked out now if not yet)."""
        if self._facts is not None:
            self._refs, self._facts = references(self._facts), None
        return self._refs

    def __getitem__(self, path: str) -> Collection[str]:
        return self.table()[path]

    def __iter__(self) -> Iterator[str]:
        return iter(self.table())

    def __len__(self) -> int:
        return len(self.table())
