"""Render search hits and catalog figures: rich tables (text), JSON, CSV (UTF-8 with BOM).

Machine formats write only their document to ``out``; text is drawn at a fixed width when
``out`` is not a terminal, so the same catalog always prints the same bytes.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from typing import TextIO

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from catalog_cli.search import Hit
from catalog_cli.showing import text_console
from catalog_cli.standard import Standard
from catalog_cli.stats import Figures, Share, Stats, region_label

BOM = "\ufeff"  # Excel opens a UTF-8 CSV as UTF-8 only with it
TOP_REGIONS = 20  # regions listed in the text summary (all with --by region or json)
LOWEST_ELEMENTS = 10  # least-filled elements listed per profile in text


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v * 100:.1f}%"


def _kind(kind: str, zh: bool) -> str:
    labels = {
        "basic": ("基本", "basic"),
        "implementation": ("实施", "impl."),
        "local": ("地方", "local"),
    }
    return labels.get(kind, (kind, kind))[0 if zh else 1]


# ---- search --------------------------------------------------------------------------------


def search_json(query: str, hits: Sequence[Hit], lang: str, out: TextIO) -> None:
    doc = {"query": query, "count": len(hits), "hits": [h.to_dict(lang) for h in hits]}
    out.write(json.dumps(doc, ensure_ascii=False, indent=2))
    out.write("\n")


def search_text(
    hits: Sequence[Hit],
    standard: Standard,
    out: TextIO,
    lang: str = "zh",
    *,
    width: int | None = 100,
    color: bool = False,
) -> None:
    zh = lang == "zh"
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    heads = (
        ("分数", "类别", "编码", "名称（匹配原因）", "行政区划")
        if zh
        else ("score", "kind", "code", "name (why it matches)", "region")
    )
    for i, head in enumerate(heads):
        table.add_column(
            head, overflow="fold", no_wrap=i in (0, 1, 2), justify="right" if i == 0 else "left"
        )
    for h in hits:
        r = h.record
        region = "-"
        if r.region:
            name = standard.regions.name(r.region)
            region = f"{r.region} {name}" if name else r.region
        table.add_row(
            f"{h.score:.1f}",
            _kind(r.kind, zh),
            r.code or "-",
            Text.assemble((r.name or "—", "bold"), "\n", (h.reason(lang), "dim")),
            region,
        )
    console = text_console(out, width, color)
    console.print(table)
    console.print(f"{len(hits)} 个结果" if zh else f"{len(hits)} hits")


# ---- stats ---------------------------------------------------------------------------------

_GROUP_TITLE = {
    "type": ("按事项类型", "by item type"),
    "level": ("按行使层级", "by level"),
    "department": ("按主管部门", "by department"),
    "region": ("按行政区划", "by region"),
}
_FIGURES = (
    ("at_most_one_visit", "最多跑一次（到现场 ≤ 1 次）", "at most one visit (≤ 1)"),
    ("zero_visits", "零跑动（到现场 0 次）", "zero visits"),
    ("fully_online", "全程网办", "fully online (全程网办)"),
    ("immediate", "即办件", "handled on the spot (即办件)"),
)
_EXCLUDED = {
    "missing": ("缺少法定或承诺时限", "a limit is missing"),
    "not_working_days": ("单位不是工作日（自然日或不一致）", "not both in working days"),
    "not_positive": ("法定时限为 0 或时限为负", "statutory limit 0 or a negative limit"),
}
_PROFILE = {
    "basic": ("基本目录事项", "basic items"),
    "implementation": ("实施清单事项", "implementation items"),
    "local": ("地方事项（无基本编码）", "local items (no basic code)"),
}


def _none(zh: bool) -> str:
    return "（无）" if zh else "(none)"


def stats_json(stats: Stats, out: TextIO) -> None:
    out.write(json.dumps(stats.to_dict(), ensure_ascii=False, indent=2))
    out.write("\n")


def _csv_header(zh: bool) -> list[str]:
    if zh:
        head = ["分组", "名称", "基本目录事项数", "实施清单事项数", "在用实施事项数"]
        shares = ["最多跑一次", "零跑动", "全程网办", "即办件"]
        cols = [f"{n}{s}" for n in shares for s in ("数", "覆盖数", "占比")]
        cut = [
            "时限压缩覆盖数",
            "法定时限合计(工作日)",
            "承诺时限合计(工作日)",
            "时限压缩率",
            "平均压缩率",
        ]
        done = ["要素完整数", "要素完整覆盖数", "要素完整占比"]
    else:
        head = ["group", "label", "basic_items", "implementation_items", "active"]
        shares = ["at_most_one_visit", "zero_visits", "fully_online", "immediate"]
        cols = [f"{n}_{s}" for n in shares for s in ("count", "covered", "share")]
        cut = ["cut_covered", "statutory_days", "promised_days", "time_limit_cut", "mean_cut"]
        done = ["complete_count", "complete_covered", "complete_share"]
    return head + cols + cut + done


def _num(v: float | None) -> str:
    if v is None:
        return ""
    return str(int(v)) if float(v).is_integer() else str(round(v, 4))


def _csv_row(key: str, label: str, basic: int, f: Figures) -> list[str]:
    row = [key, label, str(basic), str(f.items), str(f.active)]
    for s in (f.at_most_one_visit, f.zero_visits, f.fully_online, f.immediate):
        row += [str(s.count), str(s.covered), _num(s.value)]
    lim = f.limits
    row += [str(lim.covered), _num(lim.statutory_days), _num(lim.promised_days)]
    row += [_num(lim.value), _num(lim.mean)]
    c = f.complete
    return [*row, str(c.count), str(c.covered), _num(c.value)]


def stats_csv(stats: Stats, out: TextIO, lang: str = "zh") -> None:
    """One row per group (``--by``), or one row for the whole catalog; shares as ratios 0–1."""
    zh = lang == "zh"
    writer = csv.writer(out, lineterminator="\r\n")
    out.write(BOM)
    writer.writerow(_csv_header(zh))
    if stats.by is None:
        writer.writerow(_csv_row("", "全部" if zh else "all", stats.items["basic"], stats.figures))
        return
    for g in stats.groups:
        writer.writerow(_csv_row(g.key, g.label or _none(zh), g.basic, g.figures))


def _share_cell(s: Share) -> str:
    return f"{_pct(s.value)} ({s.count}/{s.covered})"


def stats_text(
    stats: Stats,
    standard: Standard,
    out: TextIO,
    lang: str = "zh",
    *,
    width: int | None = 100,
    color: bool = False,
) -> None:
    zh = lang == "zh"
    console = text_console(out, width, color)
    if stats.region is not None:
        where = f"{stats.region} {region_label(standard, stats.region)}"
        console.print(
            Text(
                f"行政区划 {where} 内的实施清单事项" if zh else f"implementation items in {where}",
                style="bold",
            )
        )
    if stats.by is not None:
        _by_table(stats, console, zh)
        return
    i = stats.items
    console.print(
        Text(
            f"共 {i['total']} 个事项：基本目录事项 {i['basic']}，实施清单事项 {i['implementation']}，"
            f"地方事项 {i['local']}"
            if zh
            else f"{i['total']} items: {i['basic']} basic, {i['implementation']} implementation, "
            f"{i['local']} local",
            style="bold",
        )
    )
    _figures(stats.figures, console, zh)
    _completeness(stats, console, zh)
    for g in ("type", "level", "department", "region"):
        _counts(stats, g, console, zh)


def _figures(f: Figures, console: Console, zh: bool) -> None:
    t = Table(
        title="改革指标" if zh else "Reform figures",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
    )
    for h in (
        ("指标", "占比", "事项数", "覆盖事项") if zh else ("figure", "share", "items", "covered")
    ):
        t.add_column(h, justify="left" if h in ("指标", "figure") else "right")
    for attr, name_zh, name_en in _FIGURES:
        s: Share = getattr(f, attr)
        t.add_row(name_zh if zh else name_en, _pct(s.value), str(s.count), str(s.covered))
    lim = f.limits
    t.add_row(
        "承诺时限比法定时限压缩" if zh else "time-limit cut (promised vs statutory)",
        _pct(lim.value),
        "",
        str(lim.covered),
    )
    t.add_row("  （逐项平均）" if zh else "  (mean per item)", _pct(lim.mean), "", str(lim.covered))
    console.print()
    console.print(t)
    note = (
        f"在用实施清单事项 {f.active} 个（共 {f.items} 个，已取消的不计）；每项指标只计填写了相应要素的事项。"
        if zh
        else f"{f.active} active implementation items (of {f.items}; cancelled ones left out); "
        "each figure covers the items that state its element."
    )
    if lim.covered:
        days = (_num(lim.promised_days), _num(lim.statutory_days))
        note += (
            f"\n时限压缩：承诺时限合计 {days[0]} 个工作日，法定时限合计 {days[1]} 个工作日。"
            if zh
            else f"\ntime-limit cut: promised {days[0]} working days in all, statutory {days[1]}."
        )
    excluded = [f"{_EXCLUDED[k][0 if zh else 1]} {n}" for k, n in sorted(lim.excluded.items()) if n]
    if excluded:
        note += (
            "\n时限压缩未计入：" + "；".join(excluded)
            if zh
            else "\ntime-limit cut leaves out: " + "; ".join(excluded)
        )
    console.print(Text(note, style="dim"))


def _completeness(stats: Stats, console: Console, zh: bool) -> None:
    t = Table(
        title="要素完整性" if zh else "Element completeness",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
    )
    heads = (
        ("类别", "要素齐全", "填写最少的必填要素")
        if zh
        else (
            "kind",
            "complete",
            "least-filled required elements",
        )
    )
    for h in heads:
        t.add_column(h, overflow="fold")
    for p in stats.completeness:
        lowest = sorted(
            (e for e in p.elements if e.filled.count < e.filled.covered),
            key=lambda e: (e.filled.value or 0.0, e.key),
        )[:LOWEST_ELEMENTS]
        words = [f"{e.label if zh else e.label_en} {_pct(e.filled.value)}" for e in lowest]
        t.add_row(
            _PROFILE[p.profile][0 if zh else 1],
            _share_cell(p.complete),
            ("、" if zh else ", ").join(words) or ("—"),
        )
    console.print()
    console.print(t)


def _counts(stats: Stats, by: str, console: Console, zh: bool) -> None:
    rows = stats.counts[by]
    if not rows:
        return
    shown = rows
    if by == "region" and len(rows) > TOP_REGIONS:
        shown = sorted(rows, key=lambda r: (-r.total, r.key))[:TOP_REGIONS]
    t = Table(
        title=_GROUP_TITLE[by][0 if zh else 1],
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
    )
    heads = (
        ("代码", "名称", "基本", "实施", "地方", "合计")
        if zh
        else (
            "code",
            "label",
            "basic",
            "impl.",
            "local",
            "total",
        )
    )
    for i, h in enumerate(heads):
        t.add_column(h, justify="right" if i >= 2 else "left", overflow="fold")
    for r in shown:
        t.add_row(
            r.key or _none(zh),
            r.label,
            str(r.basic),
            str(r.implementation),
            str(r.local),
            str(r.total),
        )
    console.print()
    console.print(t)
    if len(shown) < len(rows):
        console.print(
            Text(
                f"（事项最多的 {len(shown)} 个，共 {len(rows)} 个；全部见 --by region 或 --format json）"
                if zh
                else f"(the {len(shown)} largest of {len(rows)}; --by region or --format json "
                "lists all)",
                style="dim",
            )
        )


def _by_table(stats: Stats, console: Console, zh: bool) -> None:
    assert stats.by is not None
    t = Table(
        title=_GROUP_TITLE[stats.by][0 if zh else 1],
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
    )
    heads = (
        ("代码", "名称", "基本", "实施", "最多跑一次", "零跑动", "全程网办", "即办件", "时限压缩", "要素齐全")
        if zh
        else ("code", "label", "basic", "impl.", "≤1 visit", "0 visits", "online", "on spot", "cut",
              "complete")
    )  # fmt: skip
    for i, h in enumerate(heads):
        t.add_column(h, justify="right" if i >= 2 else "left", overflow="fold")
    for g in stats.groups:
        f = g.figures
        t.add_row(
            g.key or _none(zh),
            g.label,
            str(g.basic) if stats.by != "region" else "-",
            str(f.items),
            _pct(f.at_most_one_visit.value),
            _pct(f.zero_visits.value),
            _pct(f.fully_online.value),
            _pct(f.immediate.value),
            _pct(f.limits.value),
            _pct(f.complete.value),
        )
    console.print(t)
    console.print(
        Text(
            "占比只计在用且填写了相应要素的实施清单事项；各项覆盖数见 --format json 或 csv。"
            if zh
            else "Shares cover active implementation items that state the element; "
            "--format json or csv gives the counts each share covers.",
            style="dim",
        )
    )
