"""``catalog fmt``: canonical order, quoting and indentation; values and comments never change."""

from __future__ import annotations

import collections
import stat
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from catalog_cli import writer
from catalog_cli.cli import app
from catalog_cli.formatting import _BLOCKING, _as_written, format_text, key_order
from catalog_cli.importer import KEY_ORDER
from catalog_cli.loader import Document, load_text
from catalog_cli.standard import load_standard
from tests.conftest import ROOT, TEMPLATES, MakeCatalog, assert_golden, invoke

ORDER = key_order(load_standard())
ITEM = "items/implementation/210102/11210102001067856U4000123018000.yaml"
# A hand-written item in every wrong style: key order, quotes, indentation, comments to keep.
MESSY = """\
# 手工录入，待复核   (header comment: stays on top)
kind: 'implementation'
schema_version: 1
level: 4
basic_code: 000123018000   # 基本编码，未加引号
implementation_code: '11210102001067856U4000123018000'
# 实施主体：注释跟随它下面的键移动
body:
    nature: '1'
    credit_code: "11210102001067856U"
    name: 沈阳市和平区卫生健康局
region: "210102"
promised_limit: {unit: 工作日, value: 10}
statutory_limit: {value: 20, unit: "工作日"}
materials:
-   source: 申请人自备
    name: 卫生许可申请书   # 必交
    necessity: 必要
    form: 纸质和电子
    copies: 1
conditions:
    - "供水单位已取得营业执照"
    # 第二条待定
power_source: "1"
process: [{name: 受理}, {name: 审查}, {name: 决定}]
charged: false
service_objects: ['2', "3"]
handling_type: "2"
handling_forms: ["1", "2"]
visits: 0
online: yes
online_depth: "4"
online_url: https://www.lnzwfw.gov.cn/
scope: 全市
place: "沈阳市和平区政务服务中心"
hours: 周一至周五 9:00-17:00（法定节假日除外）
consultation: {phone: 024-22851234}
complaint: {phone: "12345"}
result: {name: 卫生许可证, type: '证照'}
# catalog: ignore[SCH002] 迁移期保留旧字段
legacy_note: |
  第一行
    缩进的第二行


# 文件末尾的注释
"""


def comments(text: str) -> collections.Counter[str]:
    """Every comment's text (ruamel's own reading), without the schema line fmt owns."""
    from ruamel.yaml.comments import CommentedBase
    from ruamel.yaml.tokens import CommentToken

    found: collections.Counter[str] = collections.Counter()
    seen: set[int] = set()

    def tokens(t: Any) -> None:
        if isinstance(t, list):
            for x in t:
                tokens(x)
        elif isinstance(t, CommentToken) and id(t) not in seen:
            seen.add(id(t))
            for line in t.value.split("\n"):
                if line.strip() and "yaml-language-server" not in line:
                    found[line.strip()] += 1

    def walk(node: Any) -> None:
        if isinstance(node, CommentedBase):
            tokens(node.ca.comment)
            tokens(list(node.ca.items.values()))
            tokens(getattr(node.ca, "end", None))
            children: Any = node.values() if isinstance(node, dict) else node
            for value in children:
                walk(value)

    walk(writer.round_trip_yaml().load(text))
    return found


def formatted(text: str, relpath: str = ITEM) -> str:
    return format_text(text, writer.parse(text), relpath, ORDER)


def keys_in_order(data: Any, path: str = "") -> bool:
    """Known keys in element-table order, unknown ones after them, at every level."""
    if isinstance(data, list):
        return all(keys_in_order(v, path + "[]") for v in data)
    if not isinstance(data, dict):
        return True
    ranks = [ORDER.get(f"{path}.{k}" if path else k, len(ORDER)) for k in data]
    return ranks == sorted(ranks) and all(
        keys_in_order(v, f"{path}.{k}" if path else k) for k, v in data.items()
    )


def test_golden_format_and_check_diff(make_catalog: MakeCatalog) -> None:
    root = make_catalog({ITEM: MESSY})
    code, out, err = invoke(root, "fmt", "--check")
    assert code == 1
    assert "需要格式化: " + ITEM in err
    assert_golden("fmt.check.diff", out)
    assert (root / ITEM).read_text(encoding="utf-8") == MESSY  # --check writes nothing
    code, out, err = invoke(root, "fmt", "--lang", "en")
    assert (code, out) == (0, "")
    assert "formatted: " + ITEM in err and "1 files: 1 formatted" in err
    text = (root / ITEM).read_text(encoding="utf-8")
    assert_golden("fmt.formatted.yaml", text)
    assert writer.parse(text) == writer.parse(MESSY)  # no value changed …
    assert comments(text) == comments(MESSY)  # … no comment lost
    assert invoke(root, "fmt", "--check") == (
        0,
        "",
        "1 个文件：0 个需要格式化，1 个无需改动，0 个无法格式化（文件保持原样）。\n",
    )


