"""``catalog schema --item``: the item schema, its committed copy and the editor settings."""

from __future__ import annotations

import json
import posixpath
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from catalog_cli.cli import app
from catalog_cli.item_schema import build_item_schema
from catalog_cli.models import MODELS
from catalog_cli.standard import load_standard
from catalog_cli.writer import SCHEMA_PATH, modeline, parse
from tests.conftest import ROOT, TEMPLATES

COMMITTED = ROOT / SCHEMA_PATH


def printed() -> str:
    result = CliRunner().invoke(app, ["schema", "--item"])
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(printed())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def errors(validator: jsonschema.Draft202012Validator, data: Any) -> set[str]:
    """``pointer: keyword`` of each error, for short assertions."""
    out = set()
    for e in validator.iter_errors(data):
        for leaf in e.context or [e]:
            out.add("/" + "/".join(str(p) for p in leaf.absolute_path) + ": " + str(leaf.validator))
    return out


def test_the_committed_copy_is_what_the_command_prints() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == printed(), (
        "regenerate it: catalog schema --item --out schemas/item.schema.json"
    )


def test_editor_settings_map_item_files_to_the_copy() -> None:
    settings = json.loads((ROOT / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    assert settings["yaml.schemas"] == {f"./{SCHEMA_PATH}": ["items/**/*.yaml", "items/**/*.yml"]}


@pytest.mark.parametrize(
    "relpath", ["items/basic/000123018000.yaml", "items/implementation/210102/x.yaml", "a.yaml"]
)
def test_the_modeline_resolves_from_the_file_to_the_copy(relpath: str) -> None:
    line = modeline(relpath)
    target = line.removeprefix("# yaml-language-server: $schema=").rstrip("\n")
    # the YAML language server resolves a relative $schema against the file's own folder
    assert posixpath.normpath(posixpath.join(posixpath.dirname(relpath), target)) == SCHEMA_PATH


def test_every_sample_item_and_template_is_valid(
    validator: jsonschema.Draft202012Validator,
) -> None:
    files = sorted((ROOT / "items").rglob("*.yaml")) + sorted(TEMPLATES.glob("*.yaml"))
    assert len(files) >= 54
    for path in files:
        assert errors(validator, parse(path.read_text(encoding="utf-8"))) == set(), path


def template(kind: str) -> dict[str, Any]:
    data: dict[str, Any] = parse((TEMPLATES / f"{kind}.yaml").read_text(encoding="utf-8"))
    return data


def test_kind_chooses_the_branch(validator: jsonschema.Draft202012Validator) -> None:
    basic = template("basic")
    assert errors(validator, {**basic, "kind": "implementation"}) >= {
        "/: required",  # basic_code is there, but region, body … are not
        "/: additionalProperties",  # levels is not an implementation element
    }
    assert "/kind: enum" in errors(validator, {**basic, "kind": "other"})
    assert "/: required" in errors(validator, {"name": "x"})


def test_types_code_lists_and_unknown_keys(validator: jsonschema.Draft202012Validator) -> None:
    impl = template("implementation")
    bad = {
        **impl,
        "handling_type": "3",  # not in the code list
        "visits": "一次",  # not a whole number
        "level": 7,
        "body": {**impl["body"], "nature": "9"},
        "service_objects": ["2", "8"],
        "naem": "x",
    }
    assert errors(validator, bad) == {
        "/handling_type: enum",
        "/visits: type",
        "/level: enum",
        "/body/nature: enum",
        "/service_objects/1: enum",
        "/: additionalProperties",
    }
    # an open code list (departments) offers its values but accepts others (a warning in validate)
    assert errors(validator, {**template("basic"), "department": "98"}) == set()
    # a province's own code (type 99, Liaoning) is in the list, labelled with its restriction
    item_types = validator.schema["$defs"]["basic"]["properties"]["type"]
    assert "99" in item_types["enum"]
    assert (
        item_types["enumDescriptions"][item_types["enum"].index("99")]
        == "其他（仅限 21 开头的编码）"
    )


def test_required_follows_the_element_table_per_profile(
    validator: jsonschema.Draft202012Validator,
) -> None:
    impl = template("implementation")
    missing = {k: v for k, v in impl.items() if k not in ("place", "promised_limit")}
    assert errors(validator, missing) == {"/: required"}
    blank = {**impl, "hours": "", "conditions": [], "body": {"name": "x", "credit_code": ""}}
    assert errors(validator, blank) == {
        "/hours: minLength",
        "/conditions: minItems",
        "/body/credit_code: minLength",
        "/body: required",  # nature
    }
    # a local item (no basic code) requires its own few elements: a name, type and local code
    local = {
        "schema_version": 1,
        "kind": "implementation",
        "region": "210102",
        "body": {"name": "x"},
    }
    assert errors(validator, local) == {"/: required"}
    local |= {"name": "适龄儿童延缓入学审批", "type": "20", "local_code": "511A0138"}
    assert errors(validator, local) == set()
    # materials: required of implementation items of licensing items (type 01) — known from the
    # file only when it writes the (inherited) type
    no_materials = {k: v for k, v in impl.items() if k != "materials"}
    assert errors(validator, no_materials) == set()
    assert errors(validator, {**no_materials, "type": "01"}) == {"/: required"}
    assert errors(validator, {**no_materials, "type": "20"}) == set()


def test_titles_and_types_come_from_the_standard_and_the_models() -> None:
    standard = load_standard()
    schema = build_item_schema(standard)
    for kind, model in MODELS.items():
        props = schema["$defs"][kind]["properties"]
        for name in model.model_fields:
            assert name in props, (kind, name)  # every field the models read …
            el = standard.elements.get(name)
            if el is not None:
                assert props[name]["title"] == el.label  # … titled in Chinese
        # … in the element table's order, the order `catalog fmt` writes
        order = [k for k in standard.elements if k in props]
        assert list(props) == order
    impl = schema["$defs"]["implementation"]["properties"]
    assert impl["statutory_limit"]["properties"]["value"]["type"] == "number"
    assert impl["levels" if "levels" in impl else "level"]["enum"] == [1, 2, 3, 4, 5, 6]
    assert impl["effective_date"] == {
        "title": "计划生效日期",
        "description": impl["effective_date"]["description"],
        "type": "string",
        "format": "date",
    }
    assert "implementation items: optional" in impl["effective_date"]["description"]
    assert "levels" not in impl  # absent for implementation items: an unknown key there


def test_schema_out_option_writes_the_copy(tmp_path: Path) -> None:
    out = tmp_path / "schemas" / "item.schema.json"
    result = CliRunner().invoke(app, ["schema", "--item", "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    assert out.read_text(encoding="utf-8") == COMMITTED.read_text(encoding="utf-8")
