"""``--format text``: findings grouped by file, each with its source line and a caret."""

from __future__ import annotations

from itertools import groupby
from typing import TextIO

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from catalog_cli.findings import Finding
from catalog_cli.reporters.base import Report

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
_WORD = {
    "zh": {"error": "错误", "warning": "警告", "info": "提示"},
    "en": {"error": "error", "warning": "warning", "info": "info"},
}


class TextReporter:
    name = "text"
    machine = False
    description = "for people: grouped by file, with the source line"

    def render(self, report: Report, out: TextIO) -> None:
        console = Console(file=out, highlight=False, soft_wrap=True)
        words = _WORD.get(report.lang, _WORD["en"])
        for path, group in groupby(report.findings, key=lambda f: f.path):
            console.print(Text(path, style="bold underline"))
            doc = report.documents.get(path)
            for f in group:
                self._finding(console, f, words, doc.source_line(f.line) if doc else "", report)
            console.print()
        s = report.summary()
        if not report.findings:
            console.print(
                report.tr(
                    f"[green]✓[/] 检查了 {s['files']} 个文件，没有发现问题。",
                    f"[green]✓[/] {s['files']} files checked, no problems found.",
                )
            )
            return
        console.print(
            report.tr(
                f"检查了 {s['files']} 个文件：{s['errors']} 个错误，{s['warnings']} 个警告，"
                f"{s['infos']} 个提示。",
                f"{s['files']} files checked: {s['errors']} errors, {s['warnings']} warnings, "
                f"{s['infos']} infos.",
            )
        )

    @staticmethod
    def _finding(
        console: Console, f: Finding, words: dict[str, str], source: str, report: Report
    ) -> None:
        where = f"{f.path}:{f.line}:{f.column}" if f.line else f.path
        if f.line and not f.column:
            where = f"{f.path}:{f.line}"
        head = Text()
        head.append(f"  {where}: ")
        head.append(f"{words[f.severity.value]} ", style=_STYLE[f.severity.value])
        head.append(f"{f.code} ", style="bold")
        head.append(f.message)
        head.append(f" [{f.rule}]", style="dim")
        console.print(head)
        if source:
            console.print(Text(f"    {f.line:>4} | {source}", style="dim"))
            if f.column:
                console.print(Text(" " * (11 + _width(source[: f.column - 1])) + "^", style="red"))
        if f.hint:
            console.print(f"    [green]{escape(report.tr('建议', 'hint'))}:[/] {escape(f.hint)}")
        for r in f.related:
            at = f"{r.path}:{r.line}" if r.line else r.path
            console.print(f"    [dim]{escape(report.tr('另见', 'see also'))}: {escape(at)}[/]")


def _width(text: str) -> int:
    """Display width: CJK and full-width characters take two columns."""
    from rich.cells import cell_len

    return cell_len(text)
