"""The result cache may make a run faster; it must never change its result."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import marshal
import os
import random
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from catalog_cli import engine, fastpath, rounds
from catalog_cli.cache import CACHE_DIR, FACTS_FIELDS, INDEX_FILE, RUN_FILE, SHARDS_DIR
from catalog_cli.dupes import rule
from catalog_cli.dupes.candidates import pairs_since, similar_pairs
from catalog_cli.dupes.normalize import Normalized, Normalizer
from catalog_cli.dupes.rule import (
    NAMES_FILE,
    RESULT_FILE,
    SIMILAR_FILE,
    STATE_FILE,
    _fields,
    _normalized,
)
from catalog_cli.engine import Options, RunResult, validate
from catalog_cli.rules import reads_clock
from catalog_cli.standard import load_standard
from tests.conftest import TEMPLATES, MakeCatalog, invoke
from tests.test_dupes_candidates import KEYS

OLD = 1_600_000_000  # an mtime well in the past: files are not "racy"


def _age(root: Path) -> None:
    for p in (root / "items").rglob("*.yaml"):
        os.utime(p, (OLD, OLD))


def _run(root: Path, *, use_cache: bool = True) -> RunResult:
    return validate(Options(cwd=root, lang="en", use_cache=use_cache))


def _dicts(r: RunResult) -> list[dict[str, object]]:
    return [f.to_dict() for f in r.findings]


def _catalog(make_catalog: MakeCatalog) -> Path:
    root = make_catalog(
        {
            "items/basic/000123018000.yaml": (TEMPLATES / "basic.yaml").read_text("utf-8"),
            "items/basic/bad.yaml": "schema_version: 1\nkind: basic\nnaem: x\n",
        }
    )
    _age(root)
    return root


def test_second_run_is_cached_and_identical(make_catalog: MakeCatalog) -> None:
    root = _catalog(make_catalog)
    first = _run(root)
    second = _run(root)
    assert not first.cached and second.cached
    assert _dicts(first) == _dicts(second) and first.files == second.files
    # the text reporter can still show source lines from a cached run
    path = first.findings[0].path
    assert second.documents[path].source_line(first.findings[0].line)


def test_an_edit_invalidates_the_cache(make_catalog: MakeCatalog) -> None:
    root = _catalog(make_catalog)
    _run(root)
    bad = root / "items/basic/bad.yaml"
    bad.write_text("schema_version: 1\nkind: basic\nnaem: x\nfoo: 1\n", encoding="utf-8")
    os.utime(bad, (OLD, OLD))  # even with the old mtime, the size and inode changed
    third = _run(root)
    assert not third.cached
    assert any(f.pointer == "/foo" for f in third.findings)


def test_corrupt_or_half_written_cache_is_ignored(make_catalog: MakeCatalog) -> None:
    root = _catalog(make_catalog)
    expected = _dicts(_run(root))
    cache_file = root / CACHE_DIR / RUN_FILE
    raw = cache_file.read_bytes()
    for damaged in (raw[: len(raw) // 2], b"not json", b"{}", raw.replace(b"naem", b"name")):
        cache_file.write_bytes(damaged)
        again = _run(root)
        assert not again.cached, damaged[:40]
        assert _dicts(again) == expected


def test_forged_findings_with_a_wrong_digest_are_not_believed(make_catalog: MakeCatalog) -> None:
    root = _catalog(make_catalog)
    expected = _dicts(_run(root))
    cache_file = root / CACHE_DIR / RUN_FILE
    head, _, raw_body = cache_file.read_bytes().partition(b"\n")
    paths, _, refs = marshal.loads(raw_body)
    forged = marshal.dumps((paths, [], refs))  # the header's digest no longer matches
    cache_file.write_bytes(head + b"\n" + forged)
    again = _run(root)
    assert not again.cached and _dicts(again) == expected
    # the same forgery with a matching digest but another key is not believed either
    header = json.loads(head)
    header["key"] = "0" * 64
    cache_file.write_bytes(json.dumps(header).encode() + b"\n" + raw_body)
    assert not _run(root).cached


def test_options_and_no_cache(make_catalog: MakeCatalog) -> None:
    root = _catalog(make_catalog)
    _run(root)
    other_lang = validate(Options(cwd=root, lang="zh"))
    assert not other_lang.cached  # the language is part of the key
    fresh = _run(root, use_cache=False)
    assert not fresh.cached
    assert (root / CACHE_DIR / ".gitignore").read_text(encoding="utf-8") == "*\n"


def test_recently_written_files_are_not_cached(make_catalog: MakeCatalog) -> None:
    root = make_catalog({"items/basic/bad.yaml": "schema_version: 1\nkind: basic\n"})
    _run(root)
    assert not _run(root).cached  # written just now: its mtime could still change unseen


def test_cached_run_still_lists_every_checked_file(make_catalog: MakeCatalog) -> None:
    root = _catalog(make_catalog)
    first = _run(root)
    second = _run(root)
    assert second.cached
    assert sorted(second.documents) == sorted(first.documents)  # junit: a test case per file


# The item cache: after an edit only the changed files are parsed, and nothing it holds can
# change a result.


def _items_catalog(make_catalog: MakeCatalog) -> Path:
    basic = (TEMPLATES / "basic.yaml").read_text("utf-8")
    root = make_catalog(
        {
            "items/basic/000123018000.yaml": basic,
            "items/basic/000123018001.yaml": basic.replace("000123018000", "000123018001"),
            "items/basic/bad.yaml": "schema_version: 1\nkind: basic\nnaem: x\n",
            "items/basic/broken.yaml": "a: [1\n",
        }
    )
    _age(root)
    return root


def _parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files the run will parse (rather than take from the item cache)."""
    seen: list[str] = []
    real = fastpath.load_file

    def spy(path: Path, root: Path, max_bytes: int, relpath: str | None = None) -> object:
        seen.append(path.name)
        return real(path, root, max_bytes, relpath)

    monkeypatch.setattr(rounds, "load_file", spy)
    return seen


