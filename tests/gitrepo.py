"""Real git repositories for the history tests (diff, release, revisions).

Commits are reproducible: identity and dates come from the environment, global and system git
configuration are ignored, so object names (and golden files showing them) are the same on
every machine, including CI without any git configuration.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

needs_git = pytest.mark.skipif(
    shutil.which("git") is None, reason="git is not installed; these tests drive real repositories"
)

SAMPLE = ROOT / "items"

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Catalog Test",
    "GIT_AUTHOR_EMAIL": "test@example.org",
    "GIT_COMMITTER_NAME": "Catalog Test",
    "GIT_COMMITTER_EMAIL": "test@example.org",
    "GIT_AUTHOR_DATE": "2024-05-01T10:00:00+08:00",
    "GIT_COMMITTER_DATE": "2024-05-01T10:00:00+08:00",
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_CONFIG_NOSYSTEM": "1",
}


@pytest.fixture
def git_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Identity, fixed dates and no user configuration for every git the test (or tool) runs."""
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)


def git(root: Path, *args: str) -> str:
    """Run git in ``root`` (the test's own commands: init, add, commit, tag)."""
    return subprocess.run(
        ["git", *args],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **GIT_ENV},  # reproducible even in a test without the fixture
    ).stdout


def init(root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")


def commit(root: Path, message: str, tag: str | None = None) -> str:
    """Commit everything in the tree (optionally tagging it, annotated); returns the commit."""
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message)
    if tag is not None:
        git(root, "tag", "-a", tag, "-m", f"release {tag}")
    return git(root, "rev-parse", "HEAD").strip()


def sample(name: str) -> str:
    """A file of the bundled sample catalog, e.g. ``basic/210973001000.yaml``."""
    return (SAMPLE / name).read_text(encoding="utf-8")


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
