"""A fresh clone with a restored cache: git names the digests of unchanged files, unread.

After ``actions/checkout`` every file has a new mtime and inode, so the item cache's stat test
fails for all of them; reading and hashing 100k files again costs seconds. Git's index knows
each file's object id, and ``diff-files`` which files differ from it: the item cache keys files
by that same id (``loader.blob_id``), so the digests come from git. Whatever git cannot vouch
for (edited files, line-ending conversion, attributes, no git) is read, as before.
"""

from __future__ import annotations

import builtins
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from catalog_cli import cache, rounds
from catalog_cli.cache import CACHE_DIR, RUN_FILE
from catalog_cli.engine import Options, validate
from catalog_cli.loader import blob_id
from catalog_cli.revisions import worktree_ids
from tests.conftest import TEMPLATES, MakeCatalog
from tests.gitrepo import git, git_env, needs_git

__all__ = ["git_env"]  # the fixture, imported for pytest

pytestmark = needs_git


@pytest.fixture(autouse=True)
def _isolated(git_env: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No user or system git configuration, no user attributes file: the machine's own must not
    decide whether git is asked."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))


def _catalog(make_catalog: MakeCatalog) -> Path:
    basic = (TEMPLATES / "basic.yaml").read_text("utf-8")
    implementation = (TEMPLATES / "implementation.yaml").read_text("utf-8")
    root = make_catalog(
        {
            "items/basic/000123018000.yaml": basic,
            "items/basic/bad.yaml": "schema_version: 1\nkind: basic\nnaem: x\n",
            "items/implementation/i.yaml": implementation,
        }
    )
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "catalog")
    return root


def _clone(root: Path, origin: Path) -> Path:
    """A fresh checkout at the same place (new stats for every file) with the cache of the last
    run, as CI restores it (its workspace path stays the same)."""
    root.rename(origin)
    git(origin.parent, "clone", "-q", str(origin), str(root))
    shutil.copytree(origin / CACHE_DIR, root / CACHE_DIR)
    (root / CACHE_DIR / RUN_FILE).unlink(missing_ok=True)
    return root


def _parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files the run parses (rather than take from the item cache)."""
    seen: list[str] = []
    real = rounds.load_file

    def spy(path: Path, *args: Any) -> Any:
        seen.append(path.name)
        return real(path, *args)

    monkeypatch.setattr(rounds, "load_file", spy)
    return seen


def _findings(root: Path, *, use_cache: bool = True) -> list[dict[str, object]]:
    found = validate(Options(cwd=root, lang="en", use_cache=use_cache), duplicates=True)
    return [f.to_dict() for f in found.findings]


def _reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The item files the item cache reads to hash them again."""
    seen: list[str] = []
    real = builtins.open

    def spy(file: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(Path(str(file)).name)
        return real(file, *args, **kwargs)

    monkeypatch.setattr(cache, "open", spy, raising=False)
    monkeypatch.setattr(cache, "GIT_FROM", 1)  # a small catalog: ask git all the same
    return seen


def test_the_digest_is_gits_object_id(tmp_path: Path) -> None:
    for raw in (b"", b"name: x\n", "名称: 许可\n".encode(), bytes(range(256))):
        path = tmp_path / "f"
        path.write_bytes(raw)
        out = subprocess.run(["git", "hash-object", str(path)], capture_output=True, check=True)
        assert blob_id(raw) == out.stdout.decode().strip()


def test_a_fresh_clone_reads_no_unchanged_file(
    make_catalog: MakeCatalog, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    root = _catalog(make_catalog)
    expected = _findings(root)
    clone = _clone(root, tmp_path / "origin")
    reads, parsed = _reads(monkeypatch), _parsed(monkeypatch)
    assert _findings(clone) == expected
    assert parsed == []  # every result came from the cache
    assert not [r for r in reads if r.endswith(".yaml")]  # and no file was read to know it


def test_an_edited_file_in_the_clone_is_read(
    make_catalog: MakeCatalog, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    root = _catalog(make_catalog)
    _findings(root)
    clone = _clone(root, tmp_path / "origin")
    bad = clone / "items/basic/bad.yaml"
    bad.write_text("schema_version: 1\nkind: basic\nnaem: y\nfoo: 1\n", encoding="utf-8")
    reads = _reads(monkeypatch)
    after = _findings(clone)
    assert [r for r in reads if r.endswith(".yaml")] == ["bad.yaml"]
    monkeypatch.undo()
    assert after == _findings(clone, use_cache=False)
    assert any(f["pointer"] == "/foo" for f in after)


def test_git_names_only_what_it_can_vouch_for(make_catalog: MakeCatalog) -> None:
    root = _catalog(make_catalog)
    ids = worktree_ids(root)
    assert ids is not None
    assert ids["items/basic/bad.yaml"] == blob_id((root / "items/basic/bad.yaml").read_bytes())
    assert sorted(ids) == [
        "items/basic/000123018000.yaml",
        "items/basic/bad.yaml",
        "items/implementation/i.yaml",
    ]
    # an edited file is left out; so is one that was only touched (git would have to read it)
    (root / "items/basic/bad.yaml").write_text("changed\n", encoding="utf-8")
    os.utime(root / "items/implementation/i.yaml", (1_600_000_000, 1_600_000_000))
    ids = worktree_ids(root)
    assert ids is not None and sorted(ids) == ["items/basic/000123018000.yaml"]
    # from a folder below the repository's top, paths are relative to that folder
    assert worktree_ids(root / "items") == {"basic/000123018000.yaml": ids[sorted(ids)[0]]}


def test_git_is_not_asked_when_bytes_may_differ_from_blobs(
    make_catalog: MakeCatalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _catalog(make_catalog)
    git(root, "config", "core.autocrlf", "true")
    assert worktree_ids(root) is None
    git(root, "config", "core.autocrlf", "false")
    assert worktree_ids(root) is not None
    (root / ".gitattributes").write_text("*.yaml text eol=crlf\n", encoding="utf-8")
    assert worktree_ids(root) is None
    (root / ".gitattributes").unlink()
    (root / "items" / ".gitattributes").write_text("*.yaml text\n", encoding="utf-8")
    git(root, "add", "-A")
    assert worktree_ids(root / "items" / "basic") is None  # attributes of a folder above
    assert worktree_ids(root) is None  # attributes of a folder below


def test_without_git_or_a_repository_the_files_are_read(
    make_catalog: MakeCatalog, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    plain = make_catalog({"items/basic/bad.yaml": "schema_version: 1\nkind: basic\nnaem: x\n"})
    assert worktree_ids(plain) is None  # not a repository
    root = _catalog(make_catalog)
    expected = _findings(root)
    clone = _clone(root, tmp_path / "origin")
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    assert worktree_ids(clone) is None
    reads, parsed = _reads(monkeypatch), _parsed(monkeypatch)
    assert _findings(clone) == expected and parsed == []
    assert sorted(r for r in reads if r.endswith(".yaml")) == [
        "000123018000.yaml",
        "bad.yaml",
        "i.yaml",
    ]
