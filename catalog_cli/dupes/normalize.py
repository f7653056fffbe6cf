"""Name normalization for MATCHING only: stored names are never rewritten.

The pipeline runs in a fixed order and keeps every intermediate stage, so that for a pair of
names we can say which steps explain their difference (``explain``), not just that they match:

1. ``width``       NFKC (full-width → half-width, ８ → 8) and letter case;
2. ``punctuation`` quotation/book-title marks dropped, brackets and separators unified;
3. ``script``      traditional → simplified characters (curated table, ``script.yaml``);
4. ``level_tag``   （县级）（市级/县级）（县级行使）（住建行使）… removed;
5. ``filler``      的, 办理, stray spaces, leading 对…, trailing 事项…;
6. ``synonym``     renamed terminology (开业登记 → 设立登记 for 个体工商户);
7. ``punctuation`` brackets and separators removed: the comparison key.

On the key we then find the business actions (stem = key without them) and the key terms.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import Indel

from catalog_cli.dupes.vocab import Vocabularies

STEPS = ("width", "punctuation", "script", "level_tag", "filler", "synonym", "punctuation")
SEP = "、"
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Normalized:
    """One name after normalization, with what was done to it."""

    raw: str
    stages: tuple[str, ...]  # the name after each step in STEPS (index 0: after ``width``)
    key: str  # comparison key (last stage)
    stem: str  # key without business-action words
    actions: frozenset[str]  # action group names found in the key
    action_terms: tuple[str, ...]  # the action words as they appear
    terms: frozenset[str]  # key terms (longest match)
    order_key: str  # tokens sorted: equal for names that only reorder words
    tags: tuple[str, ...]  # level tags removed
    fillers: tuple[str, ...]  # filler words removed
    synonyms: tuple[str, ...]  # "term→canonical" replacements made


def _alternation(words: list[str]) -> str:
    uniq = sorted({w for w in words if w}, key=lambda w: (-len(w), w))
    return "|".join(re.escape(w) for w in uniq)


class Normalizer:
    """Compiled from :class:`Vocabularies`; ``normalize`` is cached per raw name."""

    def __init__(self, vocab: Vocabularies) -> None:
        self.vocab = vocab
        self._drop = str.maketrans("", "", vocab.drop_chars)
        table: dict[str, str] = dict(vocab.brackets)
        for ch in vocab.separators:
            table[ch] = SEP
        self._punct = str.maketrans(table)
        self._script = str.maketrans(vocab.script)
        levels = _alternation(vocab.levels)
        suffixes = _alternation(vocab.level_suffixes)
        parts: list[str] = []
        if levels:
            parts.append(
                rf"\((?:{levels})(?:[{SEP}/,](?:{levels}))*(?:{suffixes})?\)"
                if suffixes
                else rf"\((?:{levels})(?:[{SEP}/,](?:{levels}))*\)"
            )
        ex = _alternation(vocab.exercise_suffixes)
        if ex:
            parts.append(rf"\([^()]{{1,{vocab.exercise_max_chars}}}?(?:{ex})\)")
        self._tags = re.compile("|".join(parts)) if parts else None
        fillers = _alternation(vocab.fillers)
        self._fillers = re.compile(fillers) if fillers else None
        lead = _alternation(vocab.leading_fillers)
        self._lead = re.compile(rf"^(?:{lead})") if lead else None
        trail = _alternation(vocab.trailing_fillers)
        self._trail = re.compile(rf"(?:{trail})$") if trail else None
        self._synonyms = [
            (re.compile(_alternation(g.terms)), g.canonical, tuple(g.context))
            for g in vocab.synonyms
        ]
        self._action_group = {t: g.name for g in vocab.actions for t in g.terms}
        act = _alternation(list(self._action_group))
        self._actions = re.compile(act) if act else None
        terms = _alternation([t for g in vocab.key_terms for t in g])
        self._terms = re.compile(terms) if terms else None
        self.term_group = {t: i for i, g in enumerate(vocab.key_terms) for t in g}
        self.distinct_chars = frozenset(vocab.distinct_chars)
        self._split = re.compile(rf"[(){SEP}和与及]+")
        self.normalize = lru_cache(maxsize=1 << 18)(self._normalize)

    def _normalize(self, raw: str) -> Normalized:
        s = unicodedata.normalize("NFKC", raw).casefold()
        stages = [s]
        s = s.translate(self._drop).translate(self._punct)
        s = re.sub(rf"{SEP}{{2,}}", SEP, s).replace("()", "")
        stages.append(s)
        s = s.translate(self._script)
        stages.append(s)
        tags: list[str] = []
        if self._tags is not None:
            tags = self._tags.findall(s)
            s = self._tags.sub("", s)
        stages.append(s)
        removed: list[str] = []
        s2 = _SPACE.sub("", s)
        if s2 != s:
            removed.append(" ")
        s = s2
        if self._fillers is not None:
            removed += self._fillers.findall(s)
            s = self._fillers.sub("", s)
        for rx in (self._lead, self._trail):
            if rx is not None:
                m = rx.search(s)
                if m and len(s) > len(m.group(0)):  # never strip a name to nothing
                    removed.append(m.group(0))
                    s = s[: m.start()] + s[m.end() :]
        stages.append(s)
        replaced: list[str] = []
        for rx, canonical, context in self._synonyms:
            if context and not any(c in s for c in context):
                continue

            def sub(m: re.Match[str], canonical: str = canonical) -> str:
                if m.group(0) != canonical:
                    replaced.append(f"{m.group(0)}→{canonical}")
                return canonical

            s = rx.sub(sub, s)
        stages.append(s)
        with_punct = s
        key = re.sub(rf"[(){SEP}]", "", s)
        stages.append(key)
        action_terms: list[str] = []
        stem = key
        if self._actions is not None:
            action_terms = self._actions.findall(key)
            stem = self._actions.sub("", key)
        terms = frozenset(self._terms.findall(key)) if self._terms is not None else frozenset()
        tokens = sorted(t for t in self._split.split(with_punct) if t)
        return Normalized(
            raw=raw,
            stages=tuple(stages),
            key=key,
            stem=stem,
            actions=frozenset(self._action_group[t] for t in action_terms),
            action_terms=tuple(action_terms),
            terms=terms,
            order_key="|".join(tokens),
            tags=tuple(tags),
            fillers=tuple(removed),
            synonyms=tuple(replaced),
        )


def explain(a: Normalized, b: Normalized) -> list[str]:
    """Steps (names from STEPS) that reduce the difference between the two names, in order."""
    out: list[str] = []
    prev = Indel.distance(a.raw, b.raw)
    for step, sa, sb in zip(STEPS, a.stages, b.stages, strict=True):
        d = Indel.distance(sa, sb)
        if d < prev and step not in out:
            out.append(step)
        prev = d
    return out


def block_moved(a: str, b: str) -> bool:
    """b reorders a by moving one block of words: same characters, at most 3 broken adjacencies.

    Moving a block breaks at most three character adjacencies (before it, after it, and where
    it lands); everything else stays in order. Short names (< 4 characters) never qualify.
    """
    if len(a) != len(b) or a == b or len(a) < 4 or sorted(a) != sorted(b):
        return False
    pairs_a = Counter(a[i : i + 2] for i in range(len(a) - 1))
    pairs_b = Counter(b[i : i + 2] for i in range(len(b) - 1))
    shared = sum((pairs_a & pairs_b).values())
    return shared >= len(a) - 1 - 3
