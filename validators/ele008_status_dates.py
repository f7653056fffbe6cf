"""ELE008: status and planned dates contradict each other."""

from __future__ import annotations

from collections.abc import Iterator

from catalog_cli.findings import Finding, Severity
from catalog_cli.models import Entry, Item
from catalog_cli.rules import Context, ItemRule

CANCELLED, IN_USE = "取消", "在用"


class RuleELE008(ItemRule):
    """Codes are never reused: a cancelled item keeps its file and its code, with ``status: 取消``
    and the date it was cancelled (计划取消日期), so that later readers know when it stopped.

    - status 取消 without a ``cancel_date``: error;
    - a ``cancel_date`` before the ``effective_date``: error (the item would never have been
      in force);
    - status 在用 with a ``cancel_date`` that has come (today or earlier): warning, the status
      is out of date. A cancel date in the future is a plan and is fine.

    Bad::

        status: 取消
        # no cancel_date

    Good::

        status: 取消
        effective_date: 2023-01-01
        cancel_date: 2024-06-30
    """

    code = "ELE008"
    name = "status-dates"
    summary = "Status and effective/cancel dates contradict each other."
    summary_zh = "事项状态与生效、取消日期相互矛盾。"
    per_file = True

    def check(self, entry: Entry, item: Item, ctx: Context) -> Iterator[Finding]:
        if "/cancel_date" in entry.invalid:
            return  # not a date: SCH003
        if item.status == CANCELLED and item.cancel_date is None:
            yield self.finding(
                ctx,
                entry.doc,
                "/status",
                "事项状态为取消，但没有填写计划取消日期（cancel_date）。",
                "the status is 取消 (cancelled) but there is no cancel_date",
                hint_zh="填写 cancel_date: YYYY-MM-DD（取消的日期）；编码不得重复使用",
                hint_en="add cancel_date: YYYY-MM-DD (when it was cancelled); codes are never reused",
            )
        cancel, effective = item.cancel_date, item.effective_date
        if cancel is None:
            return
        if effective is not None and cancel < effective:
            yield self.finding(
                ctx,
                entry.doc,
                "/cancel_date",
                f"计划取消日期 {cancel} 早于计划生效日期 {effective}。",
                f"the cancel date {cancel} is before the effective date {effective}",
                hint_zh="检查两个日期是否写反或写错",
                hint_en="check whether the dates are swapped or mistyped",
            )
        if item.status == IN_USE and ctx.has_come(cancel):
            yield self.finding(
                ctx,
                entry.doc,
                "/cancel_date",
                f"事项状态为在用，但计划取消日期 {cancel} 已到。",
                f"the status is 在用 (in use) but the cancel date {cancel} has passed",
                hint_zh="事项已取消的改为 status: 取消；否则更正或删除 cancel_date",
                hint_en="write status: 取消 if it was cancelled; else correct or remove cancel_date",
                severity=Severity.WARNING,
            )
