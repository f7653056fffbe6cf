"""Time ``catalog diff`` between two revisions: ``python benchmarks/bench_diff.py [N ...]``.

For each N it builds a git repository (benchmarks/out/diff-N, reused when present) holding the
synthetic catalog of benchmarks/generate.py as tag ``v1``, then ``v2`` differing in 100 items:
40 changed, 20 added, 20 removed and 20 renamed without a change (which the diff must not
report). It times, each as a user runs it (a subprocess, JSON output): ``catalog diff v1 v2``
(two commits) and ``catalog diff v1`` (v1 against the working tree, which is v2 checked out).
Wall time and CPU time (user + system of the command) are reported, since other work may share
the cores. Target (issue 6): ≤ 5 s for 100k items.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.generate import generate  # noqa: E402

GIT_ENV = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.org",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.org",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}
CHANGED, ADDED, REMOVED, RENAMED = 40, 20, 20, 20


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, env={**os.environ, **GIT_ENV})


def build(n: int, repo: Path) -> None:
    """The repository with tags v1 and v2 (skipped when it is already there)."""
    if (repo / ".git").is_dir() and subprocess.run(
        ["git", "rev-parse", "-q", "--verify", "v2"], cwd=repo, capture_output=True, check=False
    ).returncode == 0:
        return
    t = time.perf_counter()
    generate(n, repo)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "v1")
    _git(repo, "tag", "-a", "v1", "-m", "v1")
    impl = sorted((repo / "items" / "implementation").rglob("*.yaml"))
    coded = [p for p in impl if not p.name.startswith("L")]
    local = [p for p in impl if p.name.startswith("L")]
    step = len(coded) // (CHANGED + REMOVED + RENAMED)
    picked = coded[::step][: CHANGED + REMOVED + RENAMED]
    for path in picked[:CHANGED]:
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("\nhours: ", "\nhours: 周一至周六 "), encoding="utf-8")
    for path in picked[CHANGED : CHANGED + REMOVED]:
        path.unlink()
    for path in picked[CHANGED + REMOVED :]:
        path.rename(path.with_suffix(".yml"))
    for path in local[:: len(local) // ADDED][:ADDED]:
        code = path.stem
        new = path.with_name(f"{code}N.yaml")
        new.write_text(path.read_text(encoding="utf-8").replace(code, code + "N"), "utf-8")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "v2")
    _git(repo, "tag", "-a", "v2", "-m", "v2")
    print(f"built {repo} in {time.perf_counter() - t:.0f} s", file=sys.stderr)


def _timed(repo: Path, *args: str) -> tuple[float, float, dict[str, int]]:
    """Wall and CPU seconds of one ``catalog`` run, and its JSON summary."""
    catalog_exe = Path(sys.executable).parent / "catalog"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run(
        [str(catalog_exe), *args, "--format", "json"], cwd=repo, capture_output=True, check=False
    )
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr.decode())
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    summary: dict[str, int] = json.loads(proc.stdout)["summary"]
    return wall, cpu, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sizes", nargs="*", type=int, default=[100_000])
    parser.add_argument("--out", type=Path, default=HERE / "out")
    args = parser.parse_args()
    expected = {"added": ADDED, "withdrawn": REMOVED, "changed": CHANGED}
    print(f"{'items':>8} {'command':<22} {'wall s':>7} {'cpu s':>7}  summary")
    for n in args.sizes:
        repo = args.out / f"diff-{n}"
        build(n, repo)
        for command in (("diff", "v1", "v2"), ("diff", "v1")):
            wall, cpu, summary = _timed(repo, *command)
            assert summary == expected, summary  # renamed files are no change
            print(f"{n:>8} {' '.join(command):<22} {wall:>7.2f} {cpu:>7.2f}  {summary}")


if __name__ == "__main__":
    main()
