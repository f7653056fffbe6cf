"""Classify a pair of names, then a pair of items, and word the reason in both languages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from catalog_cli.dupes.normalize import Normalized, Normalizer, block_moved, explain
from catalog_cli.findings import Severity

# Stable codes: pairs become findings of `catalog check` under these codes later.
CODES: dict[str, str] = {
    "same-code-conflict": "DUP001",
    "duplicate": "DUP002",
    "probable-duplicate": "DUP003",
    "wrong-basic-item": "DUP004",
    "should-implement": "DUP005",
    "national-candidate": "DUP006",
}
# Findings about the run itself (decisions file, names that cannot be compared).
FINDING_CODES: dict[str, str] = {
    "invalid-decisions": "DUP007",
    "stale-decision": "DUP008",
    "unusable-name": "DUP009",
}
SEVERITY: dict[str, Severity] = {
    "same-code-conflict": Severity.ERROR,
    "duplicate": Severity.WARNING,
    "probable-duplicate": Severity.WARNING,
    "wrong-basic-item": Severity.WARNING,
    "should-implement": Severity.INFO,
    "national-candidate": Severity.INFO,
}
CLASS_ORDER = tuple(CODES)

# Confidence penalty per explained difference (score of a duplicate = 100 − sum, at least 90).
PENALTY = {
    "width": 0.5,
    "punctuation": 0.5,
    "script": 1.0,
    "level_tag": 3.5,
    "filler": 2.0,
    "synonym": 3.0,
    "word_order": 4.0,
    "action_synonym": 3.0,
}

MatchKind = Literal["duplicate", "probable", "variant"]


@dataclass(frozen=True, slots=True)
class Match:
    """How two names relate; ``steps`` are reason codes, ``detail`` the words involved."""

    kind: MatchKind
    score: float
    steps: tuple[str, ...]
    detail: tuple[str, ...] = ()


def _dup(a: Normalized, b: Normalized, extra: tuple[str, ...] = ()) -> Match:
    if a.raw == b.raw:
        return Match("duplicate", 100.0, ("identical",))
    steps = tuple(explain(a, b)) + extra
    if not steps:
        steps = ("punctuation",)
    detail: list[str] = []  # one entry per step: the words involved ("" when none to show)
    for step in steps:
        words: list[str] = []
        if step == "level_tag":
            words = sorted({_full_width(t) for t in (*a.tags, *b.tags)})
        elif step == "filler":
            words = sorted({w.strip() for w in (*a.fillers, *b.fillers)} - {""})
        elif step == "synonym":
            words = sorted(set(a.synonyms) ^ set(b.synonyms))
        elif step == "action_synonym":
            words = ["/".join(sorted(set(a.action_terms) ^ set(b.action_terms)))]
        detail.append("、".join(w for w in words if w))
    score = max(90.0, 100.0 - sum(PENALTY.get(s, 1.0) for s in steps))
    return Match("duplicate", round(score, 1), steps, tuple(detail))


def _full_width(tag: str) -> str:
    return tag.replace("(", "（").replace(")", "）")


def _terms_differ(norm: Normalizer, a: Normalized, b: Normalized) -> bool:
    """True when the key terms of some group differ (采矿权 vs 探矿权): distinct subjects."""
    return a.terms != b.terms and any(t in norm.term_group for t in a.terms ^ b.terms)


def classify_names(
    norm: Normalizer, a: Normalized, b: Normalized, threshold: float
) -> Match | None:
    """duplicate, probable duplicate, variant, or None (distinct / not similar)."""
    if not a.key or not b.key:
        return None
    if a.key == b.key:
        return _dup(a, b)
    if a.order_key == b.order_key or block_moved(a.key, b.key):
        return _dup(a, b, ("word_order",))
    if a.stem and a.stem == b.stem:
        if a.actions == b.actions:
            return _dup(a, b, ("action_synonym",))
        return Match("variant", round(fuzz.ratio(a.key, b.key), 1), ("variant",))
    score = fuzz.ratio(a.key, b.key)
    if score < threshold or _terms_differ(norm, a, b):
        return None
    if a.actions != b.actions:
        return None  # differs in an action and in something else: a variant of another item
    ops = [op for op in Levenshtein.opcodes(a.key, b.key) if op.tag != "equal"]
    seg_a = "".join(a.key[op.src_start : op.src_end] for op in ops)
    seg_b = "".join(b.key[op.dest_start : op.dest_end] for op in ops)
    if any(ch in norm.distinct_chars for ch in seg_a + seg_b):
        return None  # numbers, grades, negation: a different subject
    edits = Levenshtein.distance(a.key, b.key)
    shorter = min(len(a.key), len(b.key))
    # A one-character change in a short name is usually another subject (学位/学历公证); only
    # long names tolerate a small unexplained change (许可证/许可, a typo).
    allowed = 2 if shorter >= 20 else 1 if shorter >= 8 else 0
    if edits > allowed:
        return None
    return Match("probable", round(score, 1), ("similar",), (seg_a or "∅", seg_b or "∅"))


_REASON: dict[str, tuple[str, str]] = {
    "identical": ("名称完全相同", "identical names"),
    "width": ("全角/半角或大小写", "full-/half-width characters or letter case"),
    "punctuation": ("标点", "punctuation"),
    "script": ("繁体/简体字", "traditional vs simplified characters"),
    "level_tag": ("层级标注", "a level tag"),
    "filler": ("虚词或空格", "filler words or spaces"),
    "synonym": ("术语更名", "renamed terminology"),
    "word_order": ("词序", "word order"),
    "action_synonym": ("同义的办理动作", "synonymous action words"),
}


def reason_text(match: Match, lang: str) -> str:
    """Human reason: "differs only by a level tag （县级）" / "仅层级标注（县级）不同"."""
    zh = lang == "zh"
    if match.kind == "probable":
        a, b = match.detail
        return (
            f"高度相似，差异未能解释：“{a}” 与 “{b}”"
            if zh
            else f"very similar; unexplained difference: '{a}' vs '{b}'"
        )
    if match.kind == "variant":
        return "仅办理动作不同（业务办理项）" if zh else "differs only in the business action"
    if match.steps == ("identical",):
        return _REASON["identical"][0 if zh else 1]
    parts: list[str] = []
    for i, step in enumerate(match.steps):
        label = _REASON.get(step, (step, step))[0 if zh else 1]
        words = match.detail[i] if i < len(match.detail) else ""
        if words and zh:
            label += f"（{words}）" if not words.startswith("（") else words
        elif words:
            label += f" {words}" if words.startswith("（") else f" ({words.replace('、', ', ')})"
        if label not in parts:
            parts.append(label)
    if zh:
        return "仅" + "、".join(parts) + "不同"
    return "differs only by " + ", ".join(parts)


def class_reason(cls: str, base: str, lang: str, other: str = "") -> str:
    """Prefix the name reason with what the class means for the two items."""
    zh = lang == "zh"
    prefix = {
        "same-code-conflict": ("同一编码对应不同事项", "same code, different item"),
        "should-implement": (
            f"只有地方编码，应实施基本目录事项 {other}",
            f"only a local code; should implement basic item {other}",
        ),
        "wrong-basic-item": (
            f"名称与所关联的基本目录事项不符，却与基本目录事项 {other} 相近：关联错了？",
            f"name does not fit its basic item but matches basic item {other}: "
            "linked to the wrong basic item?",
        ),
        "national-candidate": (
            "省级新增事项与其他基本目录事项重复：可纳入国家目录",
            "province-added item duplicates another basic item: candidate for the national catalog",
        ),
    }.get(cls)
    if prefix is None:
        return base
    return f"{prefix[0]}；{base}" if zh else f"{prefix[1]}; {base}"
