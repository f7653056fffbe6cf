"""``catalog fmt``: canonical key order, quoting and indentation; values and comments kept.

One file is formatted in three passes, then checked:

1. ruamel.yaml's round trip restyles the scalars — codes (:data:`writer.CODE_KEYS`) and text
   that would not read back as itself double-quoted, other text plain, block scalars (``|``,
   ``>``) and values that are not text as written — and indents mappings by 2 and sequences as
   ``  - ``, keeping every comment. Flow mappings (``{value: 20, unit: 工作日}``) are put in
   element-table order here (they hold no comments).
   The round trip is pure Python and most of the cost, so it is skipped when PyYAML's (C)
   event stream shows the text is already written that way (:func:`_as_written`).
2. Block mappings are put in element-table order as whole lines. An entry is its key line, its
   value's lines and the comment and blank lines just above it, so a comment stays with the key
   it precedes (ruamel would attach it to the previous value and move it with that one); a
   comment indented deeper than the next key closes the block above it and stays there. Keys
   the element table does not know follow the known ones, in their own order.
3. A full-line comment takes the indentation of the line it precedes (a closing one, of the
   line above it); at least two spaces before an end-of-line comment; runs of blank lines become
   one; the ``# yaml-language-server: $schema=`` line (:func:`writer.modeline`) comes first.

Values are never changed: the result must read back with the project's loader as exactly the
data the file held (whatever the style, ``0755`` stays the text it always was), or nothing is
written and the file is reported. Text is compared as written: width and script normalization
is for matching only, never applied here.
"""

from __future__ import annotations

import difflib
import functools
import io
import os
import re
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import yaml
from rich.console import Console
from rich.progress import Progress

from catalog_cli.atomic import write_atomic_bytes
from catalog_cli.engine import item_files, open_session
from catalog_cli.importer import Text
from catalog_cli.loader import DEFAULT_MAX_BYTES, Document, decode, load_text, read_source
from catalog_cli.parallel import chunked_map
from catalog_cli.standard import Standard
from catalog_cli.writer import (
    CODE_KEYS,
    modeline,
    parse,
    plain_ok,
    round_trip_yaml,
)

BOM = "\ufeff"
# Problems that leave nothing safe to format (YML007, an empty file, is simply left alone).
_BLOCKING = frozenset(
    {"YML001", "YML002", "YML003", "YML005", "YML006", "YML008", "YML009", "YML010"}
)
PROGRESS_MIN_FILES = 2000  # a progress bar on stderr for runs longer than a few seconds
_NOT_CODES = frozenset({"result.type"})  # 证照, 批文 …: a name, not a code like the item's type
_MODELINE = re.compile(r"\s*#\s*yaml-language-server\s*:\s*\$schema=")
_BLOCK_HEADER = re.compile(r"[|>][-+0-9]*")
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser where libyaml is there


class FormatError(Exception):
    """The file cannot be formatted safely; it is left as it is."""

    def __init__(self, text: Text, line: int | None = None) -> None:
        super().__init__(text.en)
        self.text = text
        self.line = line


def key_order(standard: Standard) -> dict[str, int]:
    """Rank of every element key (``body.name``, ``materials[].form``) in the element table."""
    return {key: i for i, key in enumerate(standard.elements)}


def format_text(
    text: str, data: Any, relpath: str, order: dict[str, int], *, fast: bool = True
) -> str:
    """The canonical form of ``text`` (an item file at ``relpath`` from the catalog root).

    ``data`` is what the project's loader reads from ``text``: the values that must not change.
    Raises :class:`FormatError` when the file cannot be formatted without changing them.
    """
    closing = _closing_comments(text)
    # Pass 1 is ruamel.yaml, pure Python and most of the cost: skipped when it would change
    # nothing (tests/test_fmt.py proves the two ways give the same result).
    restyled = text if fast and _as_written(text, order) else _restyle_scalars(text, data, order)
    spans = _Spans(restyled)
    indices, overrides = _reorder(restyled, spans, order, closing)
    out = _tidy(spans, indices, overrides)
    result = modeline(relpath) + "".join(line + "\n" for line in out)
    if parse(result) != data:
        raise FormatError(
            Text(
                "格式化后内容会改变，文件保持原样（请报告此问题）。",
                "formatting would change the values; the file is left as it is (please report "
                "this)",
            )
        )
    return result


