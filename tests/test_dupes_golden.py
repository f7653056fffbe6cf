"""Golden output of ``catalog dupes`` (json and text, both languages) on a small fixture catalog.

Regenerate on purpose only: ``CATALOG_UPDATE_GOLDEN=1 pytest tests/test_dupes_golden.py``.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from catalog_cli.cli import app
from tests.conftest import ROOT, assert_golden

FIXTURE = ROOT / "tests" / "fixtures" / "dupes"


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("fmt", ["json", "text"])
def testassert_golden(fmt: str, lang: str) -> None:
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
    assert_golden(f"dupes.{lang}.{'json' if fmt == 'json' else 'txt'}", res.stdout)
