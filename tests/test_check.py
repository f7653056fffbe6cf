"""``catalog check`` and ``--since``: only what a change touched is reported."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from catalog_cli.cli import app
from catalog_cli.config import ConfigError
from tests.conftest import TEMPLATES, MakeCatalog
from tests.gitrepo import git

BASIC = "items/basic/000123018000.yaml"
IMPL = "items/implementation/210102/11210102001067856U4000123018000.yaml"


def run(root: Path, *args: str) -> tuple[int, dict[str, object] | None, str]:
    cwd = Path.cwd()
    os.chdir(root)
    try:
        r = CliRunner().invoke(app, ["check", "--format", "json", *args])
    finally:
        os.chdir(cwd)
    return r.exit_code, (json.loads(r.stdout) if r.stdout.strip() else None), r.stderr


@pytest.fixture
def repo(make_catalog: MakeCatalog) -> Path:
    """A committed catalog with a clean basic item, an implementation and a broken old file."""
    root = make_catalog(
        {
            BASIC: (TEMPLATES / "basic.yaml").read_text(encoding="utf-8"),
            IMPL: (TEMPLATES / "implementation.yaml").read_text(encoding="utf-8"),
            "items/basic/old.yaml": "schema_version: 1\nkind: basic\nnaem: x\n",
        }
    )
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    return root


@pytest.fixture(params=["", "true"], ids=["local", "CI"])
def ci(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each --since test runs as on a laptop and as in CI, where nothing is kept and the run
    builds only the findings the changes involve (engine.Options.changes)."""
    if request.param:
        monkeypatch.setenv("CI", request.param)
    return str(request.param)


def paths(doc: dict[str, object] | None) -> set[str]:
    assert doc is not None
    findings = doc["findings"]
    assert isinstance(findings, list)
    return {f["path"] for f in findings}


def test_without_since_everything_is_reported(repo: Path) -> None:
    code, doc, _ = run(repo)
    assert code == 1
    assert "items/basic/old.yaml" in paths(doc)


def test_since_reports_only_changed_items(repo: Path, ci: str) -> None:
    code, doc, _ = run(repo, "--since", "main")
    assert code == 0 and paths(doc) == set()
    impl = repo / IMPL
    impl.write_text(impl.read_text(encoding="utf-8").replace("visits: 0", "visits: x"), "utf-8")
    code, doc, _ = run(repo, "--since", "main")
    assert code == 1 and paths(doc) == {IMPL}


def test_since_reports_dependants_of_a_deleted_item(repo: Path, ci: str) -> None:
    git(repo, "rm", "-q", BASIC)
    code, doc, _ = run(repo, "--since", "main")
    assert code == 1
    assert IMPL in paths(doc)  # its basic item is gone
    assert "items/basic/old.yaml" not in paths(doc)


def test_since_counts_untracked_and_renamed_files(repo: Path, ci: str) -> None:
    (repo / "items/basic/new.yaml").write_text("schema_version: 1\nkind: basic\n", "utf-8")
    git(repo, "mv", "items/basic/old.yaml", "items/basic/renamed.yaml")
    code, doc, _ = run(repo, "--since", "main")
    assert code == 1
    assert {"items/basic/new.yaml", "items/basic/renamed.yaml"} <= paths(doc)


def test_missing_ref_says_how_to_fetch(repo: Path, ci: str) -> None:
    code, doc, err = run(repo, "--since", "origin/main")  # in Chinese, the default language
    assert code == 2 and doc is None
    assert "找不到 git 引用“origin/main”" in err and "git fetch" in err and "fetch-depth" in err
    code, doc, err = run(repo, "--since", "origin/main", "--lang", "en")
    assert code == 2 and doc is None
    assert "not found" in err and "git fetch" in err
    code, doc, err = run(repo, "--since=--output=x", "--lang", "en")
    assert code == 2 and "cannot start with '-'" in err
    code, doc, err = run(repo, "--since=--output=x")
    assert code == 2 and "引用不能以“-”开头" in err
    assert not (repo / "x").exists()


def test_detached_head_and_shallow_clone(repo: Path, tmp_path: Path, ci: str) -> None:
    git(repo, "checkout", "-q", "--detach")
    code, _, _ = run(repo, "--since", "main")
    assert code == 0
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(clone))
    code, _, err = run(clone, "--since", "origin/elsewhere", "--lang", "en")
    assert code == 2 and "shallow" in err
    code, _, err = run(clone, "--since", "origin/elsewhere")
    assert code == 2 and "浅克隆" in err
    code, doc, _ = run(clone, "--since", "origin/main")
    assert code == 0 and paths(doc) == set()  # old.yaml is broken, but nothing changed


