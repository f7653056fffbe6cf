"""What changed since a git reference, for ``catalog check --since REF``.

gitpython is imported lazily: it fails to import where the git executable is missing, and only
``--since`` needs it. Outside a git repository every file counts as changed.

:class:`PendingChanges` starts git's part early, so that it runs beside the validation (its diff
and list of untracked files take 0.4 s on 100k items); whatever goes wrong there is left to
:func:`changes_since`, which says what to do.
"""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalog_cli.config import ConfigError
from catalog_cli.findings import Finding
from catalog_cli.loader import Document, load_text


@dataclass
class Changes:
    """Repository-relative paths changed (added, modified, renamed to) and deleted since REF."""

    changed: set[str] = field(default_factory=set)
    deleted: set[str] = field(default_factory=set)
    deleted_codes: set[str] = field(default_factory=set)
    everything: bool = False  # outside git: every file counts as changed
    note: str = ""  # what to tell the user (in English; note_zh in Chinese)
    note_zh: str = ""


def _repo(root: Path) -> Any:
    try:
        import git
    except ImportError as exc:  # gitpython raises ImportError when the git binary is missing
        detail = str(exc).splitlines()[0]
        raise ConfigError(
            "--since needs git, which is not installed or not on PATH "
            f"({detail}); install git, or run without --since",
            zh=f"--since 需要 git，但 git 未安装或不在 PATH 中（{detail}）；请安装 git，或不带 --since 运行",
        ) from exc
    try:
        return git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return None


def missing_ref_message(ref: str, *, shallow: bool, lang: str = "en") -> str:
    """What to say when a git reference is not found: how to fetch it (CI clones are shallow)."""
    remote, _, branch = ref.partition("/")
    fetch = (
        f"git fetch --depth=1 {remote} {branch}:refs/remotes/{remote}/{branch}"
        if branch
        else f"git fetch origin {ref}"
    )
    if lang == "zh":
        return (
            f"找不到 git 引用“{ref}”"
            + ("（当前是浅克隆）" if shallow else "")
            + f"；请先获取它，例如 `{fetch}`；在 GitHub Actions 中可为 actions/checkout "
            "设置 fetch-depth: 0"
        )
    return (
        f"git reference '{ref}' not found"
        + (" (this is a shallow clone)" if shallow else "")
        + f"; fetch it first, e.g. `{fetch}`, or in GitHub Actions use "
        "actions/checkout with fetch-depth: 0"
    )


def changes_since(root: Path, ref: str) -> Changes:
    """Files changed in the working tree (committed or not, and untracked) since ``ref``."""
    if ref.startswith("-"):  # an option, not a reference (and no fetch would help)
        raise ConfigError(
            f"git reference '{ref}' not found: a reference cannot start with '-'; "
            "give a branch, tag or commit, e.g. --since origin/main",
            zh=f"找不到 git 引用“{ref}”：引用不能以“-”开头；请给出分支、标签或提交，"
            "例如 --since origin/main",
        )
    repo = _repo(root)
    if repo is None:
        return Changes(
            everything=True,
            note=f"{root} is not in a git repository: every item counts as changed",
            note_zh=f"{root} 不在 git 仓库中：所有事项都视为已改动",
        )
    import git

    try:
        repo.git.rev_parse("--verify", "--quiet", f"{ref}^{{commit}}")
    except git.GitCommandError as exc:
        shallow = (Path(repo.git_dir) / "shallow").exists()
        raise ConfigError(
            missing_ref_message(ref, shallow=shallow),
            zh=missing_ref_message(ref, shallow=shallow, lang="zh"),
        ) from exc
    top = Path(str(repo.working_tree_dir))
    prefix = root.resolve().relative_to(top.resolve()).as_posix()
    prefix = "" if prefix == "." else prefix + "/"
    raw = repo.git.diff("--name-status", "-M", "-z", ref, "--", ".")
    untracked = repo.git.ls_files("--others", "--exclude-standard", "-z").split("\0")
    return _changes(repo, root, ref, prefix, raw, untracked)


def _changes(
    repo: Any, root: Path, ref: str, prefix: str, raw: str, untracked: list[str]
) -> Changes:
    """Changes from git's ``diff --name-status -z`` and the untracked files (paths from the
    repository's top; ``prefix``: the catalog root's, ``""`` or ending in ``/``). ``repo`` is
    asked for the codes of deleted files (gitpython; None: it is opened for them)."""
    out = Changes()
    parts = raw.split("\0")
    i = 0
    while i < len(parts) - 1:
        status = parts[i]
        if status.startswith(("R", "C")):
            old, new = parts[i + 1], parts[i + 2]
            i += 3
            out.changed.add(new)
            if status.startswith("R"):
                out.deleted.add(old)
        else:
            path = parts[i + 1]
            i += 2
            (out.deleted if status == "D" else out.changed).add(path)
    out.changed |= {p for p in untracked if p}
    # paths relative to the catalog root, not the repository's top
    out.changed = {p[len(prefix) :] for p in out.changed if p.startswith(prefix)}
    deleted_top = {p for p in out.deleted if p.startswith(prefix)}
    out.deleted = {p[len(prefix) :] for p in deleted_top}
    if deleted_top and repo is None:
        repo = _repo(root)  # (a repository: git has just listed the deletions)
    for p in deleted_top:
        out.deleted_codes |= _codes_at(repo, ref, p)
    return out


