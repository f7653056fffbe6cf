"""Large catalogs are loaded and checked on all cores; the result must not depend on it."""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest

from benchmarks.generate import generate
from catalog_cli import cache
from catalog_cli.dupes import rule
from catalog_cli.engine import Options, validate
from catalog_cli.parallel import PARALLEL_MIN_FILES, halves


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


_KEPT: list[int] = []


def _keep(chunk: list[int]) -> int:
    _KEPT.extend(chunk)  # in a worker: that worker's own copy
    return sum(chunk)


def _kept(offset: int) -> list[int]:
    return [n + offset for n in _KEPT]


def _boom(_: object) -> None:
    raise ValueError("boom")


def _die(_: object) -> None:
    os._exit(3)


@pytest.mark.parametrize("workers", [0, 2])
def test_crew_keeps_order_and_what_each_worker_loaded(workers: int) -> None:
    from catalog_cli.parallel import Crew

    _KEPT.clear()
    chunks = [list(range(k, k + 10)) for k in range(0, 200, 10)]
    with Crew(workers) as crew:
        assert list(crew.map(_keep, chunks)) == [sum(c) for c in chunks]
        kept = crew.each(_kept, 1000)
    # every number was kept by exactly one worker (or by this process), and sent nowhere else
    assert len(kept) == max(workers, 1)
    assert sorted(n for part in kept for n in part) == [n + 1000 for n in range(200)]
    _KEPT.clear()


@pytest.mark.parametrize("fn", [_boom, _die])
def test_a_failing_or_dying_crew_worker_is_reported(fn: object) -> None:
    from catalog_cli.parallel import Crew, CrewError

    with Crew(2) as crew, pytest.raises(CrewError):
        list(crew.map(fn, [1, 2, 3]))  # type: ignore[arg-type]


_PARENT = {"pid": 0, "calls": 0}


def _dies_in_a_worker(task: tuple[int, list[str]]) -> bytes:
    from catalog_cli import rounds

    if os.getpid() != _PARENT["pid"]:  # in a worker: the process dies mid-run
        os._exit(9)
    _PARENT["calls"] += 1
    return rounds._load_and_keep(task)


def test_validation_falls_back_to_one_process_when_a_worker_dies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from catalog_cli import rounds

    root = tmp_path / "cat"
    generate(PARALLEL_MIN_FILES + 50, root)
    expected = [f.to_dict() for f in validate(Options(cwd=root, use_cache=False)).findings]
    _PARENT.update(pid=os.getpid(), calls=0)
    monkeypatch.setattr(rounds, "_load_and_keep", rounds._round_one, raising=False)
    monkeypatch.setattr(rounds, "_round_one", _dies_in_a_worker)
    again = [f.to_dict() for f in validate(Options(cwd=root, use_cache=False)).findings]
    assert again == expected
    assert _PARENT["calls"] > 0  # the work was redone in this process


def _which(share: tuple[int, int]) -> tuple[int, int, int]:
    return (*share, os.getpid())


def test_shares_run_on_every_core_or_all_here(monkeypatch: pytest.MonkeyPatch) -> None:
    from catalog_cli.parallel import shares

    found = shares(_which, workers=2)
    assert [f[:2] for f in found] == [(0, 2), (1, 2)]
    assert os.getpid() not in {f[2] for f in found}  # each share in a forked process
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert shares(_which) == [(0, 1, os.getpid())]


def test_names_normalized_on_all_cores_equal_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    from catalog_cli.dupes import rule
    from catalog_cli.standard import load_standard

    standard = load_standard()
    names = [f"{w}许可{i}" for i, w in enumerate(["饮用水供水单位", "食品经营", "建设工程"] * 30)]
    monkeypatch.setattr(rule, "SHARED_FROM", 0)
    parallel = rule._normalize_all(names, standard)
    monkeypatch.setattr(rule, "SHARED_FROM", 10**9)
    assert parallel == rule._normalize_all(names, standard)
    assert len(parallel) == len(names)


def test_a_running_crew_is_known_to_processes_forked_meanwhile() -> None:
    """The duplicate search, forked while validation's workers run, normalizes in one process."""
    from catalog_cli.parallel import Crew, crew_running

    assert not crew_running()
    with Crew(2):
        assert crew_running()
    assert not crew_running()
    with Crew(0):  # in-process: nothing runs beside it
        assert not crew_running()


def _pids(items: Sequence[int]) -> list[tuple[int, int]]:
    return [(i * i, os.getpid()) for i in items]


def _fails_in_a_child(items: Sequence[int]) -> list[tuple[int, int]]:
    if os.getpid() != _HOME:
        os._exit(3)  # a child that dies before it answers
    return _pids(items)


def _unsendable_in_a_child(items: Sequence[int]) -> list[tuple[int, int]]:
    if os.getpid() != _HOME:
        return [(0, object())]  # type: ignore[list-item]  # marshal cannot send it: the child fails
    return _pids(items)


_HOME = os.getpid()  # the test process


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork only")
def test_halves_computes_the_second_half_in_a_child_and_in_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    items = list(range(1001))
    both = halves(_pids, items, 10)
    assert [v for v, _ in both] == [i * i for i in items]
    pids = [pid for _, pid in both]
    assert set(pids[:500]) == {os.getpid()} and os.getpid() not in pids[500:]
    # a child that dies, or sends what marshal cannot: its half is computed here
    for fn in (_fails_in_a_child, _unsendable_in_a_child):
        again = halves(fn, items, 10)
        assert [v for v, _ in again] == [i * i for i in items]
        assert {pid for _, pid in again} == {os.getpid()}
    # small inputs and one core: all here
    assert {pid for _, pid in halves(_pids, items[:9], 10)} == {os.getpid()}
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert {pid for _, pid in halves(_pids, items, 10)} == {os.getpid()}


def test_file_stats_in_halves_equal_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = []
    for i in range(300):
        p = tmp_path / f"{i}.yaml"
        p.write_text("x" * i, encoding="utf-8")
        names.append(str(p))
    names.append(str(tmp_path / "missing.yaml"))
    (tmp_path / "link.yaml").symlink_to(tmp_path / "5.yaml")
    names.append(str(tmp_path / "link.yaml"))
    monkeypatch.setattr(cache, "STAT_HALVES_FROM", 10)
    halved = cache.file_stats(names)
    monkeypatch.setattr(cache, "STAT_HALVES_FROM", 10**9)
    assert halved == cache.file_stats(names) and halved[-2] == (-1,) and halved[-1][0] == -2
