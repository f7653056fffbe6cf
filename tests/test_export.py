"""catalog export: formats, selection, metadata, determinism, deltas and bad input (issue 6).

Every JSON document an export writes here is validated against the committed schema.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

from catalog_cli import __version__
from catalog_cli.export import render_json
from catalog_cli.published import SCHEMA_FILE
from tests.conftest import ROOT, assert_golden, cli_result
from tests.gitrepo import git

FIXTURE = ROOT / "tests" / "fixtures" / "export"
SAMPLE = ROOT / "items"
HEPING_HEALTH = "11210102001067856U4000123018000"
CITY_HEALTH = "11210100004107526H3000123018000"
PROVINCE_PAUSED = "11210000001245202D2000131017000"
CANCELLED_IMPL = "1121010200106900XY4000511001000"
DRAFT_IMPL = "12210102001069018U4000123018000"
LOCAL = "L2101020001"
SCHEMA: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
DOCUMENT = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)
DELTA = Draft202012Validator(
    {**SCHEMA, "$ref": "#/$defs/CatalogDelta"},
    format_checker=Draft202012Validator.FORMAT_CHECKER,
)


def checked(doc: dict[str, Any]) -> dict[str, Any]:
    """The document, after asserting that it is valid against the published schema."""
    errors = [e.message for e in DOCUMENT.iter_errors(doc)]
    assert not errors, errors[:3]
    return doc


def invoke(root: Path, *args: str) -> tuple[int, bytes, str]:
    """Like conftest's invoke, with stdout as bytes (exports carry a BOM and exact bytes)."""
    result = cli_result(root, *args)
    return result.exit_code, result.stdout_bytes, result.stderr


def export(root: Path, *args: str) -> dict[str, Any]:
    code, out, err = invoke(root, "export", *args)
    assert code == 0, err
    return checked(json.loads(out))


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    """The export fixture catalog, outside any git repository."""
    root = tmp_path / "catalog"
    shutil.copytree(FIXTURE, root)
    return root


@pytest.fixture
def repo(catalog: Path) -> Path:
    """The fixture catalog committed and tagged v1.0."""
    git(catalog, "init", "-q", "-b", "main")
    git(catalog, "add", "-A")
    git(catalog, "commit", "-q", "-m", "v1")
    git(catalog, "tag", "v1.0")
    return catalog


def codes(records: list[dict[str, Any]]) -> list[str]:
    return [r["code"] for r in records]


# ---- formats and golden files ------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "ndjson", "jsonld"])
def test_golden(catalog: Path, fmt: str) -> None:
    code, out, _ = invoke(catalog, "export", "--format", fmt)
    assert code == 0
    if fmt == "json":
        checked(json.loads(out))
    assert_golden(f"export.{fmt}", out.decode("utf-8"))


def test_golden_csv_has_bom_crlf_and_one_row_per_implementation_item(catalog: Path) -> None:
    code, out, _ = invoke(catalog, "export", "--format", "csv")
    assert code == 0
    assert out.startswith("\ufeff".encode())  # Excel reads UTF-8 only with a BOM
    text = out.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text[1:], newline="")))
    assert rows[0][:3] == ["code", "kind", "name"]
    assert [r[0] for r in rows[1:]] == [PROVINCE_PAUSED, CITY_HEALTH, HEPING_HEALTH, LOCAL]
    assert text.count("\r\n") == len(rows)  # records end in CRLF; line breaks in cells are LF
    assert_golden("export.csv", text.replace("\r\n", "\n"))


def test_csv_joins_list_elements_one_per_line_with_escapes(catalog: Path) -> None:
    _, out, _ = invoke(catalog, "export", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out.decode("utf-8-sig"), newline="")))
    city = next(r for r in rows if r["code"] == CITY_HEALTH)
    # a line break inside an element is written \n, a backslash \\; elements are lines
    assert city["conditions"] == "供水单位已取得营业执照\\n（副本）\n水质检测合格 \\\\ 报告齐全"
    assert city["process[].name"] == "受理\n审查\n决定"
    assert city["process[].description"] == "\n\n"  # aligned lines, empty where absent
    assert city["service_objects_labels"] == "企业法人\n事业法人"
    assert city["charged"] == "true" and city["fees[].standard"] == "按次收取"
    assert city["body.nature_label"] == "法定机关"


