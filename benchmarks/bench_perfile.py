"""Time the per-file work of validation: ``python benchmarks/bench_perfile.py [N]``.

On one core and with the garbage collector paused (as in the worker processes of
``catalog validate``), on the synthetic catalog benchmarks/out/catalog-N (generated when
missing; N defaults to 10000), it times per file: ``fastpath.load_file`` (read, parse, guard),
``models.build_entry`` and each per-file rule. Each is the best of several rounds; the other
helpers on a shared machine make single rounds noisy.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.generate import generate  # noqa: E402
from catalog_cli.engine import open_session  # noqa: E402
from catalog_cli.fastpath import load_file  # noqa: E402
from catalog_cli.loader import relative, yaml_file_names  # noqa: E402
from catalog_cli.models import Entry, build_entry  # noqa: E402
from catalog_cli.rules import Context, DocumentRule, ItemRule  # noqa: E402


def _best(rounds: int, work: Callable[[], Any]) -> float:
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        work()
        times.append(time.perf_counter() - t)
    return min(times)


def bench(catalog: Path, rounds: int) -> dict[str, float]:
    """Milliseconds per file of each step, and their total."""
    session = open_session(catalog)
    names = yaml_file_names(catalog / "items")
    files = [(Path(n), relative(Path(n), session.root)) for n in names]
    limit = session.config.max_file_size
    per_file = [
        r()
        for r in session.rules
        if r.per_file and r.group != "dupes" and issubclass(r, DocumentRule | ItemRule)
    ]
    ctx = Context(session.standard, session.root, "zh", None)
    gc.disable()
    docs = [load_file(p, session.root, limit, rel) for p, rel in files]
    ms: dict[str, float] = {}
    ms["load_file"] = _best(
        rounds, lambda: [load_file(p, session.root, limit, rel) for p, rel in files]
    )
    ms["build_entry"] = _best(rounds, lambda: [build_entry(d) for d in docs])
    entries = [build_entry(d) for d in docs]
    for rule in per_file:

        def run(rule: Any = rule, entries: list[Entry] = entries) -> None:
            if isinstance(rule, DocumentRule):
                for e in entries:
                    list(rule.check(e, ctx))
            else:
                for e in entries:
                    if e.item is not None:
                        list(rule.check(e, e.item, ctx))

        ms[rule.code] = _best(rounds, run)
    gc.enable()
    out = {k: 1000 * v / len(files) for k, v in ms.items()}
    out["rules"] = sum(v for k, v in out.items() if k not in ("load_file", "build_entry"))
    out["total"] = out["load_file"] + out["build_entry"] + out["rules"]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=10_000, help="items in the catalog")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per step (best is kept)")
    parser.add_argument("--catalog", type=Path, help="an existing catalog instead")
    args = parser.parse_args()
    catalog = args.catalog or HERE / "out" / f"catalog-{args.n}"
    if not (catalog / "items").is_dir():
        generate(args.n, catalog)
    for key, value in bench(catalog, args.rounds).items():
        print(f"{key:12} {value:.4f} ms/file")


if __name__ == "__main__":
    main()
