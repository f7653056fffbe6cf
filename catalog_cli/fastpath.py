"""A fast parse path for item files that can never change a result.

``fast_yaml`` (the Rust ``fastyaml-rs`` parser) reads a typical item file ~6x faster than our
PyYAML-based loader, but with YAML 1.2 semantics: it keeps the last of duplicate keys, reads
``0755`` as 755, follows aliases and never warns about ``yes``. So it is used only when a guard
proves the file lies in a small YAML subset where its data is exactly the loader's:

1. A line-based scan accepts only block mappings/sequences, ``- `` items, identifier keys,
   plain/single-quoted/double-quoted (no escapes) one-line scalars, one-line flow collections of
   scalars, comments and blank lines. Anything else (anchors, aliases, tags, merge keys, ``?``
   keys, directives, document markers, block scalars, multi-line scalars, tabs, CR, control
   characters, odd indentation) sends the file to the slow path.
2. Every plain scalar is resolved with PyYAML's own YAML 1.1 resolver table and typed the way
   the loader types it; any scalar the loader would warn about (``yes``, ``0755``, ``1:20``...)
   or that merely looks like a YAML 1.1 word in another case sends the file to the slow path.
   Keys are checked for duplicates per mapping.
3. The scan builds the expected data itself; ``fast_yaml``'s result must equal it, with equal
   types and key order throughout (compared as values and as JSON). A duplicate key fast_yaml
   collapsed, a number it read differently, or a structure it understood differently makes
   them differ, and the file goes to the slow path.

Positions are not computed up front (only findings need them): the returned document computes
them on its first ``locate``, with ``positions`` (the same scan, recording PyYAML's marks).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import yaml.resolver

from catalog_cli.loader import (
    _PLAIN_FLOAT,
    _PLAIN_INT,
    MAX_DEPTH,
    MAX_NODES,
    Document,
    Pos,
    blob_id,
    load_document,
    parse_suppressions,
    read_source,
    relative,
)

_json = orjson.dumps

_safe_load: Callable[[str], Any] | None
try:  # pure fallback: without the Rust parser every file takes the PyYAML path
    import fast_yaml

    _safe_load = fast_yaml.safe_load
except ImportError:  # pragma: no cover - depends on the environment
    _safe_load = None


class _Marker:
    """A container boundary in the event list (compared by identity)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


_MAP, _SEQ, _END = _Marker("{"), _Marker("["), _Marker("]")

