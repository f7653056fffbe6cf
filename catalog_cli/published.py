"""The published record of an item: what portals receive in ``catalog export`` (issue 6).

:func:`publish` is pure: an item, its basic item and the standard in, a JSON-ready dict out.
Implementation items come out complete: the elements they inherit (name, type, legal basis,
levels; department, status and dates when the file omits them) are resolved from their basic
item, and every code value has its Chinese label next to it (``type`` → ``type_label``).

The pydantic models below are the *schema* of that record and of the whole export document
(``catalog schema`` prints it; ``catalog_cli/schemas/catalog.schema.json`` is the committed
copy). They are not used to build records, which would be several times slower for 100k items;
instead every export in the tests is validated against the schema, so the two cannot drift.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter
from pydantic.json_schema import models_json_schema

from catalog_cli.models import (
    BasicItem,
    Contact,
    ImplementationItem,
    Item,
    LegalBasis,
    TimeLimit,
)
from catalog_cli.standard import Standard

FORMAT_VERSION = 1
IN_USE = "在用"

# Elements an implementation item takes from its basic item when its file omits them. name,
# type and legal_basis are locked (四级四同: equal at every level); levels are the basic item's
# alone; department, status and the planned dates are a fallback (an item's own value wins).
INHERITED = ("name", "type", "legal_basis", "department", "status", "effective_date", "cancel_date")


def record_code(item: Item) -> str | None:
    """The record's identity: ``basic_code`` of a basic item; an implementation item's
    ``implementation_code``, else its ``local_code`` (a local item has no basic code)."""
    if isinstance(item, BasicItem):
        return item.basic_code or item.local_code
    return item.implementation_code or item.local_code


def effective_status(item: Item, basic: BasicItem | None) -> str:
    """The item's status, else its basic item's, else 在用 (a file with no status is in use)."""
    return item.status or (basic.status if basic is not None else None) or IN_USE


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _number(value: float) -> int | float:
    # YAML 20 is modelled as 20.0; portals should see the number as it was written
    return int(value) if value.is_integer() else value


def _limit(limit: TimeLimit | None) -> dict[str, Any] | None:
    return None if limit is None else {"value": _number(limit.value), "unit": limit.unit}


# Elements whose codes get a label next to them (the others' codes are their own labels).
LABELLED = (
    "type", "levels", "level", "department", "body.nature", "power_source", "service_objects",
    "handling_type", "handling_forms", "online_depth",
)  # fmt: skip


Labels = dict[str, dict[str, str]]  # element key → {code: label}


class _Tables:
    """Label tables of one standard, and region names as they are asked for (a catalog has a
    few thousand regions and a hundred thousand items)."""

    def __init__(self, standard: Standard) -> None:
        self.standard = standard
        self.labels: Labels = {}
        for key in LABELLED:
            el = standard.elements.get(key)
            cl = standard.codelists.get(el.codelist) if el and el.codelist else None
            self.labels[key] = cl.entries if cl is not None else {}
        self._regions: dict[str, str | None] = {}

    def region_name(self, code: str | None) -> str | None:
        if code is None:
            return None
        if code not in self._regions:
            self._regions[code] = self.standard.regions.name(code)
        return self._regions[code]


_tables: _Tables | None = None


def _tables_of(standard: Standard) -> _Tables:
    global _tables  # noqa: PLW0603 - one slot: a run publishes with one standard
    if _tables is None or _tables.standard is not standard:
        _tables = _Tables(standard)
    return _tables


def _many(
    table: dict[str, str], codes: tuple[str, ...] | tuple[int, ...] | None
) -> list[Any] | None:
    return None if codes is None else [table.get(str(c)) for c in codes]


def publish(item: Item, basic: BasicItem | None, standard: Standard) -> dict[str, Any]:
    """The published record of one item (an element of ``catalog.json``'s ``items``).

    ``basic`` is the basic item an implementation item implements (None for basic items, local
    items and unknown basic codes). Keys come in a fixed order, each kind always has all of its
    keys (null when missing), and values are JSON-ready: dates as ``YYYY-MM-DD``, whole numbers
    as integers, code values as written with their label (null for a code not in the list) in
    ``<key>_label`` / ``<key>_labels`` next to them, and ``region_name`` next to ``region``.
    """
    tables = _tables_of(standard)
    if isinstance(item, BasicItem):
        return _basic_record(item, tables.labels)
    return _implementation_record(item, basic, tables)


def _basis(basis: tuple[LegalBasis, ...] | None) -> list[dict[str, Any]] | None:
    return None if basis is None else [{"law": b.law, "provision": b.provision} for b in basis]


def _basic_record(item: BasicItem, labels: Labels) -> dict[str, Any]:
    # One dict display per kind: this runs for every item of a 100k catalog.
    return {
        "code": record_code(item),
        "kind": "basic",
        "name": item.name,
        "basic_code": item.basic_code,
        "local_code": item.local_code,
        "type": item.type,
        "type_label": labels["type"].get(item.type) if item.type is not None else None,
        "legal_basis": _basis(item.legal_basis),
        "levels": None if item.levels is None else list(item.levels),
        "levels_labels": _many(labels["levels"], item.levels),
        "department": item.department,
        "department_label": labels["department"].get(item.department) if item.department else None,
        "status": effective_status(item, None),
        "version": item.version,
        "effective_date": _date(item.effective_date),
        "cancel_date": _date(item.cancel_date),
    }


def _implementation_record(
    item: ImplementationItem, basic: BasicItem | None, tables: _Tables
) -> dict[str, Any]:
    labels, body = tables.labels, item.body
    # INHERITED, spelled out
    name, type_, basis, department = item.name, item.type, item.legal_basis, item.department
    effective, cancel, levels = item.effective_date, item.cancel_date, None
    if basic is not None:
        name = basic.name if name is None else name
        type_ = basic.type if type_ is None else type_
        basis = basic.legal_basis if basis is None else basis
        department = basic.department if department is None else department
        effective = basic.effective_date if effective is None else effective
        cancel = basic.cancel_date if cancel is None else cancel
        levels = basic.levels
    return {
        "code": record_code(item),
        "kind": "implementation",
        "name": name,
        "basic_code": item.basic_code,
        "implementation_code": item.implementation_code,
        "local_code": item.local_code,
        "type": type_,
        "type_label": labels["type"].get(type_) if type_ is not None else None,
        "legal_basis": _basis(basis),
        "levels": None if levels is None else list(levels),
        "levels_labels": _many(labels["levels"], levels),
        "level": item.level,
        "level_label": labels["level"].get(str(item.level)) if item.level is not None else None,
        "department": department,
        "department_label": labels["department"].get(department) if department else None,
        "status": effective_status(item, basic),
        "version": item.version,
        "effective_date": _date(effective),
        "cancel_date": _date(cancel),
        "region": item.region,
        "region_name": tables.region_name(item.region),
        "body": None
        if body is None
        else {
            "name": body.name,
            "credit_code": body.credit_code,
            "nature": body.nature,
            "nature_label": labels["body.nature"].get(body.nature) if body.nature else None,
        },
        "power_source": item.power_source,
        "power_source_label": labels["power_source"].get(item.power_source)
        if item.power_source
        else None,
        "statutory_limit": _limit(item.statutory_limit),
        "promised_limit": _limit(item.promised_limit),
        "conditions": None if item.conditions is None else list(item.conditions),
        "materials": None
        if item.materials is None
        else [
            {
                "name": m.name,
                "necessity": m.necessity,
                "form": m.form,
                "copies": m.copies,
                "source": m.source,
                "note": m.note,
            }
            for m in item.materials
        ],
        "process": None
        if item.process is None
        else [{"name": s.name, "description": s.description} for s in item.process],
        "charged": item.charged,
        "fee_basis": item.fee_basis,
        "fees": None
        if item.fees is None
        else [{"name": f.name, "standard": f.standard, "basis": f.basis} for f in item.fees],
        "service_objects": None if item.service_objects is None else list(item.service_objects),
        "service_objects_labels": _many(labels["service_objects"], item.service_objects),
        "handling_type": item.handling_type,
        "handling_type_label": labels["handling_type"].get(item.handling_type)
        if item.handling_type
        else None,
        "handling_forms": None if item.handling_forms is None else list(item.handling_forms),
        "handling_forms_labels": _many(labels["handling_forms"], item.handling_forms),
        "visits": item.visits,
        "visit_reason": item.visit_reason,
        "online": item.online,
        "online_depth": item.online_depth,
        "online_depth_label": labels["online_depth"].get(item.online_depth)
        if item.online_depth
        else None,
        "online_url": item.online_url,
        "scope": item.scope,
        "place": item.place,
        "hours": item.hours,
        "consultation": _contact(item.consultation),
        "complaint": _contact(item.complaint),
        "result": None
        if item.result is None
        else {"type": item.result.type, "name": item.result.name},
    }


def _contact(contact: Contact | None) -> dict[str, Any] | None:
    if contact is None:
        return None
    return {"phone": contact.phone, "url": contact.url, "address": contact.address}


# ---- The schema of the published document ------------------------------------------------
# Field titles of records come from the element table (standards/elements.yaml) when the schema
# is built, so a label is written once; fields that are not elements carry their own title.


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LegalBasisRecord(_Out):
    """设定依据: one law or document, with an optional provision."""

    law: str
    provision: str | None


class LimitRecord(_Out):
    """办结时限: a number of days and their unit."""

    value: float = Field(title="时限", description="number of days")
    unit: str | None = Field(title="时限单位", description="time unit (工作日 or 自然日)")


class BodyRecord(_Out):
    """实施主体: the implementing body."""

    name: str | None
    credit_code: str | None
    nature: str | None
    nature_label: str | None


class MaterialRecord(_Out):
    """申请材料: one material an applicant hands in."""

    name: str
    necessity: str | None
    form: str | None
    copies: int | None
    source: str | None
    note: str | None = Field(title="材料备注", description="note on the material")


class StepRecord(_Out):
    """办理流程: one step."""

    name: str
    description: str | None


class FeeRecord(_Out):
    """收费项目: one fee item."""

    name: str
    standard: str | None
    basis: str | None = Field(title="收费项目依据", description="legal basis of this fee item")


class ContactRecord(_Out):
    """咨询 / 监督投诉方式: how to reach someone."""

    phone: str | None
    url: str | None
    address: str | None


class ResultRecord(_Out):
    """审批结果: what the applicant receives."""

    type: str | None
    name: str | None


_CODE = Field(
    title="记录编码",
    description="the record's identity, unique in the document: basic_code of a basic item; "
    "implementation_code (else local_code) of an implementation item",
)


class BasicRecord(_Out):
    """基本目录事项: a basic catalog item, as published."""

    code: str = _CODE
    kind: Literal["basic"]
    name: str | None
    basic_code: str | None
    local_code: str | None
    type: str | None
    type_label: str | None
    legal_basis: list[LegalBasisRecord] | None
    levels: list[int] | None
    levels_labels: list[str | None] | None
    department: str | None
    department_label: str | None
    status: str
    version: str | None
    effective_date: dt.date | None
    cancel_date: dt.date | None


class ImplementationRecord(_Out):
    """实施清单事项: an implementation item, complete (inherited elements resolved)."""

    code: str = _CODE
    kind: Literal["implementation"]
    name: str | None
    basic_code: str | None
    implementation_code: str | None
    local_code: str | None
    type: str | None
    type_label: str | None
    legal_basis: list[LegalBasisRecord] | None
    levels: list[int] | None
    levels_labels: list[str | None] | None
    level: int | None
    level_label: str | None
    department: str | None
    department_label: str | None
    status: str
    version: str | None
    effective_date: dt.date | None
    cancel_date: dt.date | None
    region: str | None
    region_name: str | None
    body: BodyRecord | None
    power_source: str | None
    power_source_label: str | None
    statutory_limit: LimitRecord | None
    promised_limit: LimitRecord | None
    conditions: list[str] | None
    materials: list[MaterialRecord] | None
    process: list[StepRecord] | None
    charged: bool | None
    fee_basis: str | None
    fees: list[FeeRecord] | None
    service_objects: list[str] | None
    service_objects_labels: list[str | None] | None
    handling_type: str | None
    handling_type_label: str | None
    handling_forms: list[str] | None
    handling_forms_labels: list[str | None] | None
    visits: int | None
    visit_reason: str | None
    online: bool | None
    online_depth: str | None
    online_depth_label: str | None
    online_url: str | None
    scope: str | None
    place: str | None
    hours: str | None
    consultation: ContactRecord | None
    complaint: ContactRecord | None
    result: ResultRecord | None


Record = Annotated[BasicRecord | ImplementationRecord, Field(discriminator="kind")]


class WithdrawnRecord(_Out):
    """A cancelled (取消) item: portals remove it."""

    code: str = _CODE
    kind: Literal["basic", "implementation"] = Field(title="记录种类", description="kind")
    name: str | None = Field(title="事项名称", description="item name")
    cancel_date: dt.date | None = Field(title="计划取消日期", description="cancel date")


class SkippedRecord(_Out):
    """A file left out of an export made with --allow-errors."""

    path: str = Field(title="文件", description="item file, relative to the catalog root")
    reason: Literal["unreadable", "no-code", "duplicate-code"] = Field(
        title="原因",
        description="unreadable: the file could not be modelled; no-code: the item has no "
        "code; duplicate-code: an earlier file (in path order) has the same code",
    )


class SelectionRecord(_Out):
    """What was exported (catalog export --status/--region/--level/--type)."""

    statuses: list[str] = Field(title="事项状态", description="statuses exported in items")
    region: str | None = Field(
        title="行政区划", description="region exported, with its sub-regions; null: all"
    )
    levels: list[int] = Field(title="行使层级", description="levels exported; empty: all")
    types: list[str] = Field(title="事项类型", description="item types exported; empty: all")


class KindCounts(_Out):
    """Counts of one kind of item in ``items``."""

    total: int = Field(title="总数", description="items of this kind")
    by_type: dict[str, int] = Field(title="按事项类型", description="type code → items")
    by_level: dict[str, int] = Field(
        title="按行使层级",
        description="level → items (an implementation item's level; each level a basic item lists)",
    )
    by_status: dict[str, int] = Field(title="按事项状态", description="status → items")


class Counts(_Out):
    """How many records the document holds."""

    items: int = Field(title="事项数", description="records in items")
    withdrawn: int = Field(title="已取消事项数", description="records in withdrawn")
    basic: KindCounts = Field(title="基本目录事项", description="basic items")
    implementation: KindCounts = Field(title="实施清单事项", description="implementation items")


class Metadata(_Out):
    """Where the document comes from. No wall-clock time: one commit, one document."""

    format_version: int = Field(title="文档格式版本", description="version of this document format")
    catalog_version: str = Field(
        title="目录版本",
        description="the release tag, else `git describe --tags --always`, with -dirty when "
        "item files differ from the commit; `unversioned` outside git",
    )
    commit: str | None = Field(title="源提交", description="source commit (sha); null outside git")
    commit_date: dt.datetime | None = Field(
        title="提交日期", description="the source commit's committer date; null outside git"
    )
    standard_version: str = Field(title="标准版本", description="version of the standard")
    tool_version: str = Field(title="工具版本", description="version of the catalog tool")
    selection: SelectionRecord = Field(title="导出范围", description="filters of this export")
    allow_errors: bool = Field(
        title="忽略错误导出", description="exported with --allow-errors despite error findings"
    )
    error_count: int = Field(title="错误数", description="error-level findings at export time")
    skipped: list[SkippedRecord] = Field(
        title="未导出的文件", description="files left out (only with --allow-errors)"
    )
    counts: Counts = Field(title="统计", description="counts per kind, type, level and status")


class CatalogDocument(_Out):
    """catalog.json: the published catalog."""

    metadata: Metadata = Field(title="元数据", description="where the document comes from")
    items: list[Record] = Field(
        title="事项", description="published items (basic and implementation), sorted by code"
    )
    withdrawn: list[WithdrawnRecord] = Field(
        title="已取消事项", description="cancelled items portals should remove, sorted by code"
    )


class BaseRecord(_Out):
    """The export a delta applies to."""

    revision: str = Field(title="基准修订", description="the git revision given to --since")
    catalog_version: str = Field(title="基准目录版本", description="its catalog_version")
    commit: str = Field(title="基准提交", description="its commit")


class ItemChanges(_Out):
    """Changes to ``items``."""

    upsert: list[Record] = Field(
        title="新增或更新", description="records to add, or to replace (same code), sorted by code"
    )
    remove: list[str] = Field(title="删除", description="codes to remove, sorted")


class WithdrawnChanges(_Out):
    """Changes to ``withdrawn``."""

    upsert: list[WithdrawnRecord] = Field(title="新增或更新", description="records to add/replace")
    remove: list[str] = Field(title="删除", description="codes to remove, sorted")


class CatalogDelta(_Out):
    """catalog.delta.json (catalog export --since REV): what turns the export at REV into this one."""

    metadata: Metadata = Field(title="元数据", description="the new document's metadata")
    base: BaseRecord = Field(title="基准", description="the export this delta applies to")
    items: ItemChanges = Field(title="事项变更", description="changes to items")
    withdrawn: WithdrawnChanges = Field(title="已取消事项变更", description="changes to withdrawn")


# Models whose fields are elements, and the element-table key prefix of those fields.
_ELEMENT_MODELS: dict[type[_Out], str] = {
    BasicRecord: "",
    ImplementationRecord: "",
    LegalBasisRecord: "legal_basis[].",
    BodyRecord: "body.",
    MaterialRecord: "materials[].",
    StepRecord: "process[].",
    FeeRecord: "fees[].",
    ContactRecord: "consultation.",  # shared by complaint: the consultation labels describe it
    ResultRecord: "result.",
}
_DERIVED = {"region_name": "region"}  # label fields not named <key>_label(s)


# How a field of a record is resolved, beyond what the element table says.
_LOCKED = "; locked (四级四同): the basic item's value, taken from it when the file omits it"
_FALLBACK = "; the basic item's when the file has none"
_NOTES: dict[str, dict[str, str]] = {
    "BasicRecord": {"status": "; 在用 when the file has none"},
    "ImplementationRecord": {
        "name": _LOCKED,
        "type": _LOCKED,
        "legal_basis": _LOCKED,
        "levels": "; the basic item's levels (the item's own is level)",
        "department": _FALLBACK,
        "effective_date": _FALLBACK,
        "cancel_date": _FALLBACK,
        "status": _FALLBACK + ", else 在用",
    },
}


def _field_title(
    standard: Standard, prefix: str, name: str, note: str = ""
) -> tuple[str, str] | None:
    """(title, description) of a record field from the element table, or None if not an element."""
    base = _DERIVED.get(name) or name.removesuffix("_labels").removesuffix("_label")
    el = standard.elements.get(prefix + base)
    if el is None:
        return None
    if base != name:
        source = f"code list {el.codelist}" if el.codelist else "the region list"
        return f"{el.label}名称", f"label of {base} from {source}; null when the code is unknown"
    desc = el.label_en + (f"; code from code list {el.codelist}" if el.codelist else "") + note
    if prefix == "consultation.":
        desc = desc.replace("consultation ", "")
        return el.label.removeprefix("咨询"), desc
    return el.label, desc


def catalog_schema(standard: Standard) -> dict[str, Any]:
    """The JSON Schema (2020-12) of ``catalog.json``; ``$defs/CatalogDelta`` is the delta's."""
    _, top = models_json_schema(
        [(CatalogDocument, "validation"), (CatalogDelta, "validation")],
        ref_template="#/$defs/{model}",
    )
    defs: dict[str, Any] = top["$defs"]
    for model, prefix in _ELEMENT_MODELS.items():
        for name, prop in defs[model.__name__]["properties"].items():
            if model.model_fields[name].title is not None:
                continue  # not an element: titled in the model
            note = _NOTES.get(model.__name__, {}).get(name, "")
            titled = _field_title(standard, prefix, name, note)
            if titled is None:
                raise AssertionError(f"{model.__name__}.{name} is neither an element nor titled")
            prop["title"], prop["description"] = titled
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "政务服务事项目录导出 (catalog export)",
        "description": "catalog.json written by `catalog export`; a delta (--since) is "
        "#/$defs/CatalogDelta. Format version "
        f"{FORMAT_VERSION}.",
        "$ref": "#/$defs/CatalogDocument",
        "$defs": defs,
    }


def validate_record(record: dict[str, Any]) -> None:
    """Check one record against its model (tests and ``show`` use it; exports do not)."""
    _RECORD.validate_python(record)


_RECORD: TypeAdapter[BasicRecord | ImplementationRecord] = TypeAdapter(Record)


SCHEMA_FILE = Path(__file__).parent / "schemas" / "catalog.schema.json"


def render_schema() -> str:
    """``catalog.schema.json`` as committed: built with the bundled standard's labels, so it is
    the same wherever it is printed."""
    from catalog_cli.standard import load_standard

    return json.dumps(catalog_schema(load_standard()), ensure_ascii=False, indent=2) + "\n"
