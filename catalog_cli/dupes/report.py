"""Render a :class:`DupesResult` as a rich table (``text``) or as one JSON document (``json``).

JSON (stdout holds only this document)::

    {"pairs": [{"class", "score", "reason", "a": {path, kind, code, name, level, region}, "b"}],
     "summary": {...},
     "findings": [...],          # decisions-file problems, stale decisions, unusable names
     "variants": [{"stem", "members": [side, ...]}]}   # only with --variants

Findings use the same keys as ``catalog validate --format json``. Pairs come ordered by class
(same-code-conflict first), then score (highest first), then paths.
"""

from __future__ import annotations

import json
from typing import TextIO

from rapidfuzz.distance import Indel
from rich.console import Console
from rich.table import Table
from rich.text import Text

from catalog_cli.dupes.find import DupesResult, Side

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def render_json(result: DupesResult, out: TextIO) -> None:
    doc: dict[str, object] = {
        "pairs": [p.to_dict() for p in result.pairs],
        "summary": result.summary(),
        "findings": [f.to_dict() for f in result.findings],
    }
    if result.options.variants:
        doc["variants"] = [v.to_dict() for v in result.variants]
    out.write(json.dumps(doc, ensure_ascii=False, indent=2))
    out.write("\n")


def highlight(a: str, b: str) -> tuple[Text, Text]:
    """Both names with the characters that differ underlined and coloured."""
    ta, tb = Text(a), Text(b)
    for op in Indel.opcodes(a, b):
        if op.tag == "equal":
            continue
        if op.src_end > op.src_start:
            ta.stylize("bold magenta underline", op.src_start, op.src_end)
        if op.dest_end > op.dest_start:
            tb.stylize("bold magenta underline", op.dest_start, op.dest_end)
    return ta, tb


def _where(s: Side) -> str:
    return f"{s.level if s.level is not None else '-'} / {s.region or '-'}"


def render_text(result: DupesResult, out: TextIO, lang: str = "zh", color: bool = False) -> None:
    zh = lang == "zh"
    console = Console(
        file=out,
        highlight=False,
        markup=False,  # names, codes and paths are text: brackets in them are not markup
        soft_wrap=False,
        width=200,
        force_terminal=color,
        no_color=not color,
    )
    if result.pairs:
        headers = (
            ("类别", "分数", "名称 A", "名称 B", "编码", "层级/地区", "原因")
            if zh
            else ("class", "score", "name A", "name B", "codes", "level/region", "reason")
        )
        table = Table(show_lines=True)
        for i, h in enumerate(headers):
            table.add_column(h, overflow="fold", no_wrap=i < 2)
        for p in result.pairs:
            na, nb = highlight(p.a.name, p.b.name)
            table.add_row(
                Text(p.cls, style=_STYLE[p.severity.value]),
                f"{p.score:.1f}",
                na,
                nb,
                f"{p.a.code or '-'}\n{p.b.code or '-'}",
                f"{_where(p.a)}\n{_where(p.b)}",
                f"{p.reason}\n{p.a.path}\n{p.b.path}",
            )
        console.print(table)
    for f in result.findings:
        where = f"{f.path}:{f.line}" if f.line else f.path
        console.print(
            Text.assemble((f"{where}: ", ""), (f"{f.code} ", _STYLE[f.severity.value]), f.message)
        )
    if result.options.variants and result.variants:
        console.print(Text("业务办理项（变体）分组：" if zh else "Variant groups:", style="bold"))
        for v in result.variants:
            names = "；".join(sorted({m.name for m in v.members}))
            console.print(f"  {v.stem} ({len(v.members)}): {names}")
    s = result.summary()
    if zh:
        line = (
            f"{s['items']} 个事项，{s['pairs']} 对候选重复（错误 {s['errors']}，警告 {s['warnings']}，"
            f"提示 {s['infos']}），已复核 {s['decided']} 对，其他问题 {s['findings']} 个。"
        )
    else:
        line = (
            f"{s['items']} items, {s['pairs']} candidate pairs ({s['errors']} errors, "
            f"{s['warnings']} warnings, {s['infos']} infos), {s['decided']} decided, "
            f"{s['findings']} other findings."
        )
    console.print(line)
