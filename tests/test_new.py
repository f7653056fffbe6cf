"""``catalog new``: scripted and interactive; the file passes validation except its TODOs."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from catalog_cli.cli import app
from catalog_cli.writer import parse, render
from tests.conftest import ROOT, MakeCatalog, assert_golden

CREDIT = "11210102001067856U"  # passes both checks
BAD_CREDIT = "11210102001067856X"  # check character should be U
BASICS = ("000123018000", "210973001000", "000131035000", "000139003000")
TARGET = "items/implementation/210102/11210102001067856U4000123018000.yaml"
SCRIPTED = ("--region", "210102", "--body-name", "沈阳市和平区卫生健康局", "--credit-code", CREDIT)


@pytest.fixture
def root(make_catalog: MakeCatalog) -> Path:
    """A catalog with a few real basic items (from the sample catalog)."""
    return make_catalog(
        {
            f"items/basic/{code}.yaml": (ROOT / "items" / "basic" / f"{code}.yaml").read_text(
                encoding="utf-8"
            )
            for code in BASICS
        }
    )


def invoke(root: Path, *args: str, input: str | None = None) -> tuple[int, str, str]:
    cwd = Path.cwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(app, list(args), input=input)
    finally:
        os.chdir(cwd)
    return result.exit_code, result.stdout, result.stderr


def findings(root: Path) -> list[dict[str, object]]:
    code, out, _ = invoke(root, "validate", "--format", "json", "--no-cache")
    assert code in (0, 1), out
    found: list[dict[str, object]] = json.loads(out)["findings"]
    return found


def test_scripted_new_item_is_complete_but_for_its_todos(root: Path) -> None:
    code, out, err = invoke(root, "new", "--basic", "000123018000", *SCRIPTED)
    assert code == 0, err
    assert out == TARGET + "\n"
    text = (root / TARGET).read_text(encoding="utf-8")
    assert_golden("new.implementation.yaml", text)
    assert "body.nature" in err and "place" in err  # the TODOs are listed
    todo_lines = [n for n, line in enumerate(text.splitlines(), 1) if "# TODO" in line]
    # every TODO is a blank required element that validation reports (SCH001), and nothing else
    reported = findings(root)
    assert {f["code"] for f in reported} == {"SCH001"}
    assert sorted(int(str(f["line"])) for f in reported) == todo_lines
    assert len(todo_lines) == 19
    # it is already formatted
    code, out, _ = invoke(root, "fmt", "--check", TARGET)
    assert (code, out) == (0, "")


def test_filled_in_todos_validate_cleanly(root: Path) -> None:
    assert invoke(root, "new", "--basic", "000123018000", *SCRIPTED)[0] == 0
    template = parse((ROOT / "tests/rules/templates/implementation.yaml").read_text("utf-8"))
    lines = []
    for line in (root / TARGET).read_text(encoding="utf-8").splitlines():
        key = line.split(":", 1)[0]
        if "# TODO" not in line:
            lines.append(line)
        elif key == "  nature":
            lines.append(f'  nature: "{template["body"]["nature"]}"')
        else:  # a person fills it in (here: as the rule-case template has it)
            lines.append(render({key: template[key]}).rstrip("\n"))
    (root / TARGET).write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert findings(root) == []


def test_basic_item_by_name(root: Path) -> None:
    code, out, err = invoke(root, "new", "--basic-name", "饮用水供水单位卫生许可", *SCRIPTED)
    assert code == 0, err
    assert out == TARGET + "\n"


def test_ambiguous_name_lists_the_candidates(root: Path) -> None:
    code, out, err = invoke(root, "new", "--basic-name", "许可", *SCRIPTED, "--lang", "en")
    assert code == 2
    assert "matches several basic items" in err and "--basic" in err
    assert "000123018000" in err and "000131035000" in err
    assert out == "" and not (root / "items" / "implementation").exists()


def test_not_a_licensing_item_has_no_materials_todo(root: Path) -> None:
    args = ("--region", "210000", "--body-name", "辽宁省公安厅", "--credit-code", CREDIT)
    code, out, err = invoke(root, "new", "--basic", "210973001000", *args)
    assert code == 0, err
    text = (root / out.strip()).read_text(encoding="utf-8")
    assert "level: 2  # 行使层级：省级" in text
    assert 'type: "09"' in text and "materials:" not in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--basic", "000123018001", *SCRIPTED), "closest: 000123018000 饮用水供水单位卫生许可"),
        (("--basic", "000123018000", *SCRIPTED[:-1], BAD_CREDIT), "check character is X"),
        (("--basic", "000123018000", *SCRIPTED[:-1], "123"), "has 18 characters, this has 3"),
        (
            ("--basic", "000123018000", "--region", "219999", *SCRIPTED[2:]),
            "is not in the region list",
        ),
        (("--basic", "000123018000", *SCRIPTED, "--level", "3"), "does not match the region"),
        (
            ("--basic", "000123018000", "--region", "210000", *SCRIPTED[2:]),
            "allows the levels [3, 4], not 2",
        ),
        (("--basic", "000123018000", "--region", "210102"), "missing the implementing body name"),
        (SCRIPTED, "missing the basic item code or name"),
    ],
)
def test_bad_values_exit_2_with_the_reason(root: Path, args: tuple[str, ...], message: str) -> None:
    code, out, err = invoke(root, "new", *args, "--lang", "en")
    assert code == 2
    assert message in " ".join(err.split())
    assert "Traceback" not in err and out == ""
    assert not (root / "items" / "implementation").exists()


def test_bad_credit_code_in_chinese(root: Path) -> None:
    code, _, err = invoke(root, "new", "--basic", "000123018000", *SCRIPTED[:-1], BAD_CREDIT)
    assert code == 2
    assert "校验位错误：应为 U，实际 X" in err


def test_an_existing_file_is_never_overwritten(root: Path) -> None:
    target = root / TARGET
    target.parent.mkdir(parents=True)
    target.write_text("# 手写的事项\n", encoding="utf-8")
    code, _, err = invoke(root, "new", "--basic", "000123018000", *SCRIPTED, "--lang", "en")
    assert code == 1
    assert "already exists and is not overwritten" in err
    assert target.read_text(encoding="utf-8") == "# 手写的事项\n"


def test_out_option(root: Path) -> None:
    code, out, err = invoke(root, "new", "--basic", "000123018000", *SCRIPTED, "--out", "drafts")
    assert code == 0, err
    assert out == "drafts/11210102001067856U4000123018000.yaml\n"
    text = (root / out.strip()).read_text(encoding="utf-8")
    # the schema line climbs from the file's own folder to the catalog root
    assert text.startswith("# yaml-language-server: $schema=../schemas/item.schema.json\n")


def test_outside_a_catalog_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = invoke(tmp_path, "new", "--basic", "000123018000", *SCRIPTED)
    assert code == 2
    assert "找不到事项目录" in err


def test_interactive_asks_again_with_the_reason(root: Path) -> None:
    answers = [
        "许可",  # basic item: a name fragment with several matches …
        "1",  # … pick the first
        "219999",  # a region that does not exist: asked again
        "210102",
        "",  # level: the region's (4)
        "沈阳市和平区卫生健康局",
        BAD_CREDIT,  # refused with the reason, asked again
        CREDIT,
        "y",  # write it
    ]
    code, out, err = invoke(root, "new", "--interactive", input="\n".join(answers) + "\n")
    assert code == 0, err
    assert out == TARGET + "\n"
    assert "1. 000123018000 饮用水供水单位卫生许可" in err
    assert "行政区划代码 “219999” 不在区划代码表中（例如 210102）" in err
    assert "校验位错误：应为 U，实际 X" in err
    assert (root / TARGET).read_text(encoding="utf-8") == (
        (ROOT / "tests" / "golden" / "new.implementation.yaml").read_text(encoding="utf-8")
    )


def test_interactive_fills_only_what_is_missing(root: Path) -> None:
    code, out, err = invoke(
        root,
        "new",
        "-i",
        "--basic",
        "000123018000",
        "--region",
        "210102",
        input="\n".join(["沈阳市和平区卫生健康局", CREDIT, "y"]) + "\n",
    )
    assert code == 0, err
    assert out == TARGET + "\n"


def test_interactive_declined_or_cut_short_writes_nothing(root: Path) -> None:
    code, _, err = invoke(root, "new", "-i", "--basic", "000123018000", *SCRIPTED, input="n\n")
    assert code == 1 and "未写入任何文件" in err
    code, _, err = invoke(root, "new", "-i", "--lang", "en", input="许可\n")
    assert code == 1 and "input ended; nothing written" in err
    assert "Traceback" not in err
    assert not (root / "items" / "implementation").exists()