def test_jsonld_is_schema_org_government_services(catalog: Path) -> None:
    _, out, _ = invoke(catalog, "export", "--format", "jsonld")
    doc = json.loads(out)
    assert doc["@context"] == "https://schema.org"
    services = {s["identifier"]: s for s in doc["@graph"]}
    assert set(services) == {PROVINCE_PAUSED, CITY_HEALTH, HEPING_HEALTH, LOCAL}
    s = services[HEPING_HEALTH]
    assert s["@type"] == "GovernmentService" and s["name"] == "饮用水供水单位卫生许可"
    assert s["provider"]["@type"] == "GovernmentOrganization"
    assert s["areaServed"] == {
        "@type": "AdministrativeArea",
        "name": "和平区",
        "identifier": "210102",
    }
    assert s["availableChannel"][0]["servicePhone"]["telephone"] == "024-22851234"


def test_ndjson_is_one_item_per_line(catalog: Path) -> None:
    _, out, _ = invoke(catalog, "export", "--format", "ndjson")
    lines = out.decode("utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert codes(records) == codes(export(catalog)["items"])
    for r in records:
        checked({**export(catalog), "items": [r]})


def test_sample_catalog_exports_valid_documents(tmp_path: Path) -> None:
    root = tmp_path / "sample"
    shutil.copytree(SAMPLE, root / "items")
    doc = export(root)
    assert doc["metadata"]["counts"]["items"] == 52
    assert doc["metadata"]["counts"]["basic"]["by_type"]["99"] == 1  # Liaoning's extension type


# ---- content: inheritance, labels, status ------------------------------------------------------


def test_implementation_items_are_complete(catalog: Path) -> None:
    items = {r["code"]: r for r in export(catalog)["items"]}
    r = items[HEPING_HEALTH]
    # inherited from the basic item 000123018000
    assert r["name"] == "饮用水供水单位卫生许可"
    assert (r["type"], r["type_label"]) == ("01", "行政许可")
    assert r["legal_basis"] == [{"law": "《中华人民共和国行政许可法》", "provision": "第十二条"}]
    assert (r["levels"], r["levels_labels"]) == ([3, 4], ["市级", "县级"])
    assert (r["department"], r["department_label"]) == ("23", "卫生健康")
    assert r["effective_date"] == "2023-01-01"
    # its own, with labels next to the codes
    assert (r["level"], r["level_label"]) == (4, "县级")
    assert (r["region"], r["region_name"]) == ("210102", "和平区")
    assert r["body"]["nature_label"] == "法定机关"
    assert r["service_objects_labels"] == ["企业法人", "事业法人"]
    assert r["handling_forms_labels"] == ["窗口办理", "网上办理"]
    assert r["online_depth_label"] == "Ⅳ级（全程网办）"
    assert r["statutory_limit"] == {"value": 20, "unit": "工作日"}  # a whole number stays whole
    assert items[PROVINCE_PAUSED]["promised_limit"]["value"] == 7.5
    assert list(r)[:4] == ["code", "kind", "name", "basic_code"]


def test_published_statuses_and_withdrawn(catalog: Path) -> None:
    doc = export(catalog)
    items = {r["code"]: r for r in doc["items"]}
    assert items["000131017000"]["status"] == "暂停"
    assert items[PROVINCE_PAUSED]["status"] == "暂停"  # inherited from its paused basic item
    assert "000711002000" not in items and DRAFT_IMPL not in items  # 草稿: never by default
    assert doc["withdrawn"] == [
        {
            "code": "000511001000",
            "kind": "basic",
            "name": "困难残疾人生活补贴发放",
            "cancel_date": "2024-06-30",
        },
        {
            "code": CANCELLED_IMPL,
            "kind": "implementation",
            "name": "困难残疾人生活补贴发放",
            "cancel_date": "2024-07-01",
        },
    ]
    assert codes(doc["items"]) == sorted(codes(doc["items"]))


def test_status_option_changes_what_is_published(catalog: Path) -> None:
    drafts = export(catalog, "--status", "草稿")
    assert codes(drafts["items"]) == ["000711002000", DRAFT_IMPL]
    assert len(drafts["withdrawn"]) == 2
    with_cancelled = export(catalog, "--status", "在用,取消")
    assert "000511001000" in codes(with_cancelled["items"])
    assert with_cancelled["withdrawn"] == []
    assert with_cancelled["metadata"]["selection"]["statuses"] == ["取消", "在用"]


def test_region_exports_sub_regions_and_their_basic_items(catalog: Path) -> None:
    doc = export(catalog, "--region", "210102")
    assert codes(doc["items"]) == ["000123018000", HEPING_HEALTH, LOCAL]
    assert codes(doc["withdrawn"]) == ["000511001000", CANCELLED_IMPL]
    city = export(catalog, "--region", "2101")  # 沈阳市 and its districts
    assert codes(city["items"]) == ["000123018000", CITY_HEALTH, HEPING_HEALTH, LOCAL]
    province = export(catalog, "--region", "210000")
    assert codes(province["items"]) == codes(export(catalog)["items"])
    assert province["metadata"]["selection"]["region"] == "210000"


def test_level_and_type_filters(catalog: Path) -> None:
    level2 = export(catalog, "--level", "2")
    assert codes(level2["items"]) == ["000131017000", PROVINCE_PAUSED]
    assert level2["metadata"]["selection"]["levels"] == [2]
    levels34 = export(catalog, "--level", "3", "--level", "4")
    assert "000123018000" in codes(levels34["items"]) and PROVINCE_PAUSED not in codes(
        levels34["items"]
    )
    type05 = export(catalog, "--type", "05", "--status", "取消")
    assert codes(type05["items"]) == ["000511001000", CANCELLED_IMPL]
    assert export(catalog, "--type", "20")["items"] == []


def test_metadata_counts(catalog: Path) -> None:
    meta = export(catalog)["metadata"]
    assert meta["counts"] == {
        "items": 6,
        "withdrawn": 2,
        "basic": {
            "total": 2,
            "by_type": {"01": 2},
            "by_level": {"2": 1, "3": 1, "4": 1},
            "by_status": {"在用": 1, "暂停": 1},
        },
        "implementation": {
            "total": 4,
            "by_type": {"01": 4},
            "by_level": {"2": 1, "3": 1, "4": 2},
            "by_status": {"在用": 3, "暂停": 1},
        },
    }
    assert meta["tool_version"] == __version__ and meta["standard_version"] == "2023.1"
    assert (meta["allow_errors"], meta["error_count"], meta["skipped"]) == (False, 0, [])


# ---- versions and determinism ------------------------------------------------------------------


def test_outside_git_it_is_unversioned(catalog: Path) -> None:
    code, out, err = invoke(catalog, "export")
    assert code == 0
    meta = checked(json.loads(out))["metadata"]
    assert (meta["catalog_version"], meta["commit"], meta["commit_date"]) == (
        "unversioned",
        None,
        None,
    )
    assert "unversioned" in err


def test_same_commit_gives_byte_identical_exports(repo: Path) -> None:
    formats = ["--format", "json", "--format", "ndjson", "--format", "csv", "--format", "jsonld"]
    code, _, err = invoke(repo, "export", *formats, "--out", "out1")
    assert code == 0, err
    code, _, err = invoke(repo, "export", *formats, "--out", "out2")  # out1/ is now untracked
    assert code == 0, err
    names = sorted(p.name for p in (repo / "out1").iterdir())
    assert names == ["catalog.csv", "catalog.json", "catalog.jsonld", "catalog.ndjson"]
    for name in names:
        assert (repo / "out1" / name).read_bytes() == (repo / "out2" / name).read_bytes(), name
    meta = checked(json.loads((repo / "out1" / "catalog.json").read_bytes()))["metadata"]
    assert meta["catalog_version"] == "v1.0"
    assert meta["commit"] == git(repo, "rev-parse", "HEAD").strip()
    assert meta["commit_date"] == git(repo, "log", "-1", "--format=%cI").strip()


def test_version_is_describe_dirty_detached_and_shallow(repo: Path, tmp_path: Path) -> None:
    impl = next(repo.glob(f"items/implementation/*/{HEPING_HEALTH}.yaml"))
    impl.write_text(impl.read_text(encoding="utf-8").replace("value: 10", "value: 9"), "utf-8")
    assert export(repo)["metadata"]["catalog_version"] == "v1.0-dirty"
    git(repo, "commit", "-q", "-am", "faster")
    head = git(repo, "rev-parse", "HEAD").strip()
    meta = export(repo)["metadata"]
    assert meta["catalog_version"] == f"v1.0-1-g{head[:7]}" and meta["commit"] == head
    git(repo, "checkout", "-q", "v1.0")  # detached HEAD at the tag
    assert export(repo)["metadata"]["catalog_version"] == "v1.0"
    clone = tmp_path / "clone"
    git(repo, "checkout", "-q", "main")
    git(tmp_path, "clone", "-q", "--depth", "1", "--no-tags", f"file://{repo}", str(clone))
    git(clone, "checkout", "-q", "--detach")
    meta = export(clone)["metadata"]  # no tag in a shallow clone: the abbreviated commit
    assert meta["commit"] == head and meta["catalog_version"] == head[:7]


def test_empty_repository_is_unversioned(catalog: Path) -> None:
    git(catalog, "init", "-q")
    meta = export(catalog)["metadata"]
    assert (meta["catalog_version"], meta["commit"]) == ("unversioned", None)


# ---- delta -------------------------------------------------------------------------------------


def apply_delta(old: dict[str, Any], delta: dict[str, Any]) -> dict[str, Any]:
    """What a portal does with catalog.delta.json (the README shows the same steps)."""

    def apply(records: list[dict[str, Any]], changes: dict[str, Any]) -> list[dict[str, Any]]:
        by_code = {r["code"]: r for r in records}
        for code in changes["remove"]:
            del by_code[code]
        by_code.update((r["code"], r) for r in changes["upsert"])
        return [by_code[c] for c in sorted(by_code)]

    return {
        "metadata": delta["metadata"],
        "items": apply(old["items"], delta["items"]),
        "withdrawn": apply(old["withdrawn"], delta["withdrawn"]),
    }


def test_delta_applied_to_the_old_export_gives_the_new_one(repo: Path) -> None:
    assert invoke(repo, "export", "--out", "old")[0] == 0
    items = repo / "items"
    # change an item, cancel one, delete one, add one, and change a basic item (inherited)
    heping = next(items.glob(f"implementation/*/{HEPING_HEALTH}.yaml"))
    heping.write_text(heping.read_text("utf-8").replace("value: 10", "value: 5"), "utf-8")
    local = items / "implementation/210102/L2101020001.yaml"
    local.write_text(
        local.read_text("utf-8").replace(
            "kind: implementation\n",
            "kind: implementation\nstatus: 取消\ncancel_date: 2025-01-01\n",
        ),
        "utf-8",
    )
    city = next(items.glob(f"implementation/*/{CITY_HEALTH}.yaml"))
    city.unlink()
    draft = next(items.glob(f"implementation/*/{DRAFT_IMPL}.yaml"))
    draft.write_text(draft.read_text("utf-8").replace("status: 草稿\n", ""), "utf-8")
    basic = items / "basic/000123018000.yaml"
    basic.write_text(
        basic.read_text("utf-8").replace('department: "23"', 'department: "99"'), "utf-8"
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "v2")
    code, out, err = invoke(repo, "export", "--since", "v1.0")
    assert code == 0, err
    delta = json.loads(out)
    assert not [e.message for e in DELTA.iter_errors(delta)]
    assert delta["base"] == {
        "revision": "v1.0",
        "catalog_version": "v1.0",
        "commit": git(repo, "rev-parse", "v1.0").strip(),
    }
    assert codes(delta["items"]["upsert"]) == ["000123018000", HEPING_HEALTH, DRAFT_IMPL]
    assert delta["items"]["remove"] == [CITY_HEALTH, LOCAL]
    assert codes(delta["withdrawn"]["upsert"]) == [LOCAL] and delta["withdrawn"]["remove"] == []
    assert invoke(repo, "export", "--out", "new")[0] == 0
    old = json.loads((repo / "old/catalog.json").read_bytes())
    new_bytes = (repo / "new/catalog.json").read_bytes()
    assert apply_delta(old, delta) == checked(json.loads(new_bytes))
    assert render_json(apply_delta(old, delta)) == new_bytes  # byte for byte
    # --out writes the delta next to the exports
    assert invoke(repo, "export", "--since", "v1.0", "--out", "new")[0] == 0
    assert json.loads((repo / "new/catalog.delta.json").read_bytes()) == delta


def test_delta_of_an_unchanged_catalog_is_empty(repo: Path) -> None:
    delta = json.loads(invoke(repo, "export", "--since", "HEAD")[1])
    assert delta["items"] == {"upsert": [], "remove": []}
    assert delta["withdrawn"] == {"upsert": [], "remove": []}


# ---- refusing on errors ------------------------------------------------------------------------


def test_refuses_to_export_with_errors_and_writes_nothing(catalog: Path) -> None:
    (catalog / "items/basic/broken.yaml").write_text("schema_version: 1\nkind: basic\nnaem: x\n")
    code, out, err = invoke(catalog, "export", "--out", "out", "--lang", "en")
    assert code == 1 and out == b""
    assert "items/basic/broken.yaml" in err and "SCH002" in err and "--allow-errors" in err
    assert not (catalog / "out").exists()
    code, _, err = invoke(catalog, "export", "--out", "out", "--allow-errors")
    assert code == 0 and "--allow-errors" in err
    meta = checked(json.loads((catalog / "out/catalog.json").read_bytes()))["metadata"]
    assert meta["allow_errors"] is True and meta["error_count"] >= 1
    assert meta["skipped"] == [{"path": "items/basic/broken.yaml", "reason": "no-code"}]


def test_unreadable_and_duplicate_files_are_skipped_with_allow_errors(catalog: Path) -> None:
    (catalog / "items/basic/a-broken.yaml").write_text("a: [1\n")
    shutil.copy(catalog / "items/basic/000123018000.yaml", catalog / "items/basic/copy.yaml")
    doc = export(catalog, "--allow-errors")
    assert doc["metadata"]["skipped"] == [
        {"path": "items/basic/a-broken.yaml", "reason": "unreadable"},
        {"path": "items/basic/copy.yaml", "reason": "duplicate-code"},
    ]
    assert codes(doc["items"]).count("000123018000") == 1


# ---- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--region", "210199"], "closest are: 210181 新民市"),
        (["--region", "210012"], "closest are: 210102 和平区"),
        (["--region", "99"], "region code '99' is not in the region list"),
        (["--region", "abc"], "region code 'abc' is not in the region list (e.g. 21, 2101"),
        (["--status", "有效"], "--status '有效' is not in the code list; choose from: 在用"),
        (["--level", "7"], "--level '7'"),
        (["--type", "30"], "--type '30'"),
        (["--format", "xml"], "unknown export format 'xml'"),
        (["--since", "HEAD", "--format", "csv"], "--format json only"),
    ],
)
def test_bad_options_exit_2_and_write_nothing(catalog: Path, args: list[str], message: str) -> None:
    code, out, err = invoke(catalog, "export", *args, "--out", "out", "--lang", "en")
    assert code == 2 and out == b""
    assert message in " ".join(err.split())
    assert not (catalog / "out").exists()