# ---------------------------------------------------------------------------------------------
# Pass 1: scalars, with ruamel.yaml's round trip


def _restyle_scalars(text: str, data: Any, order: dict[str, int]) -> str:
    from ruamel.yaml.error import YAMLError

    y = round_trip_yaml()
    try:
        tree = y.load(text)
    except (YAMLError, ValueError) as exc:  # the project's loader read it; ruamel did not
        mark = getattr(exc, "problem_mark", None)
        raise FormatError(
            Text(f"无法按 YAML 往返解析：{exc}", f"cannot be read for a round trip: {exc}"),
            mark.line + 1 if mark is not None else None,
        ) from exc
    _restyle(tree, data, "", order)
    buf = io.StringIO()
    y.dump(tree, buf)
    return buf.getvalue()


def _child(parent: str, key: str) -> str:
    return f"{parent}.{key}" if parent else key


def _restyle(node: Any, data: Any, path: str, order: dict[str, int]) -> None:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(node, CommentedMap) and isinstance(data, dict):
        for key in list(node):
            sub = _child(path, str(key))
            value = node[key]
            if isinstance(value, CommentedMap | CommentedSeq):
                _restyle(value, data.get(str(key)), sub, order)
            elif str(key) in data:
                node[key] = _scalar(value, data[str(key)], sub)
            _restyle_key(node, key)
        if node.fa.flow_style():
            for key in _ordered(list(node), path, order):
                node.move_to_end(key)
    elif isinstance(node, CommentedSeq) and isinstance(data, list):
        for i, value in enumerate(node):
            if i >= len(data):
                break
            if isinstance(value, CommentedMap | CommentedSeq):
                _restyle(value, data[i], path + "[]", order)
            else:
                node[i] = _scalar(value, data[i], path)


def _scalar(value: Any, loaded: Any, path: str) -> Any:
    """The canonical style of one scalar; ``loaded`` is what the project's loader read."""
    from ruamel.yaml.scalarstring import (
        DoubleQuotedScalarString,
        FoldedScalarString,
        LiteralScalarString,
        PlainScalarString,
    )

    if not isinstance(loaded, str):
        return value  # numbers, booleans, null: as written
    if isinstance(value, LiteralScalarString | FoldedScalarString):
        return value  # a block of text stays a block
    if not isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", loaded):
        return value  # an unquoted date (text to the loader, a date to its model) stays plain
    code = _is_code(path)
    # Whatever ruamel made of it (0755, yes), the value is the loader's text: keep that text.
    # (PlainScalarString, not str: ruamel would keep the old quotes for a plain str.)
    return (
        DoubleQuotedScalarString(loaded)
        if code or not plain_ok(loaded)
        else PlainScalarString(loaded)
    )


def _is_code(path: str) -> bool:
    return path.rsplit(".", 1)[-1] in CODE_KEYS and path not in _NOT_CODES


def _restyle_key(node: Any, key: Any) -> None:
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    if not isinstance(key, str):
        return  # a number or date as a key: as written
    text = str(key)
    want: Any = text if plain_ok(text) else DoubleQuotedScalarString(text)
    if type(key) is not type(want):
        position = list(node).index(key)
        value = node[key]
        del node[key]  # its comments stay: ruamel keys them by the (equal) text
        node.insert(position, want, value)


def _ordered(keys: list[Any], path: str, order: dict[str, int]) -> list[Any]:
    """Keys in element-table order; keys the table does not know after them, as they were."""
    unknown = len(order)
    return sorted(keys, key=lambda k: order.get(_child(path, str(k)), unknown))


# ---------------------------------------------------------------------------------------------
# Pass 1's shortcut: is the text already as pass 1 would write it?


