"""catalog schema: the committed schema is the generated one, valid 2020-12, strict and titled."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
from typer.testing import CliRunner

from catalog_cli.cli import app
from catalog_cli.published import SCHEMA_FILE, render_schema

REGENERATE = "catalog schema --out catalog_cli/schemas/catalog.schema.json"
CJK = re.compile(r"[\u4e00-\u9fff]")


def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return loaded


def test_committed_schema_is_the_generated_one() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == render_schema(), (
        f"catalog_cli/schemas/catalog.schema.json is out of date: run `{REGENERATE}` and commit it"
    )


def test_schema_command_prints_it_anywhere(tmp_path: Path) -> None:
    cwd = Path.cwd()
    os.chdir(tmp_path)  # no catalog needed: the schema is the tool's
    try:
        result = CliRunner().invoke(app, ["schema"])
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0
    assert result.stdout == SCHEMA_FILE.read_text(encoding="utf-8")


def test_schema_out_writes_the_file_and_refuses_a_folder(tmp_path: Path) -> None:
    runner = CliRunner()
    target = tmp_path / "s" / "catalog.schema.json"
    result = runner.invoke(app, ["schema", "--out", str(target)])
    assert result.exit_code == 0 and result.stdout == ""
    assert target.read_text(encoding="utf-8") == render_schema()
    result = runner.invoke(app, ["schema", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "is a folder" in result.stderr


def test_it_is_a_valid_2020_12_schema() -> None:
    s = schema()
    assert s["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(s)
    assert s["$ref"] == "#/$defs/CatalogDocument" and "CatalogDelta" in s["$defs"]


def test_every_field_has_a_chinese_title_and_a_description() -> None:
    for name, definition in schema()["$defs"].items():
        for field, prop in definition.get("properties", {}).items():
            assert CJK.search(prop.get("title", "")), f"{name}.{field} has no Chinese title"
            assert prop.get("description"), f"{name}.{field} has no description"


def test_labels_come_from_the_element_table() -> None:
    props = schema()["$defs"]["ImplementationRecord"]["properties"]
    assert props["promised_limit"]["title"] == "承诺办结时限"
    assert props["type_label"]["title"] == "事项类型名称"
    assert props["region_name"]["title"] == "行政区划名称"
    assert "locked (四级四同)" in props["legal_basis"]["description"]
    body = schema()["$defs"]["BodyRecord"]["properties"]
    assert body["credit_code"]["title"] == "实施主体编码"


@pytest.mark.parametrize(
    "change",
    [
        {"unexpected": 1},
        {"kind": "service"},
        {"levels": "3"},
        {"effective_date": "2023-13-45"},
    ],
    ids=["extra-key", "bad-kind", "wrong-type", "bad-date"],
)
def test_the_schema_rejects_a_wrong_record(change: dict[str, Any]) -> None:
    validator = Draft202012Validator(
        {**schema(), "$ref": "#/$defs/BasicRecord"},
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    record = {
        "code": "000123018000",
        "kind": "basic",
        "name": "饮用水供水单位卫生许可",
        "basic_code": "000123018000",
        "local_code": None,
        "type": "01",
        "type_label": "行政许可",
        "legal_basis": [{"law": "《中华人民共和国传染病防治法》", "provision": None}],
        "levels": [3, 4],
        "levels_labels": ["市级", "县级"],
        "department": "23",
        "department_label": "卫生健康",
        "status": "在用",
        "version": "1",
        "effective_date": "2023-01-01",
        "cancel_date": None,
    }
    assert validator.is_valid(record)
    assert not validator.is_valid({**record, **change})
    missing = dict(record)
    del missing["cancel_date"]  # every key is always present (null when missing)
    assert not validator.is_valid(missing)
