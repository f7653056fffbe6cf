"""Caches for re-checking a catalog: ``.catalog-cache/`` at the catalog root (git-ignored).

Two layers, both keyed by a *context* digest of everything besides the item files that a result
depends on (the tool's version and source, the standard, the rule files, the configuration, the
language and the rules selected; today's date only when a per-file rule reads the clock itself,
see ``rules.reads_clock``):

- the **run cache** answers a run in which nothing changed: its key adds the (path, size,
  mtime_ns, inode, ctime_ns) of every input file, the "stat" test git uses to notice edits, and
  today's date (a catalog-wide rule may compare dates with it). It keeps
  the run in the form it was answered: the findings (``last-run.bin``), or the machine-format
  report that was printed (``last-report.bin``);
- the **item cache** (``items.idx`` and ``items/``) keeps every file's result (its facts for the
  catalog-wide rules, its per-file findings, and its per-item findings with the basic item they
  were made against), keyed by git's object id of the file's bytes, so that after an edit only
  the changed files are parsed again. Its index maps each path to the stat it had and the digest
  of its content; a file whose stat differs is hashed again, and its record is used only when the
  digests are equal. When many stats differ (a fresh clone with a restored cache: every file has
  a new mtime), git names the digests of the files it knows to be unchanged, without their being
  read (``revisions.worktree_ids``).

Every cache file is checked before it is believed: the run cache and the index carry a SHA-256 of
their body, and a shard of the item cache is named by the SHA-256 of its bytes. Files are
replaced atomically, a record must name the path and content digest it is used for, and anything
missing, stale, damaged or written by a concurrent run is ignored (the file is parsed again), so
no cache can change a result. Everything is stored with ``marshal`` (plain values only; the run
cache's findings as one JSON document within it), which reads back fast and cannot run code.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import marshal
import os
import stat as stat_mod
import time
from collections.abc import Collection, Iterable, Mapping, Sequence
from operator import itemgetter
from pathlib import Path
from typing import Any

import orjson

from catalog_cli import __version__
from catalog_cli.atomic import write_atomic_bytes
from catalog_cli.findings import Finding, Location, Severity
from catalog_cli.loader import blob_id
from catalog_cli.parallel import halves

CACHE_DIR = ".catalog-cache"
RUN_FILE = "last-run.bin"
INDEX_FILE = "items.idx"
SHARDS_DIR = "items"
GIT_FROM = 1000  # files whose stat changed: from this many, ask git for their digests
FORMAT = 7  # bump when a cached body changes shape (or its digests their meaning)
RACY_NS = 2_000_000_000  # a file written this recently may change again within the same mtime
MAX_SHARDS = 256  # more (each edit adds one): the next run rewrites the item cache in full

Stat = tuple[int, ...]  # see file_stats
FACTS_FIELDS = 14  # catalog_cli.facts.Facts (a test keeps them in step)


def _hash_tree(h: Any, directory: Path) -> None:
    for p in sorted(directory.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts:
            h.update(p.relative_to(directory).as_posix().encode())
            h.update(p.read_bytes())


def context_digest(
    *,
    standard_dirs: Iterable[Path],
    rule_dirs: Iterable[Path],
    config_json: str,
    options: dict[str, Any],
) -> str:
    """A digest of every input of a run except the item files themselves."""
    h = hashlib.sha256()
    h.update(f"catalog {__version__} cache {FORMAT}\n".encode())
    for d in [*standard_dirs, *rule_dirs]:
        h.update(b"\0dir\0")
        if d.is_dir():
            _hash_tree(h, d)
    h.update(config_json.encode())
    h.update(json.dumps(options, sort_keys=True, default=str).encode())
    return h.hexdigest()


STAT_HALVES_FROM = 20_000  # from this many files, two processes stat them (parallel.halves)


def file_stats(paths: Sequence[str]) -> list[Stat]:
    """A stat of each path that changes whenever its content or the loader's view of it can.

    ``(size, mtime_ns, inode, ctime_ns)``: the ctime too, as git's, because a tool may write a
    file in place and set its mtime back (the ctime, which no program sets, moves on). A
    symlink adds its target's, since the link's own stat says nothing about the content;
    ``(-1,)`` for a missing file.
    """
    return halves(_stats, paths, STAT_HALVES_FROM)


def _stats(paths: Sequence[str]) -> list[Stat]:
    out: list[Stat] = []
    lstat = os.lstat
    for p in paths:
        try:
            st = lstat(p)
            if stat_mod.S_ISLNK(st.st_mode):
                t = os.stat(p)  # noqa: PTH116 - strings on purpose
                out.append(
                    (
                        -2,
                        st.st_ino,
                        t.st_size,
                        t.st_mtime_ns,
                        t.st_ino,
                        st.st_ctime_ns,
                        t.st_ctime_ns,
                    )
                )
            else:
                out.append((st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns))
        except OSError:
            out.append((-1,))
    return out


def racy(stats: Iterable[Stat], since_ns: int) -> bool:
    """Whether a file was modified within RACY_NS before ``since_ns`` (or after it).

    By its mtime, as git decides it: a write in the same tick as our stat could leave every
    field as it was. (The ctime only tells a later edit that set the mtime back.)
    """
    limit = since_ns - RACY_NS
    # (_mtime inline: a call per file costs a tenth of a second on 100k files)
    return any((s[3] if s[0] == -2 else s[1] if len(s) > 1 else 0) > limit for s in stats)


def _mtime(s: Stat) -> int:
    return s[3] if s[0] == -2 else s[1] if len(s) > 1 else 0


def run_key(
    context: str, options: dict[str, Any], paths: Sequence[str], stats: Sequence[Stat]
) -> str:
    """The run cache's key: the context, the options and the stat of every input file."""
    h = hashlib.sha256(context.encode())
    h.update(json.dumps(options, sort_keys=True, default=str).encode())
    h.update(marshal.dumps((list(paths), list(stats))))
    return h.hexdigest()


