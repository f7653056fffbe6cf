"""The command line, driven through Typer's runner: exit codes, formats, bad input, golden output."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from catalog_cli import __version__
from catalog_cli.cli import app
from tests.conftest import ROOT, TEMPLATES, MakeCatalog, assert_golden

FIXTURE = ROOT / "tests" / "fixtures" / "golden"
STABLE = ["--select", "YML", "--select", "SCH", "--select", "SUP"]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def invoke(runner: CliRunner, root: Path, *args: str) -> tuple[int, str, str]:
    cwd = Path.cwd()
    os.chdir(root)
    try:
        result = runner.invoke(app, list(args))
    finally:
        os.chdir(cwd)
    return result.exit_code, result.stdout, result.stderr


def basic_text() -> str:
    return (TEMPLATES / "basic.yaml").read_text(encoding="utf-8")


def test_version_and_help(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.stdout
    result = runner.invoke(app, ["-h"])
    assert result.exit_code == 0
    assert "validate" in result.stdout
    result = runner.invoke(app, ["validate", "-h"])
    assert "--format" in result.stdout and "--strict" in result.stdout


def test_clean_catalog_exits_0(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    root = make_catalog({"items/basic/000123018000.yaml": basic_text()})
    code, out, _ = invoke(runner, root, "validate")
    assert code == 0
    assert "没有发现问题" in out


def test_errors_exit_1_and_warnings_only_under_strict(
    runner: CliRunner, make_catalog: MakeCatalog
) -> None:
    warn_only = basic_text().replace('version: "1"', "version: 0x1")
    root = make_catalog({"items/basic/000123018000.yaml": warn_only})
    code, out, _ = invoke(runner, root, "validate", "--select", "YML004")
    assert code == 0 and "YML004" in out
    code, _, _ = invoke(runner, root, "validate", "--select", "YML004", "--strict")
    assert code == 1
    root2 = make_catalog({"items/basic/bad.yaml": "a: [1\n"})
    code, _, _ = invoke(runner, root2, "validate")
    assert code == 1


def test_json_stdout_is_only_the_document(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    root = make_catalog({"items/basic/x.yaml": "schema_version: 1\nkind: basic\nnaem: x\n"})
    code, out, _ = invoke(runner, root, "validate", "--format", "json", "--lang", "en")
    assert code == 1
    doc = json.loads(out)
    assert set(doc) == {"findings", "summary"}
    first = doc["findings"][0]
    assert list(first) == [
        "code",
        "rule",
        "severity",
        "message",
        "path",
        "line",
        "column",
        "pointer",
        "hint",
        "related",
    ]
    unknown = [f for f in doc["findings"] if f["code"] == "SCH002"]
    assert unknown[0]["line"] == 3 and unknown[0]["column"] == 1
    assert "did you mean 'name'" in unknown[0]["message"]
    assert doc["summary"]["files"] == 1


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"a: [1, 2\n", "YML001"),
        (b"a: 1\na: 2\n", "YML002"),
        ("名称: 饮用水\n".encode("gbk"), "YML003"),
        (b"", "YML007"),
        (
            b"a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
            b"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
            b"e: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n",
            "YML005",
        ),
        (b"- just\n- a list\n", "SCH004"),
        (b"schema_version: 1\nkind: service\n", "SCH004"),
        (b"schema_version: 2\nkind: basic\n", "SCH004"),
        (b"\xff\xfe\x00\x00garbage", "YML003"),
    ],
    ids=["syntax", "dup-key", "gbk", "empty", "alias-bomb", "list", "bad-kind", "version", "bom16"],
)
def test_bad_input_is_a_located_finding_not_a_traceback(
    runner: CliRunner, make_catalog: MakeCatalog, content: bytes, code: str
) -> None:
    root = make_catalog({"items/basic/x.yaml": content})
    rc, out, err = invoke(runner, root, "validate", "--format", "json")
    assert rc == 1, err
    assert "Traceback" not in out + err
    findings = json.loads(out)["findings"]
    hits = [f for f in findings if f["code"] == code]
    assert hits, findings
    assert hits[0]["path"] == "items/basic/x.yaml"


def test_huge_file_is_refused_unread(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    root = make_catalog({"items/basic/x.yaml": "a: " + "x" * (2 * 1024 * 1024) + "\n"})
    rc, out, _ = invoke(runner, root, "validate", "--format", "json")
    assert rc == 1
    assert [f["code"] for f in json.loads(out)["findings"]] == ["YML006"]


def test_no_catalog_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    rc, out, err = invoke(runner, tmp_path, "validate")  # in Chinese, the default language
    assert rc == 2
    assert "找不到事项目录" in err and "catalog.toml" in err
    assert out == ""
    rc, out, err = invoke(runner, tmp_path, "validate", "--lang", "en")
    assert rc == 2
    assert "no catalog found" in err
    assert "[tool.catalog] in pyproject.toml" in err  # (brackets are text, not rich markup)
    assert out == ""


def test_empty_items_dir_and_missing_path(runner: CliRunner, make_catalog: MakeCatalog) -> None:
    root = make_catalog({})
    rc, _, err = invoke(runner, root, "validate")
    assert rc == 2 and "没有事项文件" in err
    rc, _, err = invoke(runner, root, "validate", "--lang", "en")
    assert rc == 2 and "no item files" in err
    rc, _, err = invoke(runner, root, "validate", "nowhere/")
    assert rc == 2 and "路径不存在" in err
    rc, _, err = invoke(runner, root, "validate", "nowhere/", "--lang", "en")
    assert rc == 2 and "does not exist" in err


def test_unknown_format_and_rule_are_usage_errors(
    runner: CliRunner, make_catalog: MakeCatalog
) -> None:
    root = make_catalog({"items/basic/000123018000.yaml": basic_text()})
    rc, _, _ = invoke(runner, root, "validate", "--format", "xml")
    assert rc == 2
    rc, _, err = invoke(runner, root, "validate", "--select", "XYZ999", "--lang", "en")
    assert rc == 2 and "unknown rule" in err
    rc, _, err = invoke(runner, root, "validate", "--select", "XYZ999")
    assert rc == 2 and "规则“XYZ999”不存在" in err


@pytest.mark.parametrize(
    ("config", "message", "message_zh"),
    [
        ("[tool.catalog]\nselectt = ['COD']\n", "did you mean 'select'", "是否应为“select”"),
        ("[tool.catalog]\nmax-file-size = -1\n", "max-file-size", "“max-file-size” 的值无效"),
        ("[tool.catalog\n", "invalid TOML", "不是有效的 TOML"),
        ("[tool.catalog]\nseverity = {NOPE001 = 'info'}\n", "unknown rule", "规则“NOPE001”不存在"),
    ],
)
def test_bad_configuration_exits_2(
    runner: CliRunner, make_catalog: MakeCatalog, config: str, message: str, message_zh: str
) -> None:
    root = make_catalog({"items/basic/000123018000.yaml": basic_text(), "pyproject.toml": config})
    rc, out, err = invoke(runner, root, "validate", "--lang", "en")
    assert rc == 2, out + err
    assert message in err
    rc, out, err = invoke(runner, root, "validate")  # Chinese by default
    assert rc == 2, out + err
    assert message_zh in err


def test_configuration_select_ignore_and_severity(
    runner: CliRunner, make_catalog: MakeCatalog
) -> None:
    text = basic_text() + "foo: 1\n"
    root = make_catalog({"items/basic/000123018000.yaml": text})
    rc, out, _ = invoke(runner, root, "validate", "-f", "json")
    assert rc == 1 and "SCH002" in out
    (root / "catalog.toml").write_text('severity = {SCH002 = "warning"}\n', encoding="utf-8")
    rc, out, _ = invoke(runner, root, "validate", "-f", "json")
    assert rc == 0 and json.loads(out)["findings"][0]["severity"] == "warning"
    (root / "catalog.toml").write_text('ignore = ["unknown-key"]\n', encoding="utf-8")
    rc, out, _ = invoke(runner, root, "validate", "-f", "json")
    assert rc == 0 and json.loads(out)["findings"] == []


def test_rules_command_lists_and_explains(runner: CliRunner) -> None:
    result = runner.invoke(app, ["rules"])
    assert result.exit_code == 0 and "YML002" in result.stdout
    result = runner.invoke(app, ["rules", "duplicate-key", "--lang", "en"])
    assert result.exit_code == 0 and "Bad" in result.stdout
    result = runner.invoke(app, ["rules", "NOPE999"])
    assert result.exit_code == 2
    result = runner.invoke(app, ["rules", "--json"])
    assert {r["code"] for r in json.loads(result.stdout)} >= {"YML001", "SCH001"}


@pytest.mark.parametrize(
    ("fmt", "lang"), [("text", "zh"), ("text", "en"), ("json", "zh"), ("json", "en")]
)
def test_golden_reports(runner: CliRunner, tmp_path: Path, fmt: str, lang: str) -> None:
    root = tmp_path / "catalog"
    shutil.copytree(FIXTURE, root)
    rc, out, _ = invoke(runner, root, "validate", "-f", fmt, "--lang", lang, *STABLE)
    assert rc == 1
    assert_golden(f"validate.{lang}.{'txt' if fmt == 'text' else 'json'}", out)


def test_checking_one_file_still_sees_the_rest_of_the_catalog(
    runner: CliRunner, make_catalog: MakeCatalog
) -> None:
    impl = "items/implementation/210102/11210102001067856U4000123018000.yaml"
    root = make_catalog(
        {
            "items/basic/000123018000.yaml": basic_text(),
            impl: (TEMPLATES / "implementation.yaml").read_text(encoding="utf-8"),
            "items/basic/broken.yaml": "schema_version: 1\nkind: basic\n",
        }
    )
    rc, out, _ = invoke(runner, root, "validate", "-f", "json", impl)
    doc = json.loads(out)
    assert rc == 0, doc  # its basic item is found although only this file was named
    assert doc["findings"] == [] and doc["summary"]["files"] == 1
    rc, out, _ = invoke(runner, root, "validate", "-f", "json", "items/basic/broken.yaml")
    assert rc == 1
    assert {f["path"] for f in json.loads(out)["findings"]} == {"items/basic/broken.yaml"}
