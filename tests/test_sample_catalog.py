"""The bundled catalog: it passes cleanly, and it is what its generator produces."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from catalog_cli.cli import app
from tests.conftest import ROOT


def test_bundled_catalog_has_no_findings_in_either_language() -> None:
    cwd = Path.cwd()
    os.chdir(ROOT)
    try:
        for lang in ("zh", "en"):
            result = CliRunner().invoke(
                app, ["validate", "--strict", "--no-cache", "-f", "json", "--lang", lang]
            )
            doc = json.loads(result.stdout)
            assert result.exit_code == 0, doc["findings"][:5]
            assert doc["findings"] == []
            assert doc["summary"]["files"] >= 52
    finally:
        os.chdir(cwd)


def test_bundled_catalog_is_up_to_date_with_its_generator() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_sample_catalog.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_bundled_catalog_is_formatted() -> None:
    """`catalog fmt --check` passes on the bundled catalog: the generator writes what fmt would."""
    cwd = Path.cwd()
    os.chdir(ROOT)
    try:
        result = CliRunner().invoke(app, ["fmt", "--check"])
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "52" in result.stderr + result.stdout