def _read_checked(path: Path, key: str) -> bytes | None:
    """The body of a ``header line + body`` file whose header names ``key`` and the body's digest."""
    try:
        with path.open("rb") as fh:
            # the header first: a run that misses (another key) reads no further, where the
            # body can be a 26 MB report
            header = json.loads(fh.readline(4096))
            if header.get("key") != key:
                return None
            body = fh.read()
        if header.get("digest") != hashlib.sha256(body).hexdigest():
            return None
        return body
    except (OSError, ValueError, AttributeError):
        return None


def _write_checked(root: Path, name: str, key: str, body: bytes) -> None:
    """Write ``name`` atomically; a cache that cannot be written is skipped (it is only a cache)."""
    directory = root / CACHE_DIR
    with contextlib.suppress(OSError):
        directory.mkdir(exist_ok=True)
        ignore = directory / ".gitignore"
        if not ignore.exists():
            ignore.write_text("*\n", encoding="utf-8")
        header = json.dumps({"key": key, "digest": hashlib.sha256(body).hexdigest()}).encode()
        write_atomic_bytes(directory / name, header + b"\n" + body, known_dir=True)


def finding_tuple(f: Finding) -> tuple[Any, ...]:
    related = tuple((r.path, r.line, r.column) for r in f.related)
    return (f.code, f.rule, f.severity.value, f.message, f.path, f.line, f.column, f.pointer,
            f.hint, related)  # fmt: skip


_SEVERITY = {s.value: s for s in Severity}  # a third of the cost of Severity(value)


def finding(t: tuple[Any, ...]) -> Finding:
    code, rule, sev, message, path, line, column, pointer, hint, related = t
    return Finding(
        code, rule, _SEVERITY[sev], message, path, line, column, pointer, hint,
        tuple(Location(*r) for r in related) if related else (),
    )  # fmt: skip


def load(root: Path, key: str) -> dict[str, Any] | None:
    """The cached result of a run with this key (``paths``, ``findings``, ``references``), or None."""
    body = _read_checked(root / CACHE_DIR / RUN_FILE, key)
    if body is None:
        return None
    try:
        paths, findings, references = marshal.loads(body)
        return {
            "paths": paths,
            "findings": [_finding_of(d) for d in orjson.loads(findings)],
            "references": references,  # path → list of codes
        }
    except (ValueError, TypeError, EOFError, AttributeError, KeyError):
        return None


def _finding_of(d: dict[str, Any]) -> Finding:
    """A finding from its JSON object (``Finding.to_dict``)."""
    related = d["related"]
    return Finding(
        d["code"], d["rule"], _SEVERITY[d["severity"]], d["message"], d["path"], d["line"],
        d["column"], d["pointer"], d["hint"],
        tuple(Location(r["path"], r["line"], r["column"]) for r in related) if related else (),
    )  # fmt: skip


