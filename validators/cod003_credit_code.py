"""COD003: the implementing body's 统一社会信用代码 is malformed."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from functools import lru_cache

from catalog_cli.codes import CreditCodeIssue, credit_code_issues
from catalog_cli.findings import Finding
from catalog_cli.models import Entry, ImplementationItem, Item
from catalog_cli.rules import Context, ItemRule

_COPY_ZH = "从实施主体的统一社会信用代码证书或“全国组织机构统一社会信用代码数据服务中心”抄录"
_COPY_EN = "copy the code from the body's registration certificate; never compute or invent it"


def is_placeholder(code: str) -> bool:
    """A filler such as ``2222222222222`` or ``000000000000000000``: one character repeated.

    Checked before the checksums because some fillers (all zeros) pass both of them.
    """
    return len(code) >= 2 and len(set(code)) == 1


@lru_cache(maxsize=1 << 14)
def _assess(code: str) -> tuple[bool, str, str, tuple[CreditCodeIssue, ...]]:
    """(is a placeholder, hint_zh, hint_en, issues) of a credit code; memoized because a body's
    code repeats on every item it implements."""
    if is_placeholder(code):
        return True, _COPY_ZH, _COPY_EN, ()
    # A hint that names the fix when the code is only mis-typed, not wrong.
    hint_zh, hint_en = _COPY_ZH, _COPY_EN
    cleaned = "".join(unicodedata.normalize("NFKC", code).split()).upper()
    if cleaned != code and not credit_code_issues(cleaned):
        hint_zh = f"写成 {cleaned}（半角、大写、无空格）"
        hint_en = f"write {cleaned} (ASCII capitals, no spaces)"
    return False, hint_zh, hint_en, tuple(credit_code_issues(code))


class RuleCOD003(ItemRule):
    """The implementing body's credit code (实施主体编码) is a valid 统一社会信用代码.

    GB 32100-2015: 18 characters from ``0-9`` and capitals without I O S V Z; a mod-31 check
    character at the end; positions 9–17 are the body's GB 11714 organization code, which has
    its own check character. Checked on every implementation item, local ones included; each
    problem is its own finding and the item is still loaded and checked by the other rules.
    A filler (one character repeated, such as ``2222222222222``) is reported as a placeholder
    only. The 6 region digits inside the code are *not* checked: they record where the body
    registered, often under a division code retired since.

    Bad::

        body: {credit_code: "001067856"}            # bare organization code
        body: {credit_code: "11210102001067856X"}   # wrong check character
        body: {credit_code: "2222222222222"}        # placeholder

    Good::

        body: {credit_code: "11210102001067856U"}
    """

    code = "COD003"
    name = "credit-code"
    summary = "The implementing body's unified social credit code is malformed."
    summary_zh = "实施主体的统一社会信用代码格式或校验位错误。"
    per_file = True

    def check(self, entry: Entry, item: Item, ctx: Context) -> Iterator[Finding]:
        if not isinstance(item, ImplementationItem) or item.body is None:
            return
        code = item.body.credit_code
        if not code:
            return
        doc, ptr, label = entry.doc, "/body/credit_code", ctx.label("body.credit_code")
        placeholder, hint_zh, hint_en, issues = _assess(code)
        if placeholder:
            yield self.finding(
                ctx,
                doc,
                ptr,
                f"{label} “{code}” 是占位符，不是真实的统一社会信用代码。",
                f"{label} '{code}' is a placeholder, not a real credit code",
                hint_zh=_COPY_ZH,
                hint_en=_COPY_EN,
            )
            return
        for issue in issues:
            yield self.finding(
                ctx,
                doc,
                ptr,
                f"{label}：{issue.zh}。",
                f"{label}: {issue.en}",
                hint_zh=hint_zh,
                hint_en=hint_en,
            )
