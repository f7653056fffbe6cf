"""Candidate generation is lossless: it finds exactly the pairs an exhaustive comparison finds."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from rapidfuzz import fuzz, process

from catalog_cli.dupes.candidates import similar_pairs
from catalog_cli.dupes.normalize import Normalizer
from catalog_cli.standard import load_standard

DATA = Path(__file__).parent / "data"


def _keys() -> list[str]:
    """~4000 normalized keys: the real county list plus realistic edits of its names."""
    names = sorted({x["name"] for x in json.loads((DATA / "guangan-511602-part.json").read_text())})
    rng = random.Random(4)
    pool = list(names)
    for _ in range(3200):
        n = rng.choice(names)
        i = rng.randrange(len(n) + 1)
        op = rng.random()
        if op < 0.3:
            n = n[:i] + rng.choice(names)[:2] + n[i:]
        elif op < 0.6:
            n = n[:i] + n[i + 1 :]
        else:
            n = n[:i] + rng.choice("许可登记备案申请") + n[i + 1 :]
        pool.append(n)
    pool += ["a", "b", "ab", "ba", "许", "许可", "可许", "x" * 500, "x" * 499 + "y"]
    norm = Normalizer(load_standard().vocabularies)
    return sorted({norm.normalize(n).key for n in pool} - {""})


KEYS = _keys()


def _exhaustive(keys: list[str], threshold: float) -> set[tuple[int, int]]:
    out: set[tuple[int, int]] = set()
    for i, k in enumerate(keys):
        for _, _, j in process.extract(
            k, keys, scorer=fuzz.ratio, score_cutoff=threshold, limit=None
        ):
            if j > i:
                out.add((i, j))
    return out


@pytest.mark.parametrize("threshold", [70, 79.5, 80, 85, 90, 95])
def test_lossless_against_exhaustive(threshold: float) -> None:
    assert len(KEYS) > 3000
    expected = _exhaustive(KEYS, threshold)
    got = [(i, j) for i, j, _ in similar_pairs(KEYS, threshold)]
    assert len(got) == len(set(got)), "a pair was yielded twice"
    assert set(got) == expected
    assert expected, "the data must contain pairs above the threshold"


def test_scores_are_the_scorer_scores() -> None:
    for i, j, s in similar_pairs(KEYS[:800], 85):
        assert i < j
        assert s == pytest.approx(fuzz.ratio(KEYS[i], KEYS[j]))


def test_bad_threshold() -> None:
    with pytest.raises(ValueError):
        list(similar_pairs(["a"], 0))


@pytest.mark.parametrize(("threshold", "parts"), [(70, 2), (85, 3), (90, 2)])
def test_shares_split_the_pairs_without_loss_or_overlap(threshold: float, parts: int) -> None:
    """n processes each probe their share of the keys: together exactly the whole search."""
    whole = sorted((i, j) for i, j, _ in similar_pairs(KEYS, threshold))
    split = [
        [(i, j) for i, j, _ in similar_pairs(KEYS, threshold, (k, parts))] for k in range(parts)
    ]
    assert all(split), "every share finds some pairs"
    assert sorted(p for part in split for p in part) == whole


def test_a_large_search_on_all_cores_equals_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    from catalog_cli.dupes import candidates

    monkeypatch.setattr(candidates, "SHARED_FROM", 0)
    on_all_cores = candidates.pairs_since(KEYS, 85, None)
    monkeypatch.setattr(candidates, "SHARED_FROM", 10**9)
    assert on_all_cores == candidates.pairs_since(KEYS, 85, None)
    assert on_all_cores[1]
