"""``catalog export``: the published catalog as json, ndjson, csv and JSON-LD, and deltas.

Pure steps first (select → records → document → bytes), then the run the command calls
(:func:`run_export`): refuse on error findings, read git's version, write atomically.

Determinism: records are sorted by code, keys come in a fixed order, and the only date is the
source commit's, so one commit always gives the same bytes.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import io
import operator
import os
import sys
import typing
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from pydantic import BaseModel
from rich.console import Console

from catalog_cli import __version__
from catalog_cli.findings import Finding, Severity
from catalog_cli.models import BasicItem, Entry, ImplementationItem, Item, effective_type
from catalog_cli.published import (
    FORMAT_VERSION,
    ImplementationRecord,
    effective_status,
    publish,
    record_code,
)
from catalog_cli.rules import Catalog
from catalog_cli.standard import Regions, Standard

DEFAULT_STATUSES = frozenset({"在用", "暂停"})
WITHDRAWN = "取消"
FORMATS = ("json", "ndjson", "csv", "jsonld")
FILE_NAMES = {f: f"catalog.{f}" for f in FORMATS}
DELTA_FILE = "catalog.delta.json"
LIST_SEPARATOR = "\n"  # CSV: list elements one per line of the cell
MAX_ERRORS_SHOWN = 20


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Building 100k records allocates millions of objects that all live to the end: without
    this the collector would walk them again and again (a third of the time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class ExportError(Exception):
    """A bad option or output target (exit 2); the message in both languages."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en

    def text(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Selection:
    """What to export. The defaults are the published catalog: 在用 and 暂停, everything else."""

    statuses: frozenset[str] = DEFAULT_STATUSES
    region: str | None = None  # a region code; its sub-regions are included
    levels: frozenset[int] = frozenset()  # empty: all
    types: frozenset[str] = frozenset()  # empty: all

    def to_json(self) -> dict[str, Any]:
        return {
            "statuses": sorted(self.statuses),
            "region": self.region,
            "levels": sorted(self.levels),
            "types": sorted(self.types),
        }


def _split(values: Iterable[str]) -> list[str]:
    """Repeated options and comma-separated lists alike: ``--level 3,4`` = ``--level 3 --level 4``."""
    return [v.strip() for value in values for v in value.replace("，", ",").split(",") if v.strip()]


def _check_codes(option: str, values: list[str], allowed: dict[str, str]) -> None:
    for v in values:
        if v not in allowed:
            choices = "、".join(
                f"{c}（{label}）" if c != label else c for c, label in allowed.items()
            )
            choices_en = ", ".join(
                f"{c} ({label})" if c != label else c for c, label in allowed.items()
            )
            raise ExportError(
                f"{option} 的值 “{v}” 不在代码表中；可选：{choices}",
                f"{option} '{v}' is not in the code list; choose from: {choices_en}",
            )


def check_region(code: str, regions: Regions) -> str:
    """``code`` when it names a region of the list (2/4/6/9/12 digits), else ExportError."""
    if regions.lookup(code) is None:
        raise ExportError(*regions.unknown(code))
    return code


def parse_selection(
    standard: Standard,
    statuses: Iterable[str] = (),
    region: str | None = None,
    levels: Iterable[str] = (),
    types: Iterable[str] = (),
) -> Selection:
    """Options as typed → Selection; ExportError naming the value and the allowed ones."""
    st, lv, ty = _split(statuses), _split(levels), _split(types)
    _check_codes("--status", st, standard.codelists["statuses"].entries)
    _check_codes("--level", lv, standard.codelists["levels"].entries)
    _check_codes("--type", ty, standard.codelists["item_types"].entries)
    return Selection(
        statuses=frozenset(st) if st else DEFAULT_STATUSES,
        region=check_region(region, standard.regions) if region is not None else None,
        levels=frozenset(int(v) for v in lv),
        types=frozenset(ty),
    )


# ---- Selecting and publishing ----------------------------------------------------------------


@dataclass
class Published:
    """The records of one export: items and withdrawn sorted by code, and files left out."""

    items: list[dict[str, Any]] = field(default_factory=list)
    withdrawn: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)