_STR = "tag:yaml.org,2002:str"
_AS_WRITTEN = re.compile(r"0|[1-9][0-9]*|true|false|\d{4}-\d{2}-\d{2}|")  # int, bool, date, null
_RESOLVER: Any = yaml.resolver.Resolver()  # (untyped)


class _NotAsWritten(Exception):
    """Pass 1 would change something (or the text is unusual): take the round trip."""


def _as_written(text: str, order: dict[str, int]) -> bool:
    """Would ruamel's pass leave ``text`` as it is? Conservative: anything unusual says no.

    Checked on PyYAML's (C) event stream: one block mapping; keys plain; scalars in their
    canonical style on one line, written as ruamel writes them; ``key: value`` and ``- item``
    with one space; nested blocks indented by 2; flow collections on one line, ``{k: v, k: v}``
    and ``[a, b]``, flow mappings in element-table order; no anchors, tags, block scalars,
    document markers, tabs or carriage returns.
    """
    if "\r" in text or "\t" in text:
        return False
    try:
        events = list(yaml.parse(text, Loader=_Loader))
        walk = _Walk(text, events, order)
        walk.expect(yaml.StreamStartEvent)
        start = walk.expect(yaml.DocumentStartEvent)
        if start.explicit or start.version or start.tags:
            return False
        root = walk.take()
        if not isinstance(root, yaml.MappingStartEvent) or root.flow_style:
            return False
        walk.block_mapping(root, 0, "")
        if walk.expect(yaml.DocumentEndEvent).explicit:
            return False
        walk.expect(yaml.StreamEndEvent)
    except (yaml.YAMLError, _NotAsWritten):
        return False
    return True


