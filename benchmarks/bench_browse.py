"""Time search and stats on a synthetic catalog: ``python benchmarks/bench_browse.py [N ...]``.

For each N it generates a catalog (benchmarks/out/catalog-N, reused when present), then
measures, in this process: loading every item (the engine, on all cores), building the search
index (one normalization per distinct name), a handful of searches (names, a fragment, a typo,
codes), ``stats.compute`` plain and ``--by region``; and the whole ``catalog search`` and
``catalog stats`` commands as a user runs them (subprocesses, JSON output).
Each step reports wall time and CPU time (this process and its children, e.g. the parsing
workers): on a shared machine CPU time is the steadier number.
"""

from __future__ import annotations

import argparse
import functools
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.generate import generate  # noqa: E402
from catalog_cli import stats  # noqa: E402
from catalog_cli.engine import item_files, open_session  # noqa: E402
from catalog_cli.rounds import load_entries  # noqa: E402
from catalog_cli.search import SearchIndex  # noqa: E402

T = TypeVar("T")
QUERIES = (
    "饮用水供水单位卫生许可",  # a name
    "個體工商戶開業登記（县级）",  # traditional script, level tag, renamed term
    "卫生许可",  # a fragment
    "食品经营者许可证变更",  # probably a near name
    "许可",  # a very short fragment: many keys contain it
)


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


@contextmanager
def _timed(label: str, rows: list[tuple[str, float, float]]) -> Iterator[None]:
    wall, cpu = time.perf_counter(), _cpu()
    yield
    rows.append((label, time.perf_counter() - wall, _cpu() - cpu))


def _run(label: str, rows: list[tuple[str, float, float]], fn: Callable[[], T]) -> T:
    with _timed(label, rows):
        return fn()


def bench(n: int, out_dir: Path) -> list[tuple[str, float, float]]:
    catalog = out_dir / f"catalog-{n}"
    if not (catalog / "items").is_dir():
        t = time.perf_counter()
        generate(n, catalog)
        print(f"generated {n} items in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    rows: list[tuple[str, float, float]] = []
    session = open_session(catalog)
    files = item_files(session, [])
    entries, _ = _run(f"load {len(files)} files", rows, lambda: load_entries(session, files))
    index = _run("build search index", rows, lambda: SearchIndex(entries, session.standard))
    print(f"  {len(index.records)} items, distinct names indexed", file=sys.stderr)
    for q in QUERIES:
        hits = _run(f"search {q}", rows, functools.partial(index.search, q, limit=10))
        print(f"  {q}: {len(hits)} hits, best {hits[0].score if hits else '-'}", file=sys.stderr)
    code = index.records[len(index.records) // 2].code or ""
    _run(f"search code {code}", rows, lambda: index.search(code))
    _run("search code prefix 0001", rows, lambda: index.search("0001"))
    _run("stats", rows, lambda: stats.compute(entries, session.standard))
    _run("stats --by region", rows, lambda: stats.compute(entries, session.standard, by="region"))
    exe = Path(sys.executable).parent / "catalog"
    for args in (["search", "卫生许可", "--format", "json"], ["stats", "--format", "json"]):
        label = "command: catalog " + " ".join(args)
        with _timed(label, rows):
            proc = subprocess.run([str(exe), *args], cwd=catalog, capture_output=True, check=False)
        if proc.returncode not in (0, 1):
            raise SystemExit(proc.stderr.decode())
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sizes", nargs="*", type=int, default=[100_000])
    parser.add_argument("--out", type=Path, default=HERE / "out")
    args = parser.parse_args()
    for n in args.sizes:
        print(f"catalog of {n} items")
        print(f"{'wall s':>8} {'cpu s':>8}  step")  # labels last: CJK text breaks padding
        for label, wall, cpu in bench(n, args.out):
            print(f"{wall:>8.3f} {cpu:>8.3f}  {label}")


if __name__ == "__main__":
    main()
