"""Read spreadsheets (.xlsx, .csv, .json) and turn their rows into item data for ``catalog import``.

Pure: reading a file and mapping rows never writes anything; :mod:`catalog_cli.writer` renders
and writes the items. Every problem is a :class:`Text` (zh and en): a problem with the whole file
raises :class:`ImportFileError` (exit code 2), a problem with one row rejects that row only.

Values are kept exactly as typed. The importer only gives them structure (``2,3,4`` becomes a
list of levels, ``是`` becomes ``true``, a legal-basis text becomes law/provision entries) and
computes what is missing and computable (the implementation code); checking them is the job of
``catalog validate``.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import difflib
import hashlib
import io
import json
import re
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from catalog_cli.codes import BASIC_CODE, USCC_ALPHABET, implementation_code

# A cell as read: text from CSV, typed values from .xlsx and .json.
Raw = Any

DEFAULT_MAX_MB = 32
HEADER_SEARCH_ROWS = 20  # a title or notes may sit above the header row
XLSX_EXPANSION = 20  # uncompressed .xlsx content may be this many times the size limit


@dataclass(frozen=True, slots=True)
class Text:
    """A message in both languages."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


class ImportFileError(Exception):
    """The file (or an option) cannot be used at all: exit code 2."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.en)
        self.text = text


@dataclass(frozen=True, slots=True)
class Column:
    """A header the importer knows and the element it fills."""

    header: str
    key: str  # element key, dotted for nested ones
    implementation_only: bool = False
    code: bool = False  # a code: leading zeros matter, so a number cell is suspicious


# The table, then optional extras that every real export carries for basic items.
COLUMNS: tuple[Column, ...] = (
    Column("事项名称", "name"),
    Column("事项类型", "type", code=True),
    Column("基本编码", "basic_code", code=True),
    Column("实施编码", "implementation_code", implementation_only=True, code=True),
    Column("地方编码", "local_code", code=True),
    Column("行使层级", "levels"),
    Column("实施主体", "body.name"),
    Column("实施主体编码", "body.credit_code", implementation_only=True, code=True),
    Column("行政区划代码", "region", implementation_only=True, code=True),
    Column("主管部门", "department", code=True),
    Column("设定依据", "legal_basis"),
    Column("法定办结时限", "statutory_limit.value", implementation_only=True),
    Column("承诺办结时限", "promised_limit.value", implementation_only=True),
    Column("时限单位", "limit_unit", implementation_only=True),
    Column("办件类型", "handling_type", implementation_only=True),
    Column("到办事现场次数", "visits", implementation_only=True),
    Column("是否收费", "charged", implementation_only=True),
    Column("办理地点", "place", implementation_only=True),
    Column("咨询电话", "consultation.phone", implementation_only=True),
    Column("监督投诉电话", "complaint.phone", implementation_only=True),
    Column("事项状态", "status"),
    Column("事项版本", "version"),
    Column("计划生效日期", "effective_date"),
    Column("计划取消日期", "cancel_date"),
    Column("实施主体性质", "body.nature", implementation_only=True),
    Column("权力来源", "power_source", implementation_only=True),
    Column("通办范围", "scope", implementation_only=True),
    Column("办理时间", "hours", implementation_only=True),
)
BY_HEADER = {c.header: c for c in COLUMNS}
HEADERS = tuple(c.header for c in COLUMNS)
DATE_HEADERS = frozenset({"计划生效日期", "计划取消日期"})
DEFAULT_UNIT = "工作日"
# Element keys as headers are only ever suggested, never applied: "department" in one county's
# export is the implementing body, not the 主管部门.
_KEY_HINTS = {c.key: c.header for c in COLUMNS if "." not in c.key}
_KEY_HINTS.update(
    {"body": "实施主体", "credit_code": "实施主体编码", "nature": "实施主体性质",
     "area_code": "行政区划代码", "statutory_limit": "法定办结时限",
     "promised_limit": "承诺办结时限", "phone": "咨询电话"}
)  # fmt: skip

# Key order of written items: the order of the element table (standards/elements.yaml), which
# is also what `catalog fmt` writes, so imported files are already formatted (a test checks).
KEY_ORDER = (
    "schema_version", "kind", "name", "basic_code", "type", "legal_basis", "levels",
    "department", "status", "version", "effective_date", "cancel_date", "implementation_code",
    "local_code", "level", "region", "body", "power_source", "statutory_limit", "promised_limit",
    "charged", "handling_type", "visits", "scope", "place", "hours", "consultation", "complaint",
)  # fmt: skip

_INT = re.compile(r"(0|[1-9][0-9]*)\Z")
_DECIMAL = re.compile(r"(0|[1-9][0-9]*)\.[0-9]+\Z")
_LEVEL_SPLIT = re.compile(r"\s*[,，、;；/\s]\s*")
_BASIS_SPLIT = re.compile(r"\s*[；;\n]\s*")
# 《法律》（文号） then the provision: 第…条 or an annex item (附件第193项).
_BASIS_PARTS = re.compile(r"(《[^》]+》(?:[（(][^）)]*[）)])?)((?:附件)?第.+)\Z", re.S)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_SAFE = re.compile(r"[^0-9A-Za-z._-]")
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)"')
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_XLSX_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"})


@dataclass
class Table:
    """A file as read: raw rows with their numbers, and what the reader noticed."""

    rows: list[tuple[int, list[Raw]]]
    unit_zh: str = "行"  # "row" for spreadsheets, "record" for JSON
    unit_en: str = "row"
    headers: list[str] | None = None  # JSON: the keys; spreadsheets: found by find_header
    header_row: int | None = None
    notes: list[Text] = field(default_factory=list)
    cell_problems: dict[int, list[Text]] = field(default_factory=dict)
    number_cells: bool = False  # cells may be numbers (xlsx, json): check codes for lost zeros
    excel_dates: bool = False


@dataclass
class Row:
    """One non-empty data row: canonical header → value (empty cells left out)."""

    number: int
    values: dict[str, Raw]
    problems: list[Text] = field(default_factory=list)


@dataclass
class Planned:
    """A row that became an item: where it goes and what it holds."""

    row: int
    kind: str  # basic | implementation | local
    relpath: str  # posix path relative to the catalog root
    data: dict[str, Any]
    notes: list[Text] = field(default_factory=list)  # warnings worth a look, per row
    computed: bool = False  # the implementation code was computed from its parts


@dataclass
class Rejected:
    row: int
    reason: Text


# ---------------------------------------------------------------------------------------------
# Reading


def file_format(path: Path) -> str:
    """``xlsx``, ``csv`` or ``json`` from the extension; anything else is a usage error."""
    ext = path.suffix.lower()
    if ext in (".xlsx", ".xlsm"):
        return "xlsx"
    if ext in (".csv", ".tsv", ".txt"):
        return "csv"
    if ext == ".json":
        return "json"
    if ext == ".xls":
        raise ImportFileError(
            Text(
                f"{path.name}：不支持旧的 .xls 格式；请在 Excel 或 WPS 中另存为 .xlsx。",
                f"{path.name}: the old .xls format is not supported; save it as .xlsx",
            )
        )
    raise ImportFileError(
        Text(
            f"{path.name}：不支持的文件类型 “{ext or '（无扩展名）'}”；可导入 .xlsx、.csv、.json。",
            f"{path.name}: unsupported file type '{ext or '(none)'}'; import .xlsx, .csv or .json",
        )
    )


def read_table(
    path: Path,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    max_bytes: int = DEFAULT_MAX_MB * 1024 * 1024,
) -> Table:
    """Read ``path`` into a :class:`Table`; raises :class:`ImportFileError` if it cannot."""
    fmt = file_format(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImportFileError(
            Text(f"{path}：无法读取：{exc.strerror}", f"{path}: cannot read: {exc.strerror}")
        ) from exc
    if not path.is_file():
        raise ImportFileError(Text(f"{path}：不是文件。", f"{path}: not a file"))
    if size > max_bytes:
        mb, limit = size / 1024 / 1024, max_bytes // 1024 // 1024
        raise ImportFileError(
            Text(
                f"{path.name}：文件有 {mb:.1f} MB，超过 {limit} MB 的上限；请拆分文件，"
                f"或用 --max-size {int(mb) + 1} 提高上限。",
                f"{path.name}: the file is {mb:.1f} MB, over the {limit} MB limit; split it, "
                f"or raise the limit with --max-size {int(mb) + 1}",
            )
        )
    if fmt == "xlsx":
        return _read_xlsx(path, sheet, max_bytes * XLSX_EXPANSION)
    raw = _read_bytes(path)
    if fmt == "json":
        return _read_json(path, raw)
    return _read_csv(path, raw, encoding)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ImportFileError(
            Text(f"{path}：无法读取：{exc.strerror}", f"{path}: cannot read: {exc.strerror}")
        ) from exc


def decode(raw: bytes, name: str, forced: str | None = None) -> tuple[str, str]:
    """Decode text and name the encoding: UTF-8 (with or without BOM), UTF-16, GBK, GB18030."""
    if forced:
        try:
            codecs.lookup(forced)
        except LookupError as exc:
            raise ImportFileError(
                Text(f"未知的编码 “{forced}”。", f"unknown encoding '{forced}'")
            ) from exc
        try:
            return raw.decode(forced), forced
        except UnicodeDecodeError as exc:
            raise ImportFileError(
                Text(
                    f"{name}：无法按 {forced} 解码（第 {exc.start} 字节）。",
                    f"{name}: cannot be decoded as {forced} (byte {exc.start})",
                )
            ) from exc
    if raw.startswith(codecs.BOM_UTF8):
        try:
            return raw[3:].decode("utf-8"), "UTF-8 (BOM)"
        except UnicodeDecodeError:
            pass
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            pass
    else:
        for enc, label in (("utf-8", "UTF-8"), ("gbk", "GBK"), ("gb18030", "GB18030")):
            try:
                return raw.decode(enc), label
            except UnicodeDecodeError:
                continue
    raise ImportFileError(
        Text(
            f"{name}：无法识别编码（不是 UTF-8、GBK 或 GB18030）；请用 --encoding 指定，"
            "或另存为 UTF-8。",
            f"{name}: unknown encoding (not UTF-8, GBK or GB18030); pass --encoding, "
            "or save the file as UTF-8",
        )
    )


def _read_csv(path: Path, raw: bytes, encoding: str | None) -> Table:
    if raw.startswith(b"PK\x03\x04"):
        raise ImportFileError(
            Text(
                f"{path.name}：这是一个 .xlsx 文件，请把扩展名改为 .xlsx。",
                f"{path.name}: this is an .xlsx file; rename it to .xlsx",
            )
        )
    text, label = decode(raw, path.name, encoding)
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    delimiter = max(",\t;", key=first.count) if first else ","
    if first and not first.count(delimiter):
        delimiter = ","
    rows: list[tuple[int, list[Raw]]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, len(text) + 1))  # a long legal basis is a normal cell
    try:
        for number, cells in enumerate(reader, start=1):
            rows.append((number, list(cells)))
    except csv.Error as exc:
        raise ImportFileError(
            Text(
                f"{path.name}：第 {reader.line_num} 行不是有效的 CSV：{exc}",
                f"{path.name}: line {reader.line_num} is not valid CSV: {exc}",
            )
        ) from exc
    finally:
        csv.field_size_limit(limit)
    shown = {"\t": "Tab", ",": ",", ";": ";"}[delimiter]
    note = Text(
        f"{path.name}：编码 {label}，分隔符 {shown}",
        f"{path.name}: encoding {label}, delimiter {shown}",
    )
    return Table(rows, notes=[note])


def _read_json(path: Path, raw: bytes) -> Table:
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            Text(f"{path.name}：JSON 必须是 UTF-8 编码。", f"{path.name}: JSON must be UTF-8")
        ) from exc
    except (json.JSONDecodeError, RecursionError) as exc:
        detail = str(exc)
        raise ImportFileError(
            Text(f"{path.name}：不是有效的 JSON：{detail}", f"{path.name}: invalid JSON: {detail}")
        ) from exc
    if not isinstance(data, list):
        raise ImportFileError(
            Text(
                f"{path.name}：JSON 的顶层必须是记录列表 [{{...}}, ...]。",
                f"{path.name}: the JSON must be a list of records [{{...}}, ...]",
            )
        )
    headers: dict[str, None] = {}
    table = Table([], unit_zh="条记录", unit_en="record", number_cells=True)
    records: list[tuple[int, dict[str, Any]]] = []
    for number, record in enumerate(data, start=1):
        if not isinstance(record, dict):
            table.cell_problems[number] = [
                Text("记录不是 {键: 值} 对象。", "the record is not an object {key: value}")
            ]
            table.rows.append((number, []))
            continue
        for key in record:
            headers.setdefault(str(key), None)
        records.append((number, record))
    table.headers = list(headers)
    for number, record in records:
        table.rows.append((number, [record.get(h) for h in table.headers]))
    table.rows.sort(key=lambda r: r[0])
    return table


def _sheet_xml_scan(path: Path, member: str | None) -> tuple[list[str], bool]:
    """Merged ranges and whether formulas exist, scanning the sheet's XML as a stream.

    Read-only mode of openpyxl (needed for large files) does not expose merged cells, and
    formulas need a second pass; scanning the XML tells us whether either is needed.
    """
    merges: list[str] = []
    formulas = False
    with zipfile.ZipFile(path) as zf:
        names = (
            [member]
            if member and member in zf.namelist()
            else [n for n in zf.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
        )
        for name in names:
            tail = b""
            with zf.open(name) as fh:
                while chunk := fh.read(1 << 20):
                    buf = tail + chunk
                    merges.extend(m.decode() for m in _MERGE.findall(buf))
                    formulas = formulas or bool(_FORMULA.search(buf))
                    tail = buf[-256:]
    return list(dict.fromkeys(merges)), formulas


def _open_workbook(path: Path, data_only: bool) -> Any:
    import openpyxl  # imported here: it is slow to import and only .xlsx needs it

    with warnings.catch_warnings():  # openpyxl warns about styles and extensions it ignores
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(path, read_only=True, data_only=data_only)


def _worksheet(wb: Any, sheet: str | None, path: Path) -> Any:
    if sheet is None:
        return wb.worksheets[0]
    if sheet not in wb.sheetnames:
        guess = difflib.get_close_matches(sheet, wb.sheetnames, n=1)
        tip_zh = f"；是不是 “{guess[0]}”？" if guess else ""
        tip_en = f"; did you mean '{guess[0]}'?" if guess else ""
        raise ImportFileError(
            Text(
                f"{path.name}：没有名为 “{sheet}” 的工作表{tip_zh}（有：{'、'.join(wb.sheetnames)}）",
                f"{path.name}: no sheet '{sheet}'{tip_en} (sheets: {', '.join(wb.sheetnames)})",
            )
        )
    return wb[sheet]


def _read_xlsx(path: Path, sheet: str | None, max_unpacked: int) -> Table:
    from openpyxl.utils import get_column_letter, range_boundaries

    bad = Text(
        f"{path.name}：不是有效的 .xlsx 文件（可能已损坏，或是改了扩展名的其他格式）。",
        f"{path.name}: not a valid .xlsx file (damaged, or another format renamed to .xlsx)",
    )
    try:
        with zipfile.ZipFile(path) as zf:
            unpacked = sum(i.file_size for i in zf.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImportFileError(bad) from exc
    if unpacked > max_unpacked:
        raise ImportFileError(
            Text(
                f"{path.name}：解压后超过 {max_unpacked // 1024 // 1024} MB，拒绝读取。",
                f"{path.name}: unpacks to more than {max_unpacked // 1024 // 1024} MB; not read",
            )
        )
    table = Table([], number_cells=True, excel_dates=True)
    try:
        wb = _open_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for broken files
        raise ImportFileError(bad) from exc
    try:
        ws = _worksheet(wb, sheet, path)
        ws.reset_dimensions()  # do not trust the stored dimension: rows keep their own width
        member = getattr(ws, "_worksheet_path", None)
        title = ws.title
        grid = [list(r) for r in ws.iter_rows(values_only=True)]
    except ImportFileError:
        raise
    except Exception as exc:
        raise ImportFileError(bad) from exc
    finally:
        wb.close()
    if len(wb.sheetnames) > 1 and sheet is None:
        table.notes.append(
            Text(
                f"{path.name}：有 {len(wb.sheetnames)} 个工作表，读取第一个 “{title}”（用 --sheet 选择）",
                f"{path.name}: {len(wb.sheetnames)} sheets, reading the first, '{title}' "
                "(choose with --sheet)",
            )
        )
    merges, formulas = _sheet_xml_scan(path, member)
    for ref in merges:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        if min_row > len(grid):
            continue
        first = grid[min_row - 1]
        value = first[min_col - 1] if min_col <= len(first) else None
        for r in range(min_row, min(max_row, len(grid)) + 1):
            row = grid[r - 1]
            row.extend([None] * (max_col - len(row)))
            for c in range(min_col, max_col + 1):
                if (r, c) != (min_row, min_col):
                    row[c - 1] = value
    if merges:
        shown = "、".join(merges[:5]) + ("…" if len(merges) > 5 else "")
        table.notes.append(
            Text(
                f"{path.name}：{len(merges)} 处合并单元格（{shown}）：合并区域内每个单元格都取左上角的值",
                f"{path.name}: {len(merges)} merged ranges ({shown.replace('、', ', ')}): every "
                "cell of a range takes the value of its top-left cell",
            )
        )
    if formulas:
        _check_formulas(path, sheet, grid, table, get_column_letter)
    for number, cells in enumerate(grid, start=1):
        for col, value in enumerate(cells, start=1):
            if isinstance(value, str) and value in _XLSX_ERRORS:
                table.cell_problems.setdefault(number, []).append(
                    Text(
                        f"单元格 {get_column_letter(col)}{number} 是错误值 {value}",
                        f"cell {get_column_letter(col)}{number} holds the error {value}",
                    )
                )
        table.rows.append((number, cells))
    return table


def _check_formulas(
    path: Path, sheet: str | None, grid: list[list[Raw]], table: Table, letter: Any
) -> None:
    """Formulas are read as their cached values; one without a cached value rejects its row."""
    wb = _open_workbook(path, data_only=False)
    try:
        ws = _worksheet(wb, sheet, path)
        ws.reset_dimensions()
        count = 0
        for number, cells in enumerate(ws.iter_rows(values_only=True), start=1):
            for col, value in enumerate(cells, start=1):
                is_formula = (isinstance(value, str) and value.startswith("=")) or (
                    value is not None
                    and type(value).__name__ in ("ArrayFormula", "DataTableFormula")
                )
                if not is_formula:
                    continue
                cached = grid[number - 1][col - 1] if col <= len(grid[number - 1]) else None
                if cached is None:
                    table.cell_problems.setdefault(number, []).append(
                        Text(
                            f"单元格 {letter(col)}{number} 的公式没有计算结果（缓存值）；"
                            "请在 Excel/WPS 中打开并保存后再导入",
                            f"cell {letter(col)}{number} has a formula without a cached value; "
                            "open and save the file in Excel/WPS, then import again",
                        )
                    )
                else:
                    count += 1
    finally:
        wb.close()
    if count:
        table.notes.append(
            Text(
                f"{path.name}：{count} 个公式单元格按其计算结果读取",
                f"{path.name}: {count} formula cells read as their cached values",
            )
        )


# ---------------------------------------------------------------------------------------------
# Headers


def normalize_header(value: Raw) -> str:
    """Header text without surrounding blanks, line breaks or a required-mark ``*``."""
    text = _text(value) or ""
    text = re.sub(r"\s+", "", text.replace("\u3000", " "))
    return text.strip("*＊")


def load_mapping(path: Path) -> dict[str, str | None]:
    """A ``--mapping`` file: ``{header in the file: known header}``; null ignores a column."""
    raw = _read_bytes(path)
    try:
        data = yaml.safe_load(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ImportFileError(
            Text(
                f"{path.name}：映射文件不是有效的 UTF-8 YAML：{exc}",
                f"{path.name}: the mapping is not valid UTF-8 YAML: {exc}",
            )
        ) from exc
    if not isinstance(data, dict):
        raise ImportFileError(
            Text(
                f"{path.name}：映射文件应为 “表头: 标准表头” 的映射。",
                f"{path.name}: the mapping must be 'header: known header' pairs",
            )
        )
    out: dict[str, str | None] = {}
    for key, target in data.items():
        source = normalize_header(key)
        if target is None or target == "":
            out[source] = None
            continue
        name = normalize_header(target)
        if name not in BY_HEADER:
            raise ImportFileError(_unknown_target(path.name, str(key), str(target)))
        out[source] = name
    return out


def _unknown_target(mapping_name: str, key: str, target: str) -> Text:
    guess = suggest(target)
    return Text(
        f"{mapping_name}：“{key}” 映射到未知的表头 “{target}”"
        + (f"；是不是 “{guess}”？" if guess else f"。已知表头：{'、'.join(HEADERS)}"),
        f"{mapping_name}: '{key}' maps to the unknown header '{target}'"
        + (f"; did you mean '{guess}'?" if guess else f". Known headers: {', '.join(HEADERS)}"),
    )


def suggest(header: str) -> str | None:
    """The closest known header (element keys such as ``basic_code`` count too)."""
    if header in _KEY_HINTS:
        return _KEY_HINTS[header]
    found = difflib.get_close_matches(header, HEADERS, n=1, cutoff=0.5)
    if found:
        return found[0]
    keys = difflib.get_close_matches(header.lower(), list(_KEY_HINTS), n=1, cutoff=0.75)
    return _KEY_HINTS[keys[0]] if keys else None


def find_header(table: Table, mapping: dict[str, str | None]) -> list[str]:
    """The header row: the first of the top rows that names a known or mapped header."""
    if table.headers is not None:
        return table.headers
    first_nonempty: tuple[int, list[Raw]] | None = None
    for number, cells in table.rows[:HEADER_SEARCH_ROWS]:
        names = [normalize_header(c) for c in cells]
        if not any(names):
            continue
        first_nonempty = first_nonempty or (number, cells)
        if any(n in BY_HEADER or n in mapping for n in names):
            table.header_row = number
            break
    else:
        if first_nonempty is None:
            raise ImportFileError(Text("文件没有任何内容。", "the file has no content"))
        table.header_row = first_nonempty[0]
    idx = next(i for i, (n, _) in enumerate(table.rows) if n == table.header_row)
    header_cells = table.rows[idx][1]
    skipped = [n for n, c in table.rows[:idx] if any(_text(v) for v in c)]
    if skipped:
        table.notes.append(
            Text(
                f"表头在第 {table.header_row} 行；上方的第 {'、'.join(map(str, skipped))} 行"
                "（标题或说明）未导入",
                f"the header is on row {table.header_row}; row(s) {', '.join(map(str, skipped))} "
                "above it (a title or notes) are not imported",
            )
        )
    table.rows = table.rows[idx + 1 :]
    return [_text(c) or "" for c in header_cells]


def resolve_columns(
    table: Table, headers: list[str], mapping: dict[str, str | None]
) -> list[str | None]:
    """The known header each column stands for (None: ignored). Raises on anything unclear."""
    from openpyxl.utils import get_column_letter

    unit = table.unit_en
    columns: list[str | None] = []
    unknown: list[Text] = []
    seen: dict[str, str] = {}
    for i, raw in enumerate(headers):
        name = normalize_header(raw)
        where = f"“{raw}”" if unit == "record" else f"{get_column_letter(i + 1)} 列 “{raw}”"
        where_en = f"'{raw}'" if unit == "record" else f"column {get_column_letter(i + 1)} '{raw}'"
        if not name:
            columns.append(None)
            continue
        target = mapping.get(name, name if name in BY_HEADER else "")
        if target == "":
            guess = suggest(name)
            unknown.append(
                Text(
                    f"未知的表头 {where}" + (f"；是不是 “{guess}”？" if guess else ""),
                    f"unknown header {where_en}" + (f"; did you mean '{guess}'?" if guess else ""),
                )
            )
            columns.append(None)
            continue
        if target is not None:
            if target in seen:
                raise ImportFileError(
                    Text(
                        f"表头 “{seen[target]}” 和 “{raw}” 都对应 “{target}”；请删除或映射其中一列。",
                        f"headers '{seen[target]}' and '{raw}' both stand for '{target}'; "
                        "remove one or map it elsewhere",
                    )
                )
            seen[target] = str(raw)
        columns.append(target)
    if unknown:
        zh = "；".join(t.zh for t in unknown)
        en = "; ".join(t.en for t in unknown)
        raise ImportFileError(
            Text(
                f"{zh}。用 --mapping 映射文件把它对应到已知表头（或映射为 null 表示不导入该列），"
                "或删除该列；--template 可生成带标准表头的模板。",
                f"{en}. Map it to a known header with --mapping FILE.yaml (or to null to leave "
                "the column out), or delete the column; --template writes a file with the known "
                "headers.",
            )
        )
    if "事项名称" not in columns:
        raise ImportFileError(
            Text(
                "没有 “事项名称” 列（必填）；如果它叫别的名字，请用 --mapping 映射。",
                "no 事项名称 (item name) column, which is required; if it has another name, "
                "map it with --mapping",
            )
        )
    if "基本编码" not in columns and "实施主体" not in columns:
        raise ImportFileError(
            Text(
                "既没有 “基本编码” 列也没有 “实施主体” 列：没有任何一行能成为事项。",
                "neither a 基本编码 (basic code) nor a 实施主体 (implementing body) column: "
                "no row can become an item",
            )
        )
    for number, cells in table.rows:
        for i, value in enumerate(cells):
            headerless = i >= len(headers) or not normalize_header(headers[i])
            if headerless and _text(value) is not None:
                col = get_column_letter(i + 1)
                raise ImportFileError(
                    Text(
                        f"{col} 列没有表头，但第 {number} 行有值 “{_text(value)}”；"
                        "请给该列加表头或删除它。",
                        f"column {col} has no header but row {number} has a value there "
                        f"('{_text(value)}'); name the column or delete it",
                    )
                )
    return columns


def data_rows(table: Table, columns: list[str | None]) -> Iterator[Row]:
    """Non-empty rows keyed by known header; empty rows are skipped."""
    for number, cells in table.rows:
        values: dict[str, Raw] = {}
        for i, value in enumerate(cells[: len(columns)]):
            target = columns[i]
            if target is None or value is None:
                continue
            if isinstance(value, str) and not value.strip():
                continue
            values[target] = value
        problems = table.cell_problems.get(number, [])
        if values or problems:
            yield Row(number, values, list(problems))


# ---------------------------------------------------------------------------------------------
# Rows → items


def _text(value: Raw) -> str | None:
    """A cell as text, None when empty. Numbers lose nothing we can keep (20.0 → "20")."""
    if value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list):
        parts = [t for t in (_text(v) for v in value) if t is not None]
        return ",".join(parts) or None
    return str(value)


def _number(value: Raw) -> int | float | str:
    """A count or time limit: a number when it is one, else the text as typed."""
    if isinstance(value, bool):
        return _text(value) or ""
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    text = _text(value) or ""
    if _INT.match(text):
        return int(text)
    if _DECIMAL.match(text):
        return float(text)
    return text


def _levels(value: Raw, many: bool) -> Any:
    """``2,3,4`` → [2, 3, 4] for a basic item; ``4`` → 4 for an implementation item."""
    if isinstance(value, list) and many and all(isinstance(v, int) for v in value):
        return list(value)
    text = _text(value) or ""
    parts = _LEVEL_SPLIT.split(text.strip())
    if parts and all(len(p) == 1 and p.isdigit() for p in parts):
        return [int(p) for p in parts] if many else (int(parts[0]) if len(parts) == 1 else text)
    return text


def _charged(value: Raw) -> bool | str:
    if isinstance(value, bool):
        return value
    text = _text(value) or ""
    low = text.strip().lower()
    if low in ("是", "true", "y", "yes"):
        return True
    if low in ("否", "false", "n", "no"):
        return False
    return text


def legal_basis(text: str) -> list[dict[str, str]]:
    """Split a legal-basis text on ``；`` into law/provision entries, losing no characters."""
    entries: list[dict[str, str]] = []
    for part in _BASIS_SPLIT.split(text.strip()):
        if not part:
            continue
        m = _BASIS_PARTS.match(part)
        entries.append({"law": m.group(1), "provision": m.group(2)} if m else {"law": part})
    return entries


def _date(value: Raw, excel: bool) -> tuple[Any, Text | None]:
    """A date element: a date for dates and ISO text, Excel serial numbers converted (said)."""
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date(), None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value, None
    serial = isinstance(value, int | float) and not isinstance(value, bool) and excel
    if serial and 20000 <= value <= 80000 and float(value).is_integer():
        from openpyxl.utils.datetime import from_excel

        day = from_excel(value).date()
        return day, Text(
            f"日期以数字 {_text(value)} 存储，按 Excel 日期读作 {day.isoformat()}",
            f"a date stored as the number {_text(value)} read as the Excel date {day.isoformat()}",
        )
    text = _text(value) or ""
    if _ISO_DATE.match(text):
        try:
            return dt.date.fromisoformat(text), None
        except ValueError:
            return text, None
    return text, None


def safe_name(code: str) -> str:
    """A file-name-safe form of a code: [0-9A-Za-z._-] kept; otherwise a hash keeps it unique."""
    safe = _SAFE.sub("_", code)
    if safe != code or len(safe) > 120 or safe.startswith(".") or not safe:
        digest = hashlib.sha256(code.encode("utf-8")).hexdigest()[:8]
        safe = f"{safe.lstrip('.')[:100]}-{digest}"
    return safe


def stable_hash(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:12]


def _set(data: dict[str, Any], key: str, value: Any) -> None:
    head, _, rest = key.partition(".")
    if rest:
        data.setdefault(head, {})[rest] = value
    else:
        data[head] = value


def _ordered(data: dict[str, Any]) -> dict[str, Any]:
    rank = {k: i for i, k in enumerate(KEY_ORDER)}
    return {k: data[k] for k in sorted(data, key=lambda k: rank.get(k, len(rank)))}


def build_item(row: Row, table: Table, region: str | None = None) -> Planned | Rejected:
    """Turn one row into item data and its path below the catalog root, or reject it."""
    if row.problems:
        return Rejected(
            row.number,
            Text("；".join(p.zh for p in row.problems), "; ".join(p.en for p in row.problems)),
        )
    v = row.values
    texts = {h: _text(x) for h, x in v.items()}
    for h, x in v.items():
        if (isinstance(x, list) and h != "行使层级") or isinstance(x, dict):
            return Rejected(
                row.number,
                Text(
                    f"“{h}” 的值是列表或对象，应为文字。",
                    f"{h}: the value must be text, not a list",
                ),
            )
    name, basic, body = texts.get("事项名称"), texts.get("基本编码"), texts.get("实施主体")
    if name is None:
        return Rejected(row.number, Text("没有事项名称。", "no 事项名称 (item name)"))
    if body is not None:
        kind = "implementation" if basic is not None else "local"
        region_value = texts.get("行政区划代码") or region
        if region_value is None:
            return Rejected(
                row.number,
                Text(
                    "有实施主体，但没有行政区划代码（加 “行政区划代码” 列，或用 --region 指定）。",
                    "has a 实施主体 (body) but no region: add a 行政区划代码 column or pass --region",
                ),
            )
    elif basic is not None:
        kind = "basic"
        extra = [h for h in v if BY_HEADER[h].implementation_only]
        if extra:
            return Rejected(
                row.number,
                Text(
                    f"有基本编码但没有实施主体，将成为基本目录事项，但填写了实施清单才有的 "
                    f"{'、'.join(extra)}；请补上实施主体，或清空这些单元格。",
                    f"has a basic code and no 实施主体 (body), so it would be a basic item, but "
                    f"fills {', '.join(extra)}, which only implementation items have; add the "
                    "body or empty those cells",
                ),
            )
        region_value = None
    else:
        return Rejected(
            row.number,
            Text(
                "既没有基本编码也没有实施主体，无法确定是什么事项。",
                "neither a 基本编码 (basic code) nor a 实施主体 (body): cannot tell what item "
                "this is",
            ),
        )

    notes: list[Text] = []
    computed = False
    data: dict[str, Any] = {
        "schema_version": 1,
        "kind": "basic" if kind == "basic" else "implementation",
    }
    for header, raw in v.items():
        col = BY_HEADER[header]
        text = texts[header] or ""
        if (
            col.code
            and table.number_cells
            and isinstance(raw, int | float)
            and not isinstance(raw, bool)
        ):
            notes.append(
                Text(
                    f"“{header}” 在表格中是数字 {text}，开头的 0 或末尾的位数可能已丢失；"
                    "请把该列设为文本格式",
                    f"{header} was a number in the file ({text}): leading zeros or digits may "
                    "have been lost; format the column as text",
                )
            )
        if header == "行使层级":
            _set(data, "levels" if kind == "basic" else "level", _levels(raw, kind == "basic"))
        elif header == "设定依据":
            data["legal_basis"] = legal_basis(text)
        elif header in ("法定办结时限", "承诺办结时限", "到办事现场次数"):
            _set(data, col.key, _number(raw))
        elif header == "时限单位":
            continue  # applied to the limits below
        elif header == "是否收费":
            data["charged"] = _charged(raw)
        elif header in DATE_HEADERS:
            value, note = _date(raw, table.excel_dates)
            if note:
                notes.append(note)
            data[col.key] = value
        elif header == "行政区划代码":
            continue  # set below, with the --region default
        else:
            _set(data, col.key, text)
    if kind != "basic":
        data["region"] = region_value
        unit = texts.get("时限单位")
        for key in ("statutory_limit", "promised_limit"):
            if key in data:
                data[key]["unit"] = unit or DEFAULT_UNIT
        if unit is not None and "statutory_limit" not in data and "promised_limit" not in data:
            return Rejected(
                row.number,
                Text(
                    "填写了时限单位，但没有法定或承诺办结时限。",
                    "has a 时限单位 (time unit) but no time limit",
                ),
            )
        code = texts.get("实施编码")
        credit = texts.get("实施主体编码")
        level = data.get("level")
        if (
            code is None
            and basic is not None
            and BASIC_CODE.match(basic)
            and credit is not None
            and len(credit) == 18
            and all(ch in USCC_ALPHABET for ch in credit)
            and isinstance(level, int)
            and 1 <= level <= 6
        ):
            code = implementation_code(credit, level, basic)
            data["implementation_code"] = code
            computed = True
        local = texts.get("地方编码")
        if code is not None and kind == "implementation":
            stem = safe_name(code)
        elif local is not None or code is not None:
            stem = safe_name(local or code or "")
        else:
            stem = "local-" + stable_hash(region_value or "", body or "", name)
        relpath = f"items/implementation/{safe_name(region_value or '')}/{stem}.yaml"
    else:
        relpath = f"items/basic/{safe_name(basic or '')}.yaml"
    return Planned(row.number, kind, relpath, _ordered(data), notes, computed)
