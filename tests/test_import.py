"""``catalog import``: real lists in every format, then validated; bad inputs; safety of writes."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from catalog_cli import writer
from catalog_cli.cli import app
from catalog_cli.codes import make_credit_code
from catalog_cli.importer import HEADERS

DATA = Path(__file__).resolve().parent / "data"
LIAONING = json.loads((DATA / "liaoning-basic-catalog.json").read_text(encoding="utf-8"))
GUANGAN = json.loads((DATA / "guangan-511602-part.json").read_text(encoding="utf-8"))
GUANGAN_MAPPING = (
    "name: 事项名称\ndepartment: 实施主体\narea_code: 行政区划代码\nlocal_code: 地方编码\n"
    "task_type: 事项类型\ndept_code: 实施主体编码\nmain_item: null  # not imported\n"
)
BASIC_HEADERS = ["基本编码", "事项名称", "事项类型", "主管部门", "行使层级", "设定依据"]
GA_HEADERS = ["实施主体", "事项名称", "行政区划代码", "地方编码", "事项类型", "实施主体编码"]


def run(*args: str | Path) -> Any:
    return CliRunner().invoke(app, [str(a) for a in args])


def basic_rows() -> list[list[str]]:
    return [
        [r["基本编码"], r["事项名称"], r["事项类型"], r["授权部门"], r["行使层级"], r["设定依据"]]
        for r in LIAONING
    ]


def guangan_rows() -> list[list[str]]:
    return [
        [
            r["department"],
            r["name"],
            r["area_code"],
            r["local_code"],
            r["task_type"],
            r["dept_code"],
        ]
        for r in GUANGAN
    ]


def write_csv(
    path: Path, header: list[str], rows: list[list[Any]], encoding: str = "utf-8"
) -> Path:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted((root / "items").rglob("*"))
        if p.is_file()
    }


def validate(root: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    result = run("validate", root / "items", "-f", "json", *extra)
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def codes(report: dict[str, Any]) -> set[str]:
    return {f["code"] for f in report["findings"]}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    r = tmp_path / "catalog"
    (r / "items").mkdir(parents=True)
    return r


# ---------------------------------------------------------------------------------------------
# Real lists, every format


def test_csv_utf8_basic_items_with_mapping(root: Path, tmp_path: Path) -> None:
    header = ["基本编码", "事项名称", "事项类型", "授权部门", "行使层级", "设定依据"]
    src = write_csv(tmp_path / "liaoning.csv", header, basic_rows())
    mapping = tmp_path / "map.yaml"
    mapping.write_text("授权部门: 主管部门\n", encoding="utf-8")
    result = run("import", src, "--mapping", mapping, "--catalog", root)
    assert result.exit_code == 0, result.output
    assert "UTF-8" in result.stderr
    written = files(root)
    assert len(written) == 30
    assert written["items/basic/000123018000.yaml"].decode() == (
        "# yaml-language-server: $schema=../../schemas/item.schema.json\n"
        "schema_version: 1\n"
        "kind: basic\n"
        "name: 饮用水供水单位卫生许可\n"
        'basic_code: "000123018000"\n'
        'type: "01"\n'
        "legal_basis:\n"
        "  - law: 《中华人民共和国传染病防治法》\n"
        "    provision: 第二十九条\n"
        "levels: [3, 4]\n"
        'department: "23"\n'
    )
    _, report = validate(root)
    assert report["summary"]["files"] == 30
    # the writer's YAML is sound: no syntax, shape, key or type problems
    assert not codes(report) & {"YML001", "YML004", "SCH002", "SCH003", "SCH004"}


def test_csv_utf8_with_bom_and_another_column_order(root: Path, tmp_path: Path) -> None:
    order = [5, 3, 1, 0, 4, 2]
    header = [BASIC_HEADERS[i] for i in order]
    rows = [[row[i] for i in order] for row in basic_rows()]
    src = tmp_path / "bom.csv"
    write_csv(src, header, rows, encoding="utf-8-sig")
    result = run("import", src, "--catalog", root)
    assert result.exit_code == 0, result.output
    assert "UTF-8 (BOM)" in result.stderr
    plain = tmp_path / "plain"
    (plain / "items").mkdir(parents=True)
    assert (
        run(
            "import", write_csv(tmp_path / "p.csv", BASIC_HEADERS, basic_rows()), "--catalog", plain
        ).exit_code
        == 0
    )
    assert files(root) == files(plain)  # column order and BOM change nothing


def test_csv_gbk_county_list_then_validate(root: Path, tmp_path: Path) -> None:
    src = write_csv(tmp_path / "guangan.csv", GA_HEADERS, guangan_rows(), encoding="gbk")
    result = run("import", src, "--catalog", root)
    assert result.exit_code == 0, result.output
    assert "GBK" in result.stderr
    written = files(root)
    assert len(written) == len(GUANGAN) == 791
    tagged = next(r for r in GUANGAN if "（市级/县级）" in r["name"])
    path = f"items/implementation/511602000000/{tagged['local_code']}.yaml"
    text = written[path].decode()
    assert f"name: {tagged['name']}\n" in text  # level tag kept as typed
    assert f'credit_code: "{tagged["dept_code"]}"' in text
    assert 'type: "10"' in text  # "10" as typed
    nine = next(r for r in GUANGAN if len(r["dept_code"]) == 9)
    assert (
        f'credit_code: "{nine["dept_code"]}"'
        in written[f"items/implementation/511602000000/{nine['local_code']}.yaml"].decode()
    )
    _, report = validate(root)
    assert report["summary"]["files"] == 791  # every item loads despite dirty codes
    by_code = report["summary"]["by_code"]
    dirty = sum(1 for r in GUANGAN if len(r["dept_code"]) != 18)
    assert by_code.get("COD003", 0) >= dirty
    flagged = {f["path"] for f in report["findings"] if f["code"] == "COD003"}
    assert f"items/implementation/511602000000/{nine['local_code']}.yaml" in flagged
    assert by_code.get("STD003", 0) == 791  # local items: not linked to a basic item
    assert not codes(report) & {"YML001", "SCH002", "SCH003", "SCH004"}


def test_json_county_list_with_mapping_matches_csv(root: Path, tmp_path: Path) -> None:
    mapping = tmp_path / "guangan.yaml"
    mapping.write_text(GUANGAN_MAPPING, encoding="utf-8")
    result = run(
        "import", DATA / "guangan-511602-part.json", "--mapping", mapping, "--catalog", root
    )
    assert result.exit_code == 0, result.output
    assert len(files(root)) == 791
    # the same list as GBK CSV gives the same files: nothing to write
    src = write_csv(tmp_path / "guangan.csv", GA_HEADERS, guangan_rows(), encoding="gbk")
    again = run("import", src, "--catalog", root, "--lang", "en")
    assert again.exit_code == 0, again.output
    assert "0 written" in again.stdout and "791 unchanged" in again.stdout


def test_json_unknown_headers_are_named_with_suggestions(root: Path) -> None:
    result = run("import", DATA / "guangan-511602-part.json", "--catalog", root, "--lang", "en")
    assert result.exit_code == 2
    message = " ".join(result.stderr.split())
    assert "'main_item'" in message and "'area_code'" in message
    assert "'name'; did you mean '事项名称'?" in message
    assert "--mapping" in message
    assert files(root) == {}


def _inject_cached(path: Path, cell: str, value: str) -> None:
    """Give a formula cell the cached value a spreadsheet program would have saved."""
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    xml, n = re.subn(
        rf'<c r="{cell}"([^>]*)><f>(.*?)</f><v\s*/></c>',
        rf'<c r="{cell}" t="str"><f>\2</f><v>{value}</v></c>',
        xml,
    )
    assert n == 1
    parts["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


def make_xlsx(path: Path) -> Path:
    """Liaoning basic items with a title row, shuffled columns, merged cells, an empty row,
    a formula with a cached value, dates as dates and as serial numbers."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["辽宁省基本目录（导出）"])
    header = [
        "事项名称",
        "行使层级",
        "基本编码",
        "设定依据",
        "事项类型",
        "主管部门",
        "计划生效日期",
    ]
    ws.append(header)
    rows = sorted(LIAONING, key=lambda r: r["授权部门"])
    for r in rows:
        ws.append(
            [
                r["事项名称"],
                r["行使层级"],
                r["基本编码"],
                r["设定依据"],
                r["事项类型"],
                r["授权部门"],
                None,
            ]
        )
    ws.append([])  # an empty row in the middle
    ws.append(["未分类事项", "2", "219999001000", "《某条例》第一条", "99", "99", None])
    # 主管部门 merged over rows that share it (the top-left cell holds the value)
    first = 3
    for i in range(1, len(rows) + 1):
        if i == len(rows) or rows[i]["授权部门"] != rows[first - 3]["授权部门"]:
            last = i + 2
            if last > first:
                ws.merge_cells(f"F{first}:F{last}")
            first = last + 1
    ws["G3"] = dt.datetime(2024, 1, 1)
    ws["G4"] = 45292  # the same day, stored as a number
    ws["C5"] = '="' + rows[2]["基本编码"][:6] + '"&"' + rows[2]["基本编码"][6:] + '"'
    wb.save(path)
    _inject_cached(path, "C5", rows[2]["基本编码"])
    return path


