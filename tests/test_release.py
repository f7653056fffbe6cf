"""``catalog release``: export, manifest, CHANGELOG commit and tag — and every refusal and failure."""

from __future__ import annotations

import hashlib
import json
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import assert_golden
from tests.gitrepo import commit, git, git_env, init, needs_git, sample, write
from tests.test_cli import invoke

pytestmark = [needs_git, pytest.mark.usefixtures("git_env")]
__all__ = ["git_env"]  # the fixture, imported for pytest

BASIC = "items/basic/000123018000.yaml"
IMPL = "items/implementation/210102/11210102001067856U4000123018000.yaml"
OTHER = "items/basic/210973001000.yaml"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    init(root)
    write(
        root,
        {
            BASIC: sample("basic/000123018000.yaml"),
            IMPL: sample("implementation/210102/11210102001067856U4000123018000.yaml"),
            OTHER: sample("basic/210973001000.yaml"),
        },
    )
    commit(root, "catalog")
    return root


def state(root: Path) -> tuple[str, str, list[str], bool]:
    """HEAD, tags, status and whether dist/ exists: what a refused release must not change."""
    return (
        git(root, "rev-parse", "HEAD"),
        git(root, "tag"),
        sorted(p.name for p in root.iterdir()),
        (root / "dist").exists(),
    )


