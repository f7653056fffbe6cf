"""``catalog check`` and ``--since``: only what a change touched is reported."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from catalog_cli.cli import app
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


def paths(doc: dict[str, object] | None) -> set[str]:
    assert doc is not None
    findings = doc["findings"]
    assert isinstance(findings, list)
    return {f["path"] for f in findings}


def test_without_since_everything_is_reported(repo: Path) -> None:
    code, doc, _ = run(repo)
    assert code == 1
    assert "items/basic/old.yaml" in paths(doc)


def test_since_reports_only_changed_items(repo: Path) -> None:
    code, doc, _ = run(repo, "--since", "main")
    assert code == 0 and paths(doc) == set()
    impl = repo / IMPL
    impl.write_text(impl.read_text(encoding="utf-8").replace("visits: 0", "visits: x"), "utf-8")
    code, doc, _ = run(repo, "--since", "main")
    assert code == 1 and paths(doc) == {IMPL}


def test_since_reports_dependants_of_a_deleted_item(repo: Path) -> None:
    git(repo, "rm", "-q", BASIC)
    code, doc, _ = run(repo, "--since", "main")
    assert code == 1
    assert IMPL in paths(doc)  # its basic item is gone
    assert "items/basic/old.yaml" not in paths(doc)


def test_since_counts_untracked_and_renamed_files(repo: Path) -> None:
    (repo / "items/basic/new.yaml").write_text("schema_version: 1\nkind: basic\n", "utf-8")
    git(repo, "mv", "items/basic/old.yaml", "items/basic/renamed.yaml")
    code, doc, _ = run(repo, "--since", "main")
    assert code == 1
    assert {"items/basic/new.yaml", "items/basic/renamed.yaml"} <= paths(doc)


def test_missing_ref_says_how_to_fetch(repo: Path) -> None:
    code, doc, err = run(repo, "--since", "origin/main")
    assert code == 2 and doc is None
    assert "not found" in err and "git fetch" in err


def test_detached_head_and_shallow_clone(repo: Path, tmp_path: Path) -> None:
    git(repo, "checkout", "-q", "--detach")
    code, _, _ = run(repo, "--since", "main")
    assert code == 0
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(clone))
    code, _, err = run(clone, "--since", "origin/elsewhere")
    assert code == 2 and "shallow" in err
    code, doc, _ = run(clone, "--since", "origin/main")
    assert code == 0 and paths(doc) == set()  # old.yaml is broken, but nothing changed


def test_outside_git_everything_counts(make_catalog: MakeCatalog) -> None:
    root = make_catalog({"items/basic/x.yaml": "schema_version: 1\nkind: basic\n"})
    code, doc, err = run(root, "--since", "main")
    assert code == 1 and "items/basic/x.yaml" in paths(doc)
    assert "not in a git repository" in err
