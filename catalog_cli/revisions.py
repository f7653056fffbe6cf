"""The catalog at a git revision: which item files differ between two revisions, and their entries.

Everything goes through the ``git`` executable (``subprocess``): ``diff-tree`` between commits,
``diff`` plus the untracked files against the working tree, and one ``cat-file --batch`` process
for all the blobs wanted. Blobs are modelled in memory with the project's loader (the fast path
first, exactly as for files) and ``models.build_entry``; nothing is checked out or written.

Only the files that differ are read and parsed, so comparing two revisions of a large catalog
costs what changed, not what exists. Which files are item files follows the catalog's *current*
configuration (``paths``, ``exclude``) and ``loader.iter_yaml_files``' conventions.
"""

from __future__ import annotations

import fnmatch
import gc
import os
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from catalog_cli.changes import missing_ref_message
from catalog_cli.config import Config, ConfigError, load_config
from catalog_cli.fastpath import fast_document, load_file
from catalog_cli.loader import load_document
from catalog_cli.models import Entry, build_entry
from catalog_cli.parallel import PARALLEL_MIN_FILES, chunked_map


class RevisionError(ConfigError):
    """Git is missing, the folder is not a repository, or a revision is unknown (exit 2)."""


@dataclass(frozen=True)
class Revision:
    """One side of a comparison: a commit, the files on disk, or nothing at all."""

    spec: str  # what was asked for ("v1.0", "HEAD~2"); "" for the working tree and empty
    commit: str | None  # the commit's full object name; None for the working tree and empty
    kind: Literal["commit", "worktree", "empty"] = "commit"

    def label(self, lang: str = "zh") -> str:
        """For people: ``v1.0 (1a2b3c4)``, ``工作区``/``working tree``, ``（空）``/``(empty)``."""
        if self.kind == "worktree":
            return "工作区" if lang == "zh" else "working tree"
        if self.kind == "empty":
            return "（空）" if lang == "zh" else "(empty)"
        short = (self.commit or "")[:7]
        return short if self.spec in ("", self.commit, short) else f"{self.spec} ({short})"


@dataclass
class Delta:
    """The entries of the item files that differ between two revisions (only those are parsed)."""

    old: Revision
    new: Revision
    old_entries: list[Entry] = field(default_factory=list)  # deleted or modified, as at ``old``
    new_entries: list[Entry] = field(default_factory=list)  # added or modified, as at ``new``


@dataclass(frozen=True)
class _Change:
    """One differing item file: its path and its blob on each side."""

    path: str
    old_blob: str | None  # None: absent at old
    new_blob: str | None  # None: absent at new; "" : read it from disk (the working tree)


def _git_env() -> dict[str, str]:
    env = dict(os.environ)
    # Paths are data, never patterns; reading must not take the index lock from a running git.
    env["GIT_LITERAL_PATHSPECS"] = "1"
    env["GIT_OPTIONAL_LOCKS"] = "0"
    return env


def _run_git(
    cwd: Path, args: list[str], stdin: bytes | None = None, *, user_env: bool = False
) -> subprocess.CompletedProcess[bytes]:
    # user_env: commands that run the user's hooks (commit, tag) get the environment unchanged
    env = None if user_env else _git_env()
    try:
        return subprocess.run(
            ["git", *args], cwd=cwd, input=stdin, capture_output=True, env=env, check=False
        )
    except FileNotFoundError as exc:
        raise RevisionError(
            "git is not installed or not on PATH; comparing revisions needs it: install git "
            "(e.g. apt-get install git) and run the command again",
            zh="git 未安装或不在 PATH 中；比较修订需要它：请安装 git（例如 apt-get install git）"
            "后再运行此命令",
        ) from exc


