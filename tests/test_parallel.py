"""Large catalogs are loaded and checked on all cores; the result must not depend on it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from benchmarks.generate import generate
from catalog_cli.dupes import rule
from catalog_cli.engine import Options, validate
from catalog_cli.parallel import PARALLEL_MIN_FILES


def test_parallel_and_serial_runs_agree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "cat"
    generate(PARALLEL_MIN_FILES + 200, root)
    items = sorted((root / "items" / "implementation").rglob("*.yaml"))
    # some findings of every kind: per-file, catalog-wide, load problems
    items[0].write_text("a: [1\n", encoding="utf-8")
    text = items[1].read_text(encoding="utf-8")
    items[1].write_text(text.replace("visits: 0", "visits: 2"), encoding="utf-8")
    shutil.copy(items[2], items[2].with_name("copy.yaml"))
    parallel = validate(Options(cwd=root, use_cache=False), duplicates=True)
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    serial = validate(Options(cwd=root, use_cache=False), duplicates=True)
    assert [f.to_dict() for f in parallel.findings] == [f.to_dict() for f in serial.findings]
    codes = {f.code for f in serial.findings}
    assert {"YML001", "ELE003", "COD006", "STD003"} <= codes, codes


def test_background_duplicate_search_agrees(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``catalog check`` runs the duplicate search in a forked process while the other rules
    run; the findings are the same as when it runs inline."""
    root = tmp_path / "cat"
    generate(300, root)
    items = sorted((root / "items" / "basic").rglob("*.yaml"))
    shutil.copy(items[0], items[0].with_name("copy.yaml"))  # a duplicate for sure
    monkeypatch.setattr(rule, "BACKGROUND_MIN_ITEMS", 0)
    background = validate(Options(cwd=root, use_cache=False), duplicates=True)
    monkeypatch.setattr(rule, "BACKGROUND_MIN_ITEMS", 10**9)
    inline = validate(Options(cwd=root, use_cache=False), duplicates=True)
    assert [f.to_dict() for f in background.findings] == [f.to_dict() for f in inline.findings]
    assert any(f.code.startswith("DUP") for f in inline.findings)


def _squares(chunk: list[int]) -> list[int]:
    return [n * n for n in chunk]


def test_chunked_map_keeps_order_on_all_cores_and_without_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from catalog_cli import parallel

    items = list(range(1000))
    expected = [n * n for n in items]
    flat = [
        n for part in parallel.chunked_map(_squares, items, workers=2, min_items=1) for n in part
    ]
    assert flat == expected

    def no_semaphores(*args: object, **kwargs: object) -> None:
        raise OSError("no semaphores here")

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", no_semaphores)
    flat = [
        n for part in parallel.chunked_map(_squares, items, workers=2, min_items=1) for n in part
    ]
    assert flat == expected  # one core, same results
