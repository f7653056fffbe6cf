"""CPU-bound work over chunks of a list, on all cores.

Parsing, modelling and formatting files are independent per file and CPU-bound, so large
catalogs are shared out to worker processes. Workers are forked: they inherit what the caller
set up (the standard, the rule classes, a catalog's own rule files, module globals) instead of
receiving it pickled with every chunk.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

PARALLEL_MIN_FILES = 400  # below this, starting worker processes costs more than it saves


def chunked_map(
    fn: Callable[[list[T]], R],
    items: Sequence[T],
    *,
    workers: int | None = None,
    min_items: int = PARALLEL_MIN_FILES,
) -> Iterator[R]:
    """``fn`` of consecutive chunks of ``items``, in order.

    ``fn`` must be picklable (a module-level function or a partial of one). Small inputs, one
    core, no ``fork``, no semaphores (some sandboxes) or a worker that dies: the chunks not yet
    done run here, on one core — the same results, only slower.
    """
    n = workers or os.cpu_count() or 1
    if n < 2 or len(items) < min_items or "fork" not in mp.get_all_start_methods():
        yield fn(list(items))
        return
    size = max(64, len(items) // (n * 8))
    chunks = [list(items[i : i + size]) for i in range(0, len(items), size)]
    done = 0
    try:
        with ProcessPoolExecutor(n, mp_context=mp.get_context("fork")) as pool:
            for result in pool.map(fn, chunks):
                done += 1
                yield result
    except (OSError, BrokenProcessPool):
        pass
    for chunk in chunks[done:]:
        yield fn(chunk)
