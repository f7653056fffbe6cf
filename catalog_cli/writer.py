"""Write item files: deterministic YAML that reads like a hand-written file, written atomically.

New files are rendered here (codes always double-quoted, short mappings and lists in flow style,
key order of the element table), so importing the same rows twice gives byte-identical files.
``--update`` edits an existing file with ruamel.yaml's round trip instead, so its comments, key
order and keys the import does not know survive; only imported values change.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import posixpath
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalog_cli.atomic import write_atomic, write_atomic_bytes
from catalog_cli.importer import HEADERS, KEY_ORDER, Planned, Rejected, Text
from catalog_cli.loader import Document, load_text

# String values of these keys are codes: always quoted, so 000123018000 never becomes a number.
CODE_KEYS = frozenset(
    {
        "basic_code", "implementation_code", "local_code", "type", "department", "region",
        "credit_code", "nature", "power_source", "handling_type", "phone", "version",
    }
)  # fmt: skip
BLOCK_KEYS = frozenset({"body"})  # mappings written as blocks even when short
FLOW_WIDTH = 100
# The catalog's copy of the item schema (`catalog schema --item --out schemas/item.schema.json`),
# relative to the catalog root; .vscode/settings.json maps items/**/*.yaml to it as well.
SCHEMA_PATH = "schemas/item.schema.json"
MODELINE_PREFIX = "# yaml-language-server: $schema="
_YAML11_WORDS = re.compile(
    r"(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF"
    r"|null|Null|NULL|~)\Z"
)
# Characters a YAML reader accepts in a stream; anything else is escaped.
_PRINTABLE = re.compile("[\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_PLAIN_START_BAD = set("-?:,[]{}#&*!|>'\"%@`+.0123456789 ")


def plain_ok(text: str) -> bool:
    """Can ``text`` be written unquoted and read back as the same string by any YAML reader?"""
    if not text or text != text.strip() or text[0] in _PLAIN_START_BAD:
        return False
    if _YAML11_WORDS.match(text) or ": " in text or " #" in text or text.endswith(":"):
        return False
    if any(ch in ",[]{}" for ch in text):  # keeps flow collections unambiguous
        return False
    return all(ch.isprintable() and ch not in "\u2028\u2029\x85\ufeff" for ch in text)


def quote(text: str) -> str:
    """A YAML double-quoted scalar (JSON escapes are valid YAML ones)."""
    body = json.dumps(text, ensure_ascii=False)[1:-1]
    out = []
    for ch in body:
        if _PRINTABLE.match(ch) and ch not in "\u2028\u2029\x85\ufeff":
            out.append(ch)
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return '"' + "".join(out) + '"'


def scalar(value: Any, key: str = "") -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return quote(repr(value))  # JSON's NaN/Infinity: kept as text for validate to report
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return quote(text) if key in CODE_KEYS or not plain_ok(text) else text


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, dict | list)


def _flow(value: Any, key: str) -> str | None:
    if isinstance(value, dict) and all(_is_scalar(v) for v in value.values()):
        inner = ", ".join(f"{k}: {scalar(v, k)}" for k, v in value.items())
        return "{" + inner + "}"
    if isinstance(value, list) and all(_is_scalar(v) for v in value):
        return "[" + ", ".join(scalar(v, key) for v in value) + "]"
    return None


def _emit(lines: list[str], key: str, value: Any, indent: str) -> None:
    if _is_scalar(value):
        lines.append(f"{indent}{key}: {scalar(value, key)}")
        return
    if not value:
        lines.append(f"{indent}{key}: {'{}' if isinstance(value, dict) else '[]'}")
        return
    flow = None if key in BLOCK_KEYS else _flow(value, key)
    if flow is not None and len(indent) + len(key) + 2 + len(flow) <= FLOW_WIDTH:
        lines.append(f"{indent}{key}: {flow}")
        return
    lines.append(f"{indent}{key}:")
    if isinstance(value, dict):
        for k, v in value.items():
            _emit(lines, k, v, indent + "  ")
        return
    for v in value:
        if isinstance(v, dict) and v:
            first = True
            for k, sub in v.items():
                sub_lines: list[str] = []
                _emit(sub_lines, k, sub, indent + "    ")
                sub_lines[0] = indent + ("  - " if first else "    ") + sub_lines[0].lstrip()
                lines.extend(sub_lines)
                first = False
        else:
            lines.append(f"{indent}  - {scalar(v, key)}")


def modeline(relpath: str) -> str:
    """The YAML language server's schema line for the item file at ``relpath`` (from the root).

    The language server resolves a relative ``$schema`` against the file's own folder, so the
    path climbs from the file to the root: ``items/basic/x.yaml`` gets
    ``../../schemas/item.schema.json``. Editors then complete and check fields as staff type.
    """
    start = posixpath.dirname(relpath) or "."
    return f"{MODELINE_PREFIX}{posixpath.relpath(SCHEMA_PATH, start)}\n"


def render(data: dict[str, Any]) -> str:
    """The YAML text of an item: deterministic, in the order of ``data``."""
    lines: list[str] = []
    for key, value in data.items():
        _emit(lines, key, value, "")
    return "\n".join(lines) + "\n"


def parse(text: str) -> Any:
    """Data as ``catalog validate`` reads it (None when the text is not valid YAML)."""
    doc = Document(path=Path("import.yaml"), relpath="import.yaml")
    load_text(doc, text)
    blocking = {"YML001", "YML005", "YML007"}
    return None if any(p.code in blocking for p in doc.problems) else doc.data


def covers(old: Any, new: Any) -> bool:
    """Does ``old`` already hold every value of ``new`` (other keys of ``old`` do not matter)?"""
    if isinstance(new, dict):
        return isinstance(old, dict) and all(k in old and covers(old[k], v) for k, v in new.items())
    if isinstance(new, bool) or isinstance(old, bool):
        return type(new) is type(old) and new == old
    return bool(old == new)


# ---------------------------------------------------------------------------------------------
# --update: round trip with ruamel.yaml


class UpdateError(Exception):
    """An existing file cannot be updated safely (not a YAML mapping, or the result differs)."""


def round_trip_yaml() -> Any:
    """A ruamel.yaml round-trip instance set up as the project writes YAML (import --update, fmt)."""
    from ruamel.yaml import YAML

    y = YAML()  # round trip
    y.preserve_quotes = True
    y.width = 4096  # never re-wrap long Chinese lines
    y.brace_single_entry_mapping_in_flow_sequence = True  # [{name: 受理}], not [name: 受理]
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def _to_ruamel(value: Any, key: str) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    if isinstance(value, str):
        return DoubleQuotedScalarString(value) if key in CODE_KEYS or not plain_ok(value) else value
    if isinstance(value, dict):
        m = CommentedMap((k, _to_ruamel(v, k)) for k, v in value.items())
        if key not in BLOCK_KEYS and all(_is_scalar(v) for v in value.values()):
            m.fa.set_flow_style()
        return m
    if isinstance(value, list):
        s = CommentedSeq(_to_ruamel(v, key) for v in value)
        if all(_is_scalar(v) for v in value):
            s.fa.set_flow_style()
        return s
    return value


def _merge(target: Any, new: dict[str, Any], plain_old: dict[str, Any]) -> None:
    rank = {k: i for i, k in enumerate(KEY_ORDER)}
    for key, value in new.items():
        old = plain_old.get(key)
        if key in target and covers(old, value):
            continue
        if isinstance(value, dict) and isinstance(target.get(key), dict) and isinstance(old, dict):
            _merge(target[key], value, old)
            continue
        converted = _to_ruamel(value, key)
        if key in target:
            target[key] = converted
            continue
        # a new key goes after the last existing key that comes before it in the element table
        pos = len(target)
        if key in rank:
            later = [i for i, k in enumerate(target) if rank.get(k, -1) > rank[key]]
            pos = later[0] if later else len(target)
        target.insert(pos, key, converted)


def update_text(existing: str, data: dict[str, Any]) -> str:
    """``existing`` with the values of ``data`` set; comments and other keys are kept."""
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.error import YAMLError

    y = round_trip_yaml()
    plain_old = parse(existing)
    try:
        doc = y.load(existing)
    except (YAMLError, ValueError) as exc:
        raise UpdateError(str(exc)) from exc
    if not isinstance(doc, CommentedMap) or not isinstance(plain_old, dict):
        raise UpdateError("not a YAML mapping")
    _merge(doc, data, plain_old)
    buf = io.StringIO()
    y.dump(doc, buf)
    text = buf.getvalue()
    if not covers(parse(text), parse(render(data))):  # never write what would read back wrong
        raise UpdateError("the updated file would not read back as imported")
    return text


# ---------------------------------------------------------------------------------------------
# Atomic writes


# ---------------------------------------------------------------------------------------------
# Applying an import


@dataclass
class Action:
    """What happened (or would happen) to one row."""

    row: int
    status: str  # created | updated | unchanged | skipped | duplicate | rejected
    relpath: str = ""
    reason: Text | None = None
    notes: list[Text] = field(default_factory=list)


@dataclass
class Summary:
    actions: list[Action] = field(default_factory=list)

    def count(self, *statuses: str) -> int:
        return sum(1 for a in self.actions if a.status in statuses)


class WriteError(Exception):
    """Writing a file failed (disk full, permissions): the import stops there."""

    def __init__(self, relpath: str, exc: OSError) -> None:
        super().__init__(f"{relpath}: {exc.strerror or exc}")
        self.relpath = relpath


def apply(
    results: Iterable[Planned | Rejected],
    root: Path,
    *,
    update: bool = False,
    dry_run: bool = False,
    summary: Summary | None = None,
    advance: Callable[[], None] | None = None,
) -> Summary:
    """Write every planned item below ``root``; ``summary`` collects what happened."""
    summary = summary if summary is not None else Summary()
    claimed: dict[str, tuple[int, str]] = {}  # relpath → (first row, its text)
    dirs: set[Path] = set()  # folders known to exist: one mkdir per folder, not per file
    for result in results:
        if advance is not None:
            advance()
        if isinstance(result, Rejected):
            summary.actions.append(Action(result.row, "rejected", reason=result.reason))
            continue
        summary.actions.append(_apply_one(result, root, claimed, dirs, update, dry_run))
    return summary


def _apply_one(
    plan: Planned,
    root: Path,
    claimed: dict[str, tuple[int, str]],
    dirs: set[Path],
    update: bool,
    dry_run: bool,
) -> Action:
    text = modeline(plan.relpath) + render(plan.data)
    action = Action(plan.row, "created", plan.relpath, notes=plan.notes)
    if plan.relpath in claimed:
        first, first_text = claimed[plan.relpath]
        if first_text == text:
            action.status = "duplicate"
            action.reason = Text(
                f"与第 {first} 行完全相同，跳过", f"the same as row {first}; skipped"
            )
        else:
            action.status = "rejected"
            action.reason = Text(
                f"与第 {first} 行写入同一个文件 {plan.relpath}，但内容不同；请合并或删除其中一行",
                f"goes to the same file {plan.relpath} as row {first} but differs; merge the "
                "rows or delete one",
            )
        return action
    claimed[plan.relpath] = (plan.row, text)
    path = root / plan.relpath
    try:
        exists = path.lstat() is not None
    except OSError:
        exists = False
    if exists:
        if not path.is_file():
            action.status = "rejected"
            action.reason = Text(f"{plan.relpath} 不是普通文件", f"{plan.relpath} is not a file")
            return action
        try:
            existing = path.read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError):
            existing = None
        if existing is not None and (existing == text or covers(parse(existing), parse(text))):
            action.status = "unchanged"
            return action
        if not update:
            action.status = "skipped"
            action.reason = Text(
                f"{plan.relpath} 已存在且内容不同；用 --update 更新",
                f"{plan.relpath} exists and differs; use --update to update it",
            )
            return action
        if existing is None:
            action.status = "rejected"
            action.reason = Text(
                f"无法更新 {plan.relpath}：文件无法读取或不是 UTF-8",
                f"cannot update {plan.relpath}: unreadable or not UTF-8",
            )
            return action
        try:
            text = update_text(existing, plan.data)
        except UpdateError as exc:
            action.status = "rejected"
            action.reason = Text(
                f"无法安全地更新 {plan.relpath}（{exc}）；请先修正或删除该文件",
                f"cannot update {plan.relpath} safely ({exc}); fix or delete the file first",
            )
            return action
        action.status = "updated"
    if not dry_run:
        try:
            if path.parent not in dirs:
                path.parent.mkdir(parents=True, exist_ok=True)
                dirs.add(path.parent)
            write_atomic(path, text, known_dir=True)
        except OSError as exc:
            raise WriteError(plan.relpath, exc) from exc
    return action


# ---------------------------------------------------------------------------------------------
# Templates


def write_template(path: Path) -> None:
    """An empty .xlsx or .csv (UTF-8 with BOM, so Excel shows the Chinese) with the headers."""
    ext = path.suffix.lower()
    if ext == ".csv":
        text = io.StringIO()
        csv.writer(text, lineterminator="\r\n").writerow(HEADERS)
        write_atomic_bytes(path, b"\xef\xbb\xbf" + text.getvalue().encode("utf-8"))
        return
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "事项"
    ws.append(list(HEADERS))
    for i, header in enumerate(HEADERS, start=1):
        ws.cell(row=1, column=i).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(i)].width = max(10, 2 * len(header) + 4)
        # codes are text: a number format would drop their leading zeros
        ws.column_dimensions[get_column_letter(i)].number_format = "@"
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    write_atomic_bytes(path, buf.getvalue())
