"""COD002: the 31-character implementation code is malformed or disagrees with the item."""

from __future__ import annotations

from collections.abc import Iterator

from catalog_cli.codes import IMPLEMENTATION_CODE, ImplementationCode, implementation_code
from catalog_cli.findings import Finding
from catalog_cli.models import Entry, ImplementationItem, Item
from catalog_cli.rules import Context, ItemRule


def expected_code(item: ImplementationItem) -> str | None:
    """The code the item's own elements compose, None when they cannot form a valid one."""
    credit = item.body.credit_code if item.body is not None else None
    if not credit or item.level is None or not item.basic_code:
        return None
    code = implementation_code(credit, item.level, item.basic_code)
    return code if IMPLEMENTATION_CODE.match(code) else None


class RuleCOD002(ItemRule):
    """The implementation code (实施编码) is the body's credit code + level digit + basic code.

    31 characters: the implementing body's 统一社会信用代码 (18), the level that exercises the
    item (1 digit, 1–6) and the basic code it implements (12 digits). Each part must equal the
    element it repeats (``body.credit_code``, ``level``, ``basic_code``), otherwise two systems
    reading the same file derive different identities. Each disagreement is its own finding;
    the hint gives the code the elements compose when they can form a valid one. A local item
    (no basic code) that carries an implementation code is checked for shape, body and level.

    Bad::

        implementation_code: "11210102001067856U3000123018000"   # level digit 3
        level: 4

    Good::

        implementation_code: "11210102001067856U4000123018000"
        level: 4
        basic_code: "000123018000"
        body: {credit_code: "11210102001067856U"}
    """

    code = "COD002"
    name = "implementation-code-layout"
    summary = "The implementation code is malformed or disagrees with body, level or basic code."
    summary_zh = "实施编码格式错误，或与实施主体编码、行使层级、基本编码不一致。"
    per_file = True

    def check(self, entry: Entry, item: Item, ctx: Context) -> Iterator[Finding]:
        if not isinstance(item, ImplementationItem):
            return
        code = item.implementation_code
        if not code or "/implementation_code" in entry.invalid:
            return
        doc, ptr, label = entry.doc, "/implementation_code", ctx.label("implementation_code")
        want = expected_code(item)
        hint_zh = f"应为 {want}" if want else ""
        hint_en = f"expected {want}" if want else ""
        parsed = ImplementationCode.parse(code)
        if parsed is None:
            yield self.finding(
                ctx,
                doc,
                ptr,
                f"{label} “{code}”（{len(code)} 位）格式错误：应为 31 位 = 统一社会信用代码(18) "
                "+ 行使层级(1–6) + 基本编码(12 位数字)。",
                f"{label} '{code}' ({len(code)} characters) is malformed: it has 31 = credit "
                "code (18) + level (1-6) + basic code (12 digits)",
                hint_zh=hint_zh or "实施编码 = 实施主体统一社会信用代码 + 行使层级 + 基本编码",
                hint_en=hint_en or "implementation code = body credit code + level + basic code",
            )
            return
        credit = item.body.credit_code if item.body is not None else None
        if credit and "/body" not in entry.invalid and parsed.credit_code != credit:
            yield self.finding(
                ctx,
                doc,
                ptr,
                f"{label} 的前 18 位 “{parsed.credit_code}” 与实施主体的统一社会信用代码 "
                f"“{credit}” 不一致。",
                f"{label} starts with '{parsed.credit_code}' but the body's credit code is "
                f"'{credit}'",
                hint_zh=hint_zh,
                hint_en=hint_en,
            )
        if item.level in range(1, 7) and parsed.level != item.level:  # others: SCH005
            yield self.finding(
                ctx,
                doc,
                ptr,
                f"{label} 的第 19 位 “{parsed.level}” 与{ctx.label('level')} "
                f"“{item.level}” 不一致。",
                f"{label} has level digit (position 19) '{parsed.level}' but "
                f"{ctx.label('level')} is {item.level}",
                hint_zh=hint_zh,
                hint_en=hint_en,
            )
        if item.basic_code and parsed.basic_code != item.basic_code:
            yield self.finding(
                ctx,
                doc,
                ptr,
                f"{label} 的第 20–31 位 “{parsed.basic_code}” 与{ctx.label('basic_code')} "
                f"“{item.basic_code}” 不一致。",
                f"{label} ends with '{parsed.basic_code}' (positions 20-31) but "
                f"{ctx.label('basic_code')} is '{item.basic_code}'",
                hint_zh=hint_zh,
                hint_en=hint_en,
            )
