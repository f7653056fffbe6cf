"""Code layouts and checksums: basic code, implementation code, 统一社会信用代码 (GB 32100-2015).

Pure functions, no I/O; every rule and the importer share them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I O S V Z
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
BASIC_CODE = re.compile(r"\d{12}\Z", re.ASCII)  # ASCII: full-width ０-９ are not digits here
IMPLEMENTATION_CODE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{18}[1-6]\d{12}\Z", re.ASCII)


def uscc_check_char(first17: str) -> str | None:
    """The 18th (check) character for 17 characters, None if any is outside the alphabet."""
    total = 0
    for ch, w in zip(first17, _USCC_WEIGHTS, strict=True):
        v = USCC_ALPHABET.find(ch)
        if v < 0:
            return None
        total += v * w
    return USCC_ALPHABET[(31 - total % 31) % 31]


def org_check_char(first8: str) -> str | None:
    """GB 11714 organization-code check character for 8 characters (digits or letters)."""
    total = 0
    for ch, w in zip(first8, _ORG_WEIGHTS, strict=True):
        if "0" <= ch <= "9":  # not isdigit(): int("²") would raise
            v = int(ch)
        elif "A" <= ch <= "Z":
            v = ord(ch) - 55
        else:
            return None
        total += v * w
    c = 11 - total % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


@dataclass(frozen=True, slots=True)
class CreditCodeIssue:
    """What is wrong with a credit code; ``kind`` is stable for tests and suppressions."""

    kind: str  # length | characters | checksum | org-checksum
    zh: str
    en: str


def credit_code_issues(code: str) -> list[CreditCodeIssue]:
    """Every problem with a 统一社会信用代码; empty when it passes both checks."""
    if len(code) != 18:
        shape_zh = "，像是 9 位组织机构代码" if len(code) == 9 else ""
        shape_en = " (it looks like a bare 9-character organization code)" if len(code) == 9 else ""
        return [
            CreditCodeIssue(
                "length",
                f"统一社会信用代码应为 18 位，实际 {len(code)} 位{shape_zh}",
                f"a credit code has 18 characters, this has {len(code)}{shape_en}",
            )
        ]
    bad = sorted({ch for ch in code if ch not in USCC_ALPHABET})
    if bad:
        return [
            CreditCodeIssue(
                "characters",
                f"统一社会信用代码含不允许的字符 {''.join(bad)}（只允许数字和除 I O S V Z 外的大写字母）",
                f"the credit code has characters outside the alphabet: {''.join(bad)} "
                "(digits and capitals except I O S V Z)",
            )
        ]
    issues: list[CreditCodeIssue] = []
    expected = uscc_check_char(code[:17])
    if expected != code[17]:
        issues.append(
            CreditCodeIssue(
                "checksum",
                f"统一社会信用代码校验位错误：应为 {expected}，实际 {code[17]}",
                f"the credit code's check character is {code[17]}, expected {expected}",
            )
        )
    org = code[8:17]
    org_expected = org_check_char(org[:8])
    if org_expected != org[8]:
        issues.append(
            CreditCodeIssue(
                "org-checksum",
                f"内嵌的组织机构代码 {org} 校验位错误：应为 {org_expected}，实际 {org[8]}",
                f"the embedded organization code {org} has check character {org[8]}, "
                f"expected {org_expected}",
            )
        )
    return issues


def make_credit_code(first17: str) -> str:
    """Append the check character (test data and synthetic catalogs)."""
    check = uscc_check_char(first17)
    if check is None:
        raise ValueError(f"not a credit-code prefix: {first17!r}")
    return first17 + check


def make_org_code(first8: str) -> str:
    check = org_check_char(first8)
    if check is None:
        raise ValueError(f"not an organization-code prefix: {first8!r}")
    return first8 + check


@dataclass(frozen=True, slots=True)
class BasicCode:
    """The parts of a 12-digit basic code."""

    province: str
    type: str
    department: str
    main: str
    sub: str

    @classmethod
    def parse(cls, code: str) -> BasicCode | None:
        if not BASIC_CODE.match(code):
            return None
        return cls(code[:2], code[2:4], code[4:6], code[6:9], code[9:12])

    @property
    def national(self) -> bool:
        return self.province == "00"


@dataclass(frozen=True, slots=True)
class ImplementationCode:
    """The parts of a 31-character implementation code."""

    credit_code: str
    level: int
    basic_code: str

    @classmethod
    def parse(cls, code: str) -> ImplementationCode | None:
        if not IMPLEMENTATION_CODE.match(code):
            return None
        return cls(code[:18], int(code[18]), code[19:])

    def __str__(self) -> str:
        return f"{self.credit_code}{self.level}{self.basic_code}"


def implementation_code(credit_code: str, level: int, basic_code: str) -> str:
    """Compose an implementation code (credit code + level digit + basic code)."""
    return f"{credit_code}{level}{basic_code}"
