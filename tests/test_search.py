"""``catalog search`` and the search index: ranking, reasons, filters, bad input, golden output.

The fixture catalog (tests/fixtures/browse) holds four basic items, five implementation items,
one local item with a traditional-script, level-tagged, renamed name, and one broken file.
Regenerate golden files on purpose only: ``CATALOG_UPDATE_GOLDEN=1 pytest tests/test_search.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalog_cli.dupes.classify import classify_names
from catalog_cli.dupes.find import DEFAULT_THRESHOLD
from catalog_cli.dupes.normalize import Normalizer
from catalog_cli.engine import item_files, open_session
from catalog_cli.rounds import load_entries
from catalog_cli.search import SearchIndex
from tests.conftest import ROOT, MakeCatalog, assert_golden, invoke

FIXTURE = ROOT / "tests" / "fixtures" / "browse"


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    session = open_session(FIXTURE)
    entries, _ = load_entries(session, item_files(session, []))
    return SearchIndex(entries, session.standard)


def test_same_normalization_as_duplicate_detection(index: SearchIndex) -> None:
    query = "个体工商户开业登记"
    hits = index.search(query)
    assert [h.record.code for h in hits] == [
        "210731001000",
        "11210102001067856U4210731001000",
        "L511602-001",
    ]
    norm = Normalizer(open_session(FIXTURE).standard.vocabularies)
    for h in hits:  # the why is exactly what `catalog dupes` would say about the two names
        m = classify_names(norm, norm.normalize(query), norm.normalize(h.record.name), 90.0)
        assert m is not None
        assert h.why == m.steps and h.score == m.score
    assert hits[0].why == ("synonym",)
    assert hits[2].why == ("script", "level_tag")
    assert "开业登记→设立登记" in hits[0].reason("zh")
    assert (
        hits[2].reason("en")
        == "differs only by traditional vs simplified characters, a level tag （县级）"
    )
    assert DEFAULT_THRESHOLD == 90.0


def test_identical_name_ranks_first_and_ties_are_ordered(index: SearchIndex) -> None:
    hits = index.search("饮用水供水单位卫生许可")
    assert [(h.score, h.why, h.record.kind) for h in hits] == [
        (100.0, ("identical",), "basic"),
        (100.0, ("identical",), "implementation"),
        (100.0, ("identical",), "implementation"),
    ]
    codes = [h.record.code or "" for h in hits[1:]]
    assert codes == sorted(codes)  # equal scores: kind, then code


def test_fragment_matches_names_that_contain_it(index: SearchIndex) -> None:
    hits = index.search("卫生许可")
    assert {h.record.basic_code for h in hits} == {"000123018000"}
    assert all(h.why == ("contains",) for h in hits)
    assert hits[0].score == round(80 + 20 * 4 / 11, 1)


def test_typo_is_a_fuzzy_match(index: SearchIndex) -> None:
    hits = index.search("移动式压力容器气瓶冲装许可")  # 充 mistyped as 冲
    assert hits and hits[0].record.code == "000131035000"
    assert hits[0].why == ("fuzzy",) and 80 <= hits[0].score < 100


def test_codes(index: SearchIndex) -> None:
    hits = index.search("000123018000")
    assert [(h.why, h.score) for h in hits] == [
        (("code-exact",), 100.0),
        (("basic-code",), 90.0),
        (("basic-code",), 90.0),
    ]
    hits = index.search("l511602")  # a local code's prefix, any case
    assert [(h.record.code, h.why) for h in hits] == [("L511602-001", ("code-prefix",))]
    assert index.by_code(" 11210100004107526H3000123018000 ")[0].kind == "implementation"
    assert index.by_code("999999999999") == []
    assert [r.region for r in index.implementations("000123018000")] == ["210100", "210102"]


def test_filters(index: SearchIndex) -> None:
    query = "个体工商户设立登记"
    assert {h.record.kind for h in index.search(query, kinds={"basic"})} == {"basic"}
    assert [h.record.code for h in index.search(query, region="51")] == ["L511602-001"]
    assert [h.record.code for h in index.search(query, region="210102")] == [
        "11210102001067856U4210731001000"
    ]
    assert index.search(query, region="2102") == []
    assert len(index.search("许可", limit=2)) == 2


def test_blank_and_nonsense(index: SearchIndex) -> None:
    assert index.search("   ") == []
    assert index.search("（）") == []  # nothing left after normalization
    assert index.search("量子计算机") == []


def test_closest_suggests_a_near_code(index: SearchIndex) -> None:
    hits = index.closest("000132018000")  # two digits swapped
    assert hits[0].record.code == "000123018000" and hits[0].why == ("similar-code",)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_golden(fmt: str, lang: str) -> None:
    code, out, err = invoke(
        FIXTURE, "search", "個體工商戶開業登記", "--format", fmt, "--lang", lang
    )
    assert code == 0, err
    assert ("1 个文件无法解析" if lang == "zh" else "1 files could not be parsed") in err
    if fmt == "json":
        doc = json.loads(out)  # stdout holds only the document
        assert doc["count"] == 3 and doc["query"] == "個體工商戶開業登記"
        assert list(doc["hits"][0]) == [
            "score",
            "why",
            "reason",
            "kind",
            "code",
            "basic_code",
            "implementation_code",
            "local_code",
            "name",
            "region",
            "level",
            "path",
        ]
    assert_golden(f"search.{lang}.{'json' if fmt == 'json' else 'txt'}", out)


def test_kind_and_limit_options() -> None:
    code, out, _ = invoke(
        FIXTURE, "search", "饮用水供水单位卫生许可", "--kind", "implementation", "-n", "1",
        "--format", "json",
    )  # fmt: skip
    assert code == 0
    hits = json.loads(out)["hits"]
    assert [h["kind"] for h in hits] == ["implementation"]
    code, out, _ = invoke(FIXTURE, "search", "个体工商户设立登记", "--kind", "local", "-f", "json")
    assert [h["code"] for h in json.loads(out)["hits"]] == ["L511602-001"]


def test_no_match_exits_1_like_grep() -> None:
    code, out, err = invoke(FIXTURE, "search", "量子计算机")
    assert code == 1 and out == ""
    assert "没有找到与 “量子计算机” 相符的事项" in err
    code, out, err = invoke(FIXTURE, "search", "量子计算机", "--format", "json", "--lang", "en")
    assert code == 1
    assert json.loads(out) == {"query": "量子计算机", "count": 0, "hits": []}
    assert "no item matches" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["search", "许可", "--region", "9999"], "“9999” 不在区划代码表中"),
        (
            ["search", "许可", "--region", "abc", "--lang", "en"],
            "'abc' is not in the region list",
        ),
        (["search", "  "], "请给出要查找的名称或编码"),
        (["search", "许可", "--limit", "0"], "--limit"),
        (["search", "许可", "--kind", "other"], "--kind"),
    ],
)
def test_bad_input_exits_2(args: list[str], message: str) -> None:
    code, out, err = invoke(FIXTURE, *args)
    assert code == 2, err
    assert message in err and "Traceback" not in err
    assert out == ""


def test_outside_a_catalog_exits_2(tmp_path: Path) -> None:
    code, _, err = invoke(tmp_path, "search", "许可")
    assert code == 2 and "找不到事项目录" in err


def test_empty_catalog_exits_2(make_catalog: MakeCatalog) -> None:
    root = make_catalog({})
    code, _, err = invoke(root, "search", "许可")
    assert code == 2 and "没有事项文件" in err


@pytest.mark.parametrize("text", ["[/x]", "[bold]许可证", "[tool.catalog]"])
def test_what_the_user_typed_is_printed_as_text(text: str) -> None:
    """Brackets in a query are text, not rich markup: '[/x]' once ended in a traceback."""
    from tests.conftest import cli_result

    for lang in ("zh", "en"):
        result = cli_result(FIXTURE, "search", text, "--lang", lang)
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert result.exit_code == 1
        assert text in result.stdout + result.stderr