def worktree_ids(root: Path) -> dict[str, str] | None:
    """Git's object id of every tracked file under ``root`` that git knows to hold exactly what
    its index records (paths relative to ``root``); None when git cannot vouch for the bytes.

    After a fresh clone git's index has every file's stat, so this names 100k digests without a
    file being read. Files git reports as differing (``diff-files``: edited, or only touched)
    are left out, and so is everything when line-ending conversion or attributes (filters,
    ``text``, ``eol``) may make a file's bytes differ from its blob: the caller then reads them.
    """
    try:
        where = _run_git(root, ["rev-parse", "--show-toplevel", "--git-dir"])
        autocrlf = _run_git(root, ["config", "--get", "core.autocrlf"])
        attributes = _run_git(root, ["config", "--get", "core.attributesFile"])
        listed = _run_git(root, ["ls-files", "--stage", "-z", "--", "."])
        differing = _run_git(root, ["diff-files", "--name-only", "--relative", "-z", "--", "."])
    except RevisionError:
        return None
    if where.returncode or listed.returncode or differing.returncode:
        return None
    if autocrlf.stdout.strip().lower() not in (b"", b"false") or attributes.stdout.strip():
        return None
    top, git_dir = (Path(os.fsdecode(line)) for line in where.stdout.splitlines()[:2])
    git_dir = git_dir if git_dir.is_absolute() else root / git_dir
    home = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    here = root.resolve()
    folders = [here, *here.parents[: len(here.parents) - len(top.resolve().parents)]]
    if (git_dir / "info" / "attributes").exists() or (home / "git" / "attributes").exists():
        return None
    if any((d / ".gitattributes").exists() for d in folders):
        return None
    ids: dict[str, str] = {}
    for record in listed.stdout.split(b"\0"):
        head, _, name = record.partition(b"\t")
        mode, _, rest = head.partition(b" ")
        blob, _, stage = rest.partition(b" ")
        if not name:
            continue
        path = os.fsdecode(name)
        if path.endswith(".gitattributes"):
            return None  # attributes of some folder below: be safe, read the files
        # regular files only (not links or submodules), merged (stage 0), SHA-1 ids
        if mode in (b"100644", b"100755") and stage == b"0" and len(blob) == 40:
            ids[path] = blob.decode("ascii")
    for name in differing.stdout.split(b"\0"):
        ids.pop(os.fsdecode(name), None)
    return ids


@dataclass
class _Work:
    """What modelling needs besides the pairs: set once per call, inherited through fork."""

    root: Path
    max_bytes: int
    blobs: dict[str, bytes]


_WORK: _Work | None = None


def _model_chunk(pairs: list[tuple[str, str]]) -> list[Entry]:
    """Model (path, blob) pairs with the loader (the fast path first) and build_entry."""
    work = _WORK
    assert work is not None
    root, limit = work.root, work.max_bytes
    entries = []
    for rel, blob in pairs:
        path = root / rel
        if not blob:  # the working tree: the file itself, as catalog validate reads it
            entries.append(build_entry(load_file(path, root, limit)))
            continue
        raw = work.blobs[blob]
        doc = fast_document(path, root, raw, limit) or load_document(
            path, root, max_bytes=limit, raw=raw
        )
        entries.append(build_entry(doc))
    return entries