def _fresh(root: Path) -> list[dict[str, object]]:
    return _dicts(_run(root, use_cache=False))


def test_one_changed_file_is_the_only_one_parsed(
    make_catalog: MakeCatalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _items_catalog(make_catalog)
    _run(root)
    bad = root / "items/basic/bad.yaml"
    bad.write_text("schema_version: 1\nkind: basic\nnaem: x\nfoo: 1\n", encoding="utf-8")
    os.utime(bad, (OLD, OLD))
    parsed = _parsed(monkeypatch)
    again = _run(root)
    assert not again.cached and parsed == ["bad.yaml"]
    assert any(f.pointer == "/foo" for f in again.findings)
    monkeypatch.undo()
    assert _dicts(again) == _fresh(root)


def test_touched_but_unchanged_files_are_not_parsed_again(
    make_catalog: MakeCatalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _items_catalog(make_catalog)
    expected = _dicts(_run(root))
    for p in (root / "items").rglob("*.yaml"):
        os.utime(p, (OLD + 10, OLD + 10))  # a checkout or a copy: new stat, same bytes
    (root / CACHE_DIR / RUN_FILE).unlink()
    parsed = _parsed(monkeypatch)
    assert _dicts(_run(root)) == expected and parsed == []


def test_a_recently_written_file_is_hashed_again(
    make_catalog: MakeCatalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _items_catalog(make_catalog)
    bad = root / "items/basic/bad.yaml"
    os.utime(bad, None)  # now: its stat is not trusted, its content digest decides
    _run(root)
    before = bad.stat()
    # rewritten within the same mtime tick: same size, inode and mtime, only the bytes differ
    bad.write_text("schema_version: 1\nkind: basic\nnaem: y\n", encoding="utf-8")
    os.utime(bad, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = bad.stat()
    assert (after.st_size, after.st_ino, after.st_mtime_ns) == (
        before.st_size,
        before.st_ino,
        before.st_mtime_ns,
    )
    parsed = _parsed(monkeypatch)
    again = _run(root)
    assert parsed == ["bad.yaml"]
    monkeypatch.undo()
    assert _dicts(again) == _fresh(root)


def _damage(root: Path, how: str) -> None:
    shards = sorted((root / CACHE_DIR / SHARDS_DIR).iterdir())
    index = root / CACHE_DIR / INDEX_FILE
    if how == "truncated shard":
        shards[0].write_bytes(shards[0].read_bytes()[:100])
    elif how == "missing shard":
        shards[0].unlink()
    elif how == "garbage index":
        index.write_bytes(b"garbage")
    elif how == "forged index":  # right header, body swapped: the digest no longer matches
        head, _, body = index.read_bytes().partition(b"\n")
        index.write_bytes(head + b"\n" + marshal.dumps({}))
    elif how in ("forged shard", "malformed shard"):
        # a well-formed shard, named by its own digest, whose results were made from other
        # content (every result must name the content digest it was made from), or whose
        # findings have another shape
        rows = marshal.loads(shards[0].read_bytes())
        for row in rows:
            if how == "forged shard":
                row[0] = (row[0][0], "0" * 40, *row[0][2:])
                row[1].clear()
                row[3].clear()
            else:
                row[1][:] = [("SCH002", "unknown-key")] * (len(row[1]) or 1)
        forged = marshal.dumps(rows)
        shards[0].unlink()
        name = hashlib.sha256(forged).hexdigest()
        (shards[0].parent / name).write_bytes(forged)
        head, _, body = index.read_bytes().partition(b"\n")
        table = marshal.loads(body)
        table = {p: (st, d, name) for p, (st, d, _) in table.items()}
        body = marshal.dumps(table)
        digest = hashlib.sha256(body).hexdigest()
        header = json.dumps({**json.loads(head), "digest": digest}).encode()
        index.write_bytes(header + b"\n" + body)
    elif how == "malformed index":  # well-formed file, digest right, entries of another shape
        head, _, body = index.read_bytes().partition(b"\n")
        table = {p: (d, 1) for p, (_, d, _) in marshal.loads(body).items()}
        body = marshal.dumps(table)
        digest = hashlib.sha256(body).hexdigest()
        index.write_bytes(
            json.dumps({**json.loads(head), "digest": digest}).encode() + b"\n" + body
        )
    elif how == "other context":  # as a run of another tool version or configuration left it
        head, _, body = index.read_bytes().partition(b"\n")
        header = json.dumps({**json.loads(head), "key": "0" * 64}).encode()
        index.write_bytes(header + b"\n" + body)
    (root / CACHE_DIR / RUN_FILE).unlink()


@pytest.mark.parametrize(
    "how",
    [
        "truncated shard",
        "missing shard",
        "garbage index",
        "forged index",
        "forged shard",
        "malformed shard",
        "malformed index",
        "other context",
    ],
)
def test_a_damaged_or_stale_item_cache_changes_nothing(make_catalog: MakeCatalog, how: str) -> None:
    root = _items_catalog(make_catalog)
    expected = _dicts(_run(root))
    _damage(root, how)
    assert _dicts(_run(root)) == expected
    assert _dicts(_run(root)) == expected  # and the cache it wrote again is right too


def test_concurrent_runs_leave_a_usable_cache(make_catalog: MakeCatalog) -> None:
    # Two runs over different states, interleaved: B saves its index after A replaced the
    # shards; whatever either left behind, the next run's result is the fresh one.
    root = _items_catalog(make_catalog)
    _run(root)
    snapshot = root.parent / "snapshot"
    shutil.copytree(root / CACHE_DIR, snapshot)
    bad = root / "items/basic/bad.yaml"
    bad.write_text("schema_version: 1\nkind: basic\nfoo: 1\n", encoding="utf-8")
    os.utime(bad, (OLD, OLD))
    _run(root)  # run A: a new shard for bad.yaml, the old index replaced
    shutil.copy(snapshot / INDEX_FILE, root / CACHE_DIR / INDEX_FILE)  # run B's older index
    (root / CACHE_DIR / RUN_FILE).unlink()
    assert _dicts(_run(root)) == _fresh(root)


def test_a_moved_catalog_does_not_reuse_paths(make_catalog: MakeCatalog) -> None:
    root = _items_catalog(make_catalog)
    _run(root)
    moved = root.parent / "moved"
    root.rename(moved)
    result = _run(moved)
    assert not result.cached
    assert all(d.path.is_relative_to(moved) for d in result.documents.values())


# The duplicate search keeps the similar name pairs of the last run: after an edit only new
# names are compared with the rest, with exactly the full search's result.


def test_similar_pairs_since_an_earlier_run_equal_a_full_search() -> None:
    keys = KEYS[:1500]
    full = pairs_since(keys, 85, None)
    assert full[1] == sorted((i, j) for i, j, _ in similar_pairs(keys, 85)) and full[1]
    rng = random.Random(3)
    edited = sorted({*rng.sample(keys, 1400), *(k + "许可" for k in rng.sample(keys, 40))})
    expected = pairs_since(edited, 85, None)
    assert pairs_since(edited, 85, full) == expected
    # pairs the cache invents are scored again and dropped; a damaged cache is not used at all
    forged = (full[0], [*full[1], (0, len(keys) - 1)])
    assert pairs_since(keys, 85, forged) == full


def _names_catalog(make_catalog: MakeCatalog) -> Path:
    basic = (TEMPLATES / "basic.yaml").read_text("utf-8")
    names = [
        "饮用水供水单位卫生许可",
        "饮用水供水单位卫生许可证",
        "公共场所卫生许可",
        "娱乐场所经营许可",
    ]
    files: dict[str, str | bytes] = {}
    for i, name in enumerate(names):
        code = f"00012301800{i}"
        text = basic.replace("000123018000", code)
        text = re.sub(r"(?m)^name: .*$", f"name: {name}", text)
        files[f"items/basic/{code}.yaml"] = text
    root = make_catalog(files)
    _age(root)
    return root


def _check(root: Path, *, use_cache: bool = True) -> list[dict[str, object]]:
    result = validate(Options(cwd=root, lang="en", use_cache=use_cache), duplicates=True)
    return [f.to_dict() for f in result.findings]


def test_duplicate_findings_after_an_edit_equal_a_fresh_run(
    make_catalog: MakeCatalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _names_catalog(make_catalog)
    first = _check(root)
    assert any(str(f["code"]).startswith("DUP") for f in first)
    for name in (SIMILAR_FILE, NAMES_FILE, STATE_FILE):
        assert (root / CACHE_DIR / name).exists()
    path = root / "items/basic/000123018003.yaml"
    path.write_text(
        path.read_text("utf-8").replace("娱乐场所经营许可", "公共场所卫生许可证"), encoding="utf-8"
    )
    os.utime(path, (OLD, OLD))
    normalized: list[str] = []
    real = Normalizer._normalize

    def spy(self: Normalizer, raw: str) -> Normalized:
        normalized.append(raw)
        return real(self, raw)

    monkeypatch.setattr(Normalizer, "_normalize", spy)
    monkeypatch.setattr(rule, "find_pairs_of", None)  # the whole search must not run
    kept = (root / CACHE_DIR / STATE_FILE).read_bytes()
    after_edit = _check(root)
    # one item changed since the kept state: it serves the next run as well, and stays
    assert (root / CACHE_DIR / STATE_FILE).read_bytes() == kept
    # the changed name, then only the names it is compared with (the others are not looked at)
    assert normalized[0] == "公共场所卫生许可证" and len(normalized) <= 2
    monkeypatch.undo()
    assert after_edit == _check(root, use_cache=False) != first
    for name in (SIMILAR_FILE, NAMES_FILE, STATE_FILE):
        for damaged in (b"garbage", (root / CACHE_DIR / name).read_bytes()[:-3]):
            (root / CACHE_DIR / name).write_bytes(damaged)
            (root / CACHE_DIR / RUN_FILE).unlink()
            (root / CACHE_DIR / RESULT_FILE).unlink()
            assert _check(root) == after_edit


def test_dupes_after_check_reads_the_item_cache(
    make_catalog: MakeCatalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`catalog dupes` takes the items' facts from the check's item cache (no file parsed) and
    its search starts from the state the check's search kept; the pairs are those of a run
    without any cache."""
    root = _names_catalog(make_catalog)
    code, fresh, _ = invoke(root, "dupes", "--format", "json", "--lang", "en", "--no-cache")
    assert code == 0 and json.loads(fresh)["pairs"]
    assert not (root / CACHE_DIR).exists()  # --no-cache: nothing written either
    _check(root)  # (in English: the item cache's results are in the run's language)
    kept = {n: (root / CACHE_DIR / n).read_bytes() for n in (SIMILAR_FILE, NAMES_FILE)}
    parsed = _parsed(monkeypatch)
    with monkeypatch.context() as m:  # nothing changed since the check's search: its state serves
        m.setattr(rule, "find_pairs_of", None)
        assert invoke(root, "dupes", "--format", "json", "--lang", "en") == (0, fresh, "")
    assert parsed == []
    # a search of one region reads the kept names and pairs but does not replace them
    path = root / "items/basic/000123018003.yaml"
    path.write_text(path.read_text("utf-8").replace("娱乐场所经营许可", "新的名称"), "utf-8")
    os.utime(path, (OLD, OLD))
    code, scoped, _ = invoke(root, "dupes", "--format", "json", "--lang", "en", "--scope", "21")
    assert code == 0 and parsed == ["000123018003.yaml"]
    assert {n: (root / CACHE_DIR / n).read_bytes() for n in kept} == kept
    monkeypatch.undo()
    assert (
        scoped
        == invoke(root, "dupes", "--format", "json", "--lang", "en", "--scope", "21", "--no-cache")[
            1
        ]
    )


def test_a_forged_search_state_is_not_used() -> None:
    from catalog_cli.dupes.find import SearchState

    rows = [("a.yaml", "basic", "000000000001", "名称", True, None, None, None, "000000000001")]
    state = SearchState(rows, ["名称"], {"名称": ("名称", "名称", (), "")}, [])
    good = state.plain()
    assert rule._state(marshal.loads(marshal.dumps(good))) == state
    assert rule._state((good[0], [], *good[2:])) is None  # a key missing
    assert rule._state((good[0], [5], *good[2:])) is None  # a key out of range
    assert rule._state((*good[:4], [("duplicate", 100.0, "", 0, 1)])) is None  # no side 1
    assert rule._state((good[0][:8], *good[1:])) is None  # a column missing
    assert rule._state([]) is None


def test_forged_normalizations_are_not_used() -> None:
    names = ["饮用水供水单位卫生许可"]
    good = Normalizer(load_standard().vocabularies).normalize(names[0])
    table = {names[0]: _fields(good)}
    assert _normalized(table) == {names[0]: good}
    assert _normalized({"另一个名称": _fields(good)}) is None  # for another name
    assert _normalized({names[0]: _fields(good)[:-1]}) is None  # a field missing
    assert _normalized({names[0]: (*_fields(good)[:4], ["a"], *_fields(good)[5:])}) is None
    assert _normalized([]) is None


def test_an_edited_basic_item_rechecks_its_cached_implementations(
    make_catalog: MakeCatalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An implementation item's four-same and level findings depend on its basic item: its cached
    result is reused only while that basic item is unchanged."""
    basic = (TEMPLATES / "basic.yaml").read_text("utf-8")
    implementation = (TEMPLATES / "implementation.yaml").read_text("utf-8")
    name = next(ln for ln in basic.splitlines() if ln.startswith("name:"))
    root = make_catalog(
        {
            "items/basic/000123018000.yaml": basic,
            "items/implementation/i.yaml": implementation + name + "\n",
        }
    )
    _age(root)
    assert not any(f.code == "STD002" for f in _run(root).findings)
    basic_file = root / "items/basic/000123018000.yaml"
    basic_file.write_text(basic.replace(name, name + "（已改名）"), encoding="utf-8")
    os.utime(basic_file, (OLD, OLD))
    parsed = _parsed(monkeypatch)
    changed = _run(root)
    # the implementation file did not change, but its basic item did: it is checked again
    assert sorted(set(parsed)) == ["000123018000.yaml", "i.yaml"]
    assert [f.path for f in changed.findings if f.code == "STD002"] == [
        "items/implementation/i.yaml"
    ]
    assert _dicts(changed) == _fresh(root)
    basic_file.unlink()
    gone = _run(root)
    assert "STD001" in {f.code for f in gone.findings}
    assert _dicts(gone) == _fresh(root)


def _on(monkeypatch: pytest.MonkeyPatch, day: dt.date) -> None:
    """Make the engine's run date ``day``."""
    monkeypatch.setattr(engine, "run_date", lambda: day)


def _dated_catalog(make_catalog: MakeCatalog) -> Path:
    """A basic item cancelled on 2030-01-01 that is still 在用 (ELE008 warns from that day), and
    an implementation item of it that is not cancelled (STD001 from that day)."""
    basic = (TEMPLATES / "basic.yaml").read_text("utf-8") + "cancel_date: 2030-01-01\n"
    root = make_catalog(
        {
            "items/basic/000123018000.yaml": basic,
            "items/implementation/i.yaml": (TEMPLATES / "implementation.yaml").read_text("utf-8"),
            "items/basic/other.yaml": (TEMPLATES / "basic.yaml")
            .read_text("utf-8")
            .replace("000123018000", "000123018001"),
        }
    )
    _age(root)
    return root


def test_cached_results_last_until_a_date_they_depend_on_comes(
    make_catalog: MakeCatalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The item cache is not keyed by the day: a result is reused on later days until a date its
    rules asked about comes, and then its file is checked again (a cache restored in CI)."""
    root = _dated_catalog(make_catalog)
    _on(monkeypatch, dt.date(2029, 12, 30))
    before = _run(root)
    assert not {"ELE008", "STD001"} & {f.code for f in before.findings}
    _on(monkeypatch, dt.date(2029, 12, 31))
    parsed = _parsed(monkeypatch)
    next_day = _run(root)
    assert parsed == [] and not next_day.cached  # a new day: no run cache, every item cached
    assert _dicts(next_day) == _dicts(before)
    _on(monkeypatch, dt.date(2030, 1, 1))
    parsed = _parsed(monkeypatch)
    cancelled = _run(root)
    # the basic item's cancel date has come: it and the item that inherits from it, only
    assert sorted(set(parsed)) == ["000123018000.yaml", "i.yaml"]
    assert {(f.code, f.path) for f in cancelled.findings} >= {
        ("ELE008", "items/basic/000123018000.yaml"),
        ("STD001", "items/implementation/i.yaml"),
    }
    assert _dicts(cancelled) == _fresh(root)
    _on(monkeypatch, dt.date(2029, 12, 31))  # a clock set back: the day before is before again
    parsed = _parsed(monkeypatch)
    assert _dicts(_run(root)) == _dicts(before)
    assert sorted(set(parsed)) == ["000123018000.yaml", "i.yaml"]


def test_a_rule_that_reads_the_clock_keeps_the_cache_for_the_day(
    make_catalog: MakeCatalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A catalog's own rule that asks the clock, not Context.has_come: its findings could change
    any day, so the item cache holds only for the day it was made."""
    root = _dated_catalog(make_catalog)
    (root / "validators").mkdir()
    (root / "validators" / "loc901_dated.py").write_text(
        '''"""LOC901: an item whose effective date has come (a local rule)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from catalog_cli.findings import Finding
from catalog_cli.models import Entry, Item
from catalog_cli.rules import Context, ItemRule


class RuleLOC901(ItemRule):
    """An item in effect.

    Bad::

        effective_date: 2020-01-01

    Good::

        effective_date: 2099-01-01
    """

    code = "LOC901"
    name = "in-effect"
    summary = "An item in effect."
    summary_zh = "事项已生效。"
    per_file = True

    def check(self, entry: Entry, item: Item, ctx: Context) -> Iterator[Finding]:
        if item.effective_date and item.effective_date <= dt.date.today():
            yield self.finding(ctx, entry.doc, "/effective_date", "已生效", "in effect")
''',
        encoding="utf-8",
    )
    _on(monkeypatch, dt.date(2029, 12, 30))
    _run(root)
    parsed = _parsed(monkeypatch)
    _run(root)
    assert parsed == []  # the same day: cached
    _on(monkeypatch, dt.date(2029, 12, 31))
    parsed = _parsed(monkeypatch)
    _run(root)
    assert len(parsed) == 3  # the next day: every file checked again


def test_the_bundled_rules_ask_the_date_only_through_the_context() -> None:
    """Else the item cache would hold for a day only (see reads_clock)."""
    session = engine.open_session(Path(__file__).parent.parent)
    assert not reads_clock(session.rules)
    assert reads_clock([type("R", (), {"__module__": __name__})])  # this file calls today()


def test_the_cache_knows_the_shape_of_facts() -> None:
    from catalog_cli.facts import Facts

    assert len(Facts._fields) == FACTS_FIELDS


def test_the_duplicate_search_is_reused_while_no_name_code_or_place_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from benchmarks.generate import generate
    from catalog_cli.dupes import rule

    root = tmp_path / "cat"
    generate(300, root)
    basics = sorted((root / "items" / "basic").rglob("*.yaml"))
    shutil.copy(basics[0], basics[0].with_name("copy.yaml"))  # a duplicate for sure
    _age(root)
    monkeypatch.setattr(rule, "BACKGROUND_MIN_ITEMS", 10**9)  # inline: the spy sees it
    searches: list[int] = []
    real = rule.find_pairs_of

    def spy(*args: Any, **kwargs: Any) -> Any:
        searches.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(rule, "find_pairs_of", spy)

    def check() -> list[dict[str, object]]:
        found = validate(Options(cwd=root, lang="en"), duplicates=True)
        return [f.to_dict() for f in found.findings]

    def fresh() -> list[dict[str, object]]:
        found = validate(Options(cwd=root, lang="en", use_cache=False), duplicates=True)
        return [f.to_dict() for f in found.findings]

    first = check()
    assert searches == [1] and any(str(f["code"]).startswith("DUP") for f in first)
    item = sorted((root / "items" / "implementation").rglob("*.yaml"))[0]
    text = item.read_text(encoding="utf-8")
    item.write_text(text + '# a comment\nversion: "9"\n', encoding="utf-8")
    os.utime(item, (OLD, OLD))
    assert check() == fresh()
    assert searches == [1, 1]  # the fresh run searched; the cached one did not
    basic = basics[1]
    basic.write_text(basic.read_text(encoding="utf-8").replace("name: ", "name: 新", 1), "utf-8")
    os.utime(basic, (OLD, OLD))
    searches.clear()
    assert check() == fresh()
    assert searches == [
        1
    ]  # a name changed: the fresh run searched all, the cached one from its state
    for names, full in (([rule.RESULT_FILE], [1]), ([rule.RESULT_FILE, rule.STATE_FILE], [1, 1])):
        for name in names:
            damaged = root / CACHE_DIR / name
            damaged.write_bytes(damaged.read_bytes()[:-20])
        item.write_text(text + f"# another comment {full}\n", encoding="utf-8")  # no run hit
        os.utime(item, (OLD, OLD))
        searches.clear()
        assert check() == fresh() and searches == full

    # a line added above the name moves the pair's finding: the kept result is not reused as is
    def lines(found: list[dict[str, object]]) -> list[object]:
        return [f["line"] for f in found if f["path"] == rel and str(f["code"]).startswith("DUP")]

    rel = basics[0].relative_to(root).as_posix()
    before = lines(check())
    basics[0].write_text("# moved\n" + basics[0].read_text(encoding="utf-8"), encoding="utf-8")
    os.utime(basics[0], (OLD, OLD))
    moved = check()
    assert moved == fresh()
    assert before and lines(moved) == [int(str(n)) + 1 for n in before]


def _renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The formats the reporters render (rather than a stored report being printed)."""
    from catalog_cli.reporters import REPORTERS

    seen: list[str] = []
    for name, reporter in REPORTERS.items():
        real = reporter.render

        def spy(report: Any, out: Any, _real: Any = real, _name: str = name) -> None:
            seen.append(_name)
            _real(report, out)

        monkeypatch.setattr(reporter, "render", spy)
    return seen


@pytest.mark.parametrize("fmt", ["json", "sarif", "junit", "markdown"])
def test_an_identical_run_prints_the_stored_report(
    make_catalog: MakeCatalog, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    """Nothing changed and the same report asked for: the last one is printed as it was, with
    the same exit codes (--strict included)."""
    root = _catalog(make_catalog)
    renders = _renders(monkeypatch)
    first = invoke(root, "validate", "--format", fmt, "--lang", "en")
    assert renders == [fmt] and first[0] == 1
    second = invoke(root, "validate", "--format", fmt, "--lang", "en")
    assert renders == [fmt] and second == first  # printed, not rendered
    assert invoke(root, "validate", "--format", fmt, "--lang", "en", "--strict")[0] == 1
    assert invoke(root, "validate", "--format", fmt, "--lang", "zh")[1] != first[1]
    assert renders == [fmt, fmt]  # another language is another report


def test_a_stored_report_is_printed_only_for_its_own_inputs(
    make_catalog: MakeCatalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _catalog(make_catalog)
    renders = _renders(monkeypatch)
    _, out, _ = invoke(root, "validate", "--format", "json")
    bad = root / "items/basic/bad.yaml"
    bad.write_text("schema_version: 1\nkind: basic\nnaem: x\nfoo: 1\n", encoding="utf-8")
    _age(root)
    changed = invoke(root, "validate", "--format", "json")
    assert renders == ["json", "json"] and changed[1] != out and '"/foo"' in changed[1]
    invoke(root, "validate")  # text is never stored: it depends on the terminal
    invoke(root, "validate")
    assert renders == ["json", "json", "text", "text"]
    report = root / CACHE_DIR / "last-report.bin"
    report.write_bytes(report.read_bytes()[:-10])  # damaged: rendered again
    assert invoke(root, "validate", "--format", "json") == changed
    assert renders[-1] == "json" and len(renders) == 5
    bad.unlink()  # removed while its report is stored: not printed
    assert '"/foo"' not in invoke(root, "validate", "--format", "json")[1]


def test_a_shard_is_believed_only_with_the_engines_shape() -> None:
    from catalog_cli.cache import _result_rows

    facts = ("items/a.yaml", "0" * 40, *([None] * (FACTS_FIELDS - 2)))
    good = [[facts, [], "", [], (0, 9)]]
    assert _result_rows(good) and _result_rows([])
    bad_rows: list[Any] = [
        [facts, [], "", []],  # a row short
        [facts, [], "", [], (0, 9), 1],  # a row long
        (facts, [], "", [], (0, 9)),  # not a list
        [facts[:-1], [], "", [], (0, 9)],  # facts short
        [list(facts), [], "", [], (0, 9)],  # facts not a tuple
        [(1, *facts[1:]), [], "", [], (0, 9)],  # path not a string
        [(facts[0], None, *facts[2:]), [], "", [], (0, 9)],  # no digest
        [facts, (), "", [], (0, 9)],  # findings not a list
        [facts, [], None, [], (0, 9)],  # basic key not a string
        [facts, [], "", None, (0, 9)],
        [facts, [], "", [], (0,)],  # window short
        [facts, [], "", [], (0, "9")],  # window not ints
        [facts, [], "", [], (True, 9)],
        [facts, [], "", [], [0, 9]],
        5,
    ]
    for bad in bad_rows:
        assert not _result_rows([*good, bad]), bad


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork only")
def test_the_forked_search_reuses_the_last_result_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a large catalog the result's key is computed, and the last result found, in the
    forked search process: an edit that changes no name reuses it there."""
    from benchmarks.generate import generate

    root = tmp_path / "cat"
    generate(300, root)
    _age(root)
    monkeypatch.setattr(rule, "BACKGROUND_MIN_ITEMS", 1)  # the search forks
    marker = tmp_path / "searches"
    real = rule._Search.search

    def spy(self: Any) -> Any:
        with marker.open("a") as fh:  # (written in the forked process: a file, not a list)
            fh.write("search\n")
        return real(self)

    monkeypatch.setattr(rule._Search, "search", spy)

    def check(**kw: Any) -> list[dict[str, object]]:
        return [f.to_dict() for f in validate(Options(cwd=root, **kw), duplicates=True).findings]

    first = check()
    assert marker.read_text() == "search\n"
    item = sorted((root / "items" / "implementation").rglob("*.yaml"))[0]
    item.write_text(item.read_text(encoding="utf-8") + 'version: "9"\n', encoding="utf-8")
    os.utime(item, (OLD, OLD))
    marker.unlink()
    again = check()
    assert not marker.exists()  # no search: the last result served
    assert again == check(use_cache=False) and len(again) == len(first)


def test_an_edit_in_place_with_the_mtime_set_back_is_seen(make_catalog: MakeCatalog) -> None:
    """Same size, same inode, the old mtime restored (as `touch -d` or a sync tool may): only
    the ctime says the file changed, and it must be enough, for both cache layers."""
    root = _items_catalog(make_catalog)
    bad = root / "items/basic/bad.yaml"
    before = _run(root)
    assert any(f.pointer == "/naem" for f in before.findings)
    inode = bad.stat().st_ino
    with bad.open("r+", encoding="utf-8") as fh:  # in place: the same inode
        fh.write("schema_version: 1\nkind: basic\nnaeM: x\n")
    os.utime(bad, (OLD, OLD))
    assert bad.stat().st_ino == inode and bad.stat().st_mtime == OLD
    after = _run(root)
    assert not after.cached
    assert any(f.pointer == "/naeM" for f in after.findings)
    assert _dicts(after) == _fresh(root)


@pytest.mark.parametrize(
    "findings", [b'[{"code": "X"}]', b"[1]", b"not json", b'[{"severity": "fatal"}]']
)
def test_a_well_formed_run_cache_of_the_wrong_shape_is_not_believed(
    make_catalog: MakeCatalog, findings: bytes
) -> None:
    """Right key, right digest, findings that are no findings: computed again, not crashed."""
    root = _catalog(make_catalog)
    expected = _dicts(_run(root))
    cache_file = root / CACHE_DIR / RUN_FILE
    head, _, raw_body = cache_file.read_bytes().partition(b"\n")
    paths, stored, refs = marshal.loads(raw_body)
    assert [f["code"] for f in json.loads(stored)] == [f["code"] for f in expected]
    body = marshal.dumps((paths, findings, refs))
    header = {**json.loads(head), "digest": hashlib.sha256(body).hexdigest()}
    cache_file.write_bytes(json.dumps(header).encode() + b"\n" + body)
    again = _run(root)
    assert not again.cached and _dicts(again) == expected


@pytest.mark.parametrize(
    ("ci", "kept"), [("true", False), ("1", False), ("false", True), ("", True), ("0", True)]
)
@pytest.mark.parametrize("fmt", ["json", "text"])
def test_in_ci_the_run_is_not_kept_but_the_item_cache_is(
    make_catalog: MakeCatalog, monkeypatch: pytest.MonkeyPatch, ci: str, kept: bool, fmt: str
) -> None:
    """A CI checkout gives every file a new stat, so no later job could be answered from the
    run cache: it is not written there (the item cache, which the next job can use, is)."""
    from catalog_cli.cache import REPORT_FILE

    root = _catalog(make_catalog)
    monkeypatch.setenv("CI", ci)
    first = invoke(root, "validate", "--format", fmt, "--lang", "en")
    run_files = {p.name for p in (root / CACHE_DIR).iterdir()} & {RUN_FILE, REPORT_FILE}
    assert bool(run_files) == kept
    assert (root / CACHE_DIR / INDEX_FILE).is_file()
    assert invoke(root, "validate", "--format", fmt, "--lang", "en") == first
