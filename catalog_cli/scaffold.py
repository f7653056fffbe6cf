"""A new implementation item from its basic item, region and body (``catalog new``). Pure.

The data follow the element table: every element required for an implementation item is
present, the locked ones (name, type, legal basis) copied from the basic item exactly as it
writes them, the codes computed (implementation code = credit code + level + basic code). What
only the implementing body knows — time limits, materials, place, phones … — is left blank
(``null``) with a ``# TODO`` comment saying what goes there: ``catalog validate`` reports every
blank required element (SCH001), so none can slip through, and the item schema marks them in
the editor. Each line carries its element's Chinese label as a comment.
"""

from __future__ import annotations

import types
from dataclasses import dataclass
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel

from catalog_cli.codes import implementation_code
from catalog_cli.models import SCHEMA_VERSION, ImplementationItem
from catalog_cli.standard import Element, Standard
from catalog_cli.writer import modeline, render

PROFILE = "implementation"


@dataclass(frozen=True, slots=True)
class NewItem:
    """What ``catalog new`` was told: the basic item (as its file reads) and the local facts."""

    basic: dict[str, Any]
    region: str
    level: int
    body_name: str
    credit_code: str


def build(new: NewItem, standard: Standard) -> dict[str, Any]:
    """The item's data in element-table order; ``None`` marks a value left for a person."""
    known: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "kind": "implementation",
        "basic_code": new.basic.get("basic_code"),
        "implementation_code": implementation_code(
            new.credit_code, new.level, str(new.basic.get("basic_code"))
        ),
        "level": new.level,
        "region": new.region,
        "body.name": new.body_name,
        "body.credit_code": new.credit_code,
    }
    item_type = new.basic.get("type")
    data: dict[str, Any] = {}
    for el in standard.elements.values():
        if "." in el.key or "[]" in el.key:
            continue
        presence = el.presence(PROFILE)
        if presence == "locked" and el.key in new.basic:
            data[el.key] = new.basic[el.key]
        elif presence == "required" and (not el.types or item_type in el.types):
            data[el.key] = _value(el.key, known, standard)
    return data


def _value(key: str, known: dict[str, Any], standard: Standard) -> Any:
    if key in known:
        return known[key]
    children = [
        el.key.rsplit(".", 1)[1]
        for el in standard.elements.values()
        if el.key.startswith(key + ".") and el.presence(PROFILE) == "required"
    ]
    if not any(f"{key}.{c}" in known for c in children):
        return None
    return {c: known.get(f"{key}.{c}") for c in children}


def todos(data: dict[str, Any]) -> list[str]:
    """Element keys left blank for a person to fill in (``body.nature``, ``place`` …)."""
    out: list[str] = []
    for key, value in data.items():
        if value is None:
            out.append(key)
        elif isinstance(value, dict):
            out.extend(f"{key}.{k}" for k, v in value.items() if v is None)
    return out


def render_new(data: dict[str, Any], standard: Standard, relpath: str) -> str:
    """The file: schema line, a header, each element with its label; TODOs say what to write."""
    name = data.get("name") or ""
    lines = [
        modeline(relpath).rstrip("\n"),
        f"# 实施清单事项：{name}（基本编码 {data.get('basic_code')}），由 catalog new 生成。",
        "# 标 TODO 的要素只有实施主体知道，请填写；未填写时 catalog validate 报告缺少必填要素（SCH001）。",
    ]
    for key, value in data.items():
        if isinstance(value, dict):
            lines.append(f"{key}:  # {_comment(key, value, data, standard)}")
            for sub, subvalue in value.items():
                path = f"{key}.{sub}"
                lines.append(_line(sub, subvalue, "  ", _comment(path, subvalue, data, standard)))
            continue
        lines.append(_line(key, value, "", _comment(key, value, data, standard)))
    return "\n".join(lines) + "\n"


def _line(key: str, value: Any, indent: str, comment: str) -> str:
    if value is None:
        return f"{indent}{key}:  # {comment}"
    first, *rest = render({key: value}).splitlines()
    return "\n".join([f"{indent}{first}  # {comment}", *(indent + r for r in rest)])


def _comment(key: str, value: Any, data: dict[str, Any], standard: Standard) -> str:
    el = standard.elements.get(key)
    label = el.label if el is not None else key
    if value is None:
        hint = _hint(key, el, standard)
        return f"TODO {label}" + (f"：{hint}" if hint else "")
    if el is not None and el.presence(PROFILE) == "locked":
        return f"{_labelled(label, el, value, standard)}（继承自基本目录事项，须与之相同）"
    if key == "implementation_code":
        return f"{label} = 实施主体编码 + 行使层级 + 基本编码"
    if key == "region":
        place = standard.regions.name(str(value))
        return f"{label}：{place}" if place else label
    if key == "kind":
        return f"{label}：实施清单事项"
    return _labelled(label, el, value, standard)


def _labelled(label: str, el: Element | None, value: Any, standard: Standard) -> str:
    """``事项类型：行政许可`` for a code with a meaning, else the label alone."""
    if el is None or el.codelist is None or isinstance(value, list | dict):
        return label
    meaning = standard.codelists[el.codelist].entries.get(str(value))
    return f"{label}：{meaning}" if meaning and meaning != str(value) else label


def _hint(key: str, el: Element | None, standard: Standard) -> str:
    """What a value looks like: the code list, true/false, a number, or the keys of a mapping."""
    annotation = _field(key)
    many = get_origin(annotation) is tuple
    inner = get_args(annotation)[0] if many else annotation
    if el is not None and el.codelist is not None:
        entries = standard.codelists[el.codelist].entries
        codes = "、".join(c if label == c else f"{c} {label}" for c, label in entries.items())
        return f"{codes}" + ('（可多选，写成列表，如 ["1", "2"]）' if many else "")
    if inner is bool:
        return "true 或 false"
    if inner is int:
        return "整数，如 0"
    if isinstance(inner, type) and issubclass(inner, BaseModel):
        prefix = f"{key}[]." if many else f"{key}."
        fields = ", ".join(
            f"{f}: {_example(standard.elements[prefix + f], standard)}"
            for f in inner.model_fields
            if prefix + f in standard.elements
        )
        return f"每项一行，如 - {{{fields}}}" if many else f"如 {{{fields}}}"
    if many:
        return "每项一行，如 - …"
    return ""


def _example(el: Element, standard: Standard) -> str:
    """The first code of the element's code list (工作日, 必要 …), else an ellipsis."""
    if el.codelist is None:
        return "…"
    return next(iter(standard.codelists[el.codelist].entries), "…")


def _field(key: str) -> Any:
    """The model type of an element key (``body.nature`` → str), without ``| None``."""
    model: type[BaseModel] = ImplementationItem
    annotation: Any = None
    for part in key.split("."):
        info = model.model_fields.get(part)
        if info is None:
            return None
        annotation = _required(info.annotation)
        target = get_args(annotation)[0] if get_origin(annotation) is tuple else annotation
        if isinstance(target, type) and issubclass(target, BaseModel):
            model = target
    return annotation


def _required(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return args[0] if len(args) == 1 else annotation
    return annotation
