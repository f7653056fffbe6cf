"""ELE002: the handling type disagrees with the promised time limit."""

from __future__ import annotations

from collections.abc import Iterator

from catalog_cli.findings import Finding
from catalog_cli.models import Entry, ImplementationItem, Item
from catalog_cli.rules import Context, ItemRule

ON_THE_SPOT, PROMISED = "1", "2"


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


class RuleELE002(ItemRule):
    """办件类型 and 承诺办结时限 say the same thing twice, so they must agree: a 即办件
    (``handling_type: "1"``) is finished on the spot, so its promised limit is 0; a 承诺件
    (``"2"``) is finished within a promised time, so its promised limit is more than 0.
    Handling types outside the code list are SCH005's business.

    Bad::

        handling_type: "1"        # 即办件
        promised_limit: {value: 5, unit: 工作日}

        handling_type: "2"        # 承诺件
        promised_limit: {value: 0, unit: 工作日}

    Good::

        handling_type: "1"
        promised_limit: {value: 0, unit: 工作日}

        handling_type: "2"
        promised_limit: {value: 5, unit: 工作日}
    """

    code = "ELE002"
    name = "handling-type-limit"
    summary = "即办件 needs promised limit 0; 承诺件 needs a promised limit above 0."
    summary_zh = "即办件的承诺办结时限应为 0；承诺件的承诺办结时限应大于 0。"
    per_file = True

    def check(self, entry: Entry, item: Item, ctx: Context) -> Iterator[Finding]:
        if not isinstance(item, ImplementationItem) or item.promised_limit is None:
            return
        limit = item.promised_limit
        shown = f"{_num(limit.value)} {limit.unit or ''}".strip()
        if item.handling_type == ON_THE_SPOT and limit.value != 0:
            yield self.finding(
                ctx,
                entry.doc,
                "/handling_type",
                f"办件类型为即办件，承诺办结时限应为 0，实际为 {shown}。",
                f"an on-the-spot item (即办件) has promised limit 0, this one has {shown}",
                hint_zh='当场办结的写 promised_limit 0；否则改为承诺件 handling_type: "2"',
                hint_en="set promised_limit to 0 if it is done on the spot; otherwise use "
                'handling_type: "2" (承诺件)',
            )
        elif item.handling_type == PROMISED and limit.value <= 0:
            yield self.finding(
                ctx,
                entry.doc,
                "/handling_type",
                f"办件类型为承诺件，承诺办结时限应大于 0，实际为 {shown}。",
                f"a promised item (承诺件) needs a promised limit above 0, this one has {shown}",
                hint_zh='填写承诺办结的天数；当场办结的改为即办件 handling_type: "1"',
                hint_en="give the promised number of days; if it is done on the spot use "
                'handling_type: "1" (即办件)',
            )
