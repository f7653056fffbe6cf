"""Atomic file writes: a reader sees the old file or the new one, never half of either.

Kept apart from ``writer.py`` (the import's YAML writing) so that the caches and exports can
write files without importing the importer.
"""

from __future__ import annotations

import contextlib
import functools
import os
import tempfile
from pathlib import Path

__all__ = ["write_atomic", "write_atomic_bytes"]


@functools.cache  # the umask is read by setting it: once per process
def _mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomic(
    path: Path, text: str, *, known_dir: bool = False, mode: int | None = None
) -> None:
    """Write via a temporary file in the same folder and ``os.replace``: never half a file."""
    write_atomic_bytes(path, text.encode("utf-8"), known_dir=known_dir, mode=mode)


def write_atomic_bytes(
    path: Path, data: bytes, *, known_dir: bool = False, mode: int | None = None
) -> None:
    """As :func:`write_atomic`; ``mode`` keeps a rewritten file's permissions (default: umask)."""
    if not known_dir:
        path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(name)
    try:
        os.fchmod(fd, _mode() if mode is None else mode)  # mkstemp creates 0600
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        tmp.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
