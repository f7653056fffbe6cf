"""``catalog stats``: every figure checked by hand on the fixture catalog, grouping, region
filter, formats (text, json, csv with BOM) in both languages, and bad input.

The fixture (tests/fixtures/browse) has 6 implementation items; one is cancelled, so 5 are
active: visits 0, 1, 1, 0 and one missing; depth Ⅳ on three of the five that state online
handling; one 即办件; working-day limits 20→10, 20→8, 5→0, 15→3 and one pair in 自然日.
Regenerate golden files on purpose only: ``CATALOG_UPDATE_GOLDEN=1 pytest tests/test_stats.py``.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from catalog_cli.engine import item_files, open_session
from catalog_cli.models import Entry
from catalog_cli.rounds import load_entries
from catalog_cli.standard import Standard
from catalog_cli.stats import code_labelled, compute
from tests.conftest import ROOT, TEMPLATES, MakeCatalog, assert_golden, invoke

FIXTURE = ROOT / "tests" / "fixtures" / "browse"


@pytest.fixture(scope="module")
def loaded() -> tuple[list[Entry], Standard]:
    session = open_session(FIXTURE)
    entries, _ = load_entries(session, item_files(session, []))
    return entries, session.standard


def test_figures_by_hand(loaded: tuple[list[Entry], Standard]) -> None:
    entries, standard = loaded
    s = compute(entries, standard)
    assert s.items == {"basic": 4, "implementation": 5, "local": 1, "total": 10}
    assert s.broken == 1
    f = s.figures
    assert (f.items, f.active) == (6, 5)
    assert (f.at_most_one_visit.count, f.at_most_one_visit.covered) == (4, 4)
    assert (f.zero_visits.count, f.zero_visits.covered) == (2, 4)
    assert (f.fully_online.count, f.fully_online.covered) == (3, 5)
    assert (f.immediate.count, f.immediate.covered) == (1, 5)
    lim = f.limits
    assert (lim.covered, lim.statutory_days, lim.promised_days) == (4, 60, 21)
    assert lim.value == pytest.approx(1 - 21 / 60)
    assert lim.mean == pytest.approx((0.5 + 0.6 + 1.0 + 0.8) / 4)
    assert lim.excluded == {"not_working_days": 1}
    assert s.standard_codes == {"fully_online": "4", "immediate": "1"}


def test_codes_come_from_the_standard(loaded: tuple[list[Entry], Standard]) -> None:
    _, standard = loaded
    assert code_labelled(standard, "online_depths", "全程网办") == "4"
    assert code_labelled(standard, "handling_types", "即办件") == "1"
    assert code_labelled(standard, "handling_types", "不存在") is None


def test_completeness_and_counts(loaded: tuple[list[Entry], Standard]) -> None:
    entries, standard = loaded
    s = compute(entries, standard)
    by_profile = {p.profile: p for p in s.completeness}
    impl = by_profile["implementation"]
    assert (impl.complete.count, impl.complete.covered) == (4, 5)
    missing = {e.key for e in impl.elements if e.filled.count < e.filled.covered}
    assert missing == {"visits", "result"}
    materials = next(e for e in impl.elements if e.key == "materials")
    assert materials.filled.covered == 3  # required only for type 01 (行政许可)
    assert by_profile["basic"].complete.value == 1.0
    levels = {r.key: (r.basic, r.implementation, r.local) for r in s.counts["level"]}
    assert levels == {"2": (1, 1, 0), "3": (3, 1, 0), "4": (3, 3, 1)}
    types = {r.key: r.label for r in s.counts["type"]}
    assert types == {"01": "行政许可", "07": "行政确认", "09": "行政裁决"}
    departments = [r.key for r in s.counts["department"]]
    assert departments == ["23", "31", "73", ""]  # the local item has none: last


def test_region_filter_and_grouping(loaded: tuple[list[Entry], Standard]) -> None:
    entries, standard = loaded
    s = compute(entries, standard, by="region", region="2101")
    assert s.items["basic"] == 0  # basic items have no region
    assert [(g.key, g.label, g.figures.items) for g in s.groups] == [
        ("210100", "沈阳市", 1),
        ("210102", "和平区", 3),
    ]
    heping = s.groups[1].figures
    assert (heping.active, heping.immediate.count) == (2, 1)
    by_type = compute(entries, standard, by="type")
    assert [(g.key, g.basic, g.figures.items) for g in by_type.groups] == [
        ("01", 2, 3),
        ("07", 1, 2),
        ("09", 1, 1),
    ]


def test_nothing_to_count_never_divides_by_zero(loaded: tuple[list[Entry], Standard]) -> None:
    _, standard = loaded
    s = compute([], standard, by="level")
    f = s.figures
    assert f.at_most_one_visit.value is None and f.limits.value is None and f.limits.mean is None
    assert s.groups == [] and s.completeness == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_golden_text(lang: str) -> None:
    code, out, err = invoke(FIXTURE, "stats", "--lang", lang)
    assert code == 0, err
    assert ("1 个文件无法解析" if lang == "zh" else "1 files could not be parsed") in err
    assert_golden(f"stats.{lang}.txt", out)
    code, out, err = invoke(FIXTURE, "stats", "--by", "region", "--lang", lang)
    assert code == 0, err
    assert_golden(f"stats.by-region.{lang}.txt", out)


def test_golden_json() -> None:
    code, out, _ = invoke(FIXTURE, "stats", "--format", "json")
    assert code == 0
    doc = json.loads(out)  # stdout holds only the document
    assert doc["figures"]["time_limit_cut"]["cut"] == 0.65
    assert doc["figures"]["at_most_one_visit"] == {"count": 4, "covered": 4, "share": 1.0}
    assert_golden("stats.json", out)
    code, out, _ = invoke(FIXTURE, "stats", "--format", "json", "--by", "level", "--lang", "en")
    assert [g["key"] for g in json.loads(out)["groups"]] == ["2", "3", "4"]
    assert_golden("stats.by-level.json", out)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_golden_csv(lang: str) -> None:
    code, out, _ = invoke(FIXTURE, "stats", "--format", "csv", "--by", "region", "--lang", lang)
    assert code == 0
    assert out.startswith("\ufeff")  # Excel reads UTF-8 only with the BOM
    rows = list(csv.reader(io.StringIO(out[1:])))
    assert len(rows) == 1 + 4 and all(len(r) == len(rows[0]) for r in rows)
    assert rows[1][:2] == ["210000", "辽宁省"]
    assert_golden(f"stats.by-region.{lang}.csv", out)
    code, out, _ = invoke(FIXTURE, "stats", "--format", "csv", "--lang", lang)
    rows = list(csv.reader(io.StringIO(out[1:])))
    assert len(rows) == 2 and rows[1][1] == ("全部" if lang == "zh" else "all")


def test_region_option_narrows_the_catalog() -> None:
    code, out, _ = invoke(FIXTURE, "stats", "--region", "210102", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["region"] == "210102"
    assert doc["items"] == {"basic": 0, "implementation": 3, "local": 0, "total": 3}
    code, out, _ = invoke(FIXTURE, "stats", "--region", "210102")
    assert out.startswith("行政区划 210102 和平区 内的实施清单事项")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["stats", "--region", "9999"], "“9999” 不在区划代码表中"),
        (["stats", "--region", "21x", "--lang", "en"], "'21x' is not in the region list"),
        (["stats", "--by", "color"], "--by"),
        (["stats", "--format", "xml"], "--format"),
    ],
)
def test_bad_input_exits_2(args: list[str], message: str) -> None:
    code, out, err = invoke(FIXTURE, *args)
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err


def test_empty_and_broken_catalogs(make_catalog: MakeCatalog, tmp_path: Path) -> None:
    root = make_catalog({})
    code, _, err = invoke(root, "stats")
    assert code == 2 and "没有事项文件" in err
    broken = make_catalog({"items/basic/a.yaml": "a: [1\n"})
    code, out, err = invoke(broken, "stats", "--format", "json")
    assert code == 0
    assert "没有可统计的事项" in err and "1 个文件无法解析" in err
    doc = json.loads(out)
    assert doc["broken_files"] == 1 and doc["figures"]["zero_visits"]["share"] is None
    code, out, _ = invoke(broken, "stats")
    assert code == 0 and "—" in out


def test_sample_catalog_runs(make_catalog: MakeCatalog) -> None:
    root = make_catalog(
        {"items/basic/000123018000.yaml": (TEMPLATES / "basic.yaml").read_text("utf-8")}
    )
    code, out, _ = invoke(root, "stats", "--by", "department", "--format", "csv")
    assert code == 0 and "23,卫生健康,1,0,0" in out
