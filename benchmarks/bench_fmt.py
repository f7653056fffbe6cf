"""Time ``catalog fmt``: ``python benchmarks/bench_fmt.py [N ...]`` (default 2000).

For each N it generates a catalog (benchmarks/out/catalog-N, reused when present), copies it to
benchmarks/out/fmt-N, then times, through the real command: ``fmt --check`` on the generated
files (every one lacks the schema line, so every one is formatted in memory and diffed),
``fmt`` writing them all, and ``fmt --check`` on the formatted catalog (nothing to change: the
CI case). Wall time, and the CPU time of this process and its worker processes.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from typer.testing import CliRunner  # noqa: E402

from benchmarks.generate import generate  # noqa: E402
from catalog_cli.cli import app  # noqa: E402


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _run(catalog: Path, *args: str) -> tuple[int, float, float]:
    cwd = Path.cwd()
    os.chdir(catalog)
    try:
        wall, cpu = time.perf_counter(), _cpu()
        result = CliRunner().invoke(app, ["fmt", *args])
        return result.exit_code, time.perf_counter() - wall, _cpu() - cpu
    finally:
        os.chdir(cwd)


def bench(n: int, out_dir: Path) -> None:
    source = out_dir / f"catalog-{n}"
    if not (source / "items").is_dir():
        generate(n, source)
    catalog = out_dir / f"fmt-{n}"
    shutil.rmtree(catalog, ignore_errors=True)
    shutil.copytree(source, catalog)
    files = sum(1 for _ in (catalog / "items").rglob("*.yaml"))
    print(f"{files} item files, {os.cpu_count()} cores")
    for label, args in (
        ("fmt --check (all would change)", ("--check",)),
        ("fmt (writes all)", ()),
        ("fmt --check (formatted catalog)", ("--check",)),
    ):
        code, wall, cpu = _run(catalog, *args)
        per_file = wall / files * 1000
        print(
            f"  {label:<34} exit {code}  {wall:7.1f} s wall  {cpu:7.1f} s CPU  {per_file:.1f} ms/file"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sizes", nargs="*", type=int, default=[2000])
    parser.add_argument("--out", type=Path, default=HERE / "out")
    args = parser.parse_args()
    for n in args.sizes:
        bench(n, args.out)


if __name__ == "__main__":
    main()
