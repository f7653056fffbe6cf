"""Unit tests of catalog_cli/codes.py: layouts and the GB 32100 / GB 11714 checksums."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog_cli.codes import (
    USCC_ALPHABET,
    BasicCode,
    ImplementationCode,
    credit_code_issues,
    implementation_code,
    make_credit_code,
    make_org_code,
    org_check_char,
    uscc_check_char,
)

# Published codes of real bodies (see the domain notes); the second has letters in its
# organization code, which python-stdnum's cn.uscc wrongly rejects.
REAL = ["11110000000021135M", "11440232MB2D06811W", "91110108551385082Q", "11210102001067856U"]


def kinds(code: str) -> list[str]:
    return [i.kind for i in credit_code_issues(code)]


@pytest.mark.parametrize("code", REAL)
def test_real_codes_pass(code: str) -> None:
    assert credit_code_issues(code) == []
    assert uscc_check_char(code[:17]) == code[17]
    assert org_check_char(code[8:16]) == code[16]


def test_letters_before_position_9_do_not_matter() -> None:
    # python-stdnum rejects codes whose first 8 characters are not all digits; we must not.
    assert credit_code_issues("11440232MB2D06811W") == []
    code = make_credit_code("Y1" + "440232" + make_org_code("MB2D0681"))
    assert code[0] == "Y" and credit_code_issues(code) == []


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("1121010200106785U", ["length"]),  # 17 characters
        ("112101020010678560U", ["length"]),  # 19 characters
        ("", ["length"]),
        ("11210102001O67856U", ["characters"]),  # letter O
        ("11210102001067856u", ["characters"]),  # lower case
        ("11210102001067856X", ["checksum"]),  # check character changed
        ("11210102001067857Y", ["org-checksum"]),  # org-code check broken, outer check repaired
        ("11210102001067857U", ["checksum", "org-checksum"]),  # one digit changed
        ("11210102011067856U", ["checksum", "org-checksum"]),
    ],
)
def test_corruptions_are_named(code: str, expected: list[str]) -> None:
    assert kinds(code) == expected


def test_bare_organization_code_is_called_so() -> None:
    (issue,) = credit_code_issues("001067856")
    assert issue.kind == "length"
    assert "organization code" in issue.en and "组织机构代码" in issue.zh
    (other,) = credit_code_issues("1121010200106785U")
    assert "organization code" not in other.en


def test_checksum_messages_give_the_expected_character() -> None:
    (issue,) = credit_code_issues("11210102001067856X")
    assert "expected U" in issue.en and "应为 U" in issue.zh


@pytest.mark.parametrize("pos", range(18))
def test_every_single_substitution_is_caught(pos: int) -> None:
    code = REAL[1]
    for ch in USCC_ALPHABET:
        if ch == code[pos]:
            continue
        changed = code[:pos] + ch + code[pos + 1 :]
        assert credit_code_issues(changed), f"{changed} passed"


def test_org_check_char_rules() -> None:
    # GB 11714: c = 11 - (sum of value x weight mod 11); 10 → X, 11 → 0; a letter is ord - 55.
    assert make_org_code("00106785") == "001067856"
    assert org_check_char("00000006") == "X"  # 6x2 = 12, 12 mod 11 = 1, c = 10
    assert org_check_char("00000000") == "0"  # sum 0, c = 11
    assert org_check_char("A0000000") == "3"  # A = 10, 10x3 = 30, 30 mod 11 = 8, c = 3
    assert org_check_char("0000000*") is None
    assert org_check_char("0000000²") is None  # a Unicode digit must not crash int()


def test_make_functions_reject_bad_prefixes() -> None:
    with pytest.raises(ValueError):
        make_credit_code("1121010200106785I")
    with pytest.raises(ValueError):
        make_org_code("0010678-")
    assert uscc_check_char("1121010200106785O") is None


@given(
    st.text(alphabet=USCC_ALPHABET, min_size=8, max_size=8),
    st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=8, max_size=8),
)
def test_made_codes_have_no_issues(head: str, org8: str) -> None:
    code = make_credit_code(head + make_org_code(org8))
    assert len(code) == 18
    assert credit_code_issues(code) == []


def test_basic_code_parse() -> None:
    parsed = BasicCode.parse("210973001000")
    assert parsed == BasicCode("21", "09", "73", "001", "000")
    assert not parsed.national
    national = BasicCode.parse("000123018000")
    assert national is not None and national.national and national.type == "01"
    for bad in ("00012301800", "0001230180000", "00012301800A", "０００１２３０１８０００", ""):
        assert BasicCode.parse(bad) is None, bad


def test_implementation_code_parse_and_compose() -> None:
    code = "11440232MB2D06811W4000117051000"
    parsed = ImplementationCode.parse(code)
    assert parsed == ImplementationCode("11440232MB2D06811W", 4, "000117051000")
    assert str(parsed) == code
    assert implementation_code("11440232MB2D06811W", 4, "000117051000") == code
    for bad in (
        code[:-1],  # 30 characters
        code + "0",  # 32
        "11440232MB2D06811W7000117051000",  # level 7
        "11440232MB2D06811W0000117051000",  # level 0
        "11440232MB2D06811I4000117051000",  # I is not in the alphabet
        "11440232MB2D06811W400011705100A",  # letter in the basic code
        "11440232MB2D06811W4０00117051000",  # full-width digit
    ):
        assert ImplementationCode.parse(bad) is None, bad
