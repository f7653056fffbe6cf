"""The cheaper per-file path of validation gives exactly the results of the plain one.

Each shortcut (tables per standard, the suffix search for place names, the quick code-list
check, the memoized contact and credit-code checks, the direct file read) is compared with the
straightforward computation it replaces, on hand-picked and on generated inputs.
"""

from __future__ import annotations

import importlib
import os
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog_cli.fastpath import load_file
from catalog_cli.loader import Document, load_document, read_source
from catalog_cli.memo import per_standard
from catalog_cli.models import BasicItem, build_entry, element_path, values_at
from catalog_cli.rules import Context
from catalog_cli.standard import Standard, load_standard

ele006 = importlib.import_module("catalog_cli.bundled_rules.ele006_contact_format")
ele007 = importlib.import_module("catalog_cli.bundled_rules.ele007_name_style")
sch005 = importlib.import_module("catalog_cli.bundled_rules.sch005_not_in_code_list")
cod003 = importlib.import_module("catalog_cli.bundled_rules.cod003_credit_code")

STANDARD = load_standard()


# --- per_standard ---------------------------------------------------------------------------


def test_per_standard_builds_once_per_standard() -> None:
    built: list[Standard] = []

    @per_standard
    def table(standard: Standard) -> list[str]:
        built.append(standard)
        return sorted(standard.codelists)

    first = table(STANDARD)
    assert table(STANDARD) is first
    assert built == [STANDARD]


def test_per_standard_tells_standards_apart() -> None:
    other = load_standard()  # equal content, another object: its own table
    calls: list[int] = []

    @per_standard
    def table(standard: Standard) -> int:
        calls.append(id(standard))
        return len(calls)

    assert table(STANDARD) == 1
    assert table(other) == 2
    assert table(STANDARD) == 1
    assert calls == [id(STANDARD), id(other)]


# --- ELE007: place names --------------------------------------------------------------------


def _place_names_reference(text: str, places: frozenset[str]) -> list[str]:
    """The original search: at each position the longest name, else one character on."""
    lengths = sorted({len(p) for p in places}, reverse=True)
    found, i = [], 0
    while i < len(text):
        for n in lengths:
            if text[i : i + n] in places:
                found.append(text[i : i + n])
                i += n
                break
        else:
            i += 1
    return found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("沈阳市和平区饮用水供水单位卫生许可", ["沈阳市", "和平区"]),
        ("辽宁省沈阳市", ["辽宁省", "沈阳市"]),
        ("中外合作经营企业设立审批", []),
        ("", []),
    ],
)
def test_place_names_in_real_names(text: str, expected: list[str]) -> None:
    places = STANDARD.regions.place_names
    assert ele007.place_names_in(text, places) == expected
    assert _place_names_reference(text, places) == expected


def test_place_names_in_takes_the_longest_and_resumes_after_it() -> None:
    places = frozenset({"abc", "abcd", "bcde", "cde", "aaa", "aaaa"})
    assert ele007.place_names_in("abcde", places) == ["abcd"]  # not bcde: it overlaps
    assert ele007.place_names_in("xbcdex", places) == ["bcde"]
    assert ele007.place_names_in("aaaaaaa", places) == ["aaaa", "aaa"]
    assert ele007.place_names_in("abcde", frozenset()) == []


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abcdex", max_size=16), st.sets(st.text("abcde", min_size=1, max_size=5)))
def test_place_names_in_equals_the_reference(text: str, names: set[str]) -> None:
    places = frozenset(names)
    assert ele007.place_names_in(text, places) == _place_names_reference(text, places)


def test_place_names_in_equals_the_reference_on_region_names() -> None:
    places = STANDARD.regions.place_names
    pool = sorted(places)
    rnd = random.Random(5)
    filler = "许可证明登记县级市区（）0"
    for _ in range(2000):
        parts = [
            rnd.choice(pool) if rnd.random() < 0.4 else rnd.choice(filler)
            for _ in range(rnd.randint(0, 6))
        ]
        text = "".join(parts)[rnd.randint(0, 2) :]
        assert ele007.place_names_in(text, places) == _place_names_reference(text, places)


# --- models.values_at / element_path --------------------------------------------------------