def test_comments_move_with_the_key_below_them() -> None:
    text = formatted(MESSY)
    lines = text.splitlines()
    at = lines.index("# 实施主体：注释跟随它下面的键移动")
    assert lines[at + 1] == "body:"
    assert lines[lines.index("# catalog: ignore[SCH002] 迁移期保留旧字段") + 1] == "legacy_note: |"
    assert lines[1] == "# 手工录入，待复核   (header comment: stays on top)"
    assert lines[-1] == "# 文件末尾的注释"
    assert "  - name: 卫生许可申请书   # 必交" in lines
    closing = lines[lines.index("  - 供水单位已取得营业执照") + 1]
    assert closing == "  # 第二条待定"  # indented under the list: it closes the list


def test_values_are_never_changed_only_their_style() -> None:
    text = formatted(MESSY)
    assert 'basic_code: "000123018000"' in text  # a code: quoted (it was text already)
    assert 'online: "yes"' in text  # YAML 1.1's "yes" was always the text yes here: now says so
    assert 'consultation: {phone: "024-22851234"}' in text
    assert "result: {type: 证照, name: 卫生许可证}" in text  # result.type is a name, not a code
    assert "  第一行\n    缩进的第二行\n" in text  # block text untouched


def test_check_and_diff_write_nothing(make_catalog: MakeCatalog) -> None:
    root = make_catalog({ITEM: MESSY})
    before = (root / ITEM).stat().st_mtime_ns
    code, out, _ = invoke(root, "fmt", "--diff", ITEM)
    assert code == 0 and out.startswith(f"--- a/{ITEM}\n+++ b/{ITEM}\n")
    assert (root / ITEM).read_text(encoding="utf-8") == MESSY
    assert (root / ITEM).stat().st_mtime_ns == before


def test_formatting_twice_changes_nothing(make_catalog: MakeCatalog) -> None:
    root = make_catalog({ITEM: MESSY})
    assert invoke(root, "fmt")[0] == 0
    once = (root / ITEM).read_bytes()
    stamp = (root / ITEM).stat().st_mtime_ns
    code, _, err = invoke(root, "fmt", "--lang", "en")
    assert code == 0 and "0 formatted, 1 unchanged" in err
    assert (root / ITEM).read_bytes() == once
    assert (root / ITEM).stat().st_mtime_ns == stamp  # not even rewritten


def test_bom_kept_crlf_normalized_permissions_kept(make_catalog: MakeCatalog) -> None:
    raw = "\ufeff" + MESSY.replace("\n", "\r\n")
    root = make_catalog({ITEM: raw.encode("utf-8")})
    (root / ITEM).chmod(0o640)
    assert invoke(root, "fmt")[0] == 0
    data = (root / ITEM).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf# yaml-language-server:") and b"\r" not in data
    assert data[3:].decode("utf-8") == formatted(MESSY)
    assert stat.S_IMODE((root / ITEM).stat().st_mode) == 0o640


def test_symlinked_file_formats_its_target(make_catalog: MakeCatalog) -> None:
    root = make_catalog({"drafts/item.yaml": MESSY})
    link = root / ITEM
    link.parent.mkdir(parents=True)
    link.symlink_to(root / "drafts/item.yaml")
    assert invoke(root, "fmt", ITEM)[0] == 0
    assert link.is_symlink()
    assert (root / "drafts/item.yaml").read_text(encoding="utf-8") == formatted(MESSY)


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        ("schema_version: 1\nkind: [basic\nname: x\n", 3, "YAML syntax error"),
        ("schema_version: 1\nkind: basic\nkind: basic\n", 3, "duplicate key 'kind'"),
        ("a: &x 1\nb: *x\n", 1, "anchors/aliases"),  # the line of the anchor
        ("kind: !!python/name:os.system basic\n", 1, "unsupported YAML tag"),
    ],
)
def test_a_file_with_yaml_errors_is_reported_and_untouched(
    make_catalog: MakeCatalog, content: str, line: int, message: str
) -> None:
    root = make_catalog({ITEM: content, "items/basic/000123018000.yaml": MESSY})
    stamp = (root / ITEM).stat().st_mtime_ns
    code, _, err = invoke(root, "fmt", "--lang", "en")
    assert code == 1
    assert f"{ITEM}:{line}: error: " in err and message in err
    assert "Traceback" not in err
    assert (root / ITEM).read_text(encoding="utf-8") == content
    assert (root / ITEM).stat().st_mtime_ns == stamp
    # the other file is formatted all the same
    assert (root / "items/basic/000123018000.yaml").read_text(encoding="utf-8") != MESSY