def _codes_at(repo: Any, ref: str, path: str) -> set[str]:
    """The codes a deleted item file had at ``ref`` (so dependants' findings are reported)."""
    import git

    try:
        text = repo.git.show(f"{ref}:{path}")
    except git.GitCommandError:
        return set()
    doc = Document(Path(path), path)
    load_text(doc, text)
    data = doc.data if isinstance(doc.data, dict) else {}
    keys: tuple[str, ...] = ("basic_code", "implementation_code", "local_code")
    if data.get("kind") == "implementation":
        keys = ("implementation_code", "local_code")
    return {str(data[k]) for k in keys if data.get(k)}


def involves(f: Finding, changes: Changes, references: Mapping[str, Collection[str]]) -> bool:
    """Whether a finding concerns a changed item, or an item depending on a deleted one."""
    if changes.everything or f.path in changes.changed:
        return True
    if any(r.path in changes.changed for r in f.related):
        return True
    return not changes.deleted_codes.isdisjoint(references.get(f.path, ()))


def only_changed(
    findings: list[Finding], references: Mapping[str, Collection[str]], changes: Changes
) -> list[Finding]:
    """The findings ``--since`` reports: those involving changed or deleted-upon items."""
    if changes.everything:
        return list(findings)
    changed = changes.changed
    if not changes.deleted_codes:  # (the usual case, inline: 50k calls of involves took 0.15 s)
        return [
            f
            for f in findings
            if f.path in changed or (f.related and any(r.path in changed for r in f.related))
        ]
    return [f for f in findings if involves(f, changes, references)]


def involved_tuples(
    tuples: list[tuple[Any, ...]],
    changes: Changes,
    references: Callable[[], Mapping[str, Collection[str]]],
) -> list[tuple[Any, ...]]:
    """:func:`only_changed` on findings still in their cached form (``cache.finding_tuple``:
    path at 4, related ``(path, line, column)`` at 9), before they are built: a pull request's
    run in CI builds only the findings it reports. ``references`` is called only when items
    were deleted."""
    if changes.everything:
        return tuples
    changed = changes.changed
    if not changes.deleted_codes:
        return [
            t for t in tuples if t[4] in changed or (t[9] and any(r[0] in changed for r in t[9]))
        ]
    refs, deleted = references(), changes.deleted_codes
    return [
        t
        for t in tuples
        if t[4] in changed
        or (t[9] and any(r[0] in changed for r in t[9]))
        or not deleted.isdisjoint(refs.get(t[4], ()))
    ]


class PendingChanges:
    """:func:`changes_since` with git started now, in the background, and read by ``result``."""

    def __init__(self, root: Path, ref: str) -> None:
        self.root, self.ref = root, ref
        self._procs: list[subprocess.Popen[bytes]] = []
        commands = [
            ["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
            ["rev-parse", "--show-prefix"],
            ["diff", "--name-status", "-M", "-z", ref, "--", "."],
            ["ls-files", "--others", "--exclude-standard", "--full-name", "-z"],
        ]
        if ref.startswith("-"):  # an option, not a reference: git must never see it as one
            return
        try:
            for args in commands:
                self._procs.append(
                    subprocess.Popen(
                        ["git", *args],
                        cwd=root,
                        stdin=subprocess.DEVNULL,
                        stdout=subprocess.PIPE,
                        stderr=subprocess.DEVNULL,
                    )
                )
        except OSError:  # no git (or no such directory): changes_since says what to do
            self._stop()

    def _stop(self) -> None:
        for proc in self._procs:
            with contextlib.suppress(OSError):
                proc.kill()
            with contextlib.suppress(OSError, ValueError):
                proc.communicate()
        self._procs = []

    def result(self, root: Path) -> Changes:
        """The changes of the catalog at ``root`` since the reference."""
        outputs: list[str] = []
        for proc in self._procs:
            out, _ = proc.communicate()
            if proc.returncode != 0:
                break
            outputs.append(out.decode("utf-8", "surrogateescape"))
        if len(outputs) < 4 or not self._procs or root != self.root:
            self._stop()
            return changes_since(root, self.ref)  # its diagnosis: no git, no repository, no ref
        _, prefix, raw, untracked = outputs
        return _changes(None, root, self.ref, prefix.rstrip("\n"), raw, untracked.split("\0"))
