"""Time validation on a synthetic catalog: ``python benchmarks/bench_validate.py [N ...]``.

For each N it generates a catalog (benchmarks/out/catalog-N, reused when present), then times in
separate runs: merely reading the files, reading + parsing them with the project's loader on all
cores, reading + parsing them with the fastest parser the project uses (``fast_yaml``, data only,
all cores; the issue's yardstick for validation), and the whole ``catalog validate`` command as a
user runs it (a subprocess, JSON output).
Peak memory is the command's maximum resident set size; CPU time is user + system of the command
and its worker processes (on a shared machine, wall time says more about the neighbours).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.generate import generate  # noqa: E402
from benchmarks.installed import byte_compile  # noqa: E402
from catalog_cli.loader import iter_yaml_files, load_document  # noqa: E402


def _read(paths: list[Path]) -> int:
    return sum(len(p.read_bytes()) for p in paths)


def _parse(args: tuple[list[Path], Path]) -> int:
    paths, root = args
    return sum(1 for p in paths if load_document(p, root).data is not None)


def _fast_parse(args: tuple[list[Path], Path]) -> int:
    import fast_yaml

    return sum(1 for p in args[0] if fast_yaml.safe_load(p.read_bytes().decode("utf-8-sig")))


def _chunks(paths: list[Path], root: Path, n: int) -> list[tuple[list[Path], Path]]:
    size = max(64, len(paths) // (n * 8))
    return [(paths[i : i + size], root) for i in range(0, len(paths), size)]


def fast_parse_seconds(catalog: Path) -> float:
    """Reading and parsing every item file with the fastest parser, on all cores: the issue's
    yardstick, and a measure of how fast the (shared) machine is at the moment."""
    paths = list(iter_yaml_files(catalog / "items"))
    cores = os.cpu_count() or 1
    t = time.perf_counter()
    with ProcessPoolExecutor(cores) as pool:
        parsed = sum(pool.map(_fast_parse, _chunks(paths, catalog, cores)))
    assert parsed == len(paths)
    return time.perf_counter() - t


def bench(n: int, out_dir: Path) -> dict[str, float]:
    catalog = out_dir / f"catalog-{n}"
    if not (catalog / "items").is_dir():
        t = time.perf_counter()
        generate(n, catalog)
        print(f"generated {n} items in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    paths = list(iter_yaml_files(catalog / "items"))
    cores = os.cpu_count() or 1
    result: dict[str, float] = {"items": len(paths), "cores": cores}

    t = time.perf_counter()
    _read(paths)
    result["read_s"] = time.perf_counter() - t

    t = time.perf_counter()
    with ProcessPoolExecutor(cores) as pool:
        parsed = sum(pool.map(_parse, _chunks(paths, catalog, cores)))
    result["read_parse_s"] = time.perf_counter() - t
    assert parsed == len(paths)

    result["read_fastparse_s"] = fast_parse_seconds(catalog)

    catalog_exe = Path(sys.executable).parent / "catalog"
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = usage.ru_utime + usage.ru_stime
    t = time.perf_counter()
    proc = subprocess.run(
        [str(catalog_exe), "validate", "--format", "json", "--no-cache"],  # cold, as the issue asks
        cwd=catalog,
        capture_output=True,
        check=False,
    )
    result["validate_s"] = time.perf_counter() - t
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    result["validate_cpu_s"] = usage.ru_utime + usage.ru_stime - cpu
    if proc.returncode not in (0, 1):
        raise SystemExit(proc.stderr.decode())
    summary = json.loads(proc.stdout)["summary"]
    result["findings"] = summary["findings"]
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    result["validate_vs_parse"] = result["validate_s"] / result["read_parse_s"]
    result["validate_vs_fastparse"] = result["validate_s"] / result["read_fastparse_s"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000])
    parser.add_argument("--out", type=Path, default=HERE / "out")
    args = parser.parse_args()
    byte_compile()  # as installed: no module compiled again per run
    print(
        f"{'items':>8} {'read s':>8} {'parse s':>8} {'fast s':>8} {'validate s':>11} "
        f"{'cpu s':>7} {'×parse':>7} {'×fast':>7} {'MB':>7}"
    )
    for n in args.sizes:
        r = bench(n, args.out)
        print(
            f"{r['items']:>8.0f} {r['read_s']:>8.2f} {r['read_parse_s']:>8.2f} "
            f"{r['read_fastparse_s']:>8.2f} {r['validate_s']:>11.2f} {r['validate_cpu_s']:>7.2f} "
            f"{r['validate_vs_parse']:>7.2f} {r['validate_vs_fastparse']:>7.2f} "
            f"{r['peak_rss_mb']:>7.0f}"
        )


if __name__ == "__main__":
    main()