def test_gbk_and_empty_files(make_catalog: MakeCatalog) -> None:
    gbk = "schema_version: 1\nname: 饮用水供水单位卫生许可\n".encode("gbk")
    root = make_catalog({ITEM: gbk, "items/basic/empty.yaml": ""})
    code, _, err = invoke(root, "fmt")
    assert code == 1
    assert "看起来是 GBK" in err and "iconv" in err
    assert (root / ITEM).read_bytes() == gbk
    assert (root / "items/basic/empty.yaml").read_text(encoding="utf-8") == ""


def test_read_only_file_is_refused(make_catalog: MakeCatalog) -> None:
    root = make_catalog({ITEM: MESSY})
    (root / ITEM).chmod(0o444)
    code, _, err = invoke(root, "fmt", "--lang", "en")
    assert code == 1
    assert f"{ITEM}: error: the file is read-only; not formatted" in err
    assert (root / ITEM).read_text(encoding="utf-8") == MESSY
    assert stat.S_IMODE((root / ITEM).stat().st_mode) == 0o444


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_interrupted_write_leaves_the_old_file_whole(
    make_catalog: MakeCatalog, monkeypatch: pytest.MonkeyPatch, failure: BaseException
) -> None:
    root = make_catalog({ITEM: MESSY})

    def broken(self: Path, target: Any) -> Path:
        raise failure  # after the new text went to the temporary file, before the rename

    monkeypatch.setattr(Path, "replace", broken)
    code, _, err = invoke(root, "fmt", "--lang", "en")
    if isinstance(failure, OSError):
        assert code == 1
        assert "cannot write it: No space left on device; the file is left as it was" in err
    else:
        assert code != 0  # Ctrl-C: the run stops there
    assert (root / ITEM).read_text(encoding="utf-8") == MESSY
    assert [p.name for p in (root / ITEM).parent.iterdir()] == [Path(ITEM).name]  # no .tmp


def test_usage_errors(tmp_path: Path, make_catalog: MakeCatalog) -> None:
    code, _, err = invoke(tmp_path, "fmt")
    assert code == 2 and "找不到事项目录" in err
    root = make_catalog({ITEM: MESSY})
    code, _, err = invoke(root, "fmt", "items/nope.yaml")
    assert code == 2 and "路径不存在" in err


