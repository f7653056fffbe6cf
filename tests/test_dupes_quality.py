"""Precision and recall of the name classifier on real, honestly labelled name pairs.

The labels (tests/data/name_pairs.yaml) say what the names MEAN; a pair counts as reported when
the classifier calls it a duplicate or a probable duplicate at the default threshold.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from catalog_cli.dupes.evaluate import evaluate
from catalog_cli.dupes.find import DEFAULT_THRESHOLD
from catalog_cli.dupes.normalize import Normalizer
from catalog_cli.standard import load_standard

PAIRS = Path(__file__).parent / "data" / "name_pairs.yaml"


def labelled() -> list[dict[str, Any]]:
    data = yaml.safe_load(PAIRS.read_text(encoding="utf-8"))
    pairs: list[dict[str, Any]] = data["pairs"]
    return pairs


@pytest.fixture(scope="module")
def result() -> dict[str, Any]:
    return evaluate(Normalizer(load_standard().vocabularies), labelled(), DEFAULT_THRESHOLD)


def test_labelled_set_is_big_and_balanced() -> None:
    pairs = labelled()
    labels = [p["label"] for p in pairs]
    assert len(pairs) >= 150
    assert set(labels) == {"duplicate", "variant", "distinct"}
    assert min(labels.count(x) for x in ("duplicate", "variant", "distinct")) >= 40


def test_precision(result: dict[str, Any]) -> None:
    assert result["precision"] >= 0.95, result["wrong"]


def test_recall(result: dict[str, Any]) -> None:
    assert result["recall"] >= 0.95, result["wrong"]


def test_no_variant_reported_as_duplicate(result: dict[str, Any]) -> None:
    assert result["variants_reported"] == []
