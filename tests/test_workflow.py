"""The example workflow (.github/workflows/catalog.yml) runs commands the CLI accepts, and
uploads to code scanning only the whole catalog's SARIF (a partial one would mark the rest fixed)."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import typer
import yaml

from catalog_cli.cli import app
from tests.conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "catalog.yml"


def steps() -> list[dict[str, Any]]:
    doc = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    result: list[dict[str, Any]] = doc["jobs"]["check"]["steps"]
    return result


def test_every_catalog_command_of_the_workflow_parses() -> None:
    command = typer.main.get_command(app)
    runs = [s["run"] for s in steps() if str(s.get("run", "")).startswith("catalog ")]
    assert len(runs) == 2
    for run in runs:
        args = shlex.split(run.replace("$BASE_REF", "main"))[1:]
        # parsing only (no run): an unknown option or a bad value raises here
        with command.make_context("catalog", args, resilient_parsing=False) as ctx:
            sub = command.get_command(ctx, args[0])  # type: ignore[attr-defined]
            assert sub is not None
            sub.make_context(args[0], args[1:], parent=ctx)


def test_only_the_whole_catalogs_sarif_is_uploaded() -> None:
    by_name = {s.get("name", ""): s for s in steps()}
    pr = by_name["catalog check (what the pull request changed)"]
    assert "--since" in pr["run"] and "sarif" not in pr["run"]
    whole = by_name["catalog check (the whole catalog)"]
    assert "--since" not in whole["run"] and "sarif=catalog.sarif" in whole["run"]
    upload = by_name["upload to code scanning"]
    assert "github.event_name != 'pull_request'" in upload["if"]
    assert Path(upload["with"]["sarif_file"]).name == "catalog.sarif"
