"""``catalog dupes`` through the CLI: classes, exit codes, decisions, scope, bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from catalog_cli.cli import app
from tests.conftest import MakeCatalog

runner = CliRunner()


def basic(code: str, name: str, typ: str = "01") -> str:
    return f'schema_version: 1\nkind: basic\nname: "{name}"\nbasic_code: "{code}"\ntype: "{typ}"\n'


def local(code: str, name: str, region: str = "511602", typ: str = "20") -> str:
    return (
        f'schema_version: 1\nkind: implementation\nname: "{name}"\nlocal_code: "{code}"\n'
        f'type: "{typ}"\nregion: "{region}"\nlevel: 4\n'
    )


def impl(basic_code: str, region: str, body: str = "11210102001067856U", name: str = "") -> str:
    text = (
        f'schema_version: 1\nkind: implementation\nbasic_code: "{basic_code}"\n'
        f'implementation_code: "{body}4{basic_code}"\nregion: "{region}"\nlevel: 4\n'
    )
    return text + (f'name: "{name}"\n' if name else "")


def dupes(root: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    res = runner.invoke(app, ["dupes", str(root / "items"), "--format", "json", *args])
    assert res.exception is None or isinstance(res.exception, SystemExit), res.output
    assert "Traceback" not in res.output
    doc = json.loads(res.stdout) if res.exit_code in (0, 1) else {}
    return res.exit_code, doc, res.stderr


def classes(doc: dict[str, Any]) -> list[str]:
    return [p["class"] for p in doc["pairs"]]


def test_level_tag_duplicate_json_shape(make_catalog: MakeCatalog) -> None:
    root = make_catalog(
        {
            "items/l/a.yaml": local("L1", "临时占用林地审批（县级）"),
            "items/l/b.yaml": local("L2", "临时占用林地审批"),
        }
    )
    code, doc, _ = dupes(root, "--lang", "en")
    assert code == 0  # warnings only
    assert classes(doc) == ["duplicate"]
    p = doc["pairs"][0]
    assert set(p) == {"class", "score", "reason", "a", "b"}
    assert p["a"] == {
        "path": "items/l/a.yaml",
        "kind": "local",
        "code": "L1",
        "name": "临时占用林地审批（县级）",
        "level": 4,
        "region": "511602",
    }
    assert p["b"]["path"] == "items/l/b.yaml"
    assert "level tag （县级）" in p["reason"]
    assert 90 <= p["score"] < 100
    assert doc["summary"]["by_class"]["duplicate"] == 1
    assert doc["summary"]["warnings"] == 1


def test_strict_and_severity_override(make_catalog: MakeCatalog) -> None:
    files: dict[str, str | bytes] = {
        "items/l/a.yaml": local("L1", "临时占用林地审批（县级）"),
        "items/l/b.yaml": local("L2", "临时占用林地审批"),
    }
    root = make_catalog(files)
    assert dupes(root, "--strict")[0] == 1
    (root / "catalog.toml").write_text('[severity]\nduplicate = "error"\n', encoding="utf-8")
    assert dupes(root)[0] == 1
    (root / "catalog.toml").write_text('[severity]\nDUP002 = "info"\n', encoding="utf-8")
    assert dupes(root, "--strict")[0] == 0


def test_same_code_conflict_is_an_error(make_catalog: MakeCatalog) -> None:
    root = make_catalog(
        {
            "items/l/a.yaml": local("L1", "探矿权延续登记"),
            "items/l/b.yaml": local("L1", "采矿权延续登记"),
        }
    )
    code, doc, _ = dupes(root)
    assert code == 1
    assert classes(doc) == ["same-code-conflict"]


def test_variants_and_key_terms_are_not_pairs(make_catalog: MakeCatalog) -> None:
    root = make_catalog(
        {
            "items/l/a.yaml": local("L1", "烟草专卖零售许可证停业"),
            "items/l/b.yaml": local("L2", "烟草专卖零售许可证歇业"),
            "items/l/c.yaml": local("L3", "燃气经营许可证变更"),
            "items/l/d.yaml": local("L4", "燃气经营许可证注销"),
            "items/l/e.yaml": local("L5", "新设采矿权登记"),
            "items/l/f.yaml": local("L6", "新设探矿权登记"),
        }
    )
    code, doc, _ = dupes(root, "--variants")
    assert code == 0
    assert doc["pairs"] == []
    stems = {v["stem"]: sorted(m["code"] for m in v["members"]) for v in doc["variants"]}
    assert stems["烟草专卖零售许可证"] == ["L1", "L2"]
    assert stems["燃气经营许可证"] == ["L3", "L4"]
    assert doc["summary"]["variant_groups"] == len(doc["variants"])


def test_across_levels(make_catalog: MakeCatalog) -> None:
    root = make_catalog(
        {
            "items/b/000123018000.yaml": basic("000123018000", "饮用水供水单位卫生许可"),
            "items/b/210123018000.yaml": basic("210123018000", "飲用水供水單位衛生許可"),
            "items/b/001030051000.yaml": basic("001030051000", "注销扣缴税款登记", "10"),
            "items/l/x.yaml": local("L1", "注销扣缴税款登记（县级行使）"),
            "items/i/y.yaml": impl("000123018000", "210102", name="注销扣缴税款登记"),
            "items/i/z.yaml": impl("001030051000", "210102", body="11210102001067856X"),
        }
    )
    _, doc, _ = dupes(root)
    got = {(p["class"], p["a"]["code"], p["b"]["code"]) for p in doc["pairs"]}
    assert ("national-candidate", "000123018000", "210123018000") in got
    assert ("should-implement", "001030051000", "L1") in got
    assert ("wrong-basic-item", "001030051000", "11210102001067856U4000123018000") in got
    # two items of one region under one name (one wrongly linked): a duplicate
    assert (
        "duplicate",
        "11210102001067856U4000123018000",
        "11210102001067856X4001030051000",
    ) in got


def test_implementations_in_other_regions_are_not_pairs(make_catalog: MakeCatalog) -> None:
    root = make_catalog(
        {
            "items/b/000123018000.yaml": basic("000123018000", "饮用水供水单位卫生许可"),
            "items/i/a.yaml": impl("000123018000", "210102"),
            "items/i/b.yaml": impl("000123018000", "511602", body="11511602001067856U"),
        }
    )
    code, doc, _ = dupes(root)
    assert (code, doc["pairs"]) == (0, [])


def test_scope(make_catalog: MakeCatalog) -> None:
    root = make_catalog(
        {
            "items/l/a.yaml": local("L1", "临时用地审批（县级）", "511602"),
            "items/l/b.yaml": local("L2", "临时用地审批", "511602"),
            "items/l/c.yaml": local("L3", "临时用地审批（县级）", "210102"),
            "items/l/d.yaml": local("L4", "临时用地审批", "210102"),
        }
    )
    _, doc, _ = dupes(root, "--scope", "511602")
    assert [(p["a"]["code"], p["b"]["code"]) for p in doc["pairs"]] == [("L1", "L2")]
    _, doc, _ = dupes(root, "--scope", "21")
    assert [(p["a"]["code"], p["b"]["code"]) for p in doc["pairs"]] == [("L3", "L4")]
    code, _, err = dupes(root, "--scope", "abc")
    assert code == 2 and "须为区划代码" in err and "“abc”" in err
    code, _, err = dupes(root, "--scope", "abc", "--lang", "en")
    assert code == 2 and "must be a region code" in err and "'abc'" in err


@pytest.mark.parametrize(
    "name",
    ["", "（县级）", "证", "😀😀", "许可证 ABC 许可證", "名" * 500, "  ", "a\u200bb"],
)
def test_bad_names_never_crash(make_catalog: MakeCatalog, name: str) -> None:
    root = make_catalog(
        {
            "items/l/a.yaml": local("L1", name),
            "items/l/b.yaml": local("L2", name),
            "items/l/c.yaml": local("L3", "临时用地审批"),
        }
    )
    code, doc, _ = dupes(root)
    assert code == 0
    if not name.strip() or name == "（县级）":
        assert {f["code"] for f in doc["findings"]} == {"DUP009"}
        assert doc["pairs"] == []
    else:
        assert classes(doc) == ["duplicate"]


def test_long_near_names(make_catalog: MakeCatalog) -> None:
    long_a = "对" + "排放污染物的企业事业单位和其他生产经营者" * 20 + "进行现场检查"
    root = make_catalog(
        {
            "items/l/a.yaml": local("L1", long_a),
            "items/l/b.yaml": local("L2", long_a.replace("的", "", 1)),
        }
    )
    code, doc, _ = dupes(root)
    assert code == 0 and classes(doc) == ["duplicate"]


def test_decisions(make_catalog: MakeCatalog) -> None:
    root = make_catalog(
        {
            "items/l/a.yaml": local("L1", "临时用地审批（县级）"),
            "items/l/b.yaml": local("L2", "临时用地审批"),
            "items/l/c.yaml": local("L3", "古树名木认定"),
            "items/l/d.yaml": local("L4", "古树名木移植审批"),
            "decisions.yaml": (
                "- {a: L2, b: L1, decision: not-duplicate, reason: 对象不同, by: 张三, date: 2026-01-15}\n"
                "- {a: L1, b: L9, decision: duplicate, reason: x, by: y, date: 2026-01-15}\n"
                "- {a: L3, b: L4, decision: duplicate, reason: x, by: y, date: 2026-01-15}\n"
                "- {a: L3, b: L1, decision: merge, reason: x, by: y, date: 2026-01-15}\n"
                "- {a: L3, b: L2, decision: maybe, reason: x, by: y, date: 2026-01-15, extra: 1}\n"
            ),
        }
    )
    code, doc, _ = dupes(root, "--lang", "en")
    assert doc["pairs"] == []
    assert doc["summary"]["decided"] == 1
    found = [(f["code"], f["line"]) for f in doc["findings"]]
    assert ("DUP008", 2) in found  # unknown code L9
    assert ("DUP008", 3) in found  # L3/L4 are not a pair
    assert ("DUP007", 4) in found  # merge without into
    assert sum(1 for c, ln in found if c == "DUP007" and ln == 5) == 2  # bad decision, extra key
    assert code == 1  # an invalid decisions file is an error


@pytest.mark.parametrize(
    "text",
    ["- {a: L1, b: [unclosed\n", "a: 1\n", "", "\xff\xfe", "- 1\n- null\n"],
)
def test_broken_decisions_file(make_catalog: MakeCatalog, text: str) -> None:
    root = make_catalog({"items/l/a.yaml": local("L1", "临时用地审批"), "decisions.yaml": text})
    code, doc, _ = dupes(root)
    assert code == 1
    bad = [f for f in doc["findings"] if f["code"] == "DUP007"]
    assert bad and all(f["path"] == "decisions.yaml" for f in bad)


def test_broken_vocabulary_is_a_configuration_error(make_catalog: MakeCatalog) -> None:
    root = make_catalog(
        {
            "items/l/a.yaml": local("L1", "临时用地审批"),
            "standards/vocabularies/synonyms.yaml": (
                "meta: {version: '1', source: x}\ngroups:\n  - {canonical: a, term: [b]}\n"
            ),
        }
    )
    code, _, err = dupes(root)
    assert code == 2
    assert "synonyms.yaml:3" in err and "标准文件在 /groups/0/terms 处无效" in err  # (中文)
    code, _, err = dupes(root, "--lang", "en")
    assert code == 2
    assert "synonyms.yaml:3" in err and "standard file invalid at /groups/0/terms" in err
    (root / "standards/vocabularies/synonyms.yaml").write_text("meta: [", encoding="utf-8")
    code, _, err = dupes(root)
    assert code == 2 and "synonyms.yaml:2: YAML 语法错误" in err  # the loader's problem, in Chinese
    code, _, err = dupes(root, "--lang", "en")
    assert code == 2 and "synonyms.yaml:2: " in err and "语法" not in err
    (root / "standards/vocabularies/synonyms.yaml").unlink()
    (root / "standards/vocabularies/colours.yaml").write_text("meta: {}", encoding="utf-8")
    code, _, err = dupes(root)
    assert code == 2 and "未知的词表文件" in err
    code, _, err = dupes(root, "--lang", "en")
    assert code == 2 and "unknown vocabulary" in err


def test_catalog_vocabulary_extends_bundled(make_catalog: MakeCatalog) -> None:
    files: dict[str, str | bytes] = {
        "items/l/a.yaml": local("L1", "机动车登记证书核发"),
        "items/l/b.yaml": local("L2", "机动车产权证书核发"),
    }
    root = make_catalog(files)
    assert dupes(root)[1]["pairs"] == []
    (root / "standards/vocabularies").mkdir(parents=True)
    (root / "standards/vocabularies/synonyms.yaml").write_text(
        "meta: {version: '1', source: test}\n"
        "groups:\n  - {canonical: 登记证书, terms: [登记证书, 产权证书]}\n",
        encoding="utf-8",
    )
    _, doc, _ = dupes(root, "--lang", "en")
    assert classes(doc) == ["duplicate"]
    assert "renamed terminology" in doc["pairs"][0]["reason"]


def test_text_output_and_no_catalog(make_catalog: MakeCatalog, tmp_path: Path) -> None:
    root = make_catalog(
        {
            "items/l/a.yaml": local("L1", "临时用地审批（县级）"),
            "items/l/b.yaml": local("L2", "臨時用地審批"),
        }
    )
    res = runner.invoke(app, ["dupes", str(root / "items")])
    assert res.exit_code == 0
    assert "duplicate" in res.stdout and "繁体/简体字" in res.stdout
    empty = tmp_path / "nothing"
    empty.mkdir()
    res = runner.invoke(app, ["dupes", str(empty)])
    assert res.exit_code == 2 and "找不到事项目录" in res.stderr
    res = runner.invoke(app, ["dupes", str(root / "items"), "--threshold", "50"])
    assert res.exit_code == 2


def test_many_copies_of_one_name_stay_linear(make_catalog: MakeCatalog) -> None:
    files: dict[str, str | bytes] = {
        f"items/l/{i:03d}.yaml": local(f"L{i:03d}", "临时用地审批") for i in range(120)
    }
    _, doc, _ = dupes(make_catalog(files))
    assert len(doc["pairs"]) == 119
    assert {p["a"]["code"] for p in doc["pairs"]} == {"L000"}


def test_text_output_prints_brackets_as_text(make_catalog: MakeCatalog) -> None:
    """Names and paths holding brackets are text in the table, not rich markup."""
    root = make_catalog(
        {
            "items/l/[bold]a.yaml": local("L1", "临时用地审批[/x]"),
            "items/l/[bold]b.yaml": local("L2", "臨時用地審批[/x]"),
        }
    )
    res = runner.invoke(app, ["dupes", str(root / "items")])
    assert res.exception is None or isinstance(res.exception, SystemExit), res.output
    assert res.exit_code == 0
    assert "[/x]" in res.stdout and "Traceback" not in res.output
    assert "items/l/[bold]a.yaml" in res.stdout  # (a path in a plain cell of the table)
