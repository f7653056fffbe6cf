"""``catalog show CODE``: one item, complete, the way a portal publishes it.

The item is found by its basic code (basic items), implementation code or local code. What it
shows is :func:`catalog_cli.published.publish`'s record: inherited elements resolved from the
basic item (and marked as inherited), a Chinese label next to every code. A basic item also
lists its implementation items. An unknown code raises :class:`UnknownCode` with the closest
codes and names, for the command to suggest.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, TextIO

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from catalog_cli.models import BasicItem, Item
from catalog_cli.published import INHERITED, publish
from catalog_cli.rules import Catalog
from catalog_cli.search import Hit, Record, SearchIndex
from catalog_cli.standard import Standard

SHOWN_IMPLEMENTATIONS = 20  # a basic item's implementations listed in text (all in JSON)


class UnknownCode(LookupError):
    """No item has this code; ``suggestions`` are the closest codes and names."""

    def __init__(self, code: str, suggestions: list[Hit]) -> None:
        super().__init__(code)
        self.code = code
        self.suggestions = suggestions

    def message(self, lang: str) -> str:
        zh = lang == "zh"
        text = (
            f"没有编码为 “{self.code}” 的事项（基本编码、实施编码或地方编码）。"
            if zh
            else f"no item has the code '{self.code}' (basic, implementation or local code)"
        )
        if self.suggestions:
            text += "\n" + ("最接近的：" if zh else "closest:")
            for h in self.suggestions:
                text += f"\n  {h.record.code or '-'}  {h.record.name}  ({h.record.kind})"
        else:
            text += "\n" + (
                "用 catalog search 按名称查找编码。"
                if zh
                else "use catalog search to find a code by name"
            )
        return text


@dataclass
class Shown:
    """An item found by its code, with its published record."""

    path: str
    item: Item
    record: dict[str, Any]
    inherited: tuple[str, ...]  # record keys taken from the basic item
    implementations: list[Record]  # a basic item's implementation items
    same_code: list[str]  # other files with the same code (a duplicate to fix)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "path": self.path,
            "record": self.record,
            "inherited": list(self.inherited),
            "same_code": self.same_code,
        }
        if isinstance(self.item, BasicItem):
            out["implementations"] = [
                {
                    "code": r.code,
                    "name": r.name,
                    "region": r.region,
                    "level": r.level,
                    "path": r.path,
                }
                for r in self.implementations
            ]
        return out


def inherited_keys(item: Item, basic: BasicItem | None) -> tuple[str, ...]:
    """The elements an implementation item's record takes from its basic item."""
    if isinstance(item, BasicItem) or basic is None:
        return ()
    keys = [k for k in INHERITED if getattr(item, k) is None and getattr(basic, k) is not None]
    if basic.levels is not None:
        keys.append("levels")
    return tuple(keys)


def find(code: str, catalog: Catalog, standard: Standard, index: SearchIndex) -> Shown:
    """The item with this code (the first file in path order when several share it)."""
    found = index.by_code(code)
    if not found:
        raise UnknownCode(code.strip(), index.closest(code))
    first = found[0]
    item = next(e.item for e in catalog.entries if e.path == first.path)
    assert item is not None  # the index holds modelled items only
    basic = None if isinstance(item, BasicItem) else catalog.basic(item.basic_code)
    return Shown(
        first.path,
        item,
        publish(item, basic, standard),
        inherited_keys(item, basic),
        index.implementations(item.basic_code or "") if isinstance(item, BasicItem) else [],
        [r.path for r in found[1:]],
    )


def render_json(shown: Shown, out: TextIO) -> None:
    out.write(json.dumps(shown.to_dict(), ensure_ascii=False, indent=2))
    out.write("\n")


_FIXED = {
    "zh": {True: "是", False: "否", "basic": "基本目录事项", "implementation": "实施清单事项"},
    "en": {
        True: "yes",
        False: "no",
        "basic": "basic item",
        "implementation": "implementation item",
    },
}


def _coded(code: Any, label: Any) -> str:
    return f"{code} {label}" if label else str(code)