def test_element_path_levels() -> None:
    assert element_path("materials[].form") == (
        ("materials", True, "materials"),
        ("form", False, "form"),
    )
    assert element_path("a.") == (("a", False, "a"),)  # a trailing dot ends the key
    assert element_path("a/b") == (("a/b", False, "a~1b"),)


def test_values_at_walks_lists_and_skips_what_is_missing() -> None:
    data = {"materials": [{"form": "纸质"}, "x", {"name": "b"}, {"form": None}], "body": 3}
    assert values_at(data, "materials[].form") == [
        ("/materials/0/form", "纸质"),
        ("/materials/3/form", None),
    ]
    assert values_at({"materials": {"form": "电子"}}, "materials[].form") == [
        ("/materials/form", "电子")
    ]
    assert values_at(data, "body.nature") == []
    assert values_at(data, "missing") == []
    assert values_at(["not", "a", "mapping"], "materials") == []
    assert values_at({"levels": [3, 4]}, "levels", "/base") == [("/base/levels", [3, 4])]


# --- SCH005: the quick check ----------------------------------------------------------------


def test_valid_everywhere_accepts_only_exact_codes() -> None:
    everywhere, numbers = frozenset({"1", "4", "04"}), frozenset({1, 4})
    valid = sch005._valid_everywhere
    assert valid("4", everywhere, numbers)
    assert valid(4, everywhere, numbers)
    assert valid(["1", 4], everywhere, numbers)
    assert valid([], everywhere, numbers)
    assert not valid(4.0, everywhere, numbers)  # str(4.0) == "4.0": not a code
    assert not valid(True, everywhere, numbers)  # left to the full check
    assert not valid("5", everywhere, numbers)
    assert not valid(["1", None], everywhere, numbers)
    assert not valid([{"a": 1}], everywhere, numbers)


def test_coded_table_leaves_province_codes_to_the_full_check() -> None:
    table = {row[0]: row for row in sch005._coded(STANDARD)}
    _, top, path, cl, everywhere, _ = table["type"]
    assert top == "type" and path == (("type", False, "type"),)
    assert "01" in everywhere
    assert all(c not in everywhere for c in cl.provinces)  # 99: only some provinces
    assert table["materials[].form"][1] is None
    assert 4 in table["level"][5] and "4" in table["level"][4]


def _sch005_reference(data: Any, item: Any) -> list[tuple[str, str, str]]:
    """The original loop: every value of every coded element through CodeList.valid."""
    out = []
    province = sch005.province_of(item)
    for el in STANDARD.coded_elements:
        cl = STANDARD.codelists[str(el.codelist)]
        for ptr, value in values_at(data, el.key):
            values = value if isinstance(value, list) else [value]
            for i, v in enumerate(values):
                if v is None or isinstance(v, dict | list | bool):
                    continue
                if not cl.valid(str(v), province):
                    out.append((f"{ptr}/{i}" if isinstance(value, list) else ptr, el.key, str(v)))
    return out


_CODE_VALUES = st.one_of(
    st.sampled_from(["1", "2", "4", "04", "9", "99", "01", "纸质", "工作日", "全县", "在用", "x"]),
    st.sampled_from([0, 1, 4, 7, -1, 4.0, 1.5, True, False, None]),
)
_VALUES = st.recursive(
    _CODE_VALUES,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["form", "necessity", "source", "unit", "nature", "name"]), inner
        )
    ),
    max_leaves=6,
)
_KEYS = [
    "type",
    "levels",
    "level",
    "status",
    "department",
    "body",
    "statutory_limit",
    "materials",
    "service_objects",
    "handling_forms",
    "scope",
]


@settings(max_examples=400, deadline=None)
@given(
    st.dictionaries(st.sampled_from(_KEYS), _VALUES, max_size=6),
    st.sampled_from(["000123018000", "210123018000", None]),
    st.sampled_from(["basic", "implementation"]),
)
def test_sch005_equals_the_reference(values: dict[str, Any], code: str | None, kind: str) -> None:
    data: dict[str, Any] = {"schema_version": 1, "kind": kind, **values}
    if code is not None:
        data["basic_code"] = code
    if kind == "implementation":
        data["region"] = code[:2] + "0102" if code else "210102"
    doc = Document(Path("items/x.yaml"), "items/x.yaml", data=data)
    entry = build_entry(doc)
    ctx = Context(STANDARD, Path(), "en", None)
    item = entry.item if entry.item is not None else BasicItem(kind="basic")
    got = [(f.pointer, f.message) for f in sch005.RuleSCH005().check(entry, item, ctx)]
    expected = _sch005_reference(data, item)
    assert [p for p, _ in got] == [p for p, _, _ in expected]
    assert all(f"'{text}'" in msg for (_, msg), (_, _, text) in zip(got, expected, strict=True))