def test_imported_and_new_files_are_already_formatted(tmp_path: Path) -> None:
    root = tmp_path / "catalog"
    (root / "items").mkdir(parents=True)
    rows = tmp_path / "rows.csv"
    rows.write_text(
        "事项名称,基本编码,事项类型,主管部门,行使层级,设定依据,实施主体,实施主体编码,行政区划代码,"
        "地方编码,法定办结时限,承诺办结时限,是否收费,咨询电话,事项状态\n"
        '饮用水供水单位卫生许可,000123018000,01,23,"3,4",《中华人民共和国传染病防治法》第二十九条'
        ",,,,,,,,,在用\n"
        "饮用水供水单位卫生许可,000123018000,01,23,4,,沈阳市和平区卫生健康局,11210102001067856U,"
        "210102,,20,10,否,024-22851234,\n"
        "适龄儿童延缓入学审批,,20,,,,沈阳市和平区教育局,,210102,L-1,,,,,草稿\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["import", str(rows), "--catalog", str(root)])
    assert result.exit_code == 0, result.output
    assert len(list((root / "items").rglob("*.yaml"))) == 3
    assert invoke(root, "fmt", "--check") == (
        0,
        "",
        "3 个文件：0 个需要格式化，3 个无需改动，0 个无法格式化（文件保持原样）。\n",
    )


def test_import_key_order_is_the_element_table_order() -> None:
    ranks = [ORDER[k] for k in KEY_ORDER]
    assert ranks == sorted(ranks)


# ---------------------------------------------------------------------------------------------
# Properties: on every YAML file of the repository, and on generated items


def corpus() -> list[Path]:
    files = [
        *sorted((ROOT / "items").rglob("*.yaml")),
        *sorted((ROOT / "tests" / "data").glob("*.yaml")),
        *sorted((ROOT / "tests" / "fixtures").rglob("*.yaml")),
        *sorted((ROOT / "tests" / "rules" / "cases").glob("*.yaml")),
        *sorted(TEMPLATES.glob("*.yaml")),
        *sorted((ROOT / "tests" / "golden").glob("*.yaml")),
    ]
    usable = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            continue  # fixtures of encoding errors: refused, as tested above
        doc = Document(path=path, relpath=path.name)
        load_text(doc, text)
        if doc.data is not None and not any(p.code in _BLOCKING for p in doc.problems):
            usable.append(path)
    return usable


def check_properties(text: str) -> str:
    data = writer.parse(text)
    once = formatted(text)
    assert writer.parse(once) == data  # load(fmt(x)) == load(x)
    assert formatted(once) == once  # fmt(fmt(x)) == fmt(x)
    # the shortcut past ruamel's round trip changes nothing
    assert format_text(text, data, ITEM, ORDER, fast=False) == once
    assert format_text(once, data, ITEM, ORDER, fast=False) == once
    assert comments(once) == comments(text)  # every comment kept, as written
    assert once.startswith(writer.modeline(ITEM))
    return once


def test_properties_on_the_corpus() -> None:
    files = corpus()
    assert len(files) >= 130  # items, data, fixtures, rule cases, templates, goldens
    for path in files:
        once = check_properties(path.read_text(encoding="utf-8-sig"))
        if path.is_relative_to(ROOT / "items"):
            assert keys_in_order(writer.parse(once)), path
            assert _as_written(once, ORDER), path  # a formatted item takes the shortcut


CODES = st.sampled_from(["01", "210102", "000123018000", "0755", "1", "11210102001067856U"])
TEXT = st.text(
    alphabet=st.sampled_from(list("沈阳市许可 ab:#-'\"\\,[]{}&*!|>%@`?\t1")),
    min_size=1,
    max_size=12,
) | st.sampled_from(["yes", "null", "0755", "2023-01-01", "~", "1e3"])
SCALARS: dict[str, st.SearchStrategy[Any]] = {
    "name": TEXT,
    "basic_code": CODES,
    "type": CODES,
    "implementation_code": CODES,
    "level": st.integers(1, 6),
    "region": CODES,
    "power_source": CODES,
    "charged": st.booleans(),
    "visits": st.integers(0, 3),
    "place": TEXT,
    "hours": TEXT,
    "x_unknown": TEXT,
}
NESTED: dict[str, st.SearchStrategy[Any]] = {
    "body": st.fixed_dictionaries(
        {}, optional={"name": TEXT, "credit_code": CODES, "nature": CODES}
    ).filter(bool),
    "statutory_limit": st.fixed_dictionaries(
        {"value": st.integers(1, 30)}, optional={"unit": st.sampled_from(["工作日", "自然日"])}
    ),
    "conditions": st.lists(TEXT, min_size=1, max_size=3),
    "materials": st.lists(
        st.fixed_dictionaries({"name": TEXT}, optional={"form": TEXT, "copies": st.integers(1, 3)}),
        min_size=1,
        max_size=2,
    ),
}


@st.composite
def messy_items(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """An item with keys shuffled, random quoting, indentation and comments."""
    keys = draw(st.lists(st.sampled_from([*SCALARS, *NESTED]), min_size=1, unique=True))
    data = {k: draw(SCALARS[k] if k in SCALARS else NESTED[k]) for k in keys}
    indent = draw(st.sampled_from(["  ", "    "]))
    counter = iter(range(10_000))

    def scalar(value: Any) -> str:
        if not isinstance(value, str):
            return writer.scalar(value)
        styles = ["double"] + (["plain"] if writer.plain_ok(value) else [])
        if value.isprintable():
            styles.append("single")
        style = draw(st.sampled_from(styles))
        if style == "plain":
            return value
        if style == "single":
            return "'" + value.replace("'", "''") + "'"
        return writer.quote(value)

    def comment(pad: str) -> list[str]:
        return [f"{pad}# c{next(counter)}"] if draw(st.booleans()) else []

    def eol() -> str:
        return f"  # e{next(counter)}" if draw(st.booleans()) else ""

    def mapping(value: dict[str, Any], pad: str, first: str = "") -> list[str]:
        lines: list[str] = []
        for n, (k, v) in enumerate(value.items()):
            lead = first if n == 0 and first else pad
            if not (n == 0 and first):
                lines += comment(pad)
            if isinstance(v, dict):
                lines.append(f"{lead}{k}:{eol()}")
                lines += mapping(v, pad + indent)
            elif isinstance(v, list):
                lines.append(f"{lead}{k}:{eol()}")
                for item in v:
                    if isinstance(item, dict):
                        dash = pad + indent + "- "
                        lines += mapping(item, " " * len(dash), first=dash)
                    else:
                        lines.append(f"{pad}{indent}- {scalar(item)}{eol()}")
            else:
                lines.append(f"{lead}{k}: {scalar(v)}{eol()}")
        return lines

    text = "\n".join(comment("") + mapping(data, "")) + "\n"
    return text, data


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messy_items())
def test_properties_on_generated_items(case: tuple[str, dict[str, Any]]) -> None:
    text, data = case
    assume(writer.parse(text) == data)  # the generator wrote what it meant
    once = check_properties(text)
    assert keys_in_order(writer.parse(once))
