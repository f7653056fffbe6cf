"""The result cache may make a run faster; it must never change its result."""

from __future__ import annotations

import json
import os
from pathlib import Path

from catalog_cli.cache import CACHE_DIR
from catalog_cli.engine import Options, RunResult, validate
from tests.conftest import TEMPLATES, MakeCatalog

OLD = 1_600_000_000  # an mtime well in the past: files are not "racy"


def _age(root: Path) -> None:
    for p in (root / "items").rglob("*.yaml"):
        os.utime(p, (OLD, OLD))


def _run(root: Path, **kw: bool) -> RunResult:
    return validate(Options(cwd=root, lang="en", **kw))


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
    cache_file = root / CACHE_DIR / "last-run.json"
    text = cache_file.read_text(encoding="utf-8")
    for damaged in (text[: len(text) // 2], "not json", "{}", text.replace("naem", "name")):
        cache_file.write_text(damaged, encoding="utf-8")
        again = _run(root)
        assert not again.cached, damaged[:40]
        assert _dicts(again) == expected


def test_forged_findings_with_a_wrong_digest_are_not_believed(make_catalog: MakeCatalog) -> None:
    root = _catalog(make_catalog)
    expected = _dicts(_run(root))
    cache_file = root / CACHE_DIR / "last-run.json"
    head, _, raw_body = cache_file.read_bytes().partition(b"\n")
    body = json.loads(raw_body)
    body["findings"] = []  # forged: the header's digest no longer matches
    cache_file.write_bytes(head + b"\n" + json.dumps(body).encode())
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
