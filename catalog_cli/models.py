"""pydantic models of item files, and the step that turns a loaded document into an item.

The models check structure and types only. Which elements are required, and which code lists
their values come from, is data (``standards/elements.yaml``) checked by the SCH rules, so that a
catalog can change them without touching Python. Every field is therefore optional here.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from catalog_cli.loader import Document, Problem, escape

SCHEMA_VERSION = 1


_set = object.__setattr__
_FIELD_SETS: dict[frozenset[str], set[str]] = {}  # see _Model.__reduce__


def _rebuild(cls: type[_Model], values: dict[str, Any], fields_set: set[str]) -> _Model:
    """Unpickle a validated model without pydantic's generic ``__setstate__`` (see __reduce__)."""
    obj = cls.__new__(cls)
    _set(obj, "__dict__", values)
    _set(obj, "__pydantic_fields_set__", fields_set)
    _set(obj, "__pydantic_extra__", None)  # extra="forbid" and no private attributes
    _set(obj, "__pydantic_private__", None)
    return obj


class _Model(BaseModel):
    # coerce_numbers_to_str: a code written unquoted (basic_code: 210973001000) is still the text
    # the person typed; leading-zero numbers never reach here as ints (the loader keeps them).
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True, frozen=True)

    def __reduce__(self) -> tuple[Any, ...]:
        # Items travel from the worker processes and through the item cache by pickle; the
        # default path costs ~30% more per model, and the parent unpickles 100k items serially.
        # Equal field sets are pickled as one shared set: an item has a dozen models, each set
        # takes 200-700 bytes, 250 MB over 100k items. (Nothing mutates them: frozen models,
        # and model_copy copies the set.)
        fields_set = self.__pydantic_fields_set__
        shared = _FIELD_SETS.setdefault(frozenset(fields_set), fields_set)
        return _rebuild, (type(self), self.__dict__, shared)


class LegalBasis(_Model):
    law: str
    provision: str | None = None


class TimeLimit(_Model):
    value: float
    unit: str | None = None


class Body(_Model):
    name: str | None = None
    credit_code: str | None = None
    nature: str | None = None


class Material(_Model):
    name: str
    necessity: str | None = None
    form: str | None = None
    copies: int | None = None
    source: str | None = None
    note: str | None = None


class Step(_Model):
    name: str
    description: str | None = None


class Fee(_Model):
    name: str
    standard: str | None = None
    basis: str | None = None


class Contact(_Model):
    phone: str | None = None
    url: str | None = None
    address: str | None = None


class Result(_Model):
    type: str | None = None
    name: str | None = None


class _Item(_Model):
    schema_version: int | None = None
    name: str | None = None
    basic_code: str | None = None
    type: str | None = None
    legal_basis: tuple[LegalBasis, ...] | None = None
    department: str | None = None
    status: str | None = None
    version: str | None = None
    effective_date: dt.date | None = None
    cancel_date: dt.date | None = None
    local_code: str | None = None


class BasicItem(_Item):
    """基本目录事项: defined once nationally (prefix 00) or by a province."""

    kind: Literal["basic"]
    levels: tuple[int, ...] | None = None


class ImplementationItem(_Item):
    """实施清单事项: one implementing body's handling of a basic item in one region."""

    kind: Literal["implementation"]
    implementation_code: str | None = None
    level: int | None = None
    region: str | None = None
    body: Body | None = None
    power_source: str | None = None
    statutory_limit: TimeLimit | None = None
    promised_limit: TimeLimit | None = None
    conditions: tuple[str, ...] | None = None
    materials: tuple[Material, ...] | None = None
    process: tuple[Step, ...] | None = None
    charged: bool | None = None
    fee_basis: str | None = None
    fees: tuple[Fee, ...] | None = None
    service_objects: tuple[str, ...] | None = None
    handling_type: str | None = None
    handling_forms: tuple[str, ...] | None = None
    visits: int | None = None
    visit_reason: str | None = None
    online: bool | None = None
    online_depth: str | None = None
    online_url: str | None = None
    scope: str | None = None
    place: str | None = None
    hours: str | None = None
    consultation: Contact | None = None
    complaint: Contact | None = None
    result: Result | None = None


Item = BasicItem | ImplementationItem
MODELS: dict[str, type[BasicItem] | type[ImplementationItem]] = {
    "basic": BasicItem,
    "implementation": ImplementationItem,
}


def profile_of(item: Item) -> str:
    """Element-table profile: ``basic``, ``implementation`` or ``local`` (no basic code)."""
    if isinstance(item, BasicItem):
        return "basic"
    return "implementation" if item.basic_code else "local"


@dataclass(slots=True)
class Entry:
    """A document and, when it could be modelled, its item."""

    doc: Document
    item: Item | None = None
    invalid: set[str] = field(default_factory=set)  # pointers dropped because of type errors

    @property
    def path(self) -> str:
        return self.doc.relpath

    def __reduce__(self) -> tuple[Any, ...]:
        return Entry, (self.doc, self.item, self.invalid)  # cheaper than dataclass' __setstate__