def test_first_release(runner: CliRunner, repo: Path) -> None:
    exported = git(repo, "rev-parse", "HEAD").strip()
    code, out, err = invoke(runner, repo, "release", "v1.0")
    assert code == 0, err
    assert "已发布 v1.0" in out and "首次发布" in out and "git push origin HEAD v1.0" in out
    assert "导出到 dist/v1.0/" in err  # progress on stderr
    dist = repo / "dist" / "v1.0"
    names = sorted(p.name for p in dist.iterdir())
    assert names == [
        "catalog.csv",
        "catalog.json",
        "catalog.jsonld",
        "catalog.ndjson",
        "manifest.json",
    ]
    manifest = json.loads((dist / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["version"] == "v1.0" and manifest["commit"] == exported
    assert manifest["files"] == {
        n: hashlib.sha256((dist / n).read_bytes()).hexdigest() for n in names[:-1]
    }
    meta = json.loads((dist / "catalog.json").read_text(encoding="utf-8"))["metadata"]
    assert meta["catalog_version"] == "v1.0" and meta["commit"] == exported
    assert meta["commit_date"] == "2024-05-01T10:00:00+08:00"
    # one commit holding CHANGELOG.md alone, tagged (annotated); the tree is clean after it
    assert git(repo, "show", "--name-only", "--format=%s", "HEAD").split() == [
        "Release",
        "v1.0",
        "CHANGELOG.md",
    ]
    assert git(repo, "cat-file", "-t", "v1.0").strip() == "tag"
    assert git(repo, "rev-parse", "v1.0^{commit}") == git(repo, "rev-parse", "HEAD")
    assert git(repo, "status", "--porcelain") == ""  # dist/ ignored by dist/.gitignore
    changelog = (repo / "CHANGELOG.md").read_text(encoding="utf-8")
    assert changelog.startswith("# 变更记录\n\n## v1.0（2024-05-01，首次发布）\n")
    assert "新增 3 项" in changelog


def test_second_release_appends_the_changes_since_the_first(runner: CliRunner, repo: Path) -> None:
    assert invoke(runner, repo, "release", "v1.0", "--lang", "en")[0] == 0
    write(repo, {OTHER: sample("basic/210973001000.yaml").replace('version: "1"', 'version: "2"')})
    git(repo, "mv", BASIC, BASIC.replace(".yaml", ".yml"))  # renamed: no change
    commit(repo, "edit")
    code, out, err = invoke(runner, repo, "release", "v1.1", "--lang", "en")
    assert code == 0, err
    assert "since v1.0: 0 added, 0 withdrawn, 1 changed" in out
    assert git(repo, "status", "--porcelain") == ""
    assert_golden("release.en.changelog.md", (repo / "CHANGELOG.md").read_text(encoding="utf-8"))


def test_changelog_golden_zh(runner: CliRunner, repo: Path) -> None:
    assert invoke(runner, repo, "release", "2024.1")[0] == 0
    write(
        repo,
        {
            OTHER: sample("basic/210973001000.yaml").replace(
                "status: 在用", "status: 取消\ncancel_date: 2024-06-30"
            ),
            IMPL: sample("implementation/210102/11210102001067856U4000123018000.yaml").replace(
                "和平区政务服务中心", "和平区行政审批服务中心"
            ),
            "items/basic/219964005000.yaml": sample("basic/219964005000.yaml"),
        },
    )
    commit(repo, "cancel, change, add")
    code, _, err = invoke(runner, repo, "release", "2024.2")
    assert code == 0, err
    assert_golden("release.zh.changelog.md", (repo / "CHANGELOG.md").read_text(encoding="utf-8"))


def test_dirty_tree_is_refused(runner: CliRunner, repo: Path) -> None:
    write(repo, {"notes.txt": "x\n", OTHER: "# edited\n" + sample("basic/210973001000.yaml")})
    before = state(repo)
    code, out, err = invoke(runner, repo, "release", "v1.0")
    assert code == 2 and out == ""
    assert "工作区不干净" in err and "notes.txt" in err and OTHER in err
    assert state(repo) == before


def test_existing_tag_or_folder_is_never_overwritten(runner: CliRunner, repo: Path) -> None:
    git(repo, "tag", "v1.0")
    before = state(repo)
    code, _, err = invoke(runner, repo, "release", "v1.0", "--lang", "en")
    assert code == 2 and "tag v1.0 already exists" in err
    assert state(repo) == before
    write(repo, {".gitignore": "dist/\n"})
    commit(repo, "ignore dist")
    (repo / "dist" / "v2.0").mkdir(parents=True)
    code, _, err = invoke(runner, repo, "release", "v2.0", "--lang", "en")
    assert code == 2 and "v2.0 already exists" in err
    assert list((repo / "dist" / "v2.0").iterdir()) == []


@pytest.mark.parametrize(
    "version", ["v1..2", "-v1", "a/b", "v1.lock", "v1.", "版本1", "a b", "x" * 101]
)
def test_bad_version_is_refused(runner: CliRunner, repo: Path, version: str) -> None:
    before = state(repo)
    code, _, err = invoke(runner, repo, "release", "--lang", "en", "--", version)
    assert code == 2 and "letters, digits and . _ + - only" in err
    assert state(repo) == before


def test_check_errors_refuse_with_nothing_written(runner: CliRunner, repo: Path) -> None:
    write(repo, {OTHER: sample("basic/210973001000.yaml").replace('type: "09"', 'type: "77"')})
    commit(repo, "bad type")
    before = state(repo)
    code, out, err = invoke(runner, repo, "release", "v1.0")
    assert code == 1 and out == ""
    assert "catalog check 发现" in err and OTHER in err and "什么都没有写" in err
    assert state(repo) == before


def _hook(repo: Path, name: str, script: str) -> None:
    hook = repo / ".git" / "hooks" / name
    hook.write_text("#!/bin/sh\n" + script, encoding="utf-8")
    hook.chmod(hook.stat().st_mode | stat.S_IEXEC)


def test_failed_commit_leaves_no_tag_and_says_how_to_undo(runner: CliRunner, repo: Path) -> None:
    _hook(repo, "pre-commit", "echo 'hook says no' >&2\nexit 1\n")
    head = git(repo, "rev-parse", "HEAD")
    code, _, err = invoke(runner, repo, "release", "v1.0", "--lang", "en")
    assert code == 2
    assert "the commit failed" in err and "hook says no" in err and "No tag was made" in err
    assert "rm -rf dist/v1.0 && git rm -q --cached --ignore-unmatch CHANGELOG.md" in err
    assert git(repo, "tag") == "" and git(repo, "rev-parse", "HEAD") == head
    assert (repo / "dist" / "v1.0" / "manifest.json").exists()
    # the advice works: afterwards the release goes through
    git(repo, "rm", "-q", "--cached", "--ignore-unmatch", "CHANGELOG.md")
    (repo / "CHANGELOG.md").unlink()
    git(repo, "clean", "-fdxq", "dist")
    (repo / ".git" / "hooks" / "pre-commit").unlink()
    assert invoke(runner, repo, "release", "v1.0")[0] == 0


def test_failed_tag_leaves_the_commit_and_says_so(runner: CliRunner, repo: Path) -> None:
    _hook(
        repo,
        "reference-transaction",
        'while read old new ref; do case "$ref" in refs/tags/*) exit 1;; esac; done\n',
    )
    code, _, err = invoke(runner, repo, "release", "v1.0", "--lang", "en")
    assert code == 2 and "tagging failed" in err and "No tag was made" in err
    commit_name = git(repo, "rev-parse", "HEAD").strip()
    assert f"git tag -a v1.0 -m 'catalog v1.0' {commit_name[:12]}" in err
    assert "git reset --keep HEAD~1 && rm -rf dist/v1.0" in err
    assert git(repo, "tag") == ""
    assert git(repo, "show", "--name-only", "--format=%s", "HEAD").split()[-1] == "CHANGELOG.md"


def test_shallow_clone_is_refused(runner: CliRunner, repo: Path, tmp_path: Path) -> None:
    write(repo, {"notes.txt": "x\n"})
    commit(repo, "second")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth=1", f"file://{repo}", str(clone))
    code, _, err = invoke(runner, clone, "release", "v1.0", "--lang", "en")
    assert code == 2 and "shallow clone" in err and "git fetch --unshallow --tags" in err


def test_dist_is_a_file(runner: CliRunner, repo: Path) -> None:
    write(repo, {"dist": "not a folder\n"})
    commit(repo, "dist file")
    code, _, err = invoke(runner, repo, "release", "v1.0", "--lang", "en")
    assert code == 2 and "cannot export into dist/v1.0" in err and "is a file, not a folder" in err
    assert git(repo, "tag") == ""


def test_not_a_repository(runner: CliRunner, tmp_path: Path) -> None:
    write(tmp_path, {BASIC: sample("basic/000123018000.yaml")})
    code, _, err = invoke(runner, tmp_path, "release", "v1.0", "--lang", "en")
    assert code == 2 and "not in a git repository" in err
    code, _, err = invoke(runner, tmp_path, "release", "v1.0")
    assert code == 2 and "不在 git 仓库中" in err
    assert not (tmp_path / "dist").exists()


def test_repository_without_commits(runner: CliRunner, tmp_path: Path) -> None:
    init(tmp_path / "r")
    write(tmp_path / "r", {BASIC: sample("basic/000123018000.yaml")})
    code, _, err = invoke(runner, tmp_path / "r", "release", "v1.0", "--lang", "en")
    assert code == 2 and "no commits yet" in err
    code, _, err = invoke(runner, tmp_path / "r", "release", "v1.0")
    assert code == 2 and "还没有提交" in err


def test_git_missing(runner: CliRunner, repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(repo / "nowhere"))
    code, _, err = invoke(runner, repo, "release", "v1.0", "--lang", "en")
    assert code == 2 and "git is not installed" in err
    code, _, err = invoke(runner, repo, "release", "v1.0")
    assert code == 2 and "git 未安装" in err