class History:
    """A catalog inside a git repository; every git call of diff, export and release goes here."""

    def __init__(self, root: Path, top: Path, config: Config) -> None:
        self.root = root
        self.top = top
        self.config = config
        prefix = root.resolve().relative_to(top.resolve()).as_posix()
        self._prefix = "" if prefix == "." else prefix + "/"
        self._shallow: bool | None = None

    @classmethod
    def open(cls, root: Path, config: Config | None = None) -> History:
        """The repository ``root`` lies in; RevisionError when git is missing or there is none."""
        proc = _run_git(root, ["rev-parse", "--show-toplevel"])
        if proc.returncode != 0:
            detail = proc.stderr.decode(errors="replace").strip().splitlines()
            raise RevisionError(
                f"{root} is not in a git repository"
                + (f" ({detail[-1]})" if detail else "")
                + "; revisions can only be compared in one: run `git init` and commit the "
                "catalog, or run the command inside the catalog's repository",
                zh=f"{root} 不在 git 仓库中"
                + (f"（{detail[-1]}）" if detail else "")
                + "；只能在仓库中比较修订：请运行 `git init` 并提交事项目录，或在事项目录的仓库内"
                "运行此命令",
            )
        top = Path(proc.stdout.decode().strip())
        return cls(root, top, config if config is not None else load_config(root)[0])

    # -- plumbing ---------------------------------------------------------------------------

    def git(self, *args: str, stdin: bytes | None = None, user_env: bool = False) -> str:
        """Run git at the repository's top; RevisionError with git's own message on failure.

        Pathspecs are literal unless ``user_env``, which runs git in the caller's environment
        unchanged (for commands that run the user's hooks: commit, tag).
        """
        return self.git_bytes(*args, stdin=stdin, user_env=user_env).decode(
            "utf-8", errors="surrogateescape"
        )

    def git_bytes(self, *args: str, stdin: bytes | None = None, user_env: bool = False) -> bytes:
        """:meth:`git`, returning stdout as bytes."""
        proc = _run_git(self.top, list(args), stdin, user_env=user_env)
        if proc.returncode != 0:
            message = proc.stderr.decode(errors="replace").strip() or f"exit {proc.returncode}"
            raise RevisionError(
                f"git {args[0]} failed: {message}", zh=f"git {args[0]} 失败：{message}"
            )
        return proc.stdout

    def succeeds(self, *args: str) -> bool:
        """Whether a git command exits 0 (for questions: does this tag exist?)."""
        return _run_git(self.top, list(args)).returncode == 0

    def repo_path(self, rel: str) -> str:
        """A catalog-relative path as a path from the repository's top (for git commands)."""
        return self._prefix + rel

    @property
    def shallow(self) -> bool:
        if self._shallow is None:
            self._shallow = self.git("rev-parse", "--is-shallow-repository").strip() == "true"
        return self._shallow

    # -- revisions --------------------------------------------------------------------------

    def resolve(self, spec: str) -> Revision:
        """A commit-ish (tag, branch, object name, ``HEAD~1``) as a Revision.

        RevisionError when it does not name a commit, saying how to fetch it (CI clones are
        shallow and carry no tags).
        """
        if not spec or spec.startswith("-") or "\0" in spec or "\n" in spec:
            raise RevisionError(
                f"'{spec}' is not a git revision (a tag, branch or commit)",
                zh=f"“{spec}”不是 git 修订（标签、分支或提交）",
            )
        proc = _run_git(self.top, ["rev-parse", "--verify", "--quiet", f"{spec}^{{commit}}"])
        if proc.returncode != 0:
            if _run_git(self.top, ["rev-parse", "--verify", "--quiet", "HEAD"]).returncode != 0:
                raise RevisionError(
                    f"git revision '{spec}' not found: the repository at {self.top} has no "
                    "commits yet; commit the catalog first (git add -A && git commit)",
                    zh=f"找不到 git 修订“{spec}”：{self.top} 的仓库还没有提交；请先提交事项目录"
                    "（git add -A && git commit）",
                )
            message = missing_ref_message(spec, shallow=self.shallow)
            message_zh = missing_ref_message(spec, shallow=self.shallow, lang="zh")
            if "/" not in spec:
                message += f"; for a tag: `git fetch origin tag {spec}`"
                message_zh += f"；若是标签：`git fetch origin tag {spec}`"
            raise RevisionError(message, zh=message_zh)
        return Revision(spec, proc.stdout.decode().strip(), "commit")

    @staticmethod
    def worktree() -> Revision:
        """The files on disk: committed, modified and untracked alike."""
        return Revision("", None, "worktree")

    @staticmethod
    def empty() -> Revision:
        """No files at all: comparing from it lists the whole catalog as added."""
        return Revision("", None, "empty")

    def describe(self, rev: Revision) -> str | None:
        """``git describe --tags --always`` of a commit (None for the working tree and empty)."""
        if rev.commit is None:
            return None
        return self.git("describe", "--tags", "--always", rev.commit).strip()

    def commit_date(self, rev: Revision) -> str | None:
        """The committer date of a commit, strict ISO 8601; None for the working tree and empty."""
        if rev.commit is None:
            return None
        return self.git("show", "-s", "--format=%cI", rev.commit).strip()

    def last_tag(self, rev: Revision) -> str | None:
        """The nearest annotated tag the commit descends from (or carries); None when none.

        Annotated only, as ``catalog release`` makes them: lightweight tags (bookmarks) are not
        releases.
        """
        if rev.commit is None:
            return None
        proc = _run_git(self.top, ["describe", "--abbrev=0", rev.commit])
        return proc.stdout.decode().strip() or None if proc.returncode == 0 else None

    def dirty(self) -> list[str]:
        """Repository-relative paths with uncommitted changes, and untracked files not ignored."""
        out = self.git("status", "--porcelain=v1", "-z", "--untracked-files=all")
        paths: list[str] = []
        parts = out.split("\0")
        i = 0
        while i < len(parts):
            record = parts[i]
            i += 1
            if len(record) < 4:
                continue
            paths.append(record[3:])
            if record[0] in "RC":  # a rename/copy record is followed by its source path
                paths.append(parts[i])
                i += 1
        return sorted(paths)

    # -- item files -------------------------------------------------------------------------

    def _pathspecs(self) -> list[str]:
        return [self._prefix + p.strip("/") for p in self.config.paths]

    def _catalog_path(self, repo_path: str) -> str | None:
        """The catalog-relative path of an item file, or None when it is not one."""
        if not repo_path.startswith(self._prefix):
            return None
        rel = repo_path[len(self._prefix) :]
        if not rel.endswith((".yaml", ".yml")):
            return None
        if any(part.startswith(".") for part in rel.split("/")):
            return None  # iter_yaml_files skips hidden folders and files
        if any(fnmatch.fnmatch(rel, pat) for pat in self.config.exclude):
            return None
        return rel

    def _tree(self, rev: Revision) -> dict[str, str]:
        """Item path → blob of every item file of a commit (regular files only)."""
        assert rev.commit is not None
        raw = self.git("ls-tree", "-r", "-z", "--full-tree", rev.commit, "--", *self._pathspecs())
        files: dict[str, str] = {}
        for record in raw.split("\0"):
            if not record:
                continue
            meta, _, path = record.partition("\t")
            mode, kind, blob = meta.split()
            rel = self._catalog_path(path)
            # symlinks and submodules are not item files of a commit (the target is not known)
            if rel is not None and kind == "blob" and mode.startswith("100"):
                files[rel] = blob
        return files

    def _disk_files(self) -> list[str]:
        """Item paths present in the working tree (what ``catalog validate`` would read)."""
        listed = self.git(
            "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", *self._pathspecs()
        )
        found = {rel for p in listed.split("\0") if p and (rel := self._catalog_path(p))}
        return sorted(rel for rel in found if os.path.lexists(self.root / rel))

    def _changes(self, old: Revision, new: Revision) -> list[_Change]:
        """The item files that differ between two revisions, with their blobs."""
        if old == new:
            return []
        if new.kind == "empty":
            return [_Change(c.path, c.new_blob, None) for c in self._changes(new, old)]
        if old.kind == "worktree":
            raise RevisionError(
                "the working tree can only be the newer side of a comparison",
                zh="工作区只能是比较中较新的一方",
            )
        if old.kind == "empty":
            if new.kind == "worktree":
                return [_Change(p, None, "") for p in self._disk_files()]
            return [_Change(p, None, b) for p, b in sorted(self._tree(new).items())]
        assert old.commit is not None
        specs = ["--", *self._pathspecs()]
        if new.kind == "worktree":
            raw = self.git(
                "diff", "--raw", "-z", "--no-renames", "--no-ext-diff", old.commit, *specs
            )
        else:
            assert new.commit is not None
            raw = self.git("diff-tree", "-r", "-z", "--no-renames", old.commit, new.commit, *specs)
        changes: list[_Change] = []
        parts = raw.split("\0")
        for meta, path in zip(parts[0::2], parts[1::2], strict=False):
            if not meta.startswith(":"):
                continue
            old_mode, new_mode, old_blob, new_blob, status = meta[1:].split()
            rel = self._catalog_path(path)
            if rel is None:
                continue
            before = old_blob if status != "A" and old_mode.startswith("100") else None
            after: str | None
            if status == "D":
                after = None
            elif new.kind == "worktree":
                after = ""  # the blob shown is the index's, not necessarily the file's
            else:
                after = new_blob if new_mode.startswith("100") else None
            if before is not None or after is not None:
                changes.append(_Change(rel, before, after))
        if new.kind == "worktree":
            untracked = self.git("ls-files", "-z", "--others", "--exclude-standard", *specs)
            seen = {c.path for c in changes}
            for p in untracked.split("\0"):
                rel = self._catalog_path(p) if p else None
                if rel is not None and rel not in seen:
                    changes.append(_Change(rel, None, ""))
        return sorted(changes, key=lambda c: c.path)

    # -- reading and modelling --------------------------------------------------------------

    def _blobs(self, names: Iterable[str]) -> dict[str, bytes]:
        """Contents of many blobs from one ``git cat-file --batch`` process."""
        wanted = sorted(set(names))
        if not wanted:
            return {}
        out = self.git_bytes(
            "cat-file", "--batch", stdin="".join(n + "\n" for n in wanted).encode()
        )
        blobs: dict[str, bytes] = {}
        pos = 0
        for name in wanted:
            end = out.index(b"\n", pos)
            header = out[pos:end].split()
            pos = end + 1
            if len(header) != 3:  # "<name> missing": not in this (shallow?) clone
                raise RevisionError(
                    f"git object {name} is missing from this repository"
                    + (" (a shallow clone); fetch more history" if self.shallow else ""),
                    zh=f"此仓库中缺少 git 对象 {name}"
                    + ("（浅克隆）；请获取更多历史" if self.shallow else ""),
                )
            size = int(header[2])
            blobs[name] = out[pos : pos + size]
            pos += size + 1  # the content is followed by a newline
        return blobs

    def _model(self, wanted: list[tuple[str, str]]) -> list[Entry]:
        """Entries for (path, blob) pairs, in order; blob "" means the file on disk.

        Many files (a whole catalog at a commit) are modelled on all cores, as the engine
        loads files: forked workers inherit the blobs read here, so nothing is sent to them
        but paths and names.
        """
        global _WORK  # noqa: PLW0603 - forked workers inherit it
        _WORK = _Work(self.root, self.config.max_file_size, self._blobs(b for _, b in wanted if b))
        gc_was_enabled = gc.isenabled()
        gc.disable()  # as in engine.load_entries: the collector would rescan the growing heap
        try:
            parts = chunked_map(_model_chunk, wanted, min_items=PARALLEL_MIN_FILES)
            return [e for part in parts for e in part]
        finally:
            _WORK = None
            if gc_was_enabled:
                gc.enable()

    def changed_paths(self, old: Revision, new: Revision) -> list[str]:
        """Catalog-relative paths of the item files that differ, sorted; nothing is parsed."""
        return [c.path for c in self._changes(old, new)]

    def delta(self, old: Revision, new: Revision) -> Delta:
        """The item files that differ between ``old`` and ``new``, modelled on each side.

        Renames are not followed: a moved file is a deletion plus an addition, and the diff
        (keyed by code) finds the item unchanged. Unchanged files are never read.
        """
        changes = self._changes(old, new)
        olds = [(c.path, c.old_blob) for c in changes if c.old_blob is not None]
        news = [(c.path, c.new_blob) for c in changes if c.new_blob is not None]
        return Delta(old, new, self._model(olds), self._model(news))

    def load(self, rev: Revision, paths: Iterable[str] | None = None) -> list[Entry]:
        """Entries of the item files at ``rev`` (every one when ``paths`` is None), by path.

        Paths not present at ``rev`` are left out. A whole catalog at a commit is parsed here
        in one process: use it for a few files or small catalogs; :meth:`delta` for changes.
        """
        if rev.kind == "empty":
            return []
        if rev.kind == "worktree":
            if paths is None:
                chosen = self._disk_files()
            else:  # a few named files: look at them, do not list the whole tree
                chosen = sorted(
                    p
                    for p in set(paths)
                    if self._catalog_path(self.repo_path(p)) == p and os.path.lexists(self.root / p)
                )
            return self._model([(p, "") for p in chosen])
        tree = self._tree(rev)
        chosen = sorted(tree) if paths is None else sorted(set(paths) & set(tree))
        return self._model([(p, tree[p]) for p in chosen])