class _Walk:
    def __init__(self, text: str, events: list[Any], order: dict[str, int]) -> None:
        self.text, self.events, self.order, self.at = text, events, order, 0

    def take(self) -> Any:
        event = self.events[self.at]
        self.at += 1
        if getattr(event, "anchor", None) is not None or getattr(event, "tag", None) is not None:
            raise _NotAsWritten  # anchors, aliases' targets and tags: the round trip decides
        return event

    def expect(self, kind: type[yaml.Event]) -> Any:
        event = self.take()
        if not isinstance(event, kind):
            raise _NotAsWritten
        return event

    def source(self, event: Any) -> str:
        if event.start_mark.line != event.end_mark.line:
            raise _NotAsWritten
        return self.text[event.start_mark.index : event.end_mark.index]

    def block_mapping(self, start: Any, column: int, path: str) -> None:
        while not isinstance(self.events[self.at], yaml.MappingEndEvent):
            key = self.expect(yaml.ScalarEvent)
            if key.style or key.start_mark.column != column:
                raise _NotAsWritten
            if not plain_ok(key.value) or self.source(key) != key.value:
                raise _NotAsWritten
            sub = _child(path, key.value)
            value = self.take()
            after = key.end_mark.index
            if isinstance(
                value, yaml.ScalarEvent | yaml.MappingStartEvent | yaml.SequenceStartEvent
            ):
                block = not isinstance(value, yaml.ScalarEvent) and not value.flow_style
                if block:
                    self._block_value(value, key, column, sub)
                    continue
                if isinstance(value, yaml.ScalarEvent) and not value.style and not value.value:
                    if self.text[after] != ":":  # null, written as nothing
                        raise _NotAsWritten
                    continue
                begins: Any = value.start_mark
                if self.text[after : begins.index] != ": ":
                    raise _NotAsWritten
                self.inline(value, sub)
            else:
                raise _NotAsWritten  # an alias
        self.take()

    def _block_value(self, value: Any, key: Any, column: int, path: str) -> None:
        if value.start_mark.line <= key.start_mark.line or self.text[key.end_mark.index] != ":":
            raise _NotAsWritten
        if value.start_mark.column != column + 2:
            raise _NotAsWritten
        if isinstance(value, yaml.MappingStartEvent):
            self.block_mapping(value, column + 2, path)
        else:
            self.block_sequence(column + 2, path)

    def block_sequence(self, dash: int, path: str) -> None:
        while not isinstance(self.events[self.at], yaml.SequenceEndEvent):
            item = self.take()
            index = item.start_mark.index
            if item.start_mark.column != dash + 2 or self.text[index - 2 : index] != "- ":
                raise _NotAsWritten
            if isinstance(item, yaml.MappingStartEvent) and not item.flow_style:
                self.block_mapping(item, dash + 2, path + "[]")
            elif isinstance(item, yaml.ScalarEvent | yaml.MappingStartEvent):
                self.inline(item, path if isinstance(item, yaml.ScalarEvent) else path + "[]")
            elif isinstance(item, yaml.SequenceStartEvent) and item.flow_style:
                self.inline(item, path)
            else:
                raise _NotAsWritten
        self.take()

    def inline(self, event: Any, path: str) -> None:
        """A scalar or flow collection on one line, exactly as pass 1 would write it."""
        if isinstance(event, yaml.ScalarEvent):
            self.scalar(event, path)
            return
        source = self.source_of_flow(event)
        if self.flow(event, path) != source:
            raise _NotAsWritten

    def source_of_flow(self, start: Any) -> str:
        depth, n = 0, self.at - 1
        while True:
            event = self.events[n]
            if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                depth += 1
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                depth -= 1
                if depth == 0:
                    end: Any = event.end_mark
                    break
            n += 1
        if start.start_mark.line != end.line:
            raise _NotAsWritten
        return self.text[start.start_mark.index : end.index]

    def flow(self, start: Any, path: str) -> str:
        """The text pass 1 writes for the flow collection that ``start`` opens (consumed)."""
        parts: list[str] = []
        if isinstance(start, yaml.MappingStartEvent):
            ranks: list[int] = []
            while not isinstance(self.events[self.at], yaml.MappingEndEvent):
                key = self.expect(yaml.ScalarEvent)
                if key.style or not plain_ok(key.value):
                    raise _NotAsWritten
                sub = _child(path, key.value)
                ranks.append(self.order.get(sub, len(self.order)))
                parts.append(f"{key.value}: {self.flow_item(sub)}")
            self.take()
            if ranks != sorted(ranks):
                raise _NotAsWritten  # pass 1 puts flow mappings in order
            return "{" + ", ".join(parts) + "}"
        while not isinstance(self.events[self.at], yaml.SequenceEndEvent):
            parts.append(self.flow_item(path, in_sequence=True))
        self.take()
        return "[" + ", ".join(parts) + "]"

    def flow_item(self, path: str, *, in_sequence: bool = False) -> str:
        event = self.take()
        if isinstance(event, yaml.ScalarEvent):
            if not event.style and not event.value:
                raise _NotAsWritten  # an empty value inside a flow collection
            self.scalar(event, path)
            return self.source(event)
        if isinstance(event, yaml.MappingStartEvent) and in_sequence:
            return self.flow(event, path + "[]")
        raise _NotAsWritten

    def scalar(self, event: Any, path: str) -> None:
        value, source = event.value, self.source(event)
        if not event.style:
            if _AS_WRITTEN.fullmatch(value):
                return  # a number, true/false, a date or null: kept as written
            if _RESOLVER.resolve(yaml.ScalarNode, value, (True, False)) != _STR:
                raise _NotAsWritten  # yes, 0755, 1e3 …: pass 1 quotes or rewrites them
            if _is_code(path) or not plain_ok(value) or source != value:
                raise _NotAsWritten
            return
        if event.style != '"' or not (_is_code(path) or not plain_ok(value)):
            raise _NotAsWritten
        if '"' in value or "\\" in value or not value.isprintable() or source != f'"{value}"':
            raise _NotAsWritten


# ---------------------------------------------------------------------------------------------
# Pass 2: block mappings, as whole lines


def _compose(text: str) -> yaml.Node | None:
    try:
        node: yaml.Node | None = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:  # pragma: no cover - the loader (or ruamel) has read it
        raise FormatError(Text(f"无法格式化：{exc}", f"cannot be formatted: {exc}")) from exc
    return node


