"""ELE006: malformed phone numbers and web addresses."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from urllib.parse import urlsplit

from catalog_cli.findings import Finding
from catalog_cli.models import Entry, ImplementationItem, Item
from catalog_cli.rules import Context, ItemRule

_AREA = r"0(?:10|2\d|[3-9]\d{2})"  # 010, 02x, 0xxx
_EXT = r"(?:(?:-|－|转|分机)\d{1,6})"
PHONE = re.compile(
    "|".join(
        (
            rf"(?:{_AREA}[-－ ]?|[（(]{_AREA}[）)])\d{{7,8}}{_EXT}?",  # landline with area code
            r"(?:\+?86-?)?1[3-9]\d{9}",  # mobile
            rf"(?:{_AREA}-)?(?:12\d{{3}}|96\d{{3}})",  # 12345, 12315 ...; local 96xxx lines
            r"[48]00-?\d{3}-?\d{4}",  # 400 / 800 numbers
        )
    )
)
SEPARATORS = re.compile(r"\s*[、,，;；/／]\s*")
_HOST = re.compile(r"[^\s./:?#@]+(?:\.[^\s./:?#@]+)+|localhost|\[[0-9A-Fa-f:]+\]")
PHONE_KEYS = ("consultation.phone", "complaint.phone")
URL_KEYS = ("online_url", "consultation.url", "complaint.url")
# key -> (attribute, attribute of the contact or "", JSON pointer), split once
_FIELDS = {
    key: (head, tail, f"/{head}/{tail}" if tail else f"/{head}")
    for key in PHONE_KEYS + URL_KEYS
    for head, _, tail in [key.partition(".")]
}


def bad_phones(value: str) -> list[str]:
    """The parts of a phone field (several numbers, separated by 、,;/) that are not numbers."""
    return [p for p in SEPARATORS.split(value.strip()) if p and not PHONE.fullmatch(p)]


def url_problem(value: str) -> tuple[str, str] | None:
    """(zh, en) saying what is wrong with a web address, None when it is fine."""
    if not value.strip():
        return None  # blank: a missing value, not a malformed one
    if any(c.isspace() for c in value):
        return "含有空白字符", "it contains whitespace"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return "无法解析", "it cannot be parsed"
    if parts.scheme.lower() not in ("http", "https"):
        if not parts.scheme or "." in parts.scheme:
            return "缺少 http:// 或 https://", "it lacks http:// or https://"
        return (
            f"协议 “{parts.scheme}” 不是 http 或 https",
            f"the scheme '{parts.scheme}' is not http or https",
        )
    host = parts.netloc.rsplit("@", 1)[-1]
    host = re.sub(r":\d*\Z", "", host)
    if not _HOST.fullmatch(host):
        return "缺少有效的主机名", "it has no valid host name"
    return None


# Contacts repeat on every item of a body (and a portal's address on a whole province's items):
# each distinct value is judged once per process.
@lru_cache(maxsize=1 << 14)
def _phone_problems(value: str) -> tuple[str, ...]:
    return tuple(bad_phones(value))


_url_problem = lru_cache(maxsize=1 << 14)(url_problem)


class RuleELE006(ItemRule):
    """Phone numbers and web addresses are what applicants use to reach the office; a typo makes
    them useless, and portals reject malformed ones on upload.

    A phone field holds one or more numbers separated by 、 , ; or /: a landline with its area
    code (``024-22851234``, ``0411-12345678``, ``(024)22851234``, extension ``-801`` or ``转801``),
    a mobile number (``13912345678``), a government hotline (``12345``, ``12315``, other 12xxx
    numbers, local ``96xxx`` lines, optionally with an area code: ``024-12345``) or a 400/800
    number. Notes such as （工作日） belong in the address or hours, not in the number.
    A web address starts with ``http://`` or ``https://`` and names a host.

    Bad::

        consultation: {phone: 22851234, url: www.lnzwfw.gov.cn}

    Good::

        consultation: {phone: 024-22851234、12345, url: https://www.lnzwfw.gov.cn/}
    """

    code = "ELE006"
    name = "contact-format"
    summary = "A phone number or web address is malformed."
    summary_zh = "电话号码或网址格式不正确。"
    per_file = True

    def check(self, entry: Entry, item: Item, ctx: Context) -> Iterator[Finding]:
        if not isinstance(item, ImplementationItem):
            return
        for key in PHONE_KEYS:
            ptr, value = self._value(item, key)
            if value is None or ptr in entry.invalid:
                continue
            bad = _phone_problems(value)
            if not bad:
                continue
            shown = "、".join(f"“{b}”" for b in bad)
            shown_en = ", ".join(f"'{b}'" for b in bad)
            yield self.finding(
                ctx,
                entry.doc,
                ptr,
                f"{ctx.label(key)} 中 {shown} 不是有效的电话号码。",
                f"{ctx.label(key)}: {shown_en} is not a valid phone number",
                hint_zh="固定电话带区号（024-22851234，分机写 -801），手机 11 位，热线如 12345、"
                "96xxx、400-xxx-xxxx；多个号码用 、 分隔",
                hint_en="landline with area code (024-22851234, extension -801), 11-digit "
                "mobile, hotlines such as 12345, 96xxx, 400-xxx-xxxx; separate several with 、",
            )
        for key in URL_KEYS:
            ptr, value = self._value(item, key)
            if value is None or ptr in entry.invalid:
                continue
            problem = _url_problem(value)
            if problem is None:
                continue
            # suggest the scheme only for something that looks like a host (www.example.cn)
            looks_like_host = "." in value and _HOST.fullmatch(value.split("/", 1)[0]) is not None
            fix = f"https://{value}" if "lacks" in problem[1] and looks_like_host else ""
            yield self.finding(
                ctx,
                entry.doc,
                ptr,
                f"{ctx.label(key)} “{value}” 不是有效的网址：{problem[0]}。",
                f"{ctx.label(key)} '{value}' is not a valid web address: {problem[1]}",
                hint_zh=f"写成 {fix}" if fix else "网址以 http:// 或 https:// 开头，后接主机名",
                hint_en=f"write {fix}"
                if fix
                else "a web address starts with http:// or https:// and a host name",
            )

    @staticmethod
    def _value(item: ImplementationItem, key: str) -> tuple[str, str | None]:
        head, tail, ptr = _FIELDS[key]
        value = getattr(item, head)
        if tail:
            value = getattr(value, tail, None) if value is not None else None
        return ptr, value if isinstance(value, str) else None