def test_outside_git_everything_counts(make_catalog: MakeCatalog, ci: str) -> None:
    root = make_catalog({"items/basic/x.yaml": "schema_version: 1\nkind: basic\n"})
    code, doc, err = run(root, "--since", "main", "--lang", "en")
    assert code == 1 and "items/basic/x.yaml" in paths(doc)
    assert "catalog: note:" in err and "not in a git repository" in err
    code, doc, err = run(root, "--since", "main")
    assert code == 1 and "items/basic/x.yaml" in paths(doc)
    assert "catalog: 注意：" in err and "不在 git 仓库中" in err


def _nested_repo(tmp_path: Path) -> tuple[Path, Path]:
    """A repository whose catalog lives in a subfolder, with every kind of change since main:
    modified, renamed, deleted, untracked, and a change outside the catalog."""
    top = tmp_path / "repo"
    root = top / "catalogs" / "liaoning"
    for rel, text in {
        BASIC: (TEMPLATES / "basic.yaml").read_text(encoding="utf-8"),
        IMPL: (TEMPLATES / "implementation.yaml").read_text(encoding="utf-8"),
        "items/basic/old.yaml": "schema_version: 1\nkind: basic\n",
        "items/basic/gone.yaml": "schema_version: 1\nkind: basic\nbasic_code: '000123019000'\n",
    }.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    (top / "README.md").write_text("x\n", encoding="utf-8")
    git(top, "init", "-q", "-b", "main")
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "base")
    (root / BASIC).write_text((root / BASIC).read_text("utf-8") + "# edited\n", "utf-8")
    git(root, "mv", "items/basic/old.yaml", "items/basic/renamed.yaml")
    (root / "items/basic/gone.yaml").unlink()
    (root / "items/basic/新.yaml").write_text("schema_version: 1\n", encoding="utf-8")
    (top / "README.md").write_text("y\n", encoding="utf-8")
    return top, root


def test_git_started_early_finds_what_changes_since_finds(tmp_path: Path) -> None:
    from catalog_cli.changes import PendingChanges, changes_since

    _, root = _nested_repo(tmp_path)
    expected = changes_since(root, "main")
    assert expected.changed == {BASIC, "items/basic/renamed.yaml", "items/basic/新.yaml"}
    assert expected.deleted == {"items/basic/old.yaml", "items/basic/gone.yaml"}
    assert expected.deleted_codes == {"000123019000"}
    assert PendingChanges(root, "main").result(root) == expected


