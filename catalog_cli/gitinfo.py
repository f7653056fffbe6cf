"""Which version of the catalog an export is: release tag or ``git describe``, commit, commit date.

Git is reached through :class:`catalog_cli.revisions.History` (the ``git`` executable), so no
plumbing is duplicated here. Exports must work anywhere: without git, outside a repository, in
a repository without commits, the version is ``unversioned`` and the commit null. Detached
heads and shallow clones need nothing special: ``describe --always`` falls back to the
abbreviated commit name when no tag is reachable.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from catalog_cli.config import Config
from catalog_cli.revisions import History, Revision, RevisionError

UNVERSIONED = "unversioned"


@dataclass(frozen=True)
class GitInfo:
    """The version fields of an export's metadata."""

    version: str  # tag, `git describe --tags --always` (+ "-dirty"), or "unversioned"
    commit: str | None
    commit_date: str | None  # the committer date (strict ISO 8601), never the wall clock
    note: str = ""  # why the catalog counts as unversioned (for stderr)


def of_revision(history: History, rev: Revision) -> GitInfo:
    """Version, commit and commit date of a commit of ``history``."""
    return GitInfo(history.describe(rev) or UNVERSIONED, rev.commit, history.commit_date(rev))


def head_info(root: Path, config: Config) -> GitInfo:
    """The version of the catalog at ``root`` as it is on disk.

    ``-dirty`` is appended when item files differ from the commit (modified, added or deleted,
    untracked ones included): the export then is not that commit's. Other files (an export
    written into the repository, the README) do not count, so exporting twice gives the same
    bytes.
    """
    try:
        history = History.open(root, config)
        head = history.resolve("HEAD")
    except RevisionError as exc:
        return GitInfo(UNVERSIONED, None, None, note=str(exc))
    info = of_revision(history, head)
    delta = history.delta(head, history.worktree())
    if delta.old_entries or delta.new_entries:
        return GitInfo(info.version + "-dirty", info.commit, info.commit_date)
    return info