def _value(key: str, record: dict[str, Any], lang: str) -> str | None:
    """One element as text; None when the record has no value for it."""
    v = record.get(key)
    if v is None:
        return None
    zh = lang == "zh"
    sep = "、" if zh else ", "
    if isinstance(v, bool):
        return str(_FIXED[lang][v])
    if key == "region":
        return _coded(v, record.get("region_name"))
    if isinstance(v, list) and f"{key}_labels" in record:
        labels = record[f"{key}_labels"] or []
        return sep.join(_coded(c, lab) for c, lab in zip(v, labels, strict=False))
    if f"{key}_label" in record:
        return _coded(v, record[f"{key}_label"])
    if key in ("statutory_limit", "promised_limit"):
        return f"{v['value']} {v['unit'] or ''}".strip()
    if key == "legal_basis":
        return "\n".join(f"{b['law']} {b['provision'] or ''}".strip() for b in v)
    if key == "materials":
        lines = []
        for i, m in enumerate(v, 1):
            copies = (
                (f"{m['copies']} 份" if zh else f"copies: {m['copies']}") if m["copies"] else None
            )
            extra = [x for x in (m["necessity"], m["form"], copies, m["source"], m["note"]) if x]
            lines.append(f"{i}. {m['name']}" + (f"（{sep.join(extra)}）" if extra else ""))
        return "\n".join(lines)
    if key == "process":
        return "\n".join(
            f"{i}. {s['name']}" + (f"：{s['description']}" if s["description"] else "")
            for i, s in enumerate(v, 1)
        )
    if key == "fees":
        return "\n".join(
            f["name"] + "".join(f"；{x}" for x in (f["standard"], f["basis"]) if x) for f in v
        )
    if key == "body":
        parts = [
            v["name"],
            v["credit_code"],
            _coded(v["nature"], v["nature_label"]) if v["nature"] else None,
        ]
        return "\n".join(p for p in parts if p)
    if isinstance(v, dict):
        return sep.join(str(x) for x in v.values() if x is not None) or None
    if isinstance(v, list):
        return "\n".join(str(x) for x in v)
    return str(v)


def _shown_keys(record: dict[str, Any]) -> list[str]:
    """Record keys shown as rows: not the identity (in the title) nor labels (next to codes)."""
    return [
        k
        for k in record
        if k not in ("code", "kind", "region_name") and not k.endswith(("_label", "_labels"))
    ]


def text_console(out: TextIO, width: int | None, color: bool) -> Console:
    """A console for the browse commands' text: no markup, since names, codes, regions and
    paths are text, brackets included."""
    return Console(
        file=out,
        width=width,
        highlight=False,
        markup=False,
        force_terminal=color,
        no_color=not color,
    )


def render_text(
    shown: Shown,
    out: TextIO,
    standard: Standard,
    lang: str = "zh",
    *,
    width: int | None = 100,
    color: bool = False,
) -> None:
    """A panel: the item's elements (label, key, value), inherited ones marked."""
    zh = lang == "zh"
    console = text_console(out, width, color)
    r = shown.record
    table = Table(box=box.SIMPLE, show_header=False, expand=True, pad_edge=False)
    table.add_column(no_wrap=True, style="bold")
    table.add_column(overflow="fold", ratio=1)
    for key in _shown_keys(r):
        value = _value(key, r, lang)
        cell = Text(value) if value is not None else Text("—", style="dim")
        if key in shown.inherited:
            cell.append(
                "（继承自基本目录事项）" if zh else " (inherited from the basic item)", "dim"
            )
        table.add_row(Text.assemble(standard.label(key, lang), (f" {key}", "dim")), cell)
    parts: list[Any] = [table]
    if isinstance(shown.item, BasicItem):
        impls = shown.implementations
        head = f"实施清单事项：{len(impls)} 个" if zh else f"implementation items: {len(impls)}"
        parts.append(Text(head, style="bold"))
        if impls:
            t = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
            for h in (
                ("实施编码", "行政区划", "层级", "文件")
                if zh
                else ("implementation code", "region", "level", "file")
            ):
                t.add_column(h, overflow="fold")
            for rec in impls[:SHOWN_IMPLEMENTATIONS]:
                name = standard.regions.name(rec.region) if rec.region else None
                t.add_row(
                    rec.code or "-",
                    _coded(rec.region, name) if rec.region else "-",
                    str(rec.level) if rec.level is not None else "-",
                    rec.path,
                )
            parts.append(t)
            if len(impls) > SHOWN_IMPLEMENTATIONS:
                more = len(impls) - SHOWN_IMPLEMENTATIONS
                parts.append(
                    Text(
                        f"另有 {more} 个，完整列表见 --format json"
                        if zh
                        else f"{more} more; --format json lists them all",
                        style="dim",
                    )
                )
    kind = _FIXED[lang].get(r["kind"], r["kind"])
    title = Text.assemble((r.get("name") or "—", "bold"), "  ", (r.get("code") or "-", "cyan"))
    console.print(
        Panel(
            Group(*parts),
            title=title,
            title_align="left",
            subtitle=Text(f"{kind} · {shown.path}"),  # (a path is text, not markup)
            subtitle_align="left",
        )
    )
    if shown.same_code:
        console.print(
            Text(
                ("同一编码还出现在：" if zh else "the same code is also in: ")
                + ", ".join(shown.same_code),
                style="yellow",
            )
        )
