"""Golden output of ``catalog dupes`` (json and text, both languages) on a small fixture catalog.

Regenerate on purpose only: ``CATALOG_UPDATE_GOLDEN=1 pytest tests/test_dupes_golden.py``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from catalog_cli.cli import app

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "dupes"
GOLDEN = ROOT / "tests" / "golden"
UPDATE = os.environ.get("CATALOG_UPDATE_GOLDEN") == "1"


def _golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"golden file {path} missing: run with CATALOG_UPDATE_GOLDEN=1"
    assert actual == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("fmt", ["json", "text"])
def test_golden(fmt: str, lang: str) -> None:
    res = CliRunner().invoke(
        app, ["dupes", str(FIXTURE / "items"), "--format", fmt, "--lang", lang, "--variants"]
    )
    assert res.exit_code == 1, res.output  # the fixture holds a same-code conflict
    if fmt == "json":
        doc = json.loads(res.stdout)  # stdout holds only the document
        classes = {p["class"] for p in doc["pairs"]}
        assert classes == {
            "same-code-conflict",
            "duplicate",
            "probable-duplicate",
            "wrong-basic-item",
            "should-implement",
            "national-candidate",
        }
    _golden(f"dupes.{lang}.{'json' if fmt == 'json' else 'txt'}", res.stdout)