def _closing_comments(text: str) -> list[bool]:
    """For each comment line of ``text`` in turn: is it indented deeper than the next line of
    YAML, so that it closes the block above it rather than introducing the key below?

    Judged on the text as written: pass 1 re-indents keys but leaves comments where they were.
    """
    spans = _Spans(text)
    root = _compose(text)
    if root is not None:
        spans.last(root)
    lines = spans.lines
    flags: list[bool] = []
    below = 0  # the indentation of the next line of YAML, scanning from the end
    for n in range(len(lines) - 1, -1, -1):
        line = lines[n]
        if not line.strip() or n in spans.protected:
            continue
        indent = len(line) - len(line.lstrip())
        if line.lstrip().startswith("#"):
            flags.append(indent > below)
        else:
            below = indent
    return flags[::-1]


def _reorder(
    text: str, spans: _Spans, order: dict[str, int], closing: list[bool]
) -> tuple[list[int], dict[int, str]]:
    """Line numbers (0-based) of ``lines`` in canonical order, and lines whose text changes."""
    root = _compose(text)
    lines = spans.lines
    if root is None:
        return list(range(len(lines))), {}
    hi = spans.last(root)
    comments = spans.comment_lines()
    if len(comments) == len(closing):  # the same comments, in the same order
        spans.closing = {n for n, flag in zip(comments, closing, strict=True) if flag}
    lo = root.start_mark.line
    overrides: dict[int, str] = {}
    body = spans.emit(root, lo, hi, "", order, overrides)
    spans.tail(hi, len(lines))
    return [*range(lo), *body, *range(hi + 1, len(lines))], overrides


@dataclass
class _Entry:
    """One key of a block mapping: its lines, and the comments above and below it."""

    name: str
    line: int  # the key's line
    end: int  # the last line of its value
    tail: int  # the first line after the comments that close it
    gap: int  # the first of the comment and blank lines above it
    value: yaml.Node


