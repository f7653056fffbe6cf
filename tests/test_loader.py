"""Loader properties: no input makes it raise; positions point at the nodes."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog_cli.engine import _path_sorted
from catalog_cli.loader import (
    Document,
    iter_yaml_files,
    load_document,
    load_text,
    relative,
    relative_name,
    relative_names,
    yaml_file_names,
)
from catalog_cli.models import build_entry

YAMLISH = st.text(
    alphabet=st.sampled_from([*"ab: -[]{}&*!#'\"\n\t0123456789yesno.,|>?%@`~饮用水", "\ufeff"]),
    max_size=200,
)


@settings(max_examples=300, deadline=None)
@given(YAMLISH)
def test_no_text_makes_the_loader_or_models_raise(text: str) -> None:
    doc = Document(Path("x.yaml"), "x.yaml")
    load_text(doc, text)
    build_entry(doc)  # must not raise either
    for p in doc.problems:
        assert p.code[:3] in ("YML", "SCH", "SUP")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_no_bytes_make_load_document_raise(tmp_path_factory: object, raw: bytes) -> None:
    doc = load_document(Path("x.yaml"), Path(), raw=raw)
    build_entry(doc)
    assert doc.data is not None or doc.problems or doc.text is not None


def test_positions_point_at_keys_and_values() -> None:
    doc = Document(Path("x.yaml"), "x.yaml")
    load_text(doc, "a: 1\nb:\n  - name: x\n    c: [1, 2]\n")
    assert doc.positions["/a"] == (1, 4)
    assert doc.key_positions["/b"] == (2, 1)
    assert doc.positions["/b/0/name"] == (3, 11)
    assert doc.positions["/b/0/c/1"] == (4, 12)
    assert doc.locate("/b/0/missing") == (3, 5)


def test_yaml11_values_keep_their_text() -> None:
    doc = Document(Path("x.yaml"), "x.yaml")
    load_text(doc, "a: yes\nb: 0755\nc: 2024-01-01\nd: true\ne: 12\nf: 1.5\ng: ~\n")
    assert doc.data == {
        "a": "yes",
        "b": "0755",
        "c": "2024-01-01",
        "d": True,
        "e": 12,
        "f": 1.5,
        "g": None,
    }
    assert [p.pointer for p in doc.problems] == ["/a", "/b"]


def test_path_strings_give_the_same_relative_paths_as_pathlib(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The engine lists files as strings (no pathlib object per file); same paths as before."""
    root = tmp_path / "cat"
    (root / "items" / "a-b").mkdir(parents=True)
    (root / "items" / "a").mkdir()
    for name in ("items/a/x.yaml", "items/a-b/y.yml", "items/a/.hidden.yaml", "items/z.txt"):
        (root / name).write_text("k: v\n", encoding="utf-8")
    assert yaml_file_names(root / "items") == [str(p) for p in iter_yaml_files(root / "items")]
    monkeypatch.chdir(tmp_path)
    rel = relative_name(root)
    names = [
        *yaml_file_names(root / "items"),
        "cat/items/a/x.yaml",  # relative to the working folder
        str(root),
        str(tmp_path / "elsewhere.yaml"),
        "elsewhere.yaml",
        str(root / "items" / ".." / "items" / "a" / "x.yaml"),
    ]
    for name in names:
        assert rel(name) == relative(Path(name), root), name
    # in bulk (the engine's way for the whole walk), whichever name comes first
    for first in range(len(names)):
        ordered = names[first:] + names[:first]
        assert relative_names(root, ordered) == [rel(n) for n in ordered]
    # several bases: sorted as the Path objects sort ("a/x" before "a-b/y")
    assert _path_sorted(set(names)) == [str(p) for p in sorted({Path(n) for n in names})]