def test_xlsx_merged_cells_formulas_dates_and_empty_rows(root: Path, tmp_path: Path) -> None:
    src = make_xlsx(tmp_path / "liaoning.xlsx")
    result = run("import", src, "--catalog", root)
    assert result.exit_code == 0, result.output
    assert "合并单元格" in result.stderr and "公式" in result.stderr and "第 2 行" in result.stderr
    written = files(root)
    assert len(written) == 31
    for r in LIAONING:  # merged 主管部门 reached every row of its range
        assert (
            f'department: "{r["授权部门"]}"'
            in written[f"items/basic/{r['基本编码']}.yaml"].decode()
        )
    rows = sorted(LIAONING, key=lambda r: r["授权部门"])
    third = written[f"items/basic/{rows[2]['基本编码']}.yaml"].decode()
    assert f'basic_code: "{rows[2]["基本编码"]}"' in third  # the formula's cached value
    for r in rows[:2]:
        assert (
            "effective_date: 2024-01-01\n" in written[f"items/basic/{r['基本编码']}.yaml"].decode()
        )
    assert "Excel" in result.stdout  # the serial number conversion is said
    _, report = validate(root)
    assert report["summary"]["files"] == 31
    assert not codes(report) & {"YML001", "SCH002", "SCH003", "SCH004"}


