"""A result cache for re-checking an unchanged catalog: ``.catalog-cache/`` at the catalog root.

The key covers everything a run's findings depend on: the tool's version, the content of every
standard and rule file in use, the configuration, the options, and the (path, size, mtime_ns)
of every input file — the same "stat" test git uses to notice edits. Any difference, and the
run is done in full. The cache file carries a digest of its own content and is replaced
atomically, so a corrupt, stale or half-written cache is ignored, never believed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from catalog_cli import __version__
from catalog_cli.findings import Finding, Location, Severity

CACHE_DIR = ".catalog-cache"
FORMAT = 3  # bump when the cached body changes shape


def _hash_tree(h: Any, directory: Path) -> None:
    for p in sorted(directory.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts:
            h.update(p.relative_to(directory).as_posix().encode())
            h.update(p.read_bytes())


def run_key(
    *,
    standard_dirs: Iterable[Path],
    rule_dirs: Iterable[Path],
    config_json: str,
    options: dict[str, Any],
    files: list[Path],
    extra_files: Iterable[Path] = (),
) -> str:
    """A digest of every input of a run; equal keys mean equal findings."""
    h = hashlib.sha256()
    h.update(f"catalog {__version__} cache {FORMAT}\n".encode())
    for d in [*standard_dirs, *rule_dirs]:
        h.update(b"\0dir\0")
        if d.is_dir():
            _hash_tree(h, d)
    h.update(config_json.encode())
    h.update(json.dumps(options, sort_keys=True, default=str).encode())
    for f in [*files, *extra_files]:
        try:
            st = os.lstat(f)
            h.update(f"{f}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ino}\n".encode())
        except OSError:
            h.update(f"{f}\0missing\n".encode())
    return h.hexdigest()


def _path(root: Path) -> Path:
    return root / CACHE_DIR / "last-run.json"


def load(root: Path, key: str) -> dict[str, Any] | None:
    """The cached result for ``key``, or None when absent, stale or damaged.

    The file is one header line (key and the body's sha256) and the body (JSON), so that a
    stale cache is rejected before parsing and a damaged one by its digest.
    """
    try:
        raw = _path(root).read_bytes()
        head, _, body = raw.partition(b"\n")
        header = json.loads(head)
        if header.get("key") != key or header.get("digest") != hashlib.sha256(body).hexdigest():
            return None
        data: dict[str, Any] = json.loads(body)
        return data
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def store(root: Path, key: str, data: dict[str, Any]) -> None:
    """Write atomically; a cache that cannot be written is silently skipped (it is only a cache)."""
    directory = root / CACHE_DIR
    with contextlib.suppress(OSError):
        directory.mkdir(exist_ok=True)
        ignore = directory / ".gitignore"
        if not ignore.exists():
            ignore.write_text("*\n", encoding="utf-8")
        body = json.dumps(data, ensure_ascii=False).encode()
        header = json.dumps({"key": key, "digest": hashlib.sha256(body).hexdigest()}).encode()
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(header + b"\n" + body)
            Path(tmp).replace(_path(root))
        except OSError:
            with contextlib.suppress(OSError):
                Path(tmp).unlink()


def finding_from_json(d: dict[str, Any]) -> Finding:
    return Finding(
        code=d["code"],
        rule=d["rule"],
        severity=Severity(d["severity"]),
        message=d["message"],
        path=d["path"],
        line=d["line"],
        column=d["column"],
        pointer=d["pointer"],
        hint=d["hint"],
        related=tuple(Location(r["path"], r["line"], r["column"]) for r in d["related"]),
    )