# --- ELE006 / COD003: memoized checks -------------------------------------------------------


def test_phone_problems_memo_equals_bad_phones() -> None:
    for value in ["024-22851234、12345", "22851234，abc", "", "12345"]:
        assert ele006._phone_problems(value) == tuple(ele006.bad_phones(value))
    assert ele006._phone_problems("22851234，abc") == ("22851234", "abc")
    assert ele006._url_problem("www.a.cn") == ele006.url_problem("www.a.cn") is not None
    assert ele006._url_problem("https://a.cn/") is None


def test_assess_credit_code() -> None:
    assert cod003._assess("2222222222222")[0] is True
    placeholder, hint_zh, _, issues = cod003._assess("１１２１０１０２００１０６７８５６Ｕ")
    assert not placeholder and "11210102001067856U" in hint_zh and issues
    assert cod003._assess("11210102001067856U") == (False, cod003._COPY_ZH, cod003._COPY_EN, ())
    _, _, _, issues = cod003._assess("11210102001067856X")
    assert [i.kind for i in issues] == ["checksum"]


# --- reading files --------------------------------------------------------------------------


def _read(path: Path, root: Path, limit: int = 1000) -> tuple[bytes | None, list[str]]:
    doc = Document(path, path.name)
    raw = read_source(doc, root, limit)
    return raw, [p.code for p in doc.problems]


def test_read_source_reads_regular_files(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_bytes(b"a: 1\n")
    (tmp_path / "empty.yaml").write_bytes(b"")
    assert _read(tmp_path / "a.yaml", tmp_path) == (b"a: 1\n", [])
    assert _read(tmp_path / "empty.yaml", tmp_path) == (b"", [])


def test_read_source_refuses_what_the_careful_path_refuses(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "big.yaml").write_bytes(b"a: 1\n" * 300)
    (tmp_path / "outside.yaml").write_bytes(b"a: 1\n")
    (root / "out.yaml").symlink_to(tmp_path / "outside.yaml")
    (root / "inside.yaml").symlink_to(root / "big.yaml")
    (root / "folder.yaml").mkdir()
    assert _read(root / "big.yaml", root) == (None, ["YML006"])
    assert _read(root / "out.yaml", root) == (None, ["YML008"])
    assert _read(root / "inside.yaml", root, 10_000) == (b"a: 1\n" * 300, [])
    assert _read(root / "folder.yaml", root, 1 << 20) == (None, ["YML009"])  # a folder
    assert _read(root / "missing.yaml", root) == (None, ["YML009"])


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_read_source_reports_an_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "secret.yaml"
    path.write_bytes(b"a: 1\n")
    path.chmod(0)
    assert _read(path, tmp_path) == (None, ["YML009"])


def test_load_file_equals_load_document_on_refused_and_suppressed_files(tmp_path: Path) -> None:
    files = {
        "ok.yaml": "schema_version: 1\nkind: basic\nname: x  # catalog: ignore[ELE007] why\n",
        "bad-suppression.yaml": "kind: basic  # catalog: ignore[] \n",
        "slow.yaml": "kind: &a basic\nname: *a\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        fast = load_file(tmp_path / name, tmp_path, 1000)
        slow = load_document(tmp_path / name, tmp_path, max_bytes=1000)
        fast.compute_positions()
        for field in ("relpath", "text", "data", "sha", "positions", "key_positions"):
            assert getattr(fast, field) == getattr(slow, field), (name, field)
        assert fast.problems == slow.problems
        assert [(s.codes, s.line, s.targets) for s in fast.suppressions] == [
            (s.codes, s.line, s.targets) for s in slow.suppressions
        ]
