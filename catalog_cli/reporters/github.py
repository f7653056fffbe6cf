"""``--format github``: GitHub Actions workflow-command annotations plus a job-summary table.

GitHub shows at most 10 annotations of each kind (error, warning, notice) per step and 50 per
job, and silently drops the rest. So at most :data:`PER_KIND` of each kind are emitted; when
any finding is left out, one notice slot says how many, and the left-out findings are printed as
plain log lines in a collapsed group. ``info`` findings become notices.

When ``$GITHUB_STEP_SUMMARY`` names a file, a Markdown summary (counts and the first
:data:`SUMMARY_ROWS` findings) is appended to it; what is already there is kept.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from catalog_cli.findings import Finding
from catalog_cli.reporters.base import Report
from catalog_cli.reporters.markdown import (
    ICON,
    counts_line,
    md_text,
    message_cell,
    severity_word,
    where,
)

PER_KIND = 10
SUMMARY_ROWS = 50
KIND = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    """A command's message: ``%``, CR and LF are percent-encoded (``%`` first)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value: as data, plus ``:`` and ``,`` which end the value."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(f: Finding, report: Report) -> str:
    props = [f"file={escape_property(f.path)}"]
    if f.line is not None:
        props.append(f"line={f.line}")
        if f.column:
            props.append(f"col={f.column}")
        props.append(f"endLine={f.line}")
    props.append(f"title={escape_property(f'{f.code} {f.rule}')}")
    message = f.message
    if f.hint:
        message += "\n" + report.tr("建议：", "hint: ") + f.hint
    for r in f.related:
        at = f"{r.path}:{r.line}" if r.line else r.path
        message += "\n" + report.tr("另见：", "see also: ") + at
    return f"::{KIND[f.severity.value]} {','.join(props)}::{escape_data(message)}"


def plain_line(f: Finding, report: Report) -> str:
    """A log line that cannot be mistaken for a workflow command (indented, one line)."""
    at = f"{f.path}:{where(f)}" if f.line is not None else f.path
    text = f"  {at}: {severity_word(report, f.severity.value)} {f.code} {f.message} [{f.rule}]"
    return text.replace("\r", " ").replace("\n", " ")


def pick(findings: list[Finding], notices: int) -> tuple[list[Finding], list[Finding]]:
    """The findings to annotate (report order, at most PER_KIND per kind) and the rest."""
    limit = {"error": PER_KIND, "warning": PER_KIND, "notice": notices}
    used = dict.fromkeys(limit, 0)
    shown: list[Finding] = []
    left: list[Finding] = []
    for f in findings:
        kind = KIND[f.severity.value]
        if used[kind] < limit[kind]:
            used[kind] += 1
            shown.append(f)
        else:
            left.append(f)
    return shown, left


class GithubReporter:
    name = "github"
    machine = False  # the runner reads commands out of a normal log: other lines do no harm
    description = "GitHub Actions annotations and job summary"

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        self._env = env

    def render(self, report: Report, out: TextIO) -> None:
        shown, left = pick(report.findings, PER_KIND)
        if left:  # keep one notice slot for saying what was left out
            shown, left = pick(report.findings, PER_KIND - 1)
        for f in shown:
            out.write(annotation(f, report) + "\n")
        if left:
            out.write(
                "::group::"
                + escape_data(
                    report.tr(f"未标注的 {len(left)} 个问题", f"{len(left)} findings not annotated")
                )
                + "\n"
            )
            for f in left:
                out.write(plain_line(f, report) + "\n")
            out.write("::endgroup::\n")
            out.write(
                f"::notice title={escape_property(report.tool)}::"
                + escape_data(self._left_out(report, left))
                + "\n"
            )
        s = report.summary()
        out.write(
            report.tr(
                f"catalog：检查了 {s['files']} 个文件：{s['errors']} 个错误，{s['warnings']} 个警告，"
                f"{s['infos']} 个提示。\n",
                f"catalog: {s['files']} files checked: {s['errors']} errors, "
                f"{s['warnings']} warnings, {s['infos']} infos.\n",
            )
        )
        if report.scope():
            out.write(report.tr("catalog：", "catalog: ") + report.scope() + "\n")
        env = os.environ if self._env is None else self._env
        target = env.get("GITHUB_STEP_SUMMARY", "")
        if target:
            try:
                # Append, never truncate: earlier steps of the job wrote there too.
                with Path(target).open("a", encoding="utf-8") as fh:
                    fh.write(summary_markdown(report))
            except OSError as exc:
                out.write(
                    "::warning::"
                    + escape_data(f"catalog: cannot write the job summary {target}: {exc}")
                    + "\n"
                )

    @staticmethod
    def _left_out(report: Report, left: list[Finding]) -> str:
        n = {k: sum(1 for f in left if f.severity.value == k) for k in ("error", "warning", "info")}
        return report.tr(
            f"另有 {len(left)} 个问题未标注（{n['error']} 个错误，{n['warning']} 个警告，"
            f"{n['info']} 个提示）：GitHub 每步每类最多显示 {PER_KIND} 条。"
            "它们列在上方日志的分组中。",
            f"{len(left)} more findings are not annotated ({n['error']} errors, "
            f"{n['warning']} warnings, {n['info']} infos): GitHub shows at most {PER_KIND} "
            "per kind per step. They are listed in the log group above.",
        )


def summary_markdown(report: Report) -> str:
    """The job-summary section: a title, the counts, a table of the first findings."""
    title = f"\n### {md_text(report.tool)} {md_text(report.command)}\n\n"
    if report.scope():
        title += md_text(report.scope()) + "\n\n"
    if not report.findings:
        return title + report.tr(
            f"✅ 检查了 {report.files} 个文件，没有发现问题。\n",
            f"✅ {report.files} files checked, no problems found.\n",
        )
    head = "| {} | {} | {} | {} | {} |\n| --- | --- | --- | --- | --- |\n".format(
        *(
            report.tr(zh, en)
            for zh, en in (
                ("级别", "severity"),
                ("文件", "file"),
                ("位置", "line"),
                ("规则", "rule"),
                ("说明", "message"),
            )
        )
    )
    rows = [
        f"| {ICON[f.severity.value]} {severity_word(report, f.severity.value)} "
        f"| {md_text(f.path)} | {where(f)} | {f.code} {md_text(f.rule)} "
        f"| {message_cell(report, f)} |\n"
        for f in report.findings[:SUMMARY_ROWS]
    ]
    text = f"{title}{counts_line(report)}\n\n{head}{''.join(rows)}"
    left = len(report.findings) - SUMMARY_ROWS
    if left > 0:
        text += "\n" + report.tr(
            f"……另有 {left} 个问题未列出。\n", f"…and {left} more findings not listed.\n"
        )
    return text