def test_several_formats_need_out(catalog: Path) -> None:
    code, out, err = invoke(catalog, "export", "-f", "json", "-f", "csv", "--lang", "en")
    assert code == 2 and out == b"" and "use --out DIR" in err


def test_messages_are_chinese_by_default(catalog: Path) -> None:
    code, _, err = invoke(catalog, "export", "--region", "210199")
    assert code == 2 and "不在区划代码表中" in err and "最接近的是：210181 新民市" in err


def test_out_is_a_file_or_not_writable(catalog: Path) -> None:
    (catalog / "taken").write_text("x")
    code, _, err = invoke(catalog, "export", "--out", "taken", "--lang", "en")
    assert code == 2 and "is a file, not a folder" in err
    code, _, err = invoke(catalog, "export", "--out", "taken/sub", "--lang", "en")
    assert code == 2 and "is a file" in err
    assert (catalog / "taken").read_text() == "x"
    code, _, err = invoke(catalog, "export", "--out", "/proc/catalog-export", "--lang", "en")
    assert code == 2 and "/proc/catalog-export" in err and "Traceback" not in err


def test_out_not_writable_by_permissions(catalog: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # root may write anywhere: pretend the folder's permissions say no
    monkeypatch.setattr(os, "access", lambda *_args, **_kw: False)
    code, _, err = invoke(catalog, "export", "--out", "out", "--lang", "en")
    assert code == 2 and "is not writable" in err and not (catalog / "out").exists()


def test_since_needs_git_and_a_known_revision(catalog: Path, repo: Path) -> None:
    outside = catalog.parent / "outside"
    shutil.copytree(FIXTURE, outside)
    code, out, err = invoke(outside, "export", "--since", "v1.0", "--lang", "en")
    assert code == 2 and out == b"" and "not in a git repository" in err
    code, out, err = invoke(repo, "export", "--since", "v9.9", "--out", "out", "--lang", "en")
    assert code == 2 and "'v9.9' not found" in err and not (repo / "out").exists()
    code, out, err = invoke(repo, "export", "--since", "v9.9", "--out", "out")
    assert code == 2 and "找不到 git 引用“v9.9”" in err and not (repo / "out").exists()


def test_no_catalog_exits_2(tmp_path: Path) -> None:
    code, _, err = invoke(tmp_path, "export")
    assert code == 2 and "找不到事项目录" in err


def test_out_leaves_no_temporary_files(catalog: Path) -> None:
    code, _, _ = invoke(catalog, "export", "-f", "json", "-f", "csv", "--out", "deep/out")
    assert code == 0
    assert sorted(p.name for p in (catalog / "deep/out").iterdir()) == [
        "catalog.csv",
        "catalog.json",
    ]
