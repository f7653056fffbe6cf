"""Time ``find_pairs`` on a synthetic catalog: ``python benchmarks/bench_dupes.py [N ...]``.

The catalog is generated in memory and made to be HARD for blocking, not easy:
- most names are distinct chimeras of real names (the head of one real 广安区/Liaoning name
  joined to the tail of another), so they share the common bigrams of real names (许可, 登记,
  备案, 申请 …) and the index cannot skip them;
- near-misses: business-action variants (（变更）, 注销…, 换发…), level tags (（县级）,
  （市级/县级）), traditional script and full-width forms of existing names, exact repeats of
  an item in another region (legitimate implementations, never pairs), and local items that
  copy a basic item's name (should-implement).
It prints, per N: distinct names, time of ``find_pairs``, the process's maximum RSS (before and
after it; ``--tracemalloc`` adds a second, slower run measuring the Python allocation peak), pairs
by class, and precision/recall of the classifier on the labelled set tests/data/name_pairs.yaml.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from catalog_cli.dupes.evaluate import evaluate  # noqa: E402
from catalog_cli.dupes.find import DupesOptions, find_pairs  # noqa: E402
from catalog_cli.dupes.normalize import Normalizer  # noqa: E402
from catalog_cli.loader import Document  # noqa: E402
from catalog_cli.models import BasicItem, Entry, ImplementationItem  # noqa: E402
from catalog_cli.standard import Standard, load_standard  # noqa: E402

DATA = ROOT / "tests" / "data"
ACTIONS = [
    "（变更）",
    "（注销）",
    "（换发）",
    "（补办）",
    "（延续）",
    "（转入）",
    "（转出）",
    "变更",
    "注销",
]
TAGS = ["（县级）", "（市级/县级）", "（县级行使）", "（县级权限）", "(县级)"]


def real_names() -> list[str]:
    g = json.loads((DATA / "guangan-511602-part.json").read_text(encoding="utf-8"))
    ln = json.loads((DATA / "liaoning-basic-catalog.json").read_text(encoding="utf-8"))
    return sorted({x["name"] for x in g} | {x["事项名称"] for x in ln})


def synthetic_names(n: int, rng: random.Random, std: Standard) -> list[str]:
    """n names: ~70% distinct chimeras, the rest realistic near-misses and repeats."""
    base = real_names()
    trad = {v: k for k, v in std.vocabularies.script.items()}
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < n:
        r = rng.random()
        if r < 0.70 or not names:
            a, b = rng.choice(base), rng.choice(base)
            cut_a = rng.randint(2, max(2, len(a) - 2))
            cut_b = rng.randint(1, max(1, len(b) - 2))
            name = a[:cut_a] + b[cut_b:]
            if name in seen:
                continue
        else:
            src = rng.choice(names[-5000:])
            if r < 0.80:
                name = src + rng.choice(ACTIONS)
            elif r < 0.86:
                name = src + rng.choice(TAGS)
            elif r < 0.89:
                name = "".join(trad.get(c, c) for c in src)
            elif r < 0.91:
                name = src.replace("(", "（").replace(")", "）") + " "
            else:
                name = src  # the same item again (another region)
        seen.add(name)
        names.append(name)
    return names


def synthetic_entries(n: int, seed: int = 7) -> tuple[list[Entry], Standard]:
    rng = random.Random(seed)
    std = load_standard()
    names = synthetic_names(n, rng, std)
    regions = sorted(std.regions.areas)[:200]
    entries: list[Entry] = []
    for i, name in enumerate(names):
        path = f"items/{i // 1000:03d}/{i:06d}.yaml"
        doc = Document(Path(path), path)
        r = rng.random()
        item: BasicItem | ImplementationItem
        if r < 0.15:
            prov = "00" if rng.random() < 0.7 else rng.choice(["21", "44", "51"])
            code = f"{prov}01{i % 100:02d}{i % 1000:03d}{i // 1000 % 1000:03d}"
            item = BasicItem(kind="basic", name=name, basic_code=code, type="01")
        elif r < 0.70:
            region = rng.choice(regions)
            item = ImplementationItem(
                kind="implementation",
                name=name,
                basic_code=f"00{i:010d}"[:12],
                implementation_code=f"11{region}{i:010d}4{i:012d}"[:31],
                region=region,
                level=4,
            )
        else:
            region = rng.choice(regions)
            item = ImplementationItem(
                kind="implementation",
                name=name,
                local_code=f"L{region}-{i:07d}",
                region=region,
                level=4,
            )
        entries.append(Entry(doc, item))
    return entries, std


def run(n: int, trace: bool) -> dict[str, Any]:
    entries, std = synthetic_entries(n)
    distinct = len({e.item.name for e in entries if e.item is not None})
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    result = find_pairs(entries, std, DupesOptions())
    elapsed = time.perf_counter() - t0
    out: dict[str, Any] = {
        "items": n,
        "distinct_names": distinct,
        "seconds": round(elapsed, 2),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "max_rss_before_mb": round(rss_before, 1),  # the generated entries themselves
        "pairs": len(result.pairs),
        "by_class": {k: v for k, v in result.summary()["by_class"].items() if v},
    }
    if trace:  # a second run under tracemalloc: slower, but the peak of find_pairs alone
        tracemalloc.start()
        find_pairs(entries, std, DupesOptions())
        out["tracemalloc_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
        tracemalloc.stop()
    return out


def quality() -> dict[str, Any]:
    pairs = yaml.safe_load((DATA / "name_pairs.yaml").read_text(encoding="utf-8"))["pairs"]
    r = evaluate(Normalizer(load_standard().vocabularies), pairs, DupesOptions().threshold)
    return {
        "labelled_pairs": r["pairs"],
        "precision": round(r["precision"], 3),
        "recall": round(r["recall"], 3),
        "variants_reported_as_duplicates": len(r["variants_reported"]),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000])
    ap.add_argument(
        "--tracemalloc", action="store_true", help="also measure the Python allocation peak"
    )
    args = ap.parse_args()
    print(json.dumps(quality(), ensure_ascii=False))
    for n in args.sizes:
        print(json.dumps(run(n, args.tracemalloc), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