def test_git_started_early_leaves_trouble_to_changes_since(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from catalog_cli import changes

    _, root = _nested_repo(tmp_path)
    expected = changes.changes_since(root, "main")
    # another root than the run found: asked again there
    other = changes.PendingChanges(root / "items", "main")
    assert other.result(root) == expected
    # a missing reference: changes_since's message, how to fetch it
    with pytest.raises(ConfigError, match="git fetch"):
        changes.PendingChanges(root, "origin/nothing").result(root)
    # an option where a reference belongs is never given to git (git diff --output= writes)
    started: list[object] = []
    real_popen = changes.subprocess.Popen
    monkeypatch.setattr(changes.subprocess, "Popen", lambda *a, **k: started.append(a))
    pending = changes.PendingChanges(root, f"--output={tmp_path / 'written'}")
    monkeypatch.setattr(changes.subprocess, "Popen", real_popen)
    assert started == []
    with pytest.raises(ConfigError, match="not found"):
        pending.result(root)

    # git cannot be started: the same answer, from changes_since
    def no_git(*args: object, **kwargs: object) -> object:
        raise FileNotFoundError("git")

    monkeypatch.setattr(changes.subprocess, "Popen", no_git)
    assert changes.PendingChanges(root, "main").result(root) == expected


def test_the_since_filter_is_involves_finding_by_finding() -> None:
    """``only_changed`` (inline for the usual case) and ``involved_tuples`` keep exactly the
    findings ``involves`` keeps: on its own path, through a related location, or depending on
    a deleted code."""
    from catalog_cli.cache import finding_tuple
    from catalog_cli.changes import Changes, involved_tuples, involves, only_changed
    from catalog_cli.findings import Finding, Location, Severity

    def f(path: str, *related: str) -> Finding:
        locs = tuple(Location(r, 1, 1) for r in related)
        return Finding("X001", "x", Severity.ERROR, "m", path, related=locs)

    findings = [f("a"), f("b"), f("c", "a"), f("d", "e", "b"), f("e"), f("impl"), f("f", "g")]
    refs = {"impl": {"000123018000"}, "e": {"999"}}
    cases = [
        Changes(changed={"a"}),
        Changes(changed={"b"}),
        Changes(changed=set()),
        Changes(changed={"a"}, deleted={"gone"}, deleted_codes={"000123018000"}),
        Changes(everything=True),
    ]
    tuples = [finding_tuple(x) for x in findings]
    kept = []
    for changes in cases:
        expected = [x for x in findings if involves(x, changes, refs)]
        assert only_changed(findings, refs, changes) == expected
        # and before the findings are built (a pull request's run in CI)
        assert involved_tuples(tuples, changes, lambda: refs) == list(map(finding_tuple, expected))
        kept.append([x.path for x in expected])
    assert kept == [
        ["a", "c"],
        ["b", "d"],
        [],
        ["a", "c", "impl"],
        ["a", "b", "c", "d", "e", "impl", "f"],
    ]


def test_in_ci_a_pull_request_is_reported_as_elsewhere(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In CI the run drops what the changes do not involve before building findings: the
    report is the same, dependants of a changed basic item and suppressions included."""
    basic = repo / BASIC
    text = basic.read_text(encoding="utf-8")
    assert "levels: [3, 4]" in text
    basic.write_text(text.replace("levels: [3, 4]", "levels: [3]"), encoding="utf-8")
    (repo / "items/basic/new.yaml").write_text(
        "schema_version: 1\nkind: basic\nname: 新事项  # catalog: ignore[SCH002] 不需要\n",
        encoding="utf-8",
    )
    local = run(repo, "--since", "main")
    monkeypatch.setenv("CI", "true")
    in_ci = run(repo, "--since", "main")
    in_ci_again = run(repo, "--since", "main")  # (from the item cache the first one filled)
    assert local[:2] == in_ci[:2] == in_ci_again[:2]
    code, doc, _ = in_ci
    assert code == 1
    found = paths(doc)
    assert IMPL in found  # its level is no longer one of its basic item's
    assert "items/basic/new.yaml" in found and "items/basic/old.yaml" not in found
    assert doc is not None and "SUP002" in {f["code"] for f in doc["findings"]}  # type: ignore[attr-defined]


def _report(root: Path, fmt: str, *args: str) -> str:
    cwd = Path.cwd()
    os.chdir(root)
    try:
        return CliRunner().invoke(app, ["check", "--format", fmt, *args]).stdout
    finally:
        os.chdir(cwd)


def test_since_says_what_it_left_out_in_every_format(repo: Path, ci: str) -> None:
    """old.yaml is broken but unchanged: under --since no report may seem to vouch for it."""
    basic = repo / BASIC
    basic.write_text(basic.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    zh = "只报告与自 main 以来改动的 1 个文件有关的问题。"
    en = "Only findings involving the 1 file changed since main are reported."
    for fmt in ("text", "github", "markdown"):
        assert zh in _report(repo, fmt, "--since", "main"), fmt
        assert en in _report(repo, fmt, "--since", "main", "--lang", "en"), fmt
        assert "main" not in _report(repo, fmt), fmt  # (the whole catalog: no such sentence)
    doc = json.loads(_report(repo, "json", "--since", "main"))
    assert doc["summary"]["since"] == {"ref": "main", "changed": 1}
    assert doc["summary"]["files"] == 3 and doc["findings"] == []
    assert "since" not in json.loads(_report(repo, "json"))["summary"]
    sarif = json.loads(_report(repo, "sarif", "--since", "main"))
    assert sarif["runs"][0]["properties"]["since"] == {"ref": "main", "changed": 1}
    # junit: a test case per changed file, not a passing one for the broken old.yaml
    junit = _report(repo, "junit", "--since", "main")
    assert 'tests="1" failures="0"' in junit and BASIC.rsplit("/", 1)[1] in junit
    assert "old.yaml" not in junit
    whole = _report(repo, "junit")
    assert 'tests="3" failures="1"' in whole and "old.yaml" in whole


def test_since_junit_lists_unchanged_files_with_reported_findings(repo: Path, ci: str) -> None:
    """A changed basic item can break its unchanged implementation: that file is a case too."""
    basic = repo / BASIC
    text = basic.read_text(encoding="utf-8")
    basic.write_text(text.replace("levels: [3, 4]", "levels: [3]"), encoding="utf-8")
    junit = _report(repo, "junit", "--since", "main")
    assert 'tests="2" failures="1"' in junit
    assert IMPL.rsplit("/", 1)[1] in junit and "old.yaml" not in junit
