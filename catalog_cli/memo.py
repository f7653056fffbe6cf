"""Tables derived once per standard, for the per-file rules that consult them for every item."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

from catalog_cli.standard import Standard

T = TypeVar("T")

_KEEP = 4  # standards kept per table: a run has one; tests and diffs may alternate a few


def per_standard(build: Callable[[Standard], T]) -> Callable[[Standard], T]:
    """Memoize ``build(standard)`` per Standard object (a standard is never changed once loaded).

    ``Standard`` is an unhashable dataclass, so tables are keyed by ``id``; the entry holds the
    standard itself, so that its id cannot be reused by another object while the entry lives.
    """
    tables: dict[int, tuple[Standard, T]] = {}

    @functools.wraps(build)
    def get(standard: Standard) -> T:
        hit = tables.get(id(standard))
        if hit is not None:
            return hit[1]
        if len(tables) >= _KEEP:
            tables.clear()
        table = build(standard)
        tables[id(standard)] = (standard, table)
        return table

    return get
