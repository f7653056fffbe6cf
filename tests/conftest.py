"""Shared fixtures: a temporary catalog built from files given as text."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "tests" / "rules" / "templates"
GOLDEN = ROOT / "tests" / "golden"
UPDATE_GOLDEN = os.environ.get("CATALOG_UPDATE_GOLDEN") == "1"  # on purpose, never by default


def assert_golden(name: str, actual: str) -> None:
    """Compare output with tests/golden/NAME byte for byte (CATALOG_UPDATE_GOLDEN=1 rewrites)."""
    path = GOLDEN / name
    if UPDATE_GOLDEN:
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"golden file {path} missing: run with CATALOG_UPDATE_GOLDEN=1"
    assert actual == path.read_text(encoding="utf-8")


def cli_result(root: Path, *args: str, input: str | None = None) -> Result:
    """Run ``catalog ARGS`` with ``root`` as the current directory, through Typer's runner."""
    from catalog_cli.cli import app

    cwd = Path.cwd()
    os.chdir(root)
    try:
        return CliRunner().invoke(app, list(args), input=input)
    finally:
        os.chdir(cwd)


def invoke(root: Path, *args: str) -> tuple[int, str, str]:
    """``catalog ARGS`` in ``root``: exit code, stdout, stderr."""
    result = cli_result(root, *args)
    return result.exit_code, result.stdout, result.stderr


MakeCatalog = Callable[[dict[str, str | bytes]], Path]


@pytest.fixture(autouse=True)
def _not_in_github_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests expect plain output, and a kept run, even when the suite itself runs in CI."""
    for var in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "FORCE_COLOR", "CI"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def make_catalog(tmp_path: Path) -> MakeCatalog:
    """Write ``{relative path: text or bytes}`` under a fresh catalog root and return the root."""

    def make(files: dict[str, str | bytes]) -> Path:
        root = tmp_path / "catalog"
        (root / "items").mkdir(parents=True, exist_ok=True)
        for rel, content in files.items():
            p = root / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                p.write_bytes(content)
            else:
                p.write_text(content, encoding="utf-8")
        return root

    return make
