"""The duplicate search after an edit equals the full search (``dupes/incremental.py``).

Random catalogs built from the labelled real names (duplicates, variants and distinct names
side by side), random edits of the kinds a pull request makes — a rename, a moved region, a
changed or colliding code, a removed or added item, a renamed basic item whose implementations
inherit its name, a name copied into a large group — and the incremental result must be the
full search's, pair for pair and finding for finding.
"""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Any

import pytest
import yaml

from catalog_cli.dupes import incremental
from catalog_cli.dupes.decisions import Decision
from catalog_cli.dupes.find import (
    STAR_FROM,
    DupesOptions,
    DupesResult,
    SearchState,
    Side,
    find_pairs_of,
    side_row,
)
from catalog_cli.standard import Standard, load_standard
from tests.test_dupes_quality import PAIRS

KEEP = DupesOptions(state=True)
REGIONS = ["210102", "210103", "210200", "211302"]


@pytest.fixture(scope="module")
def standard() -> Standard:
    return load_standard()


def _names() -> list[str]:
    pairs = yaml.safe_load(PAIRS.read_text(encoding="utf-8"))["pairs"]
    return sorted({p[k] for p in pairs for k in ("a", "b")})


NAMES = _names()


def _catalog(rng: random.Random, n: int) -> list[Side]:
    """Basic items, implementations (some with their own names) and local items."""
    sides: list[Side] = []
    basics: list[Side] = []
    for i in range(n // 4):
        prefix = rng.choice(["00", "00", "21"])
        code = f"{prefix}{i:010d}"
        b = Side(f"items/basic/{code}.yaml", "basic", code, rng.choice(NAMES), True, None, None,
                 rng.choice(["行政许可", "公共服务"]), code)  # fmt: skip
        basics.append(b)
        sides.append(b)
    for i in range(n - len(basics)):
        region = rng.choice(REGIONS)
        if basics and rng.random() < 0.7:
            b = rng.choice(basics)
            own = rng.random() < 0.3
            name = rng.choice(NAMES) if own else b.name
            sides.append(Side(f"items/impl/{region}/{i:05d}.yaml", "implementation",
                              f"1121{region}{i:05d}{b.code}", name, own, 4, region, b.type,
                              b.basic_code))  # fmt: skip
        else:
            sides.append(Side(f"items/local/{region}/{i:05d}.yaml", "local", f"L{region}{i:05d}",
                              rng.choice(NAMES), True, 4, region, "公共服务", None))  # fmt: skip
    return _inherit(sides)


def _inherit(sides: list[Side]) -> list[Side]:
    """Implementations without a name of their own take their basic item's, as in the catalog."""
    names = {s.code: s.name for s in sides if s.kind == "basic"}
    out = []
    for s in sides:
        inherits = s.kind == "implementation" and not s.own_name
        out.append(replace(s, name=names.get(s.basic_code or "", "")) if inherits else s)
    return sorted(out, key=lambda s: s.path)


def _edit(rng: random.Random, sides: list[Side]) -> list[Side]:
    sides = list(sides)
    i = rng.randrange(len(sides))
    s = sides[i]
    what = rng.choice(["rename", "rename", "region", "code", "remove", "add", "type", "copy",
                       "unname"])  # fmt: skip
    if what == "rename" and (s.own_name or s.kind == "basic"):
        sides[i] = replace(s, name=rng.choice([*NAMES, s.name + "（县级）", "", "（）"]))
    elif what == "region" and s.kind != "basic":
        sides[i] = replace(s, region=rng.choice(REGIONS))
    elif what == "code":
        sides[i] = replace(s, code=rng.choice(sides).code)
    elif what == "remove":
        del sides[i]
    elif what == "add":
        sides.append(replace(s, path=f"items/new/{rng.randrange(10**6)}.yaml"))
    elif what == "type":
        sides[i] = replace(s, type=rng.choice(["行政许可", "公共服务", None]))
    elif what == "copy":  # one more item under a name many items share already
        sides.append(replace(sides[0], path=f"items/new/{rng.randrange(10**6)}.yaml", code=None))
    elif what == "unname" and s.kind == "implementation":
        sides[i] = replace(s, own_name=not s.own_name)
    return _inherit(sides)


def _since(
    sides: list[Side], standard: Standard, opt: DupesOptions, state: SearchState
) -> DupesResult | None:
    return incremental.search_since([side_row(s) for s in sides], standard, opt, state)


def _view(r: DupesResult) -> tuple[Any, ...]:
    pairs = [(p.to_dict(), p.severity, p.a, p.b) for p in r.pairs]
    return pairs, r.findings, r.items, r.names, r.decided


def _decisions(rng: random.Random, sides: list[Side]) -> list[Decision]:
    coded = [s for s in sides if s.code]
    out = []
    for k in range(3):
        a, b = rng.sample(coded, 2)
        out.append(Decision(a.code or "", b.code or "", "not-duplicate", None, None, k))
    out.append(Decision(coded[0].code or "", "000000009999", "not-duplicate", None, None, 3))
    return out


@pytest.mark.parametrize("seed", range(40))
def test_after_random_edits_equals_the_full_search(seed: int, standard: Standard) -> None:
    rng = random.Random(seed)
    sides = _catalog(rng, rng.choice([40, 120, 300]))
    decisions = _decisions(rng, sides) if seed % 3 == 0 else []
    first = find_pairs_of(sides, standard, DupesOptions(decisions=decisions, state=True))
    state = first.state
    assert state is not None
    for _ in range(rng.choice([1, 1, 2, 5])):
        sides = _edit(rng, sides)
    full = find_pairs_of(sides, standard, DupesOptions(decisions=decisions, state=True))
    since = _since(sides, standard, DupesOptions(decisions=decisions), state)
    assert since is not None
    assert _view(since) == _view(full)
    # and the state it leaves is the full search's, so that edits can follow edits
    assert since.state is not None and full.state is not None
    assert since.state.rows == full.state.rows and since.state.keys == full.state.keys
    assert sorted(since.state.pairs) == sorted(full.state.pairs)


def test_a_large_group_changes_its_star(standard: Standard) -> None:
    """Above STAR_FROM copies, each copy is paired with the first (by path): removing the first
    changes pairs between items that did not change."""
    name = NAMES[0]
    sides = [Side(f"items/l/{i:04d}.yaml", "local", f"L{i:04d}", name, True, 4, "210102", None,
                  None) for i in range(STAR_FROM + 5)]  # fmt: skip
    state = find_pairs_of(sides, standard, KEEP).state
    assert state is not None
    after = sides[1:]
    since = _since(after, standard, DupesOptions(), state)
    assert since is not None
    assert _view(since) == _view(find_pairs_of(after, standard))
    assert all(p.a.path == after[0].path for p in since.pairs)


def test_renaming_a_basic_item_reaches_its_implementations(standard: Standard) -> None:
    basic = Side("items/basic/000000000001.yaml", "basic", "000000000001", "临时占用林地审批",
                 True, None, None, "行政许可", "000000000001")  # fmt: skip
    other = Side("items/basic/000000000002.yaml", "basic", "000000000002", "草原等级评定",
                 True, None, None, "行政许可", "000000000002")  # fmt: skip
    impl = Side("items/impl/1.yaml", "implementation", "X1", "草原等级评定（县级）", True, 4,
                "210102", "行政许可", "000000000001")  # fmt: skip
    before = [basic, other, impl]
    first = find_pairs_of(before, standard, KEEP)
    assert [p.cls for p in first.pairs] == ["wrong-basic-item"]
    assert first.state is not None
    # the implementation did not change, but now its own name fits its basic item
    after = [replace(basic, name="草原等级评定"), other, impl]
    since = _since(after, standard, DupesOptions(), first.state)
    assert since is not None
    assert _view(since) == _view(find_pairs_of(after, standard))
    assert "wrong-basic-item" not in [p.cls for p in since.pairs]


def test_too_many_changes_search_it_all(standard: Standard) -> None:
    sides = _catalog(random.Random(1), incremental.MAX_DIRTY_KEYS)
    state = find_pairs_of(sides, standard, KEEP).state
    assert state is not None
    renamed = [replace(s, path=s.path + ".moved") for s in sides]
    assert _since(renamed, standard, DupesOptions(), state) is None


def test_what_the_state_does_not_cover_searches_it_all(standard: Standard) -> None:
    sides = _catalog(random.Random(2), 40)
    state = find_pairs_of(sides, standard, KEEP).state
    assert state is not None
    assert _since(sides, standard, DupesOptions(variants=True), state) is None
    assert _since(sides, standard, DupesOptions(scope="21"), state) is None
    assert find_pairs_of(sides, standard, DupesOptions(scope="21", state=True)).state is None
    assert find_pairs_of(sides, standard).state is None  # not asked for (catalog dupes)


def test_unchanged_catalog_keeps_every_pair(standard: Standard) -> None:
    sides = _catalog(random.Random(3), 120)
    first = find_pairs_of(sides, standard, KEEP)
    assert first.state is not None and first.pairs
    since = _since(sides, standard, DupesOptions(), first.state)
    assert since is not None
    assert _view(since) == _view(first)


def test_state_round_trips_as_plain_values(standard: Standard) -> None:
    import marshal

    sides = _catalog(random.Random(4), 40)
    state = find_pairs_of(sides, standard, KEEP).state
    assert state is not None
    back = SearchState.from_plain(marshal.loads(marshal.dumps(state.plain())))
    assert back == state
    empty = SearchState([], [], {}, [])
    assert SearchState.from_plain(marshal.loads(marshal.dumps(empty.plain()))) == empty


def test_the_count_of_changed_items(standard: Standard) -> None:
    sides = _catalog(random.Random(5), 40)
    state = find_pairs_of(sides, standard, KEEP).state
    assert state is not None and state.changed == -1  # a full search
    a, b = [i for i, s in enumerate(sides) if s.kind == "local"][:2]  # two local items
    edited = list(sides)
    edited[a] = replace(sides[a], name=sides[a].name + "（县级）")
    del edited[b]
    since = _since(edited, standard, DupesOptions(), state)  # one renamed, one removed
    assert since is not None and since.state is not None
    assert since.state.changed == 2