class _Spans:
    """Where each node's text ends; which lines belong to multi-line scalars."""

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        if self.lines[-1] == "":
            self.lines.pop()
        self.closing: set[int] = set()  # comments indented under the block above them
        self.ends: dict[int, int] = {}  # id(node) → its last line
        self.protected: set[int] = set()  # lines inside multi-line scalars: never touched
        self.tails: set[int] = set()  # comments that close the block above them
        self.value_ends: dict[int, int] = {}  # line → column where its last value ends

    def last(self, node: yaml.Node) -> int:
        """The last line of ``node``'s own text (trailing comments and blanks excluded)."""
        found = self.ends.get(id(node))
        if found is not None:
            return found
        end = self._measure(node)
        self.ends[id(node)] = end
        return end

    def _measure(self, node: yaml.Node) -> int:
        start = node.start_mark.line
        if isinstance(node, yaml.ScalarNode) or getattr(node, "flow_style", False):
            mark = node.end_mark
            end = mark.line if mark.column > 0 else mark.line - 1
            end = max(end, start)
            if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
                header = _BLOCK_HEADER.match(self.lines[start][node.start_mark.column :])
                if header is None or "+" not in header.group():  # kept trailing lines are text
                    while end > start and not self.lines[end].strip():
                        end -= 1
            self.protected.update(range(start + 1, end + 1))
            if node.end_mark.line == start:  # an end-of-line comment may follow
                column = max(self.value_ends.get(start, 0), node.end_mark.column)
                self.value_ends[start] = column
            return end
        children: list[yaml.Node] = (
            [n for pair in node.value for n in pair]
            if isinstance(node, yaml.MappingNode)
            else list(node.value)
        )
        seen = {id(n) for n in children}
        if len(seen) != len(children) or any(id(n) in self.ends for n in children):
            raise _anchor_error(node)
        return max((self.last(n) for n in children), default=start)

    def emit(
        self,
        node: yaml.Node,
        lo: int,
        hi: int,
        path: str,
        order: dict[str, int],
        overrides: dict[int, str],
    ) -> list[int]:
        """Lines ``lo``..``hi`` holding ``node``, with its block mappings in canonical order."""
        if isinstance(node, yaml.MappingNode) and not node.flow_style:
            return self._mapping(node, lo, path, order, overrides)
        if isinstance(node, yaml.SequenceNode) and not node.flow_style:
            return self._sequence(node, lo, hi, path + "[]", order, overrides)
        return list(range(lo, hi + 1))

    def _mapping(
        self,
        node: yaml.MappingNode,
        lo: int,
        path: str,
        order: dict[str, int],
        overrides: dict[int, str],
    ) -> list[int]:
        # An entry of a sequence item shares its first line with the dash ("  - name: x"):
        # blank the dash while reordering, then give it to whichever entry comes first.
        first = node.value[0][0].start_mark
        dash = self.lines[first.line][: first.column]
        if dash.strip():
            overrides[first.line] = " " * first.column + self.lines[first.line][first.column :]
        entries: list[_Entry] = []
        for key, value in node.value:
            end = max(self.last(key), self.last(value))
            entry = _Entry(str(key.value), key.start_mark.line, end, end + 1, lo, value)
            if entries:  # comments indented under the previous entry stay with it
                entries[-1].tail = self.tail(entries[-1].end, entry.line)
                entry.gap = entries[-1].tail
            entries.append(entry)
        unknown = len(order)
        ranked = sorted(entries, key=lambda e: order.get(_child(path, e.name), unknown))
        out: list[int] = []
        for e in ranked:
            out.extend(range(e.gap, e.line))  # the comments above a key move with it
            out.append(e.line)
            value = e.value
            nested = (
                isinstance(value, yaml.MappingNode | yaml.SequenceNode) and not value.flow_style
            )
            if nested and value.start_mark.line > e.line:
                sub = _child(path, e.name)
                out.extend(self.emit(value, e.line + 1, e.end, sub, order, overrides))
            else:
                out.extend(range(e.line + 1, e.end + 1))
            out.extend(range(e.end + 1, e.tail))
        if dash.strip():
            head = ranked[0].line  # the key line of the entry that comes first now
            overrides[head] = dash + overrides.get(head, self.lines[head])[first.column :]
        return out

    def tail(self, end: int, before: int) -> int:
        """The first line after ``end`` (``before`` at most) that is not a comment closing the
        block above it."""
        n = end + 1
        while n < before and n in self.closing:
            self.tails.add(n)
            n += 1
        return n

    def comment_lines(self) -> list[int]:
        """Lines that are comments of their own (not text inside a multi-line scalar)."""
        return [
            n
            for n, text in enumerate(self.lines)
            if n not in self.protected and text.lstrip().startswith("#")
        ]

    def _sequence(
        self,
        node: yaml.SequenceNode,
        lo: int,
        hi: int,
        path: str,
        order: dict[str, int],
        overrides: dict[int, str],
    ) -> list[int]:
        out: list[int] = []
        cursor = lo
        for item in node.value:
            start = item.start_mark.line
            end = self.last(item)
            out.extend(range(cursor, start))  # comments between items stay where they are
            out.extend(self.emit(item, start, end, path, order, overrides))
            cursor = end + 1
        out.extend(range(cursor, hi + 1))
        return out


def _anchor_error(node: yaml.Node) -> FormatError:
    return FormatError(
        Text(
            "文件使用了 YAML 锚点/别名（& 和 *），无法安全地调整键的顺序；请把值直接写出来。",
            "the file uses YAML anchors/aliases (& and *), so its keys cannot be reordered "
            "safely; write the values out",
        ),
        node.start_mark.line + 1,
    )


# ---------------------------------------------------------------------------------------------
# Pass 3: comments, blank lines, modeline


