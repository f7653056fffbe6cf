"""Precision and recall of the name classifier on labelled pairs (tests and the benchmark)."""

from __future__ import annotations

from typing import Any

from catalog_cli.dupes.classify import classify_names
from catalog_cli.dupes.normalize import Normalizer


def evaluate(norm: Normalizer, pairs: list[dict[str, Any]], threshold: float) -> dict[str, Any]:
    """``pairs``: ``{a, b, label}`` with label duplicate | variant | distinct.

    A pair counts as reported when classified duplicate or probable duplicate.
    """
    tp = fp = fn = 0
    variants_reported: list[tuple[str, str]] = []
    wrong: list[tuple[str, str, str, str]] = []
    for p in pairs:
        a, b = str(p["a"]), str(p["b"])
        m = classify_names(norm, norm.normalize(a), norm.normalize(b), threshold)
        got = m.kind if m is not None else "none"
        reported = got in ("duplicate", "probable")
        positive = p["label"] == "duplicate"
        if reported and positive:
            tp += 1
        elif reported:
            fp += 1
            wrong.append((a, b, p["label"], got))
            if p["label"] == "variant":
                variants_reported.append((a, b))
        elif positive:
            fn += 1
            wrong.append((a, b, p["label"], got))
    return {
        "pairs": len(pairs),
        "precision": tp / (tp + fp) if tp + fp else 0.0,
        "recall": tp / (tp + fn) if tp + fn else 0.0,
        "variants_reported": variants_reported,
        "wrong": wrong,
    }
