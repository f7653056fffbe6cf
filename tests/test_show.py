"""``catalog show CODE``: lookup by every kind of code, inherited elements, labels, formats,
unknown codes with suggestions, and duplicate codes.

Regenerate golden files on purpose only: ``CATALOG_UPDATE_GOLDEN=1 pytest tests/test_show.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalog_cli.published import validate_record
from tests.conftest import ROOT, TEMPLATES, MakeCatalog, assert_golden, invoke

FIXTURE = ROOT / "tests" / "fixtures" / "browse"
IMPL = "11210100004107526H3000123018000"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_golden_text_implementation(lang: str) -> None:
    code, out, err = invoke(FIXTURE, "show", IMPL, "--lang", lang)
    assert code == 0, err
    assert ("（继承自基本目录事项）" if lang == "zh" else "(inherited from the basic item)") in out
    assert "01 行政许可" in out and "210100 沈阳市" in out  # labels next to codes
    assert_golden(f"show.{lang}.txt", out)


def test_golden_text_basic_lists_implementations() -> None:
    code, out, _ = invoke(FIXTURE, "show", "000123018000")
    assert code == 0
    assert "实施清单事项：2 个" in out
    assert_golden("show.basic.zh.txt", out)


def test_golden_json() -> None:
    code, out, _ = invoke(FIXTURE, "show", IMPL, "--format", "json")
    assert code == 0
    doc = json.loads(out)  # stdout holds only the document
    validate_record(doc["record"])  # the same record `catalog export` publishes
    assert doc["record"]["name"] == "饮用水供水单位卫生许可"  # inherited: the file has no name
    assert doc["inherited"] == [
        "name",
        "type",
        "legal_basis",
        "department",
        "status",
        "effective_date",
        "levels",
    ]
    assert doc["same_code"] == []
    assert "implementations" not in doc
    assert_golden("show.json", out)
    code, out, _ = invoke(FIXTURE, "show", "000123018000", "--format", "json")
    impls = json.loads(out)["implementations"]
    assert [i["region"] for i in impls] == ["210100", "210102"]


def test_local_code_any_case() -> None:
    code, out, _ = invoke(FIXTURE, "show", "l511602-001", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["record"]["local_code"] == "L511602-001"
    assert doc["inherited"] == []  # a local item has no basic item to inherit from


@pytest.mark.parametrize(
    ("arg", "lang", "message", "suggested"),
    [
        ("000132018000", "zh", "没有编码为 “000132018000” 的事项", "000123018000"),
        ("饮用水供水单位", "en", "no item has the code '饮用水供水单位'", "000123018000"),
        ("42", "zh", "用 catalog search 按名称查找编码", None),
    ],
)
def test_unknown_code_exits_2_with_suggestions(
    arg: str, lang: str, message: str, suggested: str | None
) -> None:
    code, out, err = invoke(FIXTURE, "show", arg, "--lang", lang)
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err
    if suggested is not None:
        assert ("最接近的" if lang == "zh" else "closest:") in err and suggested in err


def test_same_code_in_two_files_is_mentioned(make_catalog: MakeCatalog) -> None:
    basic = (TEMPLATES / "basic.yaml").read_text("utf-8")
    root = make_catalog({"items/basic/a.yaml": basic, "items/basic/b.yaml": basic})
    code, out, _ = invoke(root, "show", "000123018000", "--lang", "en")
    assert code == 0
    assert "the same code is also in: items/basic/b.yaml" in out
    code, out, _ = invoke(root, "show", "000123018000", "--format", "json")
    doc = json.loads(out)
    assert doc["path"] == "items/basic/a.yaml" and doc["same_code"] == ["items/basic/b.yaml"]


def test_missing_basic_item_shows_what_the_file_has(make_catalog: MakeCatalog) -> None:
    impl = (TEMPLATES / "implementation.yaml").read_text("utf-8")
    root = make_catalog({"items/implementation/210102/x.yaml": impl})
    code, out, _ = invoke(root, "show", "11210102001067856U4000123018000", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["record"]["name"] is None and doc["inherited"] == []


def test_outside_a_catalog_exits_2(tmp_path: Path) -> None:
    code, _, err = invoke(tmp_path, "show", "000123018000")
    assert code == 2 and "找不到事项目录" in err


def test_brackets_in_a_path_are_text(make_catalog: MakeCatalog) -> None:
    """The panel's subtitle and the implementations' table print paths as text, not markup."""
    basic = (TEMPLATES / "basic.yaml").read_text(encoding="utf-8")
    impl = (TEMPLATES / "implementation.yaml").read_text(encoding="utf-8")
    root = make_catalog(
        {"items/basic/[bold]b.yaml": basic, "items/implementation/[red]i.yaml": impl}
    )
    code, out, err = invoke(root, "show", "000123018000", "--lang", "en")
    assert code == 0, err
    assert "items/basic/[bold]b.yaml" in out and "items/implementation/[red]i.yaml" in out
