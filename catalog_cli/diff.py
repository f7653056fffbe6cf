"""What changed between two versions of a catalog, keyed by item code (pure: entries in, diff out).

An item is identified by its code (``published.record_code``), never by its file: a file moved or
renamed with the same content is no change, and comment or layout edits are none either, since
the parsed values are compared. Values are compared as written; a key that is absent and one
that is ``null`` are the same (every element is optional in the file format).

- *added*: a code only the new side has;
- *withdrawn*: a code only the old side has (removed), or whose status turned to 取消 (cancelled;
  codes are never reused, so cancelling is how an item leaves the catalog);
- *changed*: the same code with different values, field by field (``body.name`` for keys inside
  mappings; a list such as ``materials`` is one field).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from catalog_cli.models import BasicItem, Entry, ImplementationItem
from catalog_cli.published import record_code

CANCELLED = "取消"

Reason = Literal["", "removed", "cancelled"]


@dataclass(frozen=True)
class FieldChange:
    """One element's old and new value (None: absent)."""

    field: str  # element key, dotted inside mappings: "place", "body.name"
    old: Any
    new: Any


@dataclass(frozen=True)
class ItemDiff:
    """One item that was added, withdrawn or changed."""

    code: str
    kind: str  # basic | implementation
    name: str | None  # the item's name, or its basic item's when the file inherits it
    body: str | None  # an implementation item's implementing body (body.name)
    path: str  # the file on the newer side (the older side's when removed)
    old_path: str | None = None  # set when the file moved
    reason: Reason = ""  # for withdrawn items: removed or cancelled
    fields: tuple[FieldChange, ...] = ()


@dataclass
class CatalogDiff:
    """The difference between two catalogs; every list is sorted by code."""

    added: list[ItemDiff] = field(default_factory=list)
    withdrawn: list[ItemDiff] = field(default_factory=list)
    changed: list[ItemDiff] = field(default_factory=list)
    # (old|new, path) of files without a code (YAML errors): their item is neither added nor
    # withdrawn on that evidence
    unreadable: list[tuple[str, str]] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)  # codes in several files of one side

    @property
    def empty(self) -> bool:
        """Nothing was added, withdrawn or changed, and no differing file was unreadable."""
        return not (self.added or self.withdrawn or self.changed or self.unreadable)


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Dotted key → value; mappings are entered, lists and scalars are values; None dropped."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            out.update(_flatten(value, name + "."))
        elif value is not None and value != {}:
            out[name] = value
    return out


def field_changes(old: dict[str, Any], new: dict[str, Any]) -> tuple[FieldChange, ...]:
    """Changed elements in the order of the new file (then those only the old file had)."""
    before, after = _flatten(old), _flatten(new)
    keys = [*after, *(k for k in before if k not in after)]
    return tuple(
        FieldChange(k, before.get(k), after.get(k))
        for k in keys
        if _canonical(before.get(k)) != _canonical(after.get(k))
    )


def _canonical(value: Any) -> str:
    """A value as JSON: ``true`` and ``1`` differ (Python says True == 1), key order does not."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _index(
    entries: Iterable[Entry], side: str, diff: CatalogDiff
) -> dict[str, tuple[Entry, dict[str, Any]]]:
    """code → (entry, data); the first file by path wins when a code is in several."""
    found: dict[str, tuple[Entry, dict[str, Any]]] = {}
    for entry in sorted(entries, key=lambda e: e.path):
        code = record_code(entry.item) if entry.item is not None else None
        data = entry.doc.data
        if code is None or not isinstance(data, dict):
            diff.unreadable.append((side, entry.path))
        elif code in found:
            diff.duplicates.append(code)
        else:
            found[code] = (entry, data)
    return found


def unnamed_basic_codes(entries: Iterable[Entry]) -> set[str]:
    """Basic codes of implementation items whose file does not give their name (inherited)."""
    return {
        entry.item.basic_code
        for entry in entries
        if isinstance(entry.item, ImplementationItem)
        and entry.item.basic_code
        and not entry.item.name
    }


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def compare(
    old: Iterable[Entry], new: Iterable[Entry], names: Mapping[str, str] | None = None
) -> CatalogDiff:
    """Items added, withdrawn and changed from ``old`` to ``new``, keyed by code.

    Implementation files usually inherit their name: it is shown from their basic item when
    that is among the entries, else from ``names`` (basic code → name) when given.
    """
    diff = CatalogDiff()
    before, after = _index(old, "old", diff), _index(new, "new", diff)
    basic_names = dict(names or {})
    basic_names.update(
        (code, name)
        for side in (before, after)
        for code, (entry, data) in side.items()
        if isinstance(entry.item, BasicItem) and (name := _text(data.get("name")))
    )

    def describe(code: str, entry: Entry, data: dict[str, Any], **extra: Any) -> ItemDiff:
        body = data.get("body")
        return ItemDiff(
            code=code,
            kind=str(data.get("kind")),
            name=_text(data.get("name")) or basic_names.get(str(data.get("basic_code"))),
            body=_text(body.get("name")) if isinstance(body, dict) else None,
            path=entry.path,
            **extra,
        )

    # A file unreadable on one side (a YAML error) says nothing about its item being added or
    # removed: it is listed as unreadable, not guessed at.
    unknown = {path for _, path in diff.unreadable}
    for code in sorted(before.keys() | after.keys()):
        if code not in before:
            if after[code][0].path not in unknown:
                diff.added.append(describe(code, *after[code]))
        elif code not in after:
            if before[code][0].path not in unknown:
                diff.withdrawn.append(describe(code, *before[code], reason="removed"))
        else:
            (old_entry, old_data), (new_entry, new_data) = before[code], after[code]
            changes = field_changes(old_data, new_data)
            if not changes:
                continue  # same values: a moved file, or only comments and layout changed
            moved = old_entry.path if old_entry.path != new_entry.path else None
            if new_data.get("status") == CANCELLED and old_data.get("status") != CANCELLED:
                target = diff.withdrawn
                item = describe(
                    code, new_entry, new_data, old_path=moved, reason="cancelled", fields=changes
                )
            else:
                target = diff.changed
                item = describe(code, new_entry, new_data, old_path=moved, fields=changes)
            target.append(item)
    diff.duplicates = sorted(set(diff.duplicates))
    return diff