def _in_region(item: ImplementationItem, prefix: str | None) -> bool:
    return prefix is None or (
        item.region is not None and Regions.canonical(item.region).startswith(prefix)
    )


def published_document(
    entries: list[Entry], standard: Standard, selection: Selection = Selection()
) -> Published:
    """Select the entries ``selection`` asks for and publish them.

    ``items`` holds records whose status is selected; cancelled (取消) ones not selected go to
    ``withdrawn`` as {code, kind, name, cancel_date}. With a region, implementation items of
    that region and below are kept, and the basic items they implement. An entry that could
    not be modelled, has no code, or repeats an earlier file's code is listed in ``skipped``
    (only an export with --allow-errors gets that far).
    """
    catalog = Catalog(Path(), entries)
    prefix = Regions.canonical(selection.region) if selection.region is not None else None
    out = Published()
    seen: set[str] = set()
    chosen: list[tuple[str, Item, BasicItem | None, str]] = []
    for entry in sorted(entries, key=lambda e: e.path):
        item = entry.item
        code = record_code(item) if item is not None else None
        if item is None or code is None or code in seen:
            reason = (
                "unreadable" if item is None else "no-code" if code is None else "duplicate-code"
            )
            out.skipped.append({"path": entry.path, "reason": reason})
            continue
        seen.add(code)
        basic = catalog.basic(item.basic_code) if isinstance(item, ImplementationItem) else None
        if selection.types and effective_type(item, basic) not in selection.types:
            continue
        if selection.levels:
            levels = (
                {item.level} if isinstance(item, ImplementationItem) else set(item.levels or ())
            )
            if not levels & selection.levels:
                continue
        if isinstance(item, ImplementationItem) and not _in_region(item, prefix):
            continue
        chosen.append((code, item, basic, effective_status(item, basic)))
    exported = selection.statuses | {WITHDRAWN}
    if prefix is not None:  # basic items only as far as the region's exported items implement
        used = {
            i.basic_code
            for _, i, _, status in chosen
            if isinstance(i, ImplementationItem) and status in exported
        }
        chosen = [c for c in chosen if not isinstance(c[1], BasicItem) or c[1].basic_code in used]
    chosen.sort(key=lambda c: c[0])
    for code, item, basic, status in chosen:
        if status in selection.statuses:
            out.items.append(publish(item, basic, standard))
        elif status == WITHDRAWN:
            cancel = item.cancel_date or (basic.cancel_date if basic is not None else None)
            out.withdrawn.append(
                {
                    "code": code,
                    "kind": item.kind,
                    "name": item.name or (basic.name if basic is not None else None),
                    "cancel_date": cancel.isoformat() if cancel is not None else None,
                }
            )
    return out


def counts(published: Published) -> dict[str, Any]:
    """Records per kind, and per type, level and status within each kind."""

    def of(kind: str) -> dict[str, Any]:
        records = [r for r in published.items if r["kind"] == kind]
        levels: Counter[str] = Counter()
        for r in records:
            if kind == "implementation":
                levels[str(r["level"])] += r["level"] is not None
            else:
                levels.update(str(v) for v in r["levels"] or ())
        return {
            "total": len(records),
            "by_type": _sorted(Counter(str(r["type"]) for r in records if r["type"] is not None)),
            "by_level": _sorted(+levels),
            "by_status": _sorted(Counter(r["status"] for r in records)),
        }

    return {
        "items": len(published.items),
        "withdrawn": len(published.withdrawn),
        "basic": of("basic"),
        "implementation": of("implementation"),
    }


def _sorted(counter: Counter[str]) -> dict[str, int]:
    return {k: counter[k] for k in sorted(counter)}


@dataclass(frozen=True)
class Source:
    """Where the catalog comes from (the version fields of the metadata)."""

    catalog_version: str
    commit: str | None
    commit_date: str | None
    standard_version: str


def metadata(
    published: Published,
    source: Source,
    selection: Selection,
    *,
    allow_errors: bool = False,
    error_count: int = 0,
) -> dict[str, Any]:
    """The document's metadata: versions, selection, the error override, counts."""
    return {
        "format_version": FORMAT_VERSION,
        "catalog_version": source.catalog_version,
        "commit": source.commit,
        "commit_date": source.commit_date,
        "standard_version": source.standard_version,
        "tool_version": __version__,
        "selection": selection.to_json(),
        "allow_errors": allow_errors,
        "error_count": error_count,
        "skipped": published.skipped,
        "counts": counts(published),
    }


