"""``catalog diff``: the pure comparison, the three formats (golden, zh and en), exit codes, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from catalog_cli.diff import CatalogDiff, FieldChange, compare
from catalog_cli.loader import Document, load_text
from catalog_cli.models import Entry, build_entry
from tests.conftest import assert_golden
from tests.gitrepo import commit, git, git_env, init, needs_git, sample, write
from tests.test_cli import invoke

__all__ = ["git_env"]  # the fixture, imported for pytest

BASIC = "basic/210973001000.yaml"
IMPL = "implementation/210000/11210000001247152B2210973001000.yaml"


def entry(path: str, text: str) -> Entry:
    doc = Document(Path(path), path)
    load_text(doc, text)
    return build_entry(doc)


def diff_of(old: dict[str, str], new: dict[str, str]) -> CatalogDiff:
    return compare([entry(p, t) for p, t in old.items()], [entry(p, t) for p, t in new.items()])


# -- the comparison --------------------------------------------------------------------------


def test_moved_file_and_comment_edits_are_no_change() -> None:
    text = sample(BASIC)
    d = diff_of(
        {"items/a.yaml": text, "items/b.yaml": sample(IMPL)},
        {"items/moved/a.yaml": text, "items/b.yaml": "# new comment\n" + sample(IMPL)},
    )
    assert d.empty and d == CatalogDiff()


def test_added_withdrawn_changed_keyed_by_code() -> None:
    basic = sample(BASIC)
    d = diff_of(
        {"a.yaml": basic, "gone.yaml": sample("basic/000123018000.yaml"), "i.yaml": sample(IMPL)},
        {
            "a.yaml": basic.replace("status: 在用", "status: 取消\ncancel_date: 2024-06-30"),
            "new.yaml": sample("basic/219964005000.yaml"),
            "i2.yaml": sample(IMPL).replace("level: 2", "level: 3"),
        },
    )
    assert [i.code for i in d.added] == ["219964005000"]
    assert [(i.code, i.reason) for i in d.withdrawn] == [
        ("000123018000", "removed"),
        ("210973001000", "cancelled"),
    ]
    assert d.withdrawn[1].fields == (
        FieldChange("status", "在用", "取消"),
        FieldChange("cancel_date", None, "2024-06-30"),
    )
    (changed,) = d.changed
    assert changed.code == "11210000001247152B2210973001000"
    assert changed.old_path == "i.yaml" and changed.path == "i2.yaml"
    assert changed.fields == (FieldChange("level", 2, 3),)
    assert changed.name == "专利权侵权纠纷处理"  # its basic item's: the file inherits the name
    assert changed.body == "辽宁省知识产权局"


def test_field_level_values() -> None:
    impl = sample(IMPL)
    new = (
        impl.replace(
            "promised_limit: {value: 60, unit: 自然日}", "promised_limit: {value: 45, unit: 自然日}"
        )
        .replace("  name: 辽宁省知识产权局", "  name: 辽宁省市场监督管理局")
        .replace("charged: false", "charged: 0")
    )
    (changed,) = diff_of({"i.yaml": impl}, {"i.yaml": new}).changed
    assert changed.name is None  # inherited from a basic item this diff does not include
    assert changed.fields == (
        FieldChange("body.name", "辽宁省知识产权局", "辽宁省市场监督管理局"),
        FieldChange("promised_limit.value", 60, 45),
        FieldChange("charged", False, 0),  # false and 0 are not the same value
    )


def test_null_is_absent_and_lists_are_one_field() -> None:
    impl = sample(IMPL)
    d = diff_of({"i.yaml": impl}, {"i.yaml": impl + "fee_basis: null\n"})
    assert d.empty
    fewer = impl.replace("  - 有明确的被请求人\n", "")
    (changed,) = diff_of({"i.yaml": impl}, {"i.yaml": fewer}).changed
    (change,) = changed.fields
    assert change.field == "conditions" and len(change.old) == 4 and len(change.new) == 3


def test_unreadable_files_are_noted_not_guessed() -> None:
    d = diff_of(
        {"a.yaml": sample(BASIC), "b.yaml": "name: [broken\n"},
        {"a.yaml": "name: [broken\n", "b.yaml": sample(BASIC).replace("在用", "暂停")},
    )
    assert d.unreadable == [("old", "b.yaml"), ("new", "a.yaml")]
    # a.yaml's code is in b.yaml now: one item, changed; nothing added or withdrawn
    assert not d.added and not d.withdrawn and [i.code for i in d.changed] == ["210973001000"]
    d = diff_of({"a.yaml": sample(BASIC)}, {"a.yaml": "name: [broken\n"})
    assert not d.empty and not d.withdrawn and d.unreadable == [("new", "a.yaml")]


def test_duplicate_codes_are_reported() -> None:
    d = diff_of({}, {"a.yaml": sample(BASIC), "b.yaml": sample(BASIC)})
    assert d.duplicates == ["210973001000"] and [i.path for i in d.added] == ["a.yaml"]


# -- the command -----------------------------------------------------------------------------


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def history_repo(tmp_path: Path, git_env: None) -> Path:
    """v1, then v2: one item added, one removed, one cancelled, one changed, one changed and
    moved, one moved unchanged, one with only a comment edited; the working tree adds a file
    that does not parse."""
    root = tmp_path / "repo"
    init(root)
    files = {
        f"items/{BASIC}": sample(BASIC),
        f"items/{IMPL}": sample(IMPL),
        "items/basic/000123018000.yaml": sample("basic/000123018000.yaml"),
        "items/basic/000131035000.yaml": sample("basic/000131035000.yaml"),
        "items/basic/210122010000.yaml": sample("basic/210122010000.yaml"),
        "items/basic/211017152000.yaml": sample("basic/211017152000.yaml"),
    }
    write(root, files)
    commit(root, "v1", tag="v1")
    write(
        root,
        {
            f"items/{BASIC}": "# 修改说明：只改注释\n" + sample(BASIC),
            "items/basic/000123018000.yaml": sample("basic/000123018000.yaml").replace(
                "status: 在用", "status: 取消\ncancel_date: 2024-06-30"
            ),
            "items/basic/219964005000.yaml": sample("basic/219964005000.yaml"),
            f"items/{IMPL}": sample(IMPL)
            .replace(
                "promised_limit: {value: 60, unit: 自然日}",
                "promised_limit: {value: 45, unit: 自然日}",
            )
            .replace("  - 有明确的被请求人\n", ""),
            "items/basic/moved/211017152000.yaml": sample("basic/211017152000.yaml"),
            "items/basic/moved/210122010000.yaml": sample("basic/210122010000.yaml").replace(
                'version: "1"', 'version: "2"'
            ),
        },
    )
    (root / "items/basic/000131035000.yaml").unlink()
    (root / "items/basic/211017152000.yaml").unlink()
    (root / "items/basic/210122010000.yaml").unlink()
    commit(root, "v2", tag="v2")
    write(root, {"items/basic/broken.yaml": "name: [不完整\n"})
    return root


@needs_git
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(("fmt", "ext"), [("text", "txt"), ("markdown", "md"), ("json", "json")])
def test_golden(runner: CliRunner, history_repo: Path, lang: str, fmt: str, ext: str) -> None:
    code, out, err = invoke(runner, history_repo, "diff", "v1", "--format", fmt, "--lang", lang)
    assert code == 0, err
    # the commit name depends on the sample items' bytes: keep the golden file about the diff
    v1 = git(history_repo, "rev-parse", "v1^{commit}").strip()
    assert v1[:7] in out
    assert_golden(f"diff.{lang}.{ext}", out.replace(v1, "<v1 commit>").replace(v1[:7], "<v1>"))


@needs_git
def test_json_document(runner: CliRunner, history_repo: Path) -> None:
    code, out, _ = invoke(runner, history_repo, "diff", "v1", "v2", "-f", "json")
    doc = json.loads(out)
    assert code == 0 and doc["to"]["revision"] == "v2" and doc["unreadable"] == []
    assert doc["summary"] == {"added": 1, "withdrawn": 2, "changed": 2}
    moved = next(i for i in doc["changed"] if "old_path" in i)
    assert moved["changes"] == [{"field": "version", "label": "事项版本", "old": "1", "new": "2"}]


@needs_git
def test_exit_code_option(runner: CliRunner, history_repo: Path) -> None:
    assert invoke(runner, history_repo, "diff", "v1", "v2")[0] == 0
    assert invoke(runner, history_repo, "diff", "v1", "v2", "--exit-code")[0] == 1
    code, out, _ = invoke(runner, history_repo, "diff", "v2", "v2", "--exit-code")
    assert code == 0 and "没有变化" in out
    code, out, _ = invoke(runner, history_repo, "diff", "HEAD", "--exit-code", "--lang", "en")
    assert code == 1 and "broken.yaml cannot be read as an item at working tree" in out
    (history_repo / "items/basic/broken.yaml").unlink()
    assert invoke(runner, history_repo, "diff", "HEAD", "--exit-code")[0] == 0


@needs_git
def test_unknown_revision_exits_2(runner: CliRunner, history_repo: Path) -> None:
    code, out, err = invoke(runner, history_repo, "diff", "v9", "--lang", "en")
    assert code == 2 and out == ""
    assert "git reference 'v9' not found" in err and "git fetch origin tag v9" in err
    code, out, err = invoke(runner, history_repo, "diff", "v9")  # Chinese by default
    assert code == 2 and out == ""
    assert "找不到 git 引用“v9”" in err and "git fetch origin tag v9" in err
    code, _, err = invoke(runner, history_repo, "diff", "v1", "no-such-branch", "--lang", "en")
    assert code == 2 and "'no-such-branch' not found" in err


@needs_git
def test_not_a_repository_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    write(tmp_path, {f"items/{BASIC}": sample(BASIC)})
    code, _, err = invoke(runner, tmp_path, "diff", "v1", "--lang", "en")
    assert code == 2 and "not in a git repository" in err and "git init" in err
    code, _, err = invoke(runner, tmp_path, "diff", "v1")
    assert code == 2 and "不在 git 仓库中" in err and "git init" in err


def test_no_git_exits_2(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, {f"items/{BASIC}": sample(BASIC)})
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    code, _, err = invoke(runner, tmp_path, "diff", "v1", "--lang", "en")
    assert code == 2 and "git is not installed" in err
    code, _, err = invoke(runner, tmp_path, "diff", "v1")
    assert code == 2 and "git 未安装" in err


def test_no_catalog_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    code, _, err = invoke(runner, tmp_path, "diff", "v1")
    assert code == 2 and "找不到事项目录" in err


@needs_git
def test_bad_format_exits_2(runner: CliRunner, history_repo: Path) -> None:
    code, _, err = invoke(runner, history_repo, "diff", "v1", "--format", "xml")
    assert code == 2 and "xml" in err


@needs_git
def test_tracked_files_only_in_history(runner: CliRunner, history_repo: Path) -> None:
    """A commit's history is git's: the sample README in items/ is not an item anywhere."""
    write(history_repo, {"items/README.md": "# 说明\n"})
    git(history_repo, "add", "items/README.md")
    code, out, _ = invoke(runner, history_repo, "diff", "v2", "-f", "json")
    assert code == 0 and json.loads(out)["summary"] == {"added": 0, "withdrawn": 0, "changed": 0}