def store(
    root: Path,
    key: str,
    paths: list[str],
    findings: list[Finding],
    references: Mapping[str, Collection[str]],
) -> None:
    """Remember a run's result under ``key``.

    The findings as one orjson document (a tuple per finding, built in Python, took three
    times as long on 50k findings), and the references a C-level pass each.
    """
    codes = dict(zip(references, map(sorted, references.values()), strict=True))
    body = marshal.dumps((paths, orjson.dumps(findings), codes))
    _write_checked(root, RUN_FILE, key, body)


REPORT_FILE = "last-report.bin"


def load_report(root: Path, key: str, token: str) -> tuple[str, int, int] | None:
    """The report a run with this key rendered as ``token`` (a format and its options), with
    its error and warning counts; None when there is none."""
    value = load_value(root, REPORT_FILE, key)
    if (
        isinstance(value, tuple)
        and len(value) == 4
        and value[0] == token
        and isinstance(value[1], str)
        and type(value[2]) is int
        and type(value[3]) is int
    ):
        return value[1], value[2], value[3]
    return None


def store_report(root: Path, key: str, token: str, text: str, errors: int, warnings: int) -> None:
    """Remember the report of the run with this key (the last one only)."""
    store_value(root, REPORT_FILE, key, (token, text, errors, warnings))


def load_value(root: Path, name: str, key: str) -> Any:
    """A value :func:`store_value` kept under ``key``, or None when absent, stale or damaged.

    The caller checks its shape: a well-formed file of a run that crashed half-way is
    still only a hint.
    """
    body = _read_checked(root / CACHE_DIR / name, key)
    try:
        return None if body is None else marshal.loads(body)
    except (ValueError, TypeError, EOFError):
        return None


def store_value(root: Path, name: str, key: str, value: Any) -> None:
    """Keep a plain value (str, int, float, lists, tuples, dicts) for the next run."""
    _write_checked(root, name, key, marshal.dumps(value))


def _only(values: Iterable[Any], kind: type) -> bool:
    """Whether every value is exactly of ``kind`` (one C-level pass)."""
    return set(map(type, values)) <= {kind}


def _index_entries(entries: list[Any]) -> bool:
    """Whether every index entry is ``(stat tuple, digest, shard)``, checked a column at a time
    (a Python test per entry cost 0.1 s on 100k files)."""
    try:
        return (
            _only(entries, tuple)
            and set(map(len, entries)) <= {3}
            and _only(map(itemgetter(0), entries), tuple)
            and _only(map(itemgetter(1), entries), str)
            and _only(map(itemgetter(2), entries), str)
        )
    except (TypeError, IndexError):
        return False


def _result_rows(rows: list[Any]) -> bool:
    """Whether every row has the engine's shape: ``[facts, findings, basic key, findings,
    window]``, the facts a tuple of FACTS_FIELDS starting with two strings, the window two ints.

    Checked a column at a time, in C (``map`` over builtins): a Python test per row cost a
    third of a second on 100k files. One bad row rejects its shard (its files are parsed).
    """
    try:
        if not _only(rows, list) or not set(map(len, rows)) <= {5}:
            return False
        facts, windows = list(map(itemgetter(0), rows)), list(map(itemgetter(4), rows))
        return (
            _only(facts, tuple)
            and set(map(len, facts)) <= {FACTS_FIELDS}
            and _only(map(itemgetter(0), facts), str)
            and _only(map(itemgetter(1), facts), str)
            and _only(map(itemgetter(1), rows), list)
            and _only(map(itemgetter(2), rows), str)
            and _only(map(itemgetter(3), rows), list)
            and _only(windows, tuple)
            and set(map(len, windows)) <= {2}
            and _only(map(itemgetter(0), windows), int)
            and _only(map(itemgetter(1), windows), int)
        )
    except (TypeError, IndexError):
        return False


