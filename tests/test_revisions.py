"""Reading the catalog at a git revision: which item files differ, and their entries from blobs."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog_cli.config import Config
from catalog_cli.engine import item_files, open_session
from catalog_cli.revisions import History, RevisionError
from catalog_cli.rounds import load_entries
from tests.gitrepo import commit, git, git_env, init, needs_git, sample, write

pytestmark = [needs_git, pytest.mark.usefixtures("git_env")]
__all__ = ["git_env"]  # the fixture, imported for pytest

BASIC_A = "items/basic/210973001000.yaml"
BASIC_B = "items/basic/000123018000.yaml"
IMPL = "items/implementation/210102/11210102001067856U4000123018000.yaml"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    init(root)
    write(
        root,
        {
            BASIC_A: sample("basic/210973001000.yaml"),
            BASIC_B: sample("basic/000123018000.yaml"),
            IMPL: sample("implementation/210102/11210102001067856U4000123018000.yaml"),
            "items/README.md": "not an item\n",
            "README.md": "# catalog\n",
        },
    )
    commit(root, "first", tag="v1")
    return root


def test_changes_between_commits(repo: Path) -> None:
    (repo / BASIC_A).write_text(sample("basic/210973001000.yaml").replace("在用", "暂停"))
    git(repo, "mv", BASIC_B, "items/basic/moved.yaml")
    write(repo, {"items/basic/219964005000.yaml": sample("basic/219964005000.yaml")})
    write(
        repo, {"items/.hidden/x.yaml": "a: 1\n", "items/notes.txt": "x\n", "other.yaml": "a: 1\n"}
    )
    (repo / "README.md").write_text("changed\n")
    commit(repo, "second", tag="v2")
    history = History.open(repo)
    v1, v2 = history.resolve("v1"), history.resolve("v2")
    assert history.changed_paths(v1, v2) == [
        BASIC_B,
        "items/basic/210973001000.yaml",
        "items/basic/219964005000.yaml",
        "items/basic/moved.yaml",
    ]
    delta = history.delta(v1, v2)
    assert [e.path for e in delta.old_entries] == [BASIC_B, BASIC_A]
    assert [e.path for e in delta.new_entries] == [
        BASIC_A,
        "items/basic/219964005000.yaml",
        "items/basic/moved.yaml",
    ]
    changed = next(e for e in delta.new_entries if e.path == BASIC_A)
    assert changed.item is not None and changed.item.status == "暂停"
    assert changed.doc.path == repo / BASIC_A  # located as the file would be
    old = next(e for e in delta.old_entries if e.path == BASIC_A)
    assert old.item is not None and old.item.status == "在用"
    # the reverse direction swaps the sides
    back = history.delta(v2, v1)
    assert [e.path for e in back.new_entries] == [e.path for e in delta.old_entries]


def test_blob_entries_equal_the_files_on_disk(repo: Path) -> None:
    history = History.open(repo)
    at_commit = history.load(history.resolve("v1"))
    session = open_session(repo)
    on_disk, _ = load_entries(session, item_files(session, []), jobs=1)
    assert [e.path for e in at_commit] == [e.path for e in on_disk]
    assert [e.doc.data for e in at_commit] == [e.doc.data for e in on_disk]
    assert [e.item for e in at_commit] == [e.item for e in on_disk]
    assert history.load(history.resolve("v1"), [BASIC_A, "items/none.yaml"])[0].path == BASIC_A


def test_working_tree_side(repo: Path) -> None:
    history = History.open(repo)
    v1, tree = history.resolve("v1"), history.worktree()
    assert history.changed_paths(v1, tree) == []
    (repo / BASIC_A).write_text(sample("basic/210973001000.yaml") + "version_note: x\n")
    (repo / BASIC_B).unlink()
    write(repo, {"items/basic/new.yaml": sample("basic/219964005000.yaml")})
    write(repo, {"items/ignored.yaml": "a: 1\n", ".gitignore": "items/ignored.yaml\n"})
    delta = history.delta(v1, tree)
    assert [e.path for e in delta.old_entries] == [BASIC_B, BASIC_A]
    assert [e.path for e in delta.new_entries] == [BASIC_A, "items/basic/new.yaml"]
    assert "version_note" in delta.new_entries[0].doc.data  # read from disk, not the index
    assert history.dirty() == [".gitignore", BASIC_B, BASIC_A, "items/basic/new.yaml"]
    assert [e.path for e in history.load(tree)] == [BASIC_A, "items/basic/new.yaml", IMPL]
    named = history.load(tree, [BASIC_B, BASIC_A, "README.md", "items/ignored.yaml"])
    assert [e.path for e in named] == [BASIC_A, "items/ignored.yaml"]  # named: read if there


def test_empty_revision_lists_everything(repo: Path) -> None:
    history = History.open(repo)
    v1 = history.resolve("v1")
    everything = [BASIC_B, BASIC_A, IMPL]
    assert history.changed_paths(history.empty(), v1) == everything
    assert history.changed_paths(history.empty(), history.worktree()) == everything
    delta = history.delta(v1, history.empty())
    assert [e.path for e in delta.old_entries] == everything and not delta.new_entries
    assert history.load(history.empty()) == []


def test_configuration_decides_what_an_item_file_is(repo: Path) -> None:
    write(repo, {"items/drafts/x.yaml": "a: 1\n", "more/y.yaml": "a: 1\n"})
    commit(repo, "drafts", tag="v2")
    config = Config(paths=["items", "more"], exclude=["items/drafts/*"])
    history = History.open(repo, config)
    assert history.changed_paths(history.resolve("v1"), history.resolve("v2")) == ["more/y.yaml"]


def test_catalog_in_a_subfolder_of_the_repository(tmp_path: Path) -> None:
    top = tmp_path / "mono"
    init(top)
    write(
        top, {"catalog/" + BASIC_A: sample("basic/210973001000.yaml"), "x/items/a.yaml": "a: 1\n"}
    )
    commit(top, "one", tag="v1")
    (top / "catalog" / BASIC_A).write_text(
        sample("basic/210973001000.yaml").replace("在用", "暂停")
    )
    history = History.open(top / "catalog")
    assert history.top == top
    delta = history.delta(history.resolve("v1"), history.worktree())
    assert [e.path for e in delta.new_entries] == [BASIC_A]  # relative to the catalog root


def test_unreadable_blob_is_a_document_problem(repo: Path) -> None:
    (repo / BASIC_A).write_bytes("name: 专利".encode("gbk") + b"\n")
    commit(repo, "gbk", tag="v2")
    history = History.open(repo)
    (entry,) = history.delta(history.resolve("v1"), history.resolve("v2")).new_entries
    assert entry.item is None and [p.code for p in entry.doc.problems] == ["YML003"]


def test_describe_and_commit_date(repo: Path) -> None:
    history = History.open(repo)
    v1 = history.resolve("v1")
    assert history.describe(v1) == "v1"
    assert history.commit_date(v1) == "2024-05-01T10:00:00+08:00"
    assert history.describe(history.worktree()) is None
    assert v1.commit is not None and v1.label("en") == f"v1 ({v1.commit[:7]})"
    assert history.worktree().label("zh") == "工作区"


@pytest.mark.parametrize("spec", ["nope", "origin/main", "-p", ""])
def test_unknown_revision(repo: Path, spec: str) -> None:
    with pytest.raises(RevisionError) as err:
        History.open(repo).resolve(spec)
    message = str(err.value)
    assert repr(spec)[1:-1] in message
    if spec == "origin/main":
        assert "git fetch --depth=1 origin main:refs/remotes/origin/main" in message
    if spec == "nope":
        assert "git fetch origin tag nope" in message


def test_shallow_clone_says_so(repo: Path, tmp_path: Path) -> None:
    write(repo, {"items/x.yaml": "a: 1\n"})
    commit(repo, "second", tag="v2")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth=1", "--no-tags", f"file://{repo}", str(clone))
    with pytest.raises(RevisionError, match="shallow clone"):
        History.open(clone).resolve("v1")


def test_not_a_repository(tmp_path: Path) -> None:
    (tmp_path / "items").mkdir()
    with pytest.raises(RevisionError, match=r"not in a git repository.*git init"):
        History.open(tmp_path)


def test_repository_without_commits(tmp_path: Path) -> None:
    init(tmp_path / "r")
    with pytest.raises(RevisionError, match="no commits yet"):
        History.open(tmp_path / "r").resolve("HEAD")


def test_git_missing(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(repo / "nowhere"))
    with pytest.raises(RevisionError, match="git is not installed"):
        History.open(repo)


def test_many_files_are_modelled_on_all_cores_alike(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    history = History.open(repo)
    v1 = history.resolve("v1")
    serial = history.load(v1)
    monkeypatch.setattr("catalog_cli.revisions.PARALLEL_MIN_FILES", 1)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    parallel = history.load(v1)
    assert [(e.path, e.doc.data, e.item) for e in parallel] == [
        (e.path, e.doc.data, e.item) for e in serial
    ]