def test_xlsx_formula_without_cached_value_rejects_the_row(root: Path, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(BASIC_HEADERS)
    ws.append(basic_rows()[0])
    ws.append(["=A2", *basic_rows()[1][1:]])
    path = tmp_path / "f.xlsx"
    wb.save(path)
    result = run("import", path, "--catalog", root, "--lang", "en")
    assert result.exit_code == 1
    assert "row 3: rejected: cell A3 has a formula without a cached value" in result.stdout
    assert len(files(root)) == 1


def test_xlsx_number_cells_are_flagged(root: Path, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(BASIC_HEADERS)
    ws.append([123018000, "饮用水供水单位卫生许可", 1, "23", "3,4", "《传染病防治法》第二十九条"])
    path = tmp_path / "n.xlsx"
    wb.save(path)
    result = run("import", path, "--catalog", root, "--lang", "en")
    assert result.exit_code == 0
    assert "基本编码 was a number" in result.stdout
    # imported as it stands (validate reports the short code), never padded by a guess
    assert 'basic_code: "123018000"' in files(root)["items/basic/123018000.yaml"].decode()


# ---------------------------------------------------------------------------------------------
# Rows: what becomes an item, what is rejected


def test_rows_rejected_with_number_and_reason(root: Path, tmp_path: Path) -> None:
    header = ["事项名称", "基本编码", "实施主体", "行政区划代码", "承诺办结时限"]
    rows = [
        ["饮用水供水单位卫生许可", "000123018000", "", "", ""],  # 2: basic item
        ["", "000123018001", "", "", ""],  # 3: no name
        ["某事项", "", "", "", ""],  # 4: neither code nor body
        ["", "", "", "", ""],  # 5: empty row, ignored
        ["某事项", "000123018002", "", "", "5"],  # 6: basic with an implementation value
        ["某事项", "", "某局", "", ""],  # 7: body without region
        ["某事项", "", "某局", "511602", ""],  # 8: local item
    ]
    src = write_csv(tmp_path / "r.csv", header, rows)
    result = run("import", src, "--catalog", root, "--lang", "en")
    assert result.exit_code == 1
    out = result.stdout
    assert "row 3: rejected: no 事项名称" in out
    assert "row 4: rejected: neither a 基本编码" in out
    assert "row 5" not in out
    assert "row 6: rejected:" in out and "承诺办结时限" in out
    assert "row 7: rejected:" in out and "--region" in out
    assert "2 written" in out and "4 rejected" in out
    assert sorted(files(root)) == [
        "items/basic/000123018000.yaml",
        next(p for p in files(root) if p.startswith("items/implementation/511602/local-")),
    ]


def test_region_option_and_computed_implementation_code(root: Path, tmp_path: Path) -> None:
    good = "11210102001067856U"
    short = good[:17]  # a 17-character code, as real lists carry
    header = [
        "事项名称",
        "基本编码",
        "实施主体",
        "实施主体编码",
        "行使层级",
        "法定办结时限",
        "承诺办结时限",
        "是否收费",
        "咨询电话",
    ]
    rows = [
        [
            "饮用水供水单位卫生许可",
            "000123018000",
            "沈阳市和平区卫生健康局",
            good,
            "4",
            "20",
            "10",
            "否",
            "024-22851234",
        ],
        ["饮用水供水单位卫生许可", "000123018000", "另一个局", short, "4", "20", "即办", "是", ""],
    ]
    src = write_csv(tmp_path / "impl.csv", header, rows)
    result = run("import", src, "--catalog", root, "--region", "210102")
    assert result.exit_code == 0, result.output
    written = files(root)
    computed = f"items/implementation/210102/{good}4000123018000.yaml"
    text = written[computed].decode()
    assert f'implementation_code: "{good}4000123018000"' in text
    assert 'region: "210102"' in text and "level: 4" in text
    assert "statutory_limit: {value: 20, unit: 工作日}" in text
    assert "charged: false" in text and 'consultation: {phone: "024-22851234"}' in text
    other = next(p for p in written if p != computed)
    other_text = written[other].decode()
    assert "implementation_code" not in other_text  # not computable from a 17-character code
    assert f'credit_code: "{short}"' in other_text and "value: 即办" in other_text
    _, report = validate(root, "--select", "COD003")
    assert [f["path"] for f in report["findings"]] == [other]


def test_duplicate_rows(root: Path, tmp_path: Path) -> None:
    rows = basic_rows()[:3]
    changed = [*rows[1][:1], "另一个名称", *rows[1][2:]]
    src = write_csv(tmp_path / "d.csv", BASIC_HEADERS, [*rows, rows[0], changed])
    result = run("import", src, "--catalog", root, "--lang", "en")
    assert result.exit_code == 1
    assert "row 5: duplicate: the same as row 2" in result.stdout
    assert "row 6: rejected: goes to the same file" in result.stdout and "row 3" in result.stdout
    assert len(files(root)) == 3


def test_unknown_header_is_named_and_closest_suggested(root: Path, tmp_path: Path) -> None:
    src = write_csv(tmp_path / "u.csv", ["事项名", "基本编码"], [["x", "000123018000"]])
    result = run("import", src, "--catalog", root, "--lang", "en")
    assert result.exit_code == 2
    assert "unknown header column A '事项名'; did you mean '事项名称'?" in " ".join(
        result.stderr.split()
    )
    assert files(root) == {}


def test_mapping_to_unknown_target_is_a_usage_error(root: Path, tmp_path: Path) -> None:
    src = write_csv(tmp_path / "u.csv", ["名称", "基本编码"], [["x", "000123018000"]])
    mapping = tmp_path / "m.yaml"
    mapping.write_text("名称: 事项名\n", encoding="utf-8")
    result = run("import", src, "--mapping", mapping, "--catalog", root, "--lang", "en")
    assert result.exit_code == 2
    assert "did you mean '事项名称'?" in result.stderr


# ---------------------------------------------------------------------------------------------
# Safety: dry run, idempotence, --update, atomic writes, sizes


def test_dry_run_writes_nothing(root: Path, tmp_path: Path) -> None:
    src = write_csv(tmp_path / "b.csv", BASIC_HEADERS, basic_rows())
    result = run("import", src, "--catalog", root, "--dry-run", "--lang", "en")
    assert result.exit_code == 0
    assert "would create: items/basic/000123018000.yaml" in result.stdout
    assert "30 to write" in result.stdout
    assert files(root) == {}


def test_import_twice_changes_nothing(root: Path, tmp_path: Path) -> None:
    src = write_csv(tmp_path / "g.csv", GA_HEADERS, guangan_rows()[:50])
    assert run("import", src, "--catalog", root).exit_code == 0
    before = files(root)
    stamps = {p: (root / p).stat().st_mtime_ns for p in before}
    again = run("import", src, "--catalog", root, "--lang", "en")
    assert again.exit_code == 0
    assert "0 written" in again.stdout and "50 unchanged" in again.stdout
    assert files(root) == before
    assert {p: (root / p).stat().st_mtime_ns for p in before} == stamps


def test_update_keeps_comments_and_other_keys(root: Path, tmp_path: Path) -> None:
    rows = basic_rows()[:2]
    src = write_csv(tmp_path / "b.csv", BASIC_HEADERS, rows)
    assert run("import", src, "--catalog", root).exit_code == 0
    target = root / f"items/basic/{rows[0][0]}.yaml"
    edited = "# 人工维护：请勿删除此注释\n" + target.read_text(encoding="utf-8") + "status: 在用\n"
    target.write_text(edited, encoding="utf-8")
    assert run("import", src, "--catalog", root).exit_code == 0  # extra keys: still unchanged
    assert target.read_text(encoding="utf-8") == edited
    rows[0][1] = rows[0][1] + "（新）"
    write_csv(src, BASIC_HEADERS, rows)
    skipped = run("import", src, "--catalog", root, "--lang", "en")
    assert skipped.exit_code == 0
    assert "1 skipped" in skipped.stdout and "--update" in skipped.stdout
    assert target.read_text(encoding="utf-8") == edited
    updated = run("import", src, "--catalog", root, "--update", "--lang", "en")
    assert updated.exit_code == 0, updated.output
    assert "1 updated" in updated.stdout
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# 人工维护：请勿删除此注释\n")
    assert f"name: {rows[0][1]}\n" in text and "status: 在用" in text
    assert f'basic_code: "{rows[0][0]}"' in text
    again = run("import", src, "--catalog", root, "--update", "--lang", "en")
    assert "0 written" in again.stdout and target.read_text(encoding="utf-8") == text


def test_interrupted_import_leaves_no_half_written_file(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = write_csv(tmp_path / "b.csv", BASIC_HEADERS, basic_rows())
    real = Path.replace
    calls = {"n": 0}

    def flaky(self: Path, target: Any) -> Path:
        calls["n"] += 1
        if calls["n"] == 5:
            raise OSError(28, "No space left on device")
        return real(self, target)

    monkeypatch.setattr(Path, "replace", flaky)
    result = run("import", src, "--catalog", root, "--lang", "en")
    assert result.exit_code == 2
    assert "No space left on device" in result.stderr
    left = list((root / "items").rglob("*"))
    assert not [p for p in left if p.name.endswith(".tmp")]
    done = [p for p in left if p.is_file()]
    assert len(done) == 4
    for p in done:
        assert writer.parse(p.read_text(encoding="utf-8"))["kind"] == "basic"


def test_fifty_megabyte_file_is_refused_quickly(root: Path, tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    line = ",".join(BASIC_HEADERS) + "\n"
    row = (
        '000123018000,饮用水供水单位卫生许可,01,23,"3,4",《中华人民共和国传染病防治法》第二十九条\n'
    )
    with big.open("w", encoding="utf-8") as fh:
        fh.write(line)
        fh.write(row * (50 * 1024 * 1024 // len(row.encode()) + 1))
    assert big.stat().st_size >= 50 * 1024 * 1024
    result = run("import", big, "--catalog", root, "--lang", "en")
    assert result.exit_code == 2
    assert "over the 32 MB limit" in result.stderr and "--max-size 51" in result.stderr
    assert files(root) == {}


def test_ten_thousand_rows_import(root: Path, tmp_path: Path) -> None:
    header = ["事项名称", "基本编码", "实施主体", "实施主体编码", "行使层级", "行政区划代码"]
    rows = []
    for i in range(10_000):
        credit = make_credit_code(f"112101020{i:08d}")
        rows.append([f"事项{i}", "000123018000", f"局{i}", credit, "4", "210102"])
    src = write_csv(tmp_path / "10k.csv", header, rows)
    result = run("import", src, "--catalog", root, "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "10000 written" in result.stdout
    assert len(list((root / "items/implementation/210102").iterdir())) == 10_000


# ---------------------------------------------------------------------------------------------
# Templates, bad files and options


def test_templates(tmp_path: Path) -> None:
    xlsx, csv_path = tmp_path / "t.xlsx", tmp_path / "t.csv"
    assert run("import", "--template", xlsx).exit_code == 0
    assert run("import", "--template", csv_path).exit_code == 0
    wb = openpyxl.load_workbook(xlsx, read_only=True)
    header = next(wb.active.iter_rows(values_only=True))
    wb.close()
    assert list(header) == list(HEADERS)
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw[3:].decode().split("\r\n")[0] == ",".join(
        HEADERS
    )
    assert run("import", "--template", xlsx).exit_code == 2  # never overwritten
    root = tmp_path / "c"
    root.mkdir()
    empty = run("import", xlsx, "--catalog", root, "--lang", "en")
    assert empty.exit_code == 0 and "0 written" in empty.stdout


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("old.xls", b"\xd0\xcf\x11\xe0", ".xls"),
        ("broken.xlsx", b"not a zip", "not a valid .xlsx"),
        ("obj.json", b'{"a": 1}', "list of records"),
        ("bad.json", b"[{", "invalid JSON"),
        ("latin.csv", b"\xe4\xba\x8b\xff\xff\n", "unknown encoding"),
        ("data.txt.gz", b"x", "unsupported file type"),
        ("headers.csv", "名称,编码\nx,y\n".encode(), "unknown header"),
        ("noname.csv", "基本编码\n000123018000\n".encode(), "no 事项名称"),
        (
            "nocol.csv",
            "事项名称,,基本编码\nx,stray,000123018000\n".encode(),
            "column B has no header",
        ),
    ],
)
def test_unreadable_files_exit_2(
    tmp_path: Path, root: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = run("import", path, "--catalog", root, "--lang", "en")
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.stderr.split())
    assert "Traceback" not in result.output


def test_usage_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    src = write_csv(tmp_path / "b.csv", BASIC_HEADERS, basic_rows()[:1])
    no_catalog = run("import", src)
    assert no_catalog.exit_code == 2 and "--catalog" in no_catalog.stderr
    assert run("import").exit_code == 2
    assert run("import", tmp_path / "missing.csv", "--catalog", tmp_path).exit_code == 2
    assert run("import", src, "--catalog", tmp_path / "nowhere").exit_code == 2
    assert run("import", src, "--catalog", tmp_path, "--encoding", "nope").exit_code == 2
    assert run("import", src, "--catalog", tmp_path, "--max-size", "0").exit_code == 2
    # --catalog DIR creates items/ in an existing folder
    assert run("import", src, "--catalog", tmp_path).exit_code == 0
    assert (tmp_path / "items/basic/210973001000.yaml").is_file()


# ---------------------------------------------------------------------------------------------
# The writer: whatever is typed reads back exactly


@pytest.mark.parametrize(
    "value",
    [
        "yes",
        "NO",
        "0755",
        "1e3",
        "a: b",
        " lead",
        "trail ",
        "#x",
        "x #y",
        "-",
        "行政许可",
        "2023-01-01",
        "a\nb",
        "tab\there",
        'quote"s',
        "back\\slash",
        "\u2028",
        "\ufeff",
        "\x7f",
        "~",
        "null",
        "{a}",
        "[1]",
        "*ref",
        "&a",
        "!tag",
        "%x",
        "@x",
        "`x",
        "'x'",
        "",
        "\u3000全角",
    ],
)
def test_writer_round_trips_awkward_text(value: str) -> None:
    data = {
        "schema_version": 1,
        "kind": "basic",
        "name": value,
        "basic_code": value,
        "legal_basis": [{"law": value, "provision": value}],
        "body": {"name": value},
    }
    assert writer.parse(writer.render(data)) == data


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_writer_round_trips_any_text(value: str) -> None:
    data = {"name": value, "consultation": {"phone": value}, "levels": [value]}
    assert writer.parse(writer.render(data)) == data