class ItemCache:
    """The per-file layer: the engine's per-file results in shards, found through an index.

    Results are opaque here: lists of plain values, each starting with the file's facts tuple
    (path, content digest, ...); the engine uses one only for the path and digest it names.
    """

    def __init__(self, root: Path, context: str) -> None:
        self.root = root
        self.context = context
        self.shards = root / CACHE_DIR / SHARDS_DIR
        # path → (stat, content digest, shard); stat () when it must not be trusted
        self.index: dict[str, tuple[Stat, str, str]] = {}
        body = _read_checked(root / CACHE_DIR / INDEX_FILE, context)
        if body is not None:
            with contextlib.suppress(ValueError, TypeError, EOFError):
                index = marshal.loads(body)
                if isinstance(index, dict) and _index_entries(list(index.values())):
                    self.index = index
        self.new_index: dict[str, tuple[Stat, str, str]] = {}

    def known(
        self, rels: Sequence[str], paths: Sequence[str], stats: Sequence[Stat]
    ) -> dict[str, list[tuple[int, str, bool]]]:
        """Shard → ``(position, content digest, stat unchanged)`` of every file whose result
        should still apply.

        A file whose stat changed is hashed again (touched but unchanged files stay cached): by
        git when there are many (``GIT_FROM``) and git knows them unchanged, else by reading it.
        """
        by_shard: dict[str, list[tuple[int, str, bool]]] = {}
        moved: list[tuple[int, str, str]] = []
        # (one tight loop: this runs for every file of every run)
        for i, found, st in zip(range(len(rels)), map(self.index.get, rels), stats, strict=True):
            if found is not None:
                if found[0] == st and st:
                    if found[2] in by_shard:
                        by_shard[found[2]].append((i, found[1], True))
                    else:
                        by_shard[found[2]] = [(i, found[1], True)]
                else:
                    moved.append((i, found[1], found[2]))
        ids: Mapping[str, str] = {}
        if len(moved) >= GIT_FROM:
            from catalog_cli.revisions import worktree_ids  # git only when it pays

            ids = worktree_ids(self.root) or {}
        for i, digest, shard in moved:
            digest_now = ids.get(rels[i])
            if digest_now is None:
                try:
                    with open(paths[i], "rb") as fh:  # noqa: PTH123 - strings on purpose
                        digest_now = blob_id(fh.read())
                except OSError:
                    continue
            if digest_now == digest:
                by_shard.setdefault(shard, []).append((i, digest, False))
        return by_shard

    def keep(self, rels: Iterable[str]) -> None:
        """Keep these index entries as they are (their stat was trusted and has not changed)."""
        index = self.index
        self.new_index.update((rel, index[rel]) for rel in rels)

    def read_shard(self, name: str) -> list[list[Any]]:
        """The results in a shard; none when it is missing or damaged."""
        try:
            raw = (self.shards / name).read_bytes()
        except OSError:
            return []
        if hashlib.sha256(raw).hexdigest() != name:
            return []
        try:
            rows = marshal.loads(raw)
        except (ValueError, TypeError, EOFError):
            return []
        if not isinstance(rows, list):
            return []
        return rows if _result_rows(rows) else []

    def write_shard(self, rows: list[list[Any]]) -> str:
        """Store results; returns the shard's name ('' when it cannot be written)."""
        raw = marshal.dumps(rows)
        name = hashlib.sha256(raw).hexdigest()
        try:
            self.shards.mkdir(parents=True, exist_ok=True)
            if not (self.shards / name).exists():
                write_atomic_bytes(self.shards / name, raw, known_dir=True)
        except OSError:
            return ""
        return name

    def remember(self, rel: str, st: Stat, digest: str, shard: str, since_ns: int) -> None:
        """Record where ``rel``'s record is, trusting its stat only when it is not racy."""
        if shard and digest:
            trusted = st if _mtime(st) and _mtime(st) <= since_ns - RACY_NS else ()
            self.new_index[rel] = (trusted, digest, shard)

    def fragmented(self) -> bool:
        return len({s for _, _, s in self.index.values()}) > MAX_SHARDS

    def save(self) -> None:
        """Write the new index and delete the shards it no longer needs."""
        if self.new_index != self.index:  # (a run with nothing new leaves it as it was)
            _write_checked(self.root, INDEX_FILE, self.context, marshal.dumps(self.new_index))
        used = {s for _, _, s in self.new_index.values()}
        # An unused shard may be one a concurrent run is about to name in its index: deleting
        # it only costs that run's next start a re-parse of those files, never a wrong result.
        stale_tmp = time.time() - 3600
        with contextlib.suppress(OSError):
            for entry in os.scandir(self.shards):
                with contextlib.suppress(OSError):
                    if entry.name.startswith("."):
                        if entry.stat().st_mtime < stale_tmp:  # left by a killed run
                            os.unlink(entry.path)  # noqa: PTH108
                    elif entry.name not in used:
                        os.unlink(entry.path)  # noqa: PTH108
