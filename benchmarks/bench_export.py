"""Time ``catalog export`` beyond loading: ``python benchmarks/bench_export.py [N ...]``.

For each N it generates a catalog (benchmarks/out/catalog-N, reused when present), loads it once
with the engine (timed, but not the target), then times building the published document
(selection, records, metadata) and rendering each format, as ``catalog export`` does: the
fastest of ``--repeat`` runs (default 3), wall and CPU time, since the machine may be shared.
The issue's target: building + rendering json for 100k items in at most 3 s.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.generate import generate  # noqa: E402
from catalog_cli.engine import item_files, open_session  # noqa: E402
from catalog_cli.export import (  # noqa: E402
    RENDERERS,
    Selection,
    Source,
    document,
    metadata,
    paused_gc,
    published_document,
)
from catalog_cli.rounds import load_entries  # noqa: E402

T = TypeVar("T")


def _timed(fn: Callable[[], T], repeat: int = 1) -> tuple[T, float, float]:
    """The value, and the wall and CPU time of the fastest of ``repeat`` runs."""
    best: tuple[float, float] | None = None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        with paused_gc():  # as catalog export does
            value = fn()
        took = (time.perf_counter() - wall, time.process_time() - cpu)
        best = took if best is None or took < best else best
    assert best is not None
    return value, best[0], best[1]


def bench(n: int, out_dir: Path, repeat: int) -> dict[str, Any]:
    catalog = out_dir / f"catalog-{n}"
    if not (catalog / "items").is_dir():
        t = time.perf_counter()
        generate(n, catalog)
        print(f"generated {n} items in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    session = open_session(catalog)
    (entries, _), load_wall, _ = _timed(lambda: load_entries(session, item_files(session, [])))
    result: dict[str, Any] = {"items": len(entries), "load_wall_s": load_wall}
    source = Source("bench", None, None, session.standard.version)

    def build() -> dict[str, Any]:
        published = published_document(entries, session.standard, Selection())
        return document(published, metadata(published, source, Selection()))

    doc, result["build_wall_s"], result["build_cpu_s"] = _timed(build, repeat)
    for name, render in RENDERERS.items():
        data, wall, cpu = _timed(lambda render=render: render(doc), repeat)  # type: ignore[misc]
        result[f"{name}_wall_s"], result[f"{name}_cpu_s"] = wall, cpu
        result[f"{name}_mb"] = len(data) / 1e6
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sizes", nargs="*", type=int, default=[100_000])
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per step; the fastest counts (shared CPUs)"
    )
    args = parser.parse_args()
    for n in args.sizes:
        r = bench(n, args.out, args.repeat)
        print(
            f"{r['items']} items (loading {r['load_wall_s']:.1f} s wall, not counted)\n"
            f"  build   {r['build_wall_s']:6.2f} s wall {r['build_cpu_s']:6.2f} s CPU"
        )
        for name in RENDERERS:
            print(
                f"  {name:<7} {r[f'{name}_wall_s']:6.2f} s wall {r[f'{name}_cpu_s']:6.2f} s CPU "
                f"{r[f'{name}_mb']:7.1f} MB"
            )
        total = r["build_wall_s"] + r["json_wall_s"]
        total_cpu = r["build_cpu_s"] + r["json_cpu_s"]
        print(f"  build + json: {total:.2f} s wall, {total_cpu:.2f} s CPU (target <= 3 s)")


if __name__ == "__main__":
    main()