_TAG = "tag:yaml.org,2002:"
# PyYAML's implicit resolvers, keyed by first character: exactly what its CSafeLoader consults.
_IMPLICIT: dict[str, list[tuple[str, re.Pattern[str]]]] = dict(
    yaml.resolver.Resolver.yaml_implicit_resolvers
)
# Words some YAML reader types as bool or null; only the exact forms below are accepted.
_WORDS = frozenset({"yes", "no", "on", "off", "y", "n", "true", "false", "null", "~"})
_EXACT: dict[str, Any] = {
    "true": True,
    "True": True,
    "TRUE": True,
    "false": False,
    "False": False,
    "FALSE": False,
    "null": None,
    "Null": None,
    "NULL": None,
    "~": None,
}
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`<=")
# Printable characters both parsers treat alike; no tab, CR, NEL, LS/PS, BOM or controls.
_BAD_CHAR = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
_SQ = re.compile(r"'((?:[^']|'')*)'(?: +#.*| *)\Z")
_DQ = re.compile(r'"([^"\\]*)"(?: +#.*| *)\Z')
_FLOW_SQ = re.compile(r" *'((?:[^']|'')*)' *")
_FLOW_DQ = re.compile(r' *"([^"\\]*)" *')
_FLOW_PLAIN = re.compile(r" *([^ ,\[\]{}#'\":][^,\[\]{}#'\":]*)")  # greedy: linear time
_FLOW_KEY = re.compile(r" *([A-Za-z_][A-Za-z0-9_]*): +")
_FLOW_TAIL = re.compile(r" *(?: #.*)?\Z")


class _Reject(Exception):
    """The text is outside the subset the fast path can vouch for."""


def _plain(s: str) -> Any:
    """The loader's value for a one-line plain scalar; _Reject where it could differ or warn."""
    if s in _EXACT:
        return _EXACT[s]
    first = s[0]
    if s.lower() in _WORDS:
        raise _Reject
    tag = _TAG + "str"
    for t, rx in _IMPLICIT.get(first, ()):
        if rx.match(s):
            tag = t
            break
    if tag == _TAG + "str":
        if first in _INDICATORS or ": " in s or s.endswith(":") or " #" in s:
            raise _Reject
        return s
    if tag == _TAG + "int" and _PLAIN_INT.match(s):
        return int(s)
    if tag == _TAG + "float" and _PLAIN_FLOAT.match(s):
        return float(s)
    if tag == _TAG + "timestamp":  # the loader keeps timestamps as text; fast_yaml has no dates
        return s
    raise _Reject  # a YAML 1.1 special (YML004), merge key or value tag: the slow path decides


# YAML caps implicit keys at 1024 characters (PyYAML errors beyond it); stay well below.
_MAX_KEY = 200


def _key(s: str) -> str:
    # `on:` is a bool key in YAML 1.1, `true:` one in fast_yaml
    if s.lower() in _WORDS or len(s) > _MAX_KEY:
        raise _Reject
    return s


def _flow_scalar(v: str, i: int) -> tuple[Any, int]:
    m = _FLOW_SQ.match(v, i)
    if m:
        return m.group(1).replace("''", "'"), m.end()
    m = _FLOW_DQ.match(v, i)
    if m:
        return m.group(1), m.end()
    m = _FLOW_PLAIN.match(v, i)
    if m and v[m.end() : m.end() + 1] in (",", "]", "}"):  # not the end of the line
        return _plain(m.group(1).rstrip(" ")), m.end()
    raise _Reject


def _flow(v: str, out: list[Any]) -> None:
    """A one-line flow sequence or mapping of scalars (``[a, "b"]``, ``{k: v}``) and a comment."""
    closer = "]" if v[0] == "[" else "}"
    out.append(_SEQ if closer == "]" else _MAP)
    i = 1
    n = len(v)
    while i < n and v[i] == " ":
        i += 1
    keys: set[str] = set()
    if i < n and v[i] == closer:  # empty
        i += 1
    else:
        while True:
            if closer == "}":
                m = _FLOW_KEY.match(v, i)
                if not m:
                    raise _Reject
                key = _key(m.group(1))
                if key in keys:
                    raise _Reject
                keys.add(key)
                out.append(key)
                i = m.end()
            value, i = _flow_scalar(v, i)
            out.append(value)
            if i >= n:
                raise _Reject
            if v[i] == closer:
                i += 1
                break
            if v[i] != ",":
                raise _Reject
            i += 1
    if not _FLOW_TAIL.match(v, i):
        raise _Reject
    out.append(_END)


def _value_events(v: str) -> tuple[Any, ...]:
    """The events of a non-empty one-line value (after ``key: `` or ``- ``)."""
    first = v[0]
    if first == "'":
        m = _SQ.match(v)
        if not m:
            raise _Reject
        return (m.group(1).replace("''", "'"),)
    if first == '"':
        m = _DQ.match(v)
        if not m:
            raise _Reject
        return (m.group(1),)
    if first in "[{":
        out: list[Any] = []
        _flow(v, out)
        return tuple(out)
    cut = v.find(" #")
    return (_plain((v if cut < 0 else v[:cut]).rstrip(" ")),)


# Lines repeat across item files (`charged: false`, `  - name: 受理`, `statutory_limit: {value:
# 20, unit: 工作日}`): what a line says is memoised per process, keyed by the line itself, so
# that most lines of a file cost one dict lookup. A line's information:
# (column, is a `- ` item, key or None, key's column, value's column, value, the number of
# the value's events (its nodes, keys and end) or -1 when the value is still to come on later
# lines, and the value as data: a scalar, or a flow list or dict that is copied on each use).
_LineInfo = tuple[int, bool, str | None, int, int, str, int, Any]
_SKIP: _LineInfo = (0, False, None, 0, 0, "", -1, None)  # a blank or comment line
_REFUSED: _LineInfo = (0, False, None, 0, 0, "", 0, None)  # a line outside the subset
_LINES: dict[str, _LineInfo] = {}
_LINES_MAX = 50_000  # ~10 MB; unique lines (names, codes) churn through it

# indent, `-` of a sequence item, `key:`, and the rest of the line (value or comment)
_LINE = re.compile(r"( *)(?:(-)(?: +|\Z))?(?:([A-Za-z_][A-Za-z0-9_]*):(?: +|\Z))?(.*)\Z")


def _line_info(line: str) -> _LineInfo:
    m = _LINE.match(line)
    if m is None:  # cannot happen (no CR or NEL gets here); never guess
        return _REFUSED
    indent, dash, key, value = m.groups()
    if dash is None and key is None:
        if not value or value[0] == "#":
            return _SKIP
        return _REFUSED  # a continuation line, `? key`, `---`, a quoted key...
    count, node = -1, None
    try:
        if key is not None:
            _key(key)
        if value and value[0] != "#":
            events = _value_events(value)
            count, node = len(events), _node(events)
    except _Reject:
        return _REFUSED
    kcol = m.start(3) if key is not None else 0
    return (len(indent), dash is not None, key, kcol, m.start(4), value, count, node)


def _node(events: tuple[Any, ...]) -> Any:
    """The data of a one-line value's events: a scalar, or a flow list or dict of scalars."""
    if len(events) == 1:
        return events[0]
    inner = events[1:-1]
    if events[0] is _SEQ:
        return list(inner)
    return dict(zip(inner[::2], inner[1::2], strict=True))


def _lines(text: str) -> list[_LineInfo]:
    """The information of every line of ``text``; _Reject when a line is outside the subset."""
    memo = _LINES
    out: list[_LineInfo] = []
    append = out.append
    for line in text.split("\n"):
        info = memo.get(line)
        if info is None:
            info = _line_info(line)
            if len(line) <= 200:  # long lines are rarely repeated; keep the memo small
                if len(memo) >= _LINES_MAX:
                    memo.clear()
                memo[line] = info
        if info is _REFUSED:
            raise _Reject
        append(info)
    return out


class _Marks:
    """Line/column of every node and key, as PyYAML's marks give them (see loader._Builder)."""

    def __init__(self) -> None:
        self.positions: dict[str, Pos] = {}
        self.key_positions: dict[str, Pos] = {}
        self.frames: list[list[Any]] = []  # [pointer, next item index], in step with scan's
        # (keys are identifiers here, so pointers need no RFC 6901 escaping)
        self.pending = ""  # pointer of the node an open `key:` / `-` is waiting for
        self.empty: Pos = (0, 0)  # where PyYAML puts it if it stays empty: after the `:` / `-`

    def push(self, ptr: str, line: int, col: int) -> None:
        self.frames.append([ptr, 0])
        self.positions[ptr] = (line, col + 1)

    def item(self) -> str:
        frame = self.frames[-1]
        frame[1] += 1
        return f"{frame[0]}/{frame[1] - 1}"

    def value(self, ptr: str, v: str, line: int, col: int) -> None:
        self.positions[ptr] = (line, col + 1)
        if v[0] not in "[{":
            return
        i, n, index = 1, len(v), 0
        while True:  # the value passed _flow, so only well-formed items are met here
            while i < n and v[i] == " ":
                i += 1
            if v[i] in "]}":
                return
            if v[0] == "{":
                m = _FLOW_KEY.match(v, i)
                if m is None:  # cannot happen after _flow accepted it; never guess
                    raise _Reject
                child = f"{ptr}/{m.group(1)}"
                self.key_positions[child] = (line, col + i + 1)
                i = m.end()
            else:
                child, index = f"{ptr}/{index}", index + 1
            self.positions[child] = (line, col + i + 1)
            rx = _FLOW_SQ if v[i] == "'" else _FLOW_DQ if v[i] == '"' else _FLOW_PLAIN
            m = rx.match(v, i)  # only its end: the value itself was checked by _flow
            if m is None:
                raise _Reject
            i = m.end()
            if v[i] in "]}":
                return
            i += 1


def _put(frame: list[Any], value: Any) -> None:
    """Place the value an open ``key:`` or ``-`` was waiting for in its frame's container."""
    if frame[1]:
        frame[4].append(value)
    else:
        frame[4][frame[5]] = value


def scan(text: str, marks: _Marks | None = None) -> dict[str, Any]:
    """``text``'s data as the loader reads it: mappings, sequences and typed scalars.

    Raises _Reject when the text is outside the subset; then nothing is promised. With
    ``marks``, node and key positions are recorded too (only findings need them).
    """
    if _BAD_CHAR.search(text):
        raise _Reject
    # frames: [indent, is_seq, keys (mappings) or None, compact (a sequence at its key's
    # column), the container, its last key (mappings)]
    frames: list[list[Any]] = []
    events = 0  # pre-order events so far (containers, keys, scalars, ends): the node budget
    opened = -1  # column of a `key:` / `-` whose value is still to come (a nested block or null)
    opened_by_seq = False
    for lineno, info in enumerate(_lines(text), 1):
        if info is _SKIP:
            continue
        col, is_seq, key, kcol, vcol, value, count, node = info
        pushed = False
        if opened >= 0:
            if col > opened or (col == opened and is_seq and not opened_by_seq):
                child: Any = [] if is_seq else {}
                _put(frames[-1], child)
                frames.append([col, is_seq, None if is_seq else set(), col == opened, child, None])
                pushed = True
                if marks is not None:
                    marks.push(marks.pending, lineno, col)
            else:  # `key:` or `-` with nothing under it
                _put(frames[-1], None)
                if marks is not None:
                    marks.positions[marks.pending] = marks.empty
            events += 1
            opened = -1
        if not frames:
            if col or is_seq:
                raise _Reject  # the top level must be a mapping at column 0
            root: dict[str, Any] = {}
            frames.append([0, False, set(), False, root, None])
            events += 1
            if marks is not None:
                marks.push("", lineno, 0)
        elif not pushed:
            while frames[-1][0] > col:
                frames.pop()
                events += 1
                if marks is not None:
                    marks.frames.pop()
            top = frames[-1]
            if top[0] != col:
                raise _Reject
            if top[1] != is_seq:
                if not (top[1] and top[3]):
                    raise _Reject
                frames.pop()  # a key after a compact sequence continues the mapping around it
                events += 1
                if marks is not None:
                    marks.frames.pop()
        if len(frames) > MAX_DEPTH // 2 or events > MAX_NODES:
            raise _Reject
        if type(node) is list or type(node) is dict:
            node = node.copy()  # (the memoised line's own stays untouched)
        ptr = marks.item() if marks is not None and is_seq else ""
        if key is None:  # `- value` or `-`
            if count < 0:
                opened, opened_by_seq = col, True
                if marks is not None:
                    marks.pending, marks.empty = ptr, (lineno, col + 2)
            else:
                frames[-1][4].append(node)
                events += count
                if marks is not None:
                    marks.value(ptr, value, lineno, vcol)
            continue
        if is_seq:  # a mapping inside the item: `- k: v`
            item: dict[str, Any] = {}
            frames[-1][4].append(item)
            frames.append([kcol, False, {key}, False, item, key])
            events += 1
            if marks is not None:
                marks.push(ptr, lineno, kcol)
        else:
            top = frames[-1]
            if key in top[2]:
                raise _Reject  # duplicate key: the slow path reports YML002
            top[2].add(key)
            top[5] = key
        events += 1
        if marks is not None:
            ptr = f"{marks.frames[-1][0]}/{key}"
            marks.key_positions[ptr] = (lineno, kcol + 1)
        if count < 0:
            opened, opened_by_seq = kcol, False
            if marks is not None:
                marks.pending, marks.empty = ptr, (lineno, kcol + len(key) + 2)
        else:
            frames[-1][4][key] = node
            events += count
            if marks is not None:
                marks.value(ptr, value, lineno, vcol)
    if not frames:
        raise _Reject  # empty or comment-only: the slow path reports YML007
    if opened >= 0:
        _put(frames[-1], None)
        events += 1
        if marks is not None:
            marks.positions[marks.pending] = marks.empty
    events += len(frames)
    if events > MAX_NODES:  # events outnumber nodes: the loader's YML005 budget is never hit
        raise _Reject
    return frames[0][4]  # type: ignore[no-any-return]


def fast_data(text: str) -> dict[str, Any] | None:
    """``fast_yaml``'s data for ``text`` when it provably equals the loader's, else None."""
    if _safe_load is None:
        return None
    try:
        expected = scan(text)
        data = _safe_load(text)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # _Reject, a parse error, even a Rust panic: the slow path decides
        return None
    # Equal, and of equal types throughout: 1 == 1.0 == True, but their JSON differs (as does
    # a str's and a number's, and the order of keys); both are walks of the tree in C/Rust.
    try:
        if type(data) is not dict or data != expected or _json(data) != _json(expected):
            return None
    except TypeError:  # (orjson: a key that is not a string, an int beyond 64 bits...)
        return None
    return data


def positions(text: str) -> tuple[dict[str, Pos], dict[str, Pos]] | None:
    """Node and key positions of a fast-path text, equal to the loader's; None outside the subset."""
    marks = _Marks()
    try:
        scan(text, marks)
    except _Reject:
        return None
    return marks.positions, marks.key_positions


def fast_document(path: Path, root: Path, raw: bytes, max_bytes: int) -> Document | None:
    """The document ``load_document`` would return for ``raw``, or None when not provable."""
    return _fast_document(path, relative(path, root), raw, max_bytes)


def _fast_document(path: Path, relpath: str, raw: bytes, max_bytes: int) -> Document | None:
    doc = Document(path=path, relpath=relpath)
    return doc if _fast_fill(doc, raw, max_bytes) else None


def _fast_fill(doc: Document, raw: bytes, max_bytes: int) -> bool:
    """Fill a fresh ``doc`` from ``raw`` by the fast path; False (``doc`` is then to be
    discarded) when its result is not provably the loader's."""
    if _safe_load is None or len(raw) > max_bytes or raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    try:
        text = raw.decode("utf-8-sig")  # as loader.decode: a UTF-8 BOM is dropped
    except UnicodeDecodeError:
        return False
    data = fast_data(text)
    if data is None:
        return False
    doc.text = text
    doc.data = data
    doc.positions_ready = False
    doc.sha = blob_id(raw)
    if "catalog:" in text:  # parse_suppressions looks only at lines containing this
        parse_suppressions(text, doc)
        if doc.problems:  # SUP001: let the slow path build the whole document
            return False
    return True


def load_file(path: Path, root: Path, max_bytes: int, relpath: str | None = None) -> Document:
    """``load_document`` with the fast path tried first: the same checks, problems and result.

    ``relpath`` is ``relative(path, root)`` when the caller knows it already.
    """
    doc = Document(path=path, relpath=relative(path, root) if relpath is None else relpath)
    raw = read_source(doc, root, max_bytes)
    if raw is None or _fast_fill(doc, raw, max_bytes):
        return doc
    return load_document(path, root, max_bytes=max_bytes, raw=raw)
