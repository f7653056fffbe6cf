"""``--format markdown``: a pull-request comment body, one table per file, kept under GitHub's limit.

GitHub refuses comments over 65,536 characters. The body is cut at :data:`LIMIT` UTF-8 bytes
(which is also under 65,536 characters whatever the script), between table rows, and ends with
how many findings were left out.
"""

from __future__ import annotations

from itertools import groupby
from typing import TextIO

from catalog_cli.findings import Finding
from catalog_cli.reporters.base import Report

LIMIT = 60_000  # bytes; leaves room for a bot's own header around the body
MAX_CELL = 1_000  # characters; one absurd message must not crowd out the others
_RESERVE = 600  # bytes kept free for the closing note

ICON = {"error": "❌", "warning": "⚠️", "info": "ℹ️"}
WORDS = {
    "zh": {"error": "错误", "warning": "警告", "info": "提示"},
    "en": {"error": "error", "warning": "warning", "info": "info"},
}
_MD_SPECIAL = "\\`*_[]~#"


def severity_word(report: Report, severity: str) -> str:
    return WORDS.get(report.lang, WORDS["en"])[severity]


def md_text(text: str, limit: int = MAX_CELL) -> str:
    """Plain text made safe inside a Markdown table cell: no markup, no HTML, one line."""
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    out = []
    for ch in text:
        if ch in _MD_SPECIAL:
            out.append("\\" + ch)
        elif ch == "|":
            out.append("\\|")
        elif ch == "&":
            out.append("&amp;")
        elif ch == "<":
            out.append("&lt;")
        elif ch == ">":
            out.append("&gt;")
        elif ch == "\n":
            out.append("<br>")
        elif ch == "\r" or (ord(ch) < 32 and ch != "\t"):
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def where(f: Finding) -> str:
    if f.line is None:
        return ""
    return f"{f.line}:{f.column}" if f.column else str(f.line)


def counts_line(report: Report) -> str:
    s = report.summary()
    return report.tr(
        f"{s['errors']} 个错误，{s['warnings']} 个警告，{s['infos']} 个提示（检查了 {s['files']} 个文件）",
        f"{s['errors']} errors, {s['warnings']} warnings, {s['infos']} infos "
        f"({s['files']} files checked)",
    )


def message_cell(report: Report, f: Finding) -> str:
    cell = md_text(f.message)
    if f.hint:
        cell += "<br>" + md_text(report.tr("建议：", "hint: ") + f.hint)
    return cell


class MarkdownReporter:
    name = "markdown"
    machine = True
    description = "a pull-request comment body in Markdown, under 64 KB"

    def __init__(self, limit: int = LIMIT) -> None:
        self.limit = limit

    def render(self, report: Report, out: TextIO) -> None:
        out.write(self.body(report))

    def body(self, report: Report) -> str:
        title = f"## {md_text(report.tool)} {md_text(report.command)}"
        scope = md_text(report.scope()) + "\n\n" if report.scope() else ""
        if not report.findings:
            return f"{title} ✅\n\n{scope}" + report.tr(
                f"检查了 {report.files} 个文件，没有发现问题。\n",
                f"{report.files} files checked, no problems found.\n",
            )
        parts = [f"{title}\n\n{scope}{counts_line(report)}\n"]
        used = _size(parts[0])
        budget = self.limit - _RESERVE
        header = "| {} | {} | {} | {} |\n| --- | --- | --- | --- |\n".format(
            *(
                report.tr(zh, en)
                for zh, en in (
                    ("级别", "severity"),
                    ("位置", "line"),
                    ("规则", "rule"),
                    ("说明", "message"),
                )
            )
        )
        shown = 0
        full = False
        for path, group in groupby(report.findings, key=lambda f: f.path):
            section = f"\n### {md_text(path)}\n\n{header}"
            for f in group:
                row = (
                    f"| {ICON[f.severity.value]} {severity_word(report, f.severity.value)} "
                    f"| {where(f)} | {f.code} {md_text(f.rule)} | {message_cell(report, f)} |\n"
                )
                cost = _size(row) + (_size(section) if section else 0)
                if used + cost > budget:
                    full = True
                    break
                if section:
                    parts.append(section)
                    section = ""
                parts.append(row)
                used += cost
                shown += 1
            if full:
                break
        left = len(report.findings) - shown
        if left:
            parts.append(
                "\n> "
                + report.tr(
                    f"另有 {left} 个问题未列出（共 {len(report.findings)} 个）：评论长度有限。"
                    f"完整结果见 CI 日志，或在本地运行 `catalog {report.command}`。",
                    f"{left} more findings are not listed (of {len(report.findings)}): "
                    "a comment's length is limited. See the CI log for all of them, or run "
                    f"`catalog {report.command}` locally.",
                )
                + "\n"
            )
        return "".join(parts)


def _size(text: str) -> int:
    return len(text.encode("utf-8"))
