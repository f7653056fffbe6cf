"""COD001: the 12-digit basic code is malformed or disagrees with the item's type."""

from __future__ import annotations

from collections.abc import Iterator

from catalog_cli.codes import BasicCode
from catalog_cli.findings import Finding
from catalog_cli.models import Entry, Item
from catalog_cli.rules import Context, ItemRule


class RuleCOD001(ItemRule):
    """The basic code (基本编码) has 12 digits, a valid prefix and the item's type in it.

    Layout: positions 1–2 are ``00`` (national catalog) or the 2-digit code of the province that
    added the item (``21`` 辽宁); 3–4 the item type (事项类型); 5–6 the department; 7–9 the main
    item; 10–12 the sub-item (``000`` = none). Because the code is the item's identity at every
    level (同一编码), a wrong prefix or type digit makes the same item look like another one.

    Checked on basic items and on implementation items. An implementation item usually omits
    ``type`` and inherits it from its basic item: a mismatch is then the basic item's, reported
    once on the basic item rather than again on each of its (possibly thousands of)
    implementations; a ``type`` the implementation file writes itself is compared. A type that is
    not a 2-digit code is left to SCH005.

    Bad::

        basic_code: "00012301800"     # 11 digits
        basic_code: "990123018000"    # 99 is not a province
        type: "02"                    # but positions 3–4 say 01
        basic_code: "000123018000"

    Good::

        type: "01"
        basic_code: "000123018000"
    """

    code = "COD001"
    name = "basic-code-layout"
    summary = "The basic code is not 12 digits, has an unknown prefix or disagrees with the type."
    summary_zh = "基本编码不是 12 位数字、前两位不是 00 或省份代码，或第 3–4 位与事项类型不一致。"
    per_file = True

    def check(self, entry: Entry, item: Item, ctx: Context) -> Iterator[Finding]:
        code = item.basic_code
        if not code or "/basic_code" in entry.invalid:
            return
        doc, ptr = entry.doc, "/basic_code"
        parsed = BasicCode.parse(code)
        if parsed is None:
            if len(code) != 12:
                yield self.finding(
                    ctx,
                    doc,
                    ptr,
                    f"{ctx.label('basic_code')} 应为 12 位，“{code}” 有 {len(code)} 位。",
                    f"{ctx.label('basic_code')} must have 12 digits, '{code}' has {len(code)}",
                    hint_zh="基本编码 = 省份(2) + 事项类型(2) + 部门(2) + 主项(3) + 子项(3)，"
                    "用引号写成文字",
                    hint_en="basic code = province(2) + type(2) + department(2) + main item(3) "
                    "+ sub-item(3); quote it",
                )
            if not code.isdigit() or not code.isascii():
                bad = "".join(sorted({c for c in code if not ("0" <= c <= "9")}))
                yield self.finding(
                    ctx,
                    doc,
                    ptr,
                    f"{ctx.label('basic_code')} 只能由数字组成，“{code}” 含有 “{bad}”。",
                    f"{ctx.label('basic_code')} must be digits only, '{code}' contains '{bad}'",
                    hint_zh="地方编码（如 511A0138000000）请写在 local_code 中",
                    hint_en="put provincial codes in another shape (511A0138000000) in local_code",
                )
            return
        if not parsed.national and parsed.province not in ctx.standard.regions.provinces:
            yield self.finding(
                ctx,
                doc,
                ptr,
                f"{ctx.label('basic_code')} “{code}” 的前两位 “{parsed.province}” 既不是 00"
                "（国家目录）也不是省份代码。",
                f"{ctx.label('basic_code')} '{code}' starts with '{parsed.province}', which is "
                "neither 00 (national catalog) nor a province code",
                hint_zh="国家基本目录事项以 00 开头；省级增补事项以省份代码开头（如 21 辽宁）",
                hint_en="national items start with 00; items a province adds start with its "
                "code (21 Liaoning)",
            )
        item_type = item.type  # an inherited type's mismatch is reported on the basic item
        if item_type is None or len(item_type) != 2 or not item_type.isdigit():
            return
        if parsed.type != item_type:
            yield self.finding(
                ctx,
                doc,
                ptr,
                f"{ctx.label('basic_code')} “{code}” 的第 3–4 位 “{parsed.type}” 与事项类型 "
                f"“{item_type}”不一致。",
                f"{ctx.label('basic_code')} '{code}' has type digits (positions 3-4) "
                f"'{parsed.type}' but the item type is '{item_type}'",
                hint_zh="改正事项类型或基本编码，使第 3–4 位等于事项类型",
                hint_en="fix the type or the code so that positions 3-4 equal the type",
            )