def document(published: Published, meta: dict[str, Any]) -> dict[str, Any]:
    """``catalog.json``: metadata, items, withdrawn."""
    return {"metadata": meta, "items": published.items, "withdrawn": published.withdrawn}


def delta(old: dict[str, Any], new: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """What turns the document ``old`` into ``new``: upserts and removals keyed by code.

    Applying it (drop ``remove`` codes, put every ``upsert`` record in place by code, sort by
    code, take ``metadata``) to ``old`` gives ``new`` exactly, for items and withdrawn alike.
    """

    def changes(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> dict[str, Any]:
        old_by_code = {r["code"]: r for r in before}
        new_codes = {r["code"] for r in after}
        return {
            "upsert": [r for r in after if old_by_code.get(r["code"]) != r],
            "remove": sorted(c for c in old_by_code if c not in new_codes),
        }

    return {
        "metadata": new["metadata"],
        "base": base,
        "items": changes(old["items"], new["items"]),
        "withdrawn": changes(old["withdrawn"], new["withdrawn"]),
    }


# ---- Rendering -------------------------------------------------------------------------------


def render_json(doc: dict[str, Any]) -> bytes:
    """A document (catalog.json, a delta, JSON-LD) as UTF-8 JSON, indented by two spaces, one
    key per line (so versions diff field by field), ending in a newline."""
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


def render_ndjson(doc: dict[str, Any]) -> bytes:
    """One item record per line (metadata and withdrawn are in catalog.json)."""
    return b"".join(orjson.dumps(r, option=orjson.OPT_APPEND_NEWLINE) for r in doc["items"])


Convert = Callable[[Any], Any]


def _escape(value: Any) -> str:
    """A list element in a cell: backslash, line feed and carriage return escaped."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if "\\" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
    return text


def _flag(value: bool | None) -> str | None:
    return None if value is None else "true" if value else "false"


def _joined(values: list[Any] | None) -> str | None:
    return None if values is None else LIST_SEPARATOR.join(map(_escape, values))


def _sub(key: str) -> Convert:
    return lambda value: None if value is None else value[key]


def _joined_sub(key: str) -> Convert:
    return lambda value: (
        None if value is None else LIST_SEPARATOR.join([_escape(e[key]) for e in value])
    )


def _columns(model: type[BaseModel]) -> list[tuple[str, str, Convert | None]]:
    """(header, record key, conversion) of every CSV column, from the record model. No
    conversion: the csv module writes the value as it is (None as an empty cell)."""
    out: list[tuple[str, str, Convert | None]] = []
    for name, info in model.model_fields.items():
        args = typing.get_args(info.annotation) or (info.annotation,)
        nested = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
        lists = [typing.get_args(a)[0] for a in args if typing.get_origin(a) is list]
        if nested:
            out += [(f"{name}.{sub}", name, _sub(sub)) for sub in nested[0].model_fields]
        elif lists and isinstance(lists[0], type) and issubclass(lists[0], BaseModel):
            out += [(f"{name}[].{sub}", name, _joined_sub(sub)) for sub in lists[0].model_fields]
        elif lists:
            out.append((name, name, _joined))
        elif bool in args:
            out.append((name, name, _flag))
        else:
            out.append((name, name, None))
    return out


CSV_COLUMNS = _columns(ImplementationRecord)
_CSV_VALUES = operator.itemgetter(*(key for _, key, _ in CSV_COLUMNS))
_CSV_CONVERT = [convert for _, _, convert in CSV_COLUMNS]


def _csv_row(record: dict[str, Any]) -> list[Any]:
    return [
        value if convert is None else convert(value)
        for value, convert in zip(_CSV_VALUES(record), _CSV_CONVERT, strict=True)
    ]


def render_csv(doc: dict[str, Any]) -> bytes:
    """One row per implementation item; UTF-8 with BOM so that Excel reads the Chinese."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([header for header, _, _ in CSV_COLUMNS])
    writer.writerows(_csv_row(r) for r in doc["items"] if r["kind"] == "implementation")
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _drop_empty(value: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in value.items() if v not in (None, [], {})}


def _government_service(r: dict[str, Any]) -> dict[str, Any]:
    """An implementation record as a schema.org GovernmentService."""
    body, consult = r["body"] or {}, r["consultation"] or {}
    channel = _drop_empty(
        {
            "@type": "ServiceChannel",
            "serviceUrl": r["online_url"],
            "servicePhone": {"@type": "ContactPoint", "telephone": consult["phone"]}
            if consult.get("phone")
            else None,
            "serviceLocation": {"@type": "Place", "name": r["place"]} if r["place"] else None,
        }
    )
    return _drop_empty(
        {
            "@type": "GovernmentService",
            "identifier": r["code"],
            "name": r["name"],
            "serviceType": r["type_label"] or r["type"],
            "provider": _drop_empty(
                {
                    "@type": "GovernmentOrganization",
                    "name": body.get("name"),
                    "identifier": body.get("credit_code"),
                }
            )
            if body
            else None,
            "areaServed": _drop_empty(
                {"@type": "AdministrativeArea", "name": r["region_name"], "identifier": r["region"]}
            )
            if r["region"]
            else None,
            "audience": [
                {"@type": "Audience", "audienceType": label}
                for label in r["service_objects_labels"] or ()
                if label
            ],
            "availableChannel": [channel] if len(channel) > 1 else None,
        }
    )


def render_jsonld(doc: dict[str, Any]) -> bytes:
    """Implementation items as schema.org ``GovernmentService`` nodes, for search engines."""
    services = [_government_service(r) for r in doc["items"] if r["kind"] == "implementation"]
    return render_json({"@context": "https://schema.org", "@graph": services})


RENDERERS: dict[str, Callable[[dict[str, Any]], bytes]] = {
    "json": render_json,
    "ndjson": render_ndjson,
    "csv": render_csv,
    "jsonld": render_jsonld,
}


# ---- The run ---------------------------------------------------------------------------------


@dataclass
class ExportRequest:
    """``catalog export`` as asked on the command line."""

    formats: list[str] = field(default_factory=lambda: ["json"])
    out: Path | None = None
    statuses: list[str] = field(default_factory=list)
    region: str | None = None
    levels: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    allow_errors: bool = False
    since: str | None = None
    lang: str = "zh"
    cwd: Path = field(default_factory=Path.cwd)


def check_out_dir(out: Path) -> None:
    """ExportError unless ``out`` is, or can be created as, a writable folder (nothing written)."""
    probe = out
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir():
        raise ExportError(
            f"--out {out}：{probe} 是文件而不是文件夹；请换一个输出文件夹",
            f"--out {out}: {probe} is a file, not a folder; choose another output folder",
        )
    if not os.access(probe, os.W_OK | os.X_OK):
        raise ExportError(
            f"--out {out}：没有写入 {probe} 的权限；请换一个输出文件夹或修改权限",
            f"--out {out}: {probe} is not writable; choose another output folder or fix its "
            "permissions",
        )


def _check_formats(request: ExportRequest) -> list[str]:
    asked = _split(request.formats)
    unknown = [f for f in asked if f not in FORMATS]
    if unknown:
        raise ExportError(
            f"未知的导出格式 “{unknown[0]}”；可选：{'、'.join(FORMATS)}",
            f"unknown export format '{unknown[0]}'; choose from: {', '.join(FORMATS)}",
        )
    formats = sorted(set(asked), key=FORMATS.index) or ["json"]
    if request.since is not None and formats != ["json"]:
        raise ExportError(
            "--since 输出的是 JSON 变更文档，只能与 --format json 一起使用",
            "--since writes a JSON delta document: use it with --format json only",
        )
    if request.out is None and len(formats) > 1:
        raise ExportError(
            "不带 --out 时只能输出一种格式（写到标准输出）；多种格式请用 --out 文件夹",
            "without --out only one format can go to stdout; use --out DIR for several",
        )
    return formats


def _report_errors(errors: list[Finding], console: Console, lang: str, allowed: bool) -> None:
    for f in errors[:MAX_ERRORS_SHOWN]:
        console.print(f"{f.path}:{f.line or 1}:{f.column or 1}: {f.code} {f.message}", markup=False)
    if len(errors) > MAX_ERRORS_SHOWN:
        more = len(errors) - MAX_ERRORS_SHOWN
        console.print(f"… 另有 {more} 个错误" if lang == "zh" else f"… and {more} more errors")
    n = len(errors)
    if allowed:
        console.print(
            f"catalog: 注意：有 {n} 个错误，因 --allow-errors 仍然导出（已记入元数据）"
            if lang == "zh"
            else f"catalog: note: exporting despite {n} errors (--allow-errors, recorded in the "
            "metadata)"
        )
    else:
        console.print(
            f"catalog: 目录有 {n} 个错误，不导出；请先修正（catalog validate），或用 --allow-errors"
            if lang == "zh"
            else f"catalog: not exporting: the catalog has {n} errors; fix them (catalog "
            "validate) or use --allow-errors"
        )


def run_export(request: ExportRequest, console: Console) -> int:
    """Check the options and the output target, refuse on errors, export; the exit code.

    Raises ExportError (bad option or target) and ConfigError (no catalog, unknown revision,
    no git for --since) before anything is written.
    """
    from catalog_cli.engine import Options, item_files, open_session, validate
    from catalog_cli.gitinfo import head_info, of_revision
    from catalog_cli.revisions import History
    from catalog_cli.rounds import load_entries

    session = open_session(request.cwd)
    standard, lang = session.standard, request.lang
    selection = parse_selection(
        standard, request.statuses, request.region, request.levels, request.types
    )
    formats = _check_formats(request)
    if request.out is not None:
        check_out_dir(request.out)
    history = base = None
    if request.since is not None:
        history = History.open(session.root, session.config)
        base = history.resolve(request.since)
    result = validate(Options(cwd=session.root, lang=lang), session)
    errors = [f for f in result.findings if f.severity == Severity.ERROR]
    if errors:
        _report_errors(errors, console, lang, request.allow_errors)
        if not request.allow_errors:
            return 1
    entries, _ = load_entries(session, item_files(session, []))
    info = head_info(session.root, session.config)
    if info.note:
        console.print(
            f"catalog: 注意：目录不在有提交的 git 仓库中，版本记为 unversioned（{info.note}）"
            if lang == "zh"
            else f"catalog: note: the catalog is not in a git repository with commits; version "
            f"'unversioned' ({info.note})",
            markup=False,
        )
    source = Source(info.version, info.commit, info.commit_date, standard.version)
    old_entries = history.load(base) if history is not None and base is not None else None
    with paused_gc():
        published = published_document(entries, standard, selection)
        meta = metadata(
            published, source, selection, allow_errors=request.allow_errors, error_count=len(errors)
        )
        doc = document(published, meta)
        outputs: dict[str, bytes]
        if history is not None and base is not None and old_entries is not None:
            # the export at the base revision, rebuilt with today's tool and standard
            old = published_document(old_entries, standard, selection)
            base_info = of_revision(history, base)
            base_ref = {
                "revision": request.since,
                "catalog_version": base_info.version,
                "commit": base_info.commit,
            }
            outputs = {DELTA_FILE: render_json(delta(document(old, {}), doc, base_ref))}
        else:
            outputs = {FILE_NAMES[f]: RENDERERS[f](doc) for f in formats}
    write_outputs(outputs, request.out)
    return 0


def write_outputs(outputs: dict[str, bytes], out: Path | None) -> None:
    """Each file atomically into ``out`` (created if missing), or the one document to stdout."""
    from catalog_cli.atomic import write_atomic_bytes
    from catalog_cli.outputs import stdout_guard

    if out is None:
        (data,) = outputs.values()
        with stdout_guard():
            sys.stdout.buffer.write(data)
        return
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, data in outputs.items():
            write_atomic_bytes(out / name, data, known_dir=True)
    except OSError as exc:
        raise ExportError(
            f"无法写入 {out}：{exc.strerror or exc}",
            f"cannot write to {out}: {exc.strerror or exc}",
        ) from exc