def _tidy(spans: _Spans, indices: list[int], overrides: dict[int, str]) -> list[str]:
    """Comments indented like the line they precede (closing ones like the line above them),
    two spaces before an end-of-line comment, one blank line at most, no modeline."""
    rows: list[tuple[str, str]] = []  # (kind, text): text (in a scalar), blank, comment, tail, code
    for i in indices:
        text = overrides.get(i, spans.lines[i])
        if i in spans.protected:
            rows.append(("text", text))
        elif not text.strip():
            rows.append(("blank", ""))
        elif text.lstrip().startswith("#"):
            rows.append(("tail" if i in spans.tails else "comment", text.strip()))
        else:
            rows.append(("code", _spaced(text.rstrip(), spans.value_ends.get(i))))
    indent = 0  # of the next line of YAML, scanning from the end
    for n in range(len(rows) - 1, -1, -1):
        kind, text = rows[n]
        if kind == "code":
            indent = len(text) - len(text.lstrip(" "))
        elif kind == "comment":
            rows[n] = (kind, " " * indent + text)
    indent = 0  # of the line of YAML above, scanning from the start
    for n, (kind, text) in enumerate(rows):
        if kind == "code":
            indent = len(text) - len(text.lstrip(" "))
        elif kind == "tail":
            rows[n] = ("comment", " " * indent + text)
    out: list[tuple[str, str]] = []
    for kind, text in rows:
        if kind == "comment" and _MODELINE.match(text):
            continue  # written afresh for where the file is now
        if kind == "blank" and (not out or out[-1][0] == "blank"):
            continue
        out.append((kind, text))
    while out and out[-1][0] == "blank":
        out.pop()
    return [text for _, text in out]


def _spaced(text: str, value_end: int | None) -> str:
    """At least two spaces between a value and its end-of-line comment (ruamel keeps the
    comment's old column, which a longer, quoted value may leave one space from)."""
    if value_end is None:
        return text
    rest = text[value_end:]
    if not rest.lstrip().startswith("#") or rest.startswith("  "):
        return text
    return text[:value_end] + "  " + rest.lstrip()


# ---------------------------------------------------------------------------------------------
# Files


@dataclass
class Outcome:
    """What ``fmt`` did (or would do) to one file."""

    relpath: str
    status: str  # unchanged | formatted | changed (--check/--diff: would change) | failed
    diff: str = ""
    problem: Text | None = None
    line: int | None = None


