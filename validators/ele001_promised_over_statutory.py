"""ELE001: the promised time limit is longer than the statutory one."""

from __future__ import annotations

from collections.abc import Iterator

from catalog_cli.findings import Finding, Severity
from catalog_cli.models import Entry, ImplementationItem, Item
from catalog_cli.rules import Context, ItemRule

WORKING, CALENDAR = "工作日", "自然日"


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


class RuleELE001(ItemRule):
    """A body may promise to finish faster than the law allows (承诺办结时限), never slower:
    the promised limit must not exceed the statutory limit (法定办结时限).

    Limits in the same unit are compared by value. 工作日 (working days) and 自然日 (calendar
    days) cannot be converted exactly (holidays and make-up working days differ by year), so a
    mixed pair is decided only when the answer does not depend on the calendar: N working days
    always last at least N calendar days, so a promise of N 自然日 within a statutory limit of
    M ≥ N 工作日 is fine, and a promise of N 工作日 beyond a statutory limit of M < N 自然日 is too
    long. Any other mixed pair is reported as information: check it by hand.

    A limit without a unit is not compared here: ``statutory_limit.unit`` and
    ``promised_limit.unit`` are required by the element table, so SCH001 reports a missing
    unit, and SCH005 a unit outside the code list.

    Bad::

        statutory_limit: {value: 20, unit: 工作日}
        promised_limit: {value: 30, unit: 工作日}

    Good::

        statutory_limit: {value: 20, unit: 工作日}
        promised_limit: {value: 10, unit: 工作日}
    """

    code = "ELE001"
    name = "promised-over-statutory"
    summary = "The promised time limit exceeds the statutory time limit."
    summary_zh = "承诺办结时限超过法定办结时限。"
    per_file = True

    def check(self, entry: Entry, item: Item, ctx: Context) -> Iterator[Finding]:
        if not isinstance(item, ImplementationItem):
            return
        stat, prom = item.statutory_limit, item.promised_limit
        if stat is None or prom is None or stat.unit is None or prom.unit is None:
            return
        shown_p, shown_s = f"{_num(prom.value)} {prom.unit}", f"{_num(stat.value)} {stat.unit}"
        over = prom.value > stat.value
        if prom.unit == stat.unit:
            if over:
                yield self._over(ctx, entry, shown_p, shown_s)
            return
        if (prom.unit, stat.unit) == (WORKING, CALENDAR) and over:
            yield self._over(ctx, entry, shown_p, shown_s)  # N 工作日 last at least N 自然日
            return
        if (prom.unit, stat.unit) == (CALENDAR, WORKING) and not over:
            return  # N 自然日 end no later than N 工作日
        yield self.finding(
            ctx,
            entry.doc,
            "/promised_limit/unit",
            f"承诺办结时限 {shown_p} 与法定办结时限 {shown_s} 的单位不同，无法准确比较，请人工核对"
            "承诺时限不超过法定时限。",
            f"the promised limit ({shown_p}) and the statutory limit ({shown_s}) use different "
            "units and cannot be compared exactly; check by hand that the promise is not longer",
            hint_zh="两者使用相同的时限单位即可自动比较",
            hint_en="use the same unit for both limits so that they can be compared",
            severity=Severity.INFO,
        )

    def _over(self, ctx: Context, entry: Entry, shown_p: str, shown_s: str) -> Finding:
        return self.finding(
            ctx,
            entry.doc,
            "/promised_limit/value",
            f"承诺办结时限 {shown_p} 超过法定办结时限 {shown_s}。",
            f"the promised limit ({shown_p}) exceeds the statutory limit ({shown_s})",
            hint_zh="承诺时限只能等于或短于法定时限",
            hint_en="a promised limit can only be equal to or shorter than the statutory one",
        )