def _field_names(model: type[BaseModel]) -> list[str]:
    return list(model.model_fields)


def _sub_model(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model class that owns the last part of ``loc`` (for did-you-mean suggestions)."""
    current: type[BaseModel] | None = model
    for part in loc[:-1]:
        if current is None or isinstance(part, int):
            continue
        info = current.model_fields.get(str(part))
        if info is None:
            return None
        current = None
        for cand in _candidates(info.annotation):
            current = cand
            break
    return current


def _candidates(annotation: Any) -> list[type[BaseModel]]:
    out: list[type[BaseModel]] = []
    stack = [annotation]
    while stack:
        a = stack.pop()
        if isinstance(a, type) and issubclass(a, BaseModel):
            out.append(a)
        stack.extend(getattr(a, "__args__", ()) or ())
    return out


def _type_name(err: Mapping[str, Any], lang: str) -> str:
    t = err["type"]
    zh = {
        "string_type": "文字",
        "int_type": "整数",
        "int_parsing": "整数",
        "int_from_float": "整数",
        "float_type": "数字",
        "float_parsing": "数字",
        "bool_type": "true 或 false",
        "bool_parsing": "true 或 false",
        "date_type": "日期（YYYY-MM-DD）",
        "date_parsing": "日期（YYYY-MM-DD）",
        "date_from_datetime_parsing": "日期（YYYY-MM-DD）",
        "tuple_type": "列表",
        "list_type": "列表",
        "model_type": "映射（键: 值）",
        "model_attributes_type": "映射（键: 值）",
        "dict_type": "映射（键: 值）",
        "literal_error": "允许的值之一",
    }
    en = {
        "string_type": "text",
        "int_type": "a whole number",
        "int_parsing": "a whole number",
        "int_from_float": "a whole number",
        "float_type": "a number",
        "float_parsing": "a number",
        "bool_type": "true or false",
        "bool_parsing": "true or false",
        "date_type": "a date (YYYY-MM-DD)",
        "date_parsing": "a date (YYYY-MM-DD)",
        "date_from_datetime_parsing": "a date (YYYY-MM-DD)",
        "tuple_type": "a list",
        "list_type": "a list",
        "model_type": "a mapping (key: value)",
        "model_attributes_type": "a mapping (key: value)",
        "dict_type": "a mapping (key: value)",
        "literal_error": "one of the allowed values",
    }
    table = zh if lang == "zh" else en
    return table.get(t, str(err.get("msg", t)))


def _show(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= 60 else text[:57] + "..."


def _problems_from(
    exc: ValidationError, model: type[BaseModel], doc: Document
) -> tuple[list[Problem], set[tuple[Any, ...]]]:
    problems: list[Problem] = []
    bad_locs: set[tuple[Any, ...]] = set()
    for err in exc.errors():
        loc = tuple(err["loc"])
        ptr = "".join("/" + escape(str(p)) for p in loc)
        if err["type"] == "missing":
            # Required-ness is the element table's business (SCH001); the model only demands a
            # few sub-keys (a material's name...). Report those here as missing elements.
            line, col = doc.locate(ptr.rsplit("/", 1)[0])
            problems.append(
                Problem(
                    "SCH001",
                    f"缺少必填键 “{loc[-1]}”。",
                    f"missing required key '{loc[-1]}'",
                    line,
                    col,
                    pointer=ptr,
                    hint_zh=f"添加 {loc[-1]}:",
                    hint_en=f"add {loc[-1]}:",
                )
            )
            bad_locs.add(loc[:-1] or loc)
            continue
        if err["type"] == "extra_forbidden":
            owner = _sub_model(model, loc)
            known = _field_names(owner) if owner is not None else []
            guess = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
            line, col = doc.locate(ptr, key=True)
            problems.append(
                Problem(
                    "SCH002",
                    f"未知的键 “{loc[-1]}”" + (f"；是不是 “{guess[0]}”？" if guess else "。"),
                    f"unknown key '{loc[-1]}'" + (f"; did you mean '{guess[0]}'?" if guess else ""),
                    line,
                    col,
                    pointer=ptr,
                    hint_zh=f"改成 {guess[0]}" if guess else "允许的键：" + "、".join(known),
                    hint_en=f"rename it to {guess[0]}" if guess else "allowed: " + ", ".join(known),
                )
            )
            bad_locs.add(loc)
            continue
        line, col = doc.locate(ptr)
        problems.append(
            Problem(
                "SCH003",
                f"“{loc[-1] if loc else '/'}” 应为{_type_name(err, 'zh')}，实际是 {_show(err.get('input'))}。",
                f"'{loc[-1] if loc else '/'}' must be {_type_name(err, 'en')}, "
                f"got {_show(err.get('input'))}",
                line,
                col,
                pointer=ptr,
            )
        )
        # Drop the whole top-level list/mapping element the error sits in.
        bad_locs.add(loc[:1] if loc and isinstance(loc[0], str) else loc)
    return problems, bad_locs


def _without(data: dict[str, Any], locs: set[tuple[Any, ...]]) -> dict[str, Any]:
    """A copy of ``data`` without the top-level keys that failed (so the rest can be checked)."""
    tops = {loc[0] for loc in locs if loc}
    return {k: v for k, v in data.items() if k not in tops}


def build_entry(doc: Document) -> Entry:
    """Model a loaded document. Type problems are recorded on the document, never raised."""
    entry = Entry(doc)
    data = doc.data
    if data is None:
        return entry
    if not isinstance(data, dict):
        line, col = doc.locate("")
        doc.problems.append(
            Problem(
                "SCH004",
                "事项文件的顶层必须是映射（键: 值），并包含 schema_version 和 kind。",
                "an item file must be a mapping (key: value) with schema_version and kind",
                line,
                col,
                hint_zh="参考 README 中的示例文件",
                hint_en="see the example files in the README",
            )
        )
        return entry
    kind = data.get("kind")
    model = MODELS.get(kind) if isinstance(kind, str) else None
    if model is None:
        line, col = doc.locate("/kind" if "kind" in data else "")
        doc.problems.append(
            Problem(
                "SCH004",
                f"kind 必须是 basic（基本目录事项）或 implementation（实施清单事项），实际是 {_show(kind)}。",
                f"kind must be basic or implementation, got {_show(kind)}",
                line,
                col,
                pointer="/kind",
                hint_zh="写 kind: basic 或 kind: implementation",
                hint_en="write kind: basic or kind: implementation",
            )
        )
        return entry
    version = data.get("schema_version")
    if version is not None and version != SCHEMA_VERSION:
        line, col = doc.locate("/schema_version")
        doc.problems.append(
            Problem(
                "SCH004",
                f"不支持的 schema_version {_show(version)}；本工具读取版本 {SCHEMA_VERSION}。",
                f"unsupported schema_version {_show(version)}; this tool reads version "
                f"{SCHEMA_VERSION}",
                line,
                col,
                pointer="/schema_version",
                hint_zh=f"写 schema_version: {SCHEMA_VERSION}，或升级本工具",
                hint_en=f"write schema_version: {SCHEMA_VERSION}, or upgrade the tool",
            )
        )
        return entry
    try:
        entry.item = model.model_validate(data)
        return entry
    except ValidationError as exc:
        problems, bad = _problems_from(exc, model, doc)
    doc.problems.extend(problems)
    entry.invalid = {"/" + escape(str(loc[0])) for loc in bad if loc}
    try:  # second chance without the broken keys, so every other rule still runs
        entry.item = model.model_validate(_without(data, bad))
    except ValidationError:
        entry.item = None
    return entry


def values_at(data: Any, key: str, base: str = "") -> list[tuple[str, Any]]:
    """(pointer, value) for an element-table key such as ``materials[].form`` or ``body.name``.

    Only values that are present are returned; a missing parent yields nothing.
    """
    found: list[tuple[str, Any]] = [(base, data)]
    for name, many, token in element_path(key):
        step: list[tuple[str, Any]] = []
        for base_ptr, parent in found:
            if not isinstance(parent, dict) or name not in parent:
                continue
            value = parent[name]
            ptr = f"{base_ptr}/{token}"
            if many and isinstance(value, list):
                step.extend((f"{ptr}/{i}", v) for i, v in enumerate(value))
            else:
                step.append((ptr, value))
        if not step:
            return step
        found = step
    return found


@functools.cache
def element_path(key: str) -> tuple[tuple[str, bool, str], ...]:
    """The levels :func:`values_at` walks for an element-table key: ``materials[].form`` →
    (("materials", True, "materials"), ("form", False, "form")), per level the name, whether it
    is a list, and the name as a pointer token (memoized: rules ask millions of times per
    catalog, for a few dozen keys)."""
    path = []
    while True:
        head, _, key = key.partition(".")
        many = head.endswith("[]")
        name = head[:-2] if many else head
        path.append((name, many, escape(name)))
        if not key:
            return tuple(path)


def parents_of(data: Any, key: str) -> list[tuple[str, Any]]:
    """(pointer, mapping) of every parent an element key lives in (the root for top-level keys)."""
    if "." not in key:
        return [("", data)] if isinstance(data, dict) else []
    parent_key = key.rsplit(".", 1)[0]
    return [(p, v) for p, v in values_at(data, parent_key) if isinstance(v, dict)]


_SIZED = (str, list, dict)  # a tuple: ``str | list | dict`` would build a union on every call


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, _SIZED) and not value)


def effective_type(item: Item, basic: BasicItem | None) -> str | None:
    """The item's type, inherited from its basic item when the file omits it."""
    return item.type or (basic.type if basic is not None else None)