def format_file(
    path: Path,
    root: Path,
    order: dict[str, int],
    *,
    write: bool,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Outcome:
    """Format one file (``write``) or say how it would change; never raises for its content."""
    relpath = Path(os.path.relpath(path.absolute(), root.absolute())).as_posix()
    doc = Document(path=path, relpath=relpath)
    raw = read_source(doc, root, max_bytes)
    text: str | None = None
    if raw is not None:
        text, problem = decode(raw)
        if problem is not None:
            doc.problems.append(problem)
        else:
            assert text is not None
            load_text(doc, text)
    blocking = [p for p in doc.problems if p.code in _BLOCKING]
    if blocking or raw is None or text is None:
        p = blocking[0] if blocking else doc.problems[0]
        said = Text(
            p.zh + (f"；建议：{p.hint_zh}" if p.hint_zh else ""),
            p.en + (f"; {p.hint_en}" if p.hint_en else ""),
        )
        return Outcome(relpath, "failed", problem=said, line=p.line)
    if doc.data is None:  # empty (YML007): nothing to format
        return Outcome(relpath, "unchanged")
    try:
        new = format_text(text, doc.data, relpath, order)
    except FormatError as exc:
        return Outcome(relpath, "failed", problem=exc.text, line=exc.line)
    bom = BOM if raw.startswith(BOM.encode("utf-8")) else ""
    new_raw = (bom + new).encode("utf-8")
    if new_raw == raw:
        return Outcome(relpath, "unchanged")
    diff = "".join(
        difflib.unified_diff(
            text.splitlines(keepends=True),
            new.splitlines(keepends=True),
            f"a/{relpath}",
            f"b/{relpath}",
        )
    )
    if not write:
        return Outcome(relpath, "changed", diff=diff)
    failure = _write(path.resolve(), new_raw)
    if failure is not None:
        return Outcome(relpath, "failed", diff=diff, problem=failure)
    return Outcome(relpath, "formatted", diff=diff)


def _write(target: Path, data: bytes) -> Text | None:
    """Replace ``target`` atomically with its permissions kept; a read-only file is refused."""
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
        # The owner's write bit, not os.access: root may write anything, yet a file someone
        # marked read-only should stay as it is.
        if not mode & stat.S_IWUSR or not os.access(target, os.W_OK):
            return Text("文件是只读的，未格式化。", "the file is read-only; not formatted")
        write_atomic_bytes(target, data, known_dir=True, mode=mode)
    except OSError as exc:
        return Text(
            f"无法写入：{exc.strerror or exc}；文件保持原样。",
            f"cannot write it: {exc.strerror or exc}; the file is left as it was",
        )
    return None


def format_files(
    files: list[Path], root: Path, standard: Standard, *, write: bool, max_bytes: int
) -> Iterator[Outcome]:
    """Format ``files`` (a failure never stops the others), in input order.

    ruamel.yaml's round trip is pure Python (~15 ms for a 50-line item), so large catalogs are
    shared out to forked worker processes, each formatting and writing whole files.
    """
    job = functools.partial(
        format_file, root=root, order=key_order(standard), write=write, max_bytes=max_bytes
    )
    for outcomes in chunked_map(functools.partial(_format_chunk, job=job), files):
        yield from outcomes


def _format_chunk(files: list[Path], job: Callable[[Path], Outcome]) -> list[Outcome]:
    return [job(f) for f in files]


def run_fmt(
    paths: list[Path], *, check: bool, diff: bool, lang: str, out: TextIO, err: Console
) -> int:
    """``catalog fmt``: 0 done (or nothing to do); 1 files that could not be formatted, or with
    ``--check`` files that would change. A missing catalog or path raises ConfigError (exit 2)."""
    session = open_session(paths[0].absolute() if paths else Path.cwd())
    files = item_files(session, [p.absolute() for p in paths])
    write = not (check or diff)
    zh = lang == "zh"
    counts = {"unchanged": 0, "formatted": 0, "changed": 0, "failed": 0}
    outcomes = format_files(
        files, session.root, session.standard, write=write, max_bytes=session.config.max_file_size
    )
    with Progress(console=err, transient=True, disable=len(files) <= PROGRESS_MIN_FILES) as bar:
        task = bar.add_task("fmt", total=len(files))
        for outcome in outcomes:
            bar.advance(task)
            counts[outcome.status] += 1
            _report(outcome, write=write, lang=lang, out=out, err=err)
    out.flush()
    done = counts["formatted"] if write else counts["changed"]
    if zh:
        what = "已格式化" if write else "需要格式化"
        summary = (
            f"{len(files)} 个文件：{done} 个{what}，{counts['unchanged']} 个无需改动，"
            f"{counts['failed']} 个无法格式化（文件保持原样）。"
        )
    else:
        what = "formatted" if write else "would be reformatted"
        summary = (
            f"{len(files)} files: {done} {what}, {counts['unchanged']} unchanged, "
            f"{counts['failed']} could not be formatted (left as they were)."
        )
    err.print(summary, markup=False)
    return 1 if counts["failed"] or (check and counts["changed"]) else 0


def _report(outcome: Outcome, *, write: bool, lang: str, out: TextIO, err: Console) -> None:
    """One file's line on stderr (and its diff on stdout with --check/--diff)."""
    if outcome.problem is not None:
        where = outcome.relpath + (f":{outcome.line}" if outcome.line else "")
        label = "错误" if lang == "zh" else "error"
        err.print(f"{where}: {label}: {outcome.problem.get(lang)}", markup=False)
        return
    if outcome.status == "unchanged":
        return
    if not write:
        out.write(outcome.diff)
    verb = {"formatted": ("已格式化", "formatted"), "changed": ("需要格式化", "would reformat")}
    err.print(f"{verb[outcome.status][0 if lang == 'zh' else 1]}: {outcome.relpath}", markup=False)
