"""``catalog diff``: compare two revisions of the catalog and render the result.

:func:`diff_revisions` does the run (git → the differing files only → :func:`diff.compare`);
the renderers turn a :class:`DiffReport` into text for people, Markdown for release notes
(``catalog release`` appends it to CHANGELOG.md) or JSON for machines. Element names come from
the standard's element table, in the report's language; values are shown as written.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from catalog_cli.diff import CatalogDiff, ItemDiff, compare, unnamed_basic_codes
from catalog_cli.engine import open_session
from catalog_cli.models import BasicItem
from catalog_cli.revisions import Delta, History, Revision
from catalog_cli.standard import Standard

FORMAT_VERSION = 1


@dataclass
class DiffReport:
    """A diff with what its renderers need: the two revisions, the standard and the language."""

    diff: CatalogDiff
    old: Revision
    new: Revision
    standard: Standard
    lang: str = "zh"

    def tr(self, zh: str, en: str) -> str:
        return zh if self.lang == "zh" else en

    def label(self, key: str) -> str:
        """An element's name in the report's language (the key itself when it is not known)."""
        return self.standard.label(key, self.lang)


def diff_revisions(start: Path, old: str, new: str | None, lang: str = "zh") -> DiffReport:
    """Compare revision ``old`` with ``new`` (None: the working tree) of the catalog at ``start``.

    Only the item files git reports as different are read and parsed. RevisionError (exit 2)
    when git is missing, there is no repository or a revision is unknown.
    """
    session = open_session(start)
    history = History.open(session.root, session.config)
    before = history.resolve(old)
    after = history.worktree() if new is None else history.resolve(new)
    return DiffReport(
        compare_delta(history, history.delta(before, after)), before, after, session.standard, lang
    )


def compare_delta(history: History, delta: Delta) -> CatalogDiff:
    """:func:`diff.compare` of a delta, with the names implementation items inherit.

    A basic item lives at ``items/basic/<basic_code>.yaml`` (COD007), so the few basic items
    named by changed implementation items are read by path, not searched for.
    """
    names: dict[str, str] = {}
    for rev, entries in ((delta.old, delta.old_entries), (delta.new, delta.new_entries)):
        codes = unnamed_basic_codes(entries)
        paths = [f"items/basic/{code}{ext}" for code in sorted(codes) for ext in (".yaml", ".yml")]
        for entry in history.load(rev, paths) if codes else []:
            if isinstance(entry.item, BasicItem) and entry.item.basic_code and entry.item.name:
                names[entry.item.basic_code] = entry.item.name
    return compare(delta.old_entries, delta.new_entries, names)


# -- shared pieces ---------------------------------------------------------------------------


def _counts(report: DiffReport) -> str:
    d = report.diff
    if d.empty:
        return report.tr("没有变化。", "no changes.")
    return report.tr(
        f"新增 {len(d.added)} 项，撤销 {len(d.withdrawn)} 项，变更 {len(d.changed)} 项。",
        f"{len(d.added)} added, {len(d.withdrawn)} withdrawn, {len(d.changed)} changed.",
    )


def _kind(report: DiffReport, kind: str) -> str:
    if kind == "basic":
        return report.tr("基本目录事项", "basic item")
    return report.tr("实施清单事项", "implementation item")


def _reason(report: DiffReport, item: ItemDiff) -> str:
    if item.reason == "cancelled":
        return report.tr("状态改为取消", "status set to 取消 (cancelled)")
    return report.tr("已删除", "removed")


def _caption(report: DiffReport, item: ItemDiff) -> str:
    """Name · implementing body, whichever are known."""
    parts = [p for p in (item.name, item.body) if p]
    return " · ".join(parts) if parts else report.tr("（无名称）", "(no name)")


def _element(report: DiffReport, key: str, code: Callable[[str], str] = str) -> str:
    """An element's name with its key, ``承诺办结时限 (promised_limit.value)``; the key alone
    when the name is the key (English names often are)."""
    label = report.label(key)
    return code(key) if label == key else f"{label} ({code(key)})"


def _value(report: DiffReport, value: Any) -> str:
    if value is None:
        return report.tr("（无）", "(none)")
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)  # numbers, true/false, lists and mappings


def _notes(report: DiffReport) -> list[str]:
    d = report.diff
    notes: list[str] = []
    for side, path in d.unreadable:
        where = report.old if side == "old" else report.new
        notes.append(
            report.tr(
                f"{path} 在 {where.label('zh')} 无法读取为事项（运行 catalog validate 查看原因），未参与比较",
                f"{path} cannot be read as an item at {where.label('en')} (catalog validate "
                "says why); it was not compared",
            )
        )
    if d.duplicates:
        codes = ", ".join(d.duplicates)
        notes.append(
            report.tr(
                f"编码 {codes} 出现在多个文件中，按路径取第一个文件比较（catalog check 报告重复编码）",
                f"codes {codes} are in several files; the first by path was compared "
                "(catalog check reports duplicate codes)",
            )
        )
    return notes


# -- text -----------------------------------------------------------------------------------


def render_text(report: DiffReport) -> str:
    """For people: counts, then each item with its field changes (old → new)."""
    lines = [
        report.tr("比较", "compare")
        + f" {report.old.label(report.lang)} → {report.new.label(report.lang)}"
        + report.tr("：", ": ")
        + _counts(report)
    ]
    sections: list[tuple[str, str, list[ItemDiff]]] = [
        (report.tr("新增", "Added"), "+", report.diff.added),
        (report.tr("撤销", "Withdrawn"), "-", report.diff.withdrawn),
        (report.tr("变更", "Changed"), "~", report.diff.changed),
    ]
    for title, mark, items in sections:
        if not items:
            continue
        lines += ["", f"{title} ({len(items)})"]
        for item in items:
            head = f"  {mark} {item.code}  {_caption(report, item)}  [{_kind(report, item.kind)}]"
            if item.reason:
                head += f"  {_reason(report, item)}"
            lines.append(head)
            where = item.path
            if item.old_path:
                where += report.tr(f"（原 {item.old_path}）", f" (was {item.old_path})")
            lines.append(f"      {where}")
            for change in item.fields:
                lines.append(
                    f"      {_element(report, change.field)}: "
                    f"{_value(report, change.old)} → {_value(report, change.new)}"
                )
    notes = _notes(report)
    if notes:
        lines.append("")
        lines += [report.tr("注意：", "note: ") + n for n in notes]
    return "\n".join(lines) + "\n"


# -- markdown -------------------------------------------------------------------------------


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


def _code(text: str) -> str:
    return f"`{text}`" if "`" not in text else _cell(text)


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return [
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *("| " + " | ".join(row) + " |" for row in rows),
    ]


def render_markdown(report: DiffReport, title: str | None = None, level: int = 2) -> str:
    """Release notes: a heading, counts, a table of added and withdrawn items, and one table of
    field changes per changed item. ``title`` defaults to the two revisions compared."""
    h = "#" * level
    if title is None:
        title = report.tr("变更", "Changes") + (
            f"：{report.old.label('zh')} → {report.new.label('zh')}"
            if report.lang == "zh"
            else f": {report.old.label('en')} → {report.new.label('en')}"
        )
    lines = [f"{h} {title}", "", _counts(report)]
    d = report.diff
    code_h, name_h, kind_h = (
        report.tr("编码", "Code"),
        report.tr("名称", "Name"),
        report.tr("种类", "Kind"),
    )
    if d.added:
        lines += [
            "",
            f"{h}# " + report.tr(f"新增（{len(d.added)}）", f"Added ({len(d.added)})"),
            "",
        ]
        lines += _table(
            [code_h, name_h, kind_h],
            [[_code(i.code), _cell(_caption(report, i)), _kind(report, i.kind)] for i in d.added],
        )
    if d.withdrawn:
        n = len(d.withdrawn)
        lines += ["", f"{h}# " + report.tr(f"撤销（{n}）", f"Withdrawn ({n})"), ""]
        lines += _table(
            [
                code_h,
                name_h,
                kind_h,
                report.tr("原因", "Reason"),
                report.tr("取消日期", "Cancelled on"),
            ],
            [
                [
                    _code(i.code),
                    _cell(_caption(report, i)),
                    _kind(report, i.kind),
                    _reason(report, i),
                    _cell(next((str(c.new) for c in i.fields if c.field == "cancel_date"), "")),
                ]
                for i in d.withdrawn
            ],
        )
    if d.changed:
        n = len(d.changed)
        lines += ["", f"{h}# " + report.tr(f"变更（{n}）", f"Changed ({n})")]
        for item in d.changed:
            lines += ["", f"{h}## {_code(item.code)} {_cell(_caption(report, item))}", ""]
            if item.old_path:
                lines += [
                    report.tr(
                        f"文件由 {_code(item.old_path)} 移到 {_code(item.path)}。",
                        f"File moved from {_code(item.old_path)} to {_code(item.path)}.",
                    ),
                    "",
                ]
            lines += _table(
                [report.tr("要素", "Element"), report.tr("原值", "Old"), report.tr("新值", "New")],
                [
                    [
                        _element(report, c.field, lambda k: _cell(_code(k))),
                        _cell(_value(report, c.old)),
                        _cell(_value(report, c.new)),
                    ]
                    for c in item.fields
                ],
            )
    notes = _notes(report)
    if notes:
        lines.append("")
        lines += [f"> {_cell(report.tr('注意：', 'Note: ') + n)}" for n in notes]
    return "\n".join(lines) + "\n"


# -- json -----------------------------------------------------------------------------------


def _side(rev: Revision) -> dict[str, Any]:
    return {"revision": rev.spec or rev.kind, "commit": rev.commit}


def _item_json(report: DiffReport, item: ItemDiff, *, fields: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "code": item.code,
        "kind": item.kind,
        "name": item.name,
        "body": item.body,
        "path": item.path,
    }
    if item.old_path is not None:
        out["old_path"] = item.old_path
    if item.reason:
        out["reason"] = item.reason
    if fields:
        out["changes"] = [
            {"field": c.field, "label": report.label(c.field), "old": c.old, "new": c.new}
            for c in item.fields
        ]
    return out


def render_json(report: DiffReport) -> str:
    """The machine format: stable keys and order; ``old``/``new`` are values as written."""
    d = report.diff
    doc = {
        "format_version": FORMAT_VERSION,
        "from": _side(report.old),
        "to": _side(report.new),
        "summary": {
            "added": len(d.added),
            "withdrawn": len(d.withdrawn),
            "changed": len(d.changed),
        },
        "added": [_item_json(report, i, fields=False) for i in d.added],
        "withdrawn": [_item_json(report, i, fields=i.reason == "cancelled") for i in d.withdrawn],
        "changed": [_item_json(report, i, fields=True) for i in d.changed],
        "unreadable": [{"side": side, "path": path} for side, path in d.unreadable],
        "duplicate_codes": d.duplicates,
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


RENDERERS: dict[str, Callable[[DiffReport], str]] = {
    "text": render_text,
    "markdown": render_markdown,
    "json": render_json,
}
