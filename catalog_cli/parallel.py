"""CPU-bound work over chunks of a list, on all cores.

Parsing, modelling and formatting files are independent per file and CPU-bound, so large
catalogs are shared out to worker processes. Workers are forked: they inherit what the caller
set up (the standard, the rule classes, a catalog's own rule files, module globals) instead of
receiving it pickled with every chunk.
"""

from __future__ import annotations

import contextlib
import marshal
import multiprocessing as mp
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

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


def shares(fn: Callable[[tuple[int, int]], R], *, workers: int | None = None) -> list[R]:
    """``fn((k, n))`` for each share k of n, one forked process per core, in order.

    For work that splits into n parts by itself (each process sees all the input and does its
    k-th part). One core, no ``fork`` or a process that fails: ``[fn((0, 1))]``, all of it here.
    """
    n = workers or os.cpu_count() or 1
    if n < 2 or "fork" not in mp.get_all_start_methods():
        return [fn((0, 1))]
    try:
        with ProcessPoolExecutor(n, mp_context=mp.get_context("fork")) as pool:
            return list(pool.map(fn, [(k, n) for k in range(n)]))
    except (OSError, BrokenProcessPool):
        return [fn((0, 1))]


def halves(fn: Callable[[Sequence[T]], list[R]], items: Sequence[T], min_items: int) -> list[R]:
    """``fn(items)``, its second half computed meanwhile in a forked process.

    For short work on many items that waits on the system, not on Python (the stat of every
    file: 0.7 s on 100k files, 0.35 s in halves), whose results are plain values (they come
    back with ``marshal``). A small input, one core, no ``fork``, or a child that fails: all
    of it here.
    """
    if len(items) < min_items or (os.cpu_count() or 1) < 2 or not hasattr(os, "fork"):
        return fn(items)
    mid = len(items) // 2
    try:
        r, w = os.pipe()
    except OSError:
        return fn(items)
    try:
        pid = os.fork()
    except OSError:
        os.close(r)
        os.close(w)
        return fn(items)
    if pid == 0:  # pragma: no cover - the child: its half, then out without any cleanup
        code = 1
        try:
            os.close(r)
            data = marshal.dumps(fn(items[mid:]))
            with os.fdopen(w, "wb") as fh:
                fh.write(data)
            code = 0
        finally:
            os._exit(code)
    os.close(w)
    try:
        first = fn(items[:mid])
    finally:
        with os.fdopen(r, "rb") as fh:  # (read before waiting: the child may fill the pipe)
            data = fh.read()
        _, status = os.waitpid(pid, 0)
    if status == 0:
        with contextlib.suppress(ValueError, EOFError, TypeError):
            second = marshal.loads(data)
            if isinstance(second, list):
                return first + second
    return first + fn(items[mid:])


_CREWS = 0  # crews with live workers in this process (a fork inherits the count it had)


def crew_running() -> bool:
    """Whether a :class:`Crew`'s workers were busy when this process started (or now)."""
    return _CREWS > 0


class CrewError(Exception):
    """A worker of a :class:`Crew` died or could not be started: redo the work in-process."""


def _serve(conn: Connection) -> None:
    """A crew worker: run ``fn(arg)`` for each message until told to stop."""
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            break
        if message is None:
            break
        task, fn, arg = message
        try:
            reply = (task, True, fn(arg))
        except BaseException as exc:  # the parent decides: it redoes the work in-process
            reply = (task, False, repr(exc))
        try:
            conn.send(reply)
        except (OSError, ValueError):
            break
    conn.close()


class Crew:
    """Forked worker processes that keep what they computed between rounds.

    :func:`chunked_map` forgets a chunk's results once they are sent back; a crew's functions may
    keep state in their module (inherited at the fork, then each worker's own), so a later round
    can work on what an earlier round loaded without sending it anywhere. With ``workers`` 0 it
    runs everything in this process: the same calls, the same results. Any failure of a worker
    raises :class:`CrewError`; its state is then lost, so the caller redoes the work in-process.
    """

    def __init__(self, workers: int) -> None:
        self.conns: list[Connection] = []
        self.procs: list[BaseProcess] = []
        self.counted = False
        if workers < 2 or "fork" not in mp.get_all_start_methods():
            return
        ctx = mp.get_context("fork")
        try:
            for _ in range(workers):
                parent, child = ctx.Pipe()
                proc = ctx.Process(target=_serve, args=(child,), daemon=True)
                proc.start()
                child.close()
                self.conns.append(parent)
                self.procs.append(proc)
        except OSError as exc:  # no processes or pipes (some sandboxes): all in-process
            self.close()
            raise CrewError(str(exc)) from exc
        global _CREWS  # noqa: PLW0603
        _CREWS += 1
        self.counted = True

    @property
    def inline(self) -> bool:
        return not self.conns

    def _send(self, conn: Connection, message: object) -> None:
        try:
            conn.send(message)
        except Exception as exc:  # a closed pipe, or a task that cannot be pickled
            raise CrewError(f"a worker cannot be given the task: {exc!r}") from exc

    def _receive(self, conn: Connection) -> tuple[int, Any]:
        try:
            task, ok, value = conn.recv()
        except (EOFError, OSError) as exc:
            raise CrewError("a worker process died") from exc
        if not ok:
            raise CrewError(f"a worker failed: {value}")
        return task, value

    def map(self, fn: Callable[[T], R], tasks: Sequence[T]) -> Iterator[R]:
        """``fn(task)`` for every task, each on whichever worker is free; results in order."""
        if self.inline:
            for t in tasks:
                yield fn(t)
            return
        results: dict[int, R] = {}
        queue = iter(enumerate(tasks))
        pending, nxt = 0, 0
        # One task per worker at a time: a worker is then always waiting in recv() when sent
        # one, and never sending a result at the same moment (both sides could block on full
        # buffers). Chunks are large, so the round trip between two tasks costs little.
        for conn in self.conns:
            item = next(queue, None)
            if item is not None:
                self._send(conn, (item[0], fn, item[1]))
                pending += 1
        while pending:
            for ready in wait(self.conns):
                assert isinstance(ready, Connection)
                task, value = self._receive(ready)
                pending -= 1
                item = next(queue, None)
                if item is not None:
                    self._send(ready, (item[0], fn, item[1]))
                    pending += 1
                results[task] = value
            while nxt in results:
                yield results.pop(nxt)
                nxt += 1

    def each(self, fn: Callable[[T], R], arg: T) -> list[R]:
        """``fn(arg)`` once in every worker (once here when inline), e.g. on what each one kept."""
        if self.inline:
            return [fn(arg)]
        for k, conn in enumerate(self.conns):
            self._send(conn, (k, fn, arg))
        return [self._receive(conn)[1] for conn in self.conns]

    def close(self) -> None:
        """Stop the workers (what they kept is gone)."""
        for conn in self.conns:
            with contextlib.suppress(OSError, ValueError):
                conn.send(None)
            conn.close()
        for proc in self.procs:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.kill()
                proc.join()
        self.conns, self.procs = [], []
        if self.counted:
            global _CREWS  # noqa: PLW0603
            _CREWS -= 1
            self.counted = False

    def __enter__(self) -> Crew:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
