"""Find items by name or code: ranked hits with a score and the reason they match (pure).

Names are normalized exactly as duplicate detection does (``dupes.normalize.Normalizer`` over
the standard's vocabularies), once per distinct name, and scored on the comparison keys:

- the same key as the query (``classify_names`` explains why: identical, level tag, renamed
  term, word order …): the duplicate score (100 for identical names, at least 90);
- a key containing the query: ``80 + 20·len(query)/len(key)`` (卫生许可 finds every name
  containing it, the tightest first);
- otherwise ``fuzz.WRatio`` of the two keys;
- code-like text (letters, digits, hyphens) also matches codes: an equal code scores 100, an
  implementation of that basic code 90, a code starting with the text ``80 + 20·len/len``.

Scoring runs once per distinct key (``rapidfuzz.process.extract``, C++), so 100k items cost
about as much as their distinct names. Hits are ordered by score (highest first), then kind
(basic, implementation, local), code and path: the same query always gives the same list.
"""

from __future__ import annotations

import bisect
import heapq
import re
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process

from catalog_cli.dupes.classify import Match, classify_names, reason_text
from catalog_cli.dupes.find import DEFAULT_THRESHOLD
from catalog_cli.dupes.normalize import Normalized, Normalizer
from catalog_cli.models import BasicItem, Entry, ImplementationItem
from catalog_cli.published import record_code
from catalog_cli.standard import Regions, Standard

KINDS = ("basic", "implementation", "local")
DEFAULT_MIN_SCORE = 70.0
CLOSE = 80.0  # suggestions for an unknown code: a typo or two away (12 digits: ≥ 2 edits)
_CODE_LIKE = re.compile(r"[0-9A-Za-z][0-9A-Za-z-]{3,}", re.ASCII)

_WHY: dict[str, tuple[str, str]] = {
    "code-exact": ("编码相同", "same code"),
    "code-prefix": ("编码以查询内容开头", "code starts with the text"),
    "basic-code": ("实施该基本编码", "implements this basic code"),
    "similar-code": ("编码相近", "similar code"),
    "contains": ("名称包含查询内容", "name contains the text"),
    "fuzzy": ("名称相似", "similar name"),
}


@dataclass(frozen=True, slots=True)
class Record:
    """One item as search and show see it (names inherited from the basic item when omitted)."""

    path: str
    kind: str  # basic | implementation | local
    code: str | None  # the record's identity, as catalog export has it (published.record_code)
    basic_code: str | None
    implementation_code: str | None
    local_code: str | None
    name: str  # effective name; "" when there is none to inherit either
    region: str | None
    level: int | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "code": self.code,
            "basic_code": self.basic_code,
            "implementation_code": self.implementation_code,
            "local_code": self.local_code,
            "name": self.name,
            "region": self.region,
            "level": self.level,
            "path": self.path,
        }


@dataclass(frozen=True, slots=True)
class Hit:
    """A record that matches, how well (0–100) and why (machine tokens, best reason first)."""

    record: Record
    score: float
    why: tuple[str, ...]
    match: Match | None = None  # the duplicate classifier's verdict when the names compare

    def reason(self, lang: str = "zh") -> str:
        return why_text(self, lang)

    def sort_key(self) -> tuple[float, int, str, str]:
        r = self.record
        return (-self.score, KINDS.index(r.kind), r.code or "", r.path)

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        return {"score": self.score, "why": list(self.why), "reason": self.reason(lang)} | (
            self.record.to_dict()
        )


def why_text(hit: Hit, lang: str = "zh") -> str:
    """The reason in words: the duplicate classifier's wording for names, ours for the rest."""
    if hit.match is not None:
        return reason_text(hit.match, lang)
    zh = lang == "zh"
    words = [_WHY.get(w, (w, w))[0 if zh else 1] for w in hit.why]
    return ("；" if zh else "; ").join(words)


def _records(entries: Iterable[Entry]) -> list[Record]:
    items = [(e.path, e.item) for e in entries if e.item is not None]
    basic_names = {
        it.basic_code: it.name
        for _, it in items
        if isinstance(it, BasicItem) and it.basic_code and it.name
    }
    out: list[Record] = []
    for path, it in items:
        impl = it if isinstance(it, ImplementationItem) else None
        kind = "basic" if impl is None else "implementation" if it.basic_code else "local"
        name = it.name or (basic_names.get(it.basic_code) if it.basic_code else None) or ""
        out.append(
            Record(
                path=path,
                kind=kind,
                code=record_code(it),
                basic_code=it.basic_code,
                implementation_code=impl.implementation_code if impl else None,
                local_code=it.local_code,
                name=name,
                region=impl.region if impl else None,
                level=impl.level if impl else None,
            )
        )
    return out


def in_region(record: Record, prefix: str) -> bool:
    """An implementation or local item whose region lies within ``prefix`` (canonical form)."""
    return record.region is not None and Regions.canonical(record.region).startswith(prefix)


class _Found:
    """The hits of one search: the best score per record, among the records the filters keep."""

    def __init__(
        self, records: list[Record], kinds: Collection[str] | None, region: str | None
    ) -> None:
        self.records, self.kinds, self.region = records, kinds, region
        self.best: dict[int, Hit] = {}

    def keep(self, i: int) -> bool:
        r = self.records[i]
        return (self.kinds is None or r.kind in self.kinds) and (
            self.region is None or in_region(r, self.region)
        )

    def offer(self, i: int, score: float, why: tuple[str, ...], match: Match | None = None) -> None:
        old = self.best.get(i)
        if old is None or score > old.score:
            self.best[i] = Hit(self.records[i], round(score, 1), why, match)


class SearchIndex:
    """Every modelled item, its normalized name and its codes, ready to be searched."""

    def __init__(self, entries: Iterable[Entry], standard: Standard) -> None:
        self.norm = Normalizer(standard.vocabularies)
        self.records = _records(entries)
        by_key: dict[str, list[int]] = defaultdict(list)
        self._norms: dict[str, Normalized] = {}
        for i, r in enumerate(self.records):
            n = self._norms.get(r.name)
            if n is None:
                n = self._norms[r.name] = self.norm.normalize(r.name)
            if n.key:
                by_key[n.key].append(i)
        self._keys = sorted(by_key)
        self._key_records = [by_key[k] for k in self._keys]
        self._key_index = {k: i for i, k in enumerate(self._keys)}
        own: dict[str, list[int]] = defaultdict(list)  # code → records carrying it as their own
        implementing: dict[str, list[int]] = defaultdict(list)  # basic code → implementations
        for i, r in enumerate(self.records):
            for code in {r.code, r.implementation_code, r.local_code} - {None}:
                assert code is not None
                own[code.strip().upper()].append(i)
            if r.kind == "implementation" and r.basic_code:
                implementing[r.basic_code.strip().upper()].append(i)
        self._own = dict(own)
        self._implementing = dict(implementing)
        self._codes = sorted(own)

    def by_code(self, code: str) -> list[Record]:
        """Records whose own code (basic, implementation or local) equals ``code``."""
        found = [self.records[i] for i in self._own.get(code.strip().upper(), [])]
        return sorted(found, key=lambda r: (KINDS.index(r.kind), r.path))

    def implementations(self, basic_code: str) -> list[Record]:
        """Implementation items of a basic code, by code then path."""
        found = [self.records[i] for i in self._implementing.get(basic_code.strip().upper(), [])]
        return sorted(found, key=lambda r: (r.code or "", r.path))

    def search(
        self,
        text: str,
        *,
        limit: int = 10,
        kinds: Collection[str] | None = None,
        region: str | None = None,
        min_score: float = DEFAULT_MIN_SCORE,
    ) -> list[Hit]:
        """Ranked hits for a name (fragment) or a code; ``region`` keeps implementation and
        local items within it (e.g. ``21``, ``2101``, ``210102``). Blank text: no hits."""
        q = text.strip()
        if not q or limit <= 0:
            return []
        found = _Found(self.records, kinds, Regions.canonical(region) if region else None)
        if _CODE_LIKE.fullmatch(q):
            self._code_hits(q.upper(), found)
        qn = self.norm.normalize(q)
        if qn.key:
            self._name_hits(qn, limit, min_score, found)
        return sorted(found.best.values(), key=Hit.sort_key)[:limit]

    def closest(self, text: str, limit: int = 5) -> list[Hit]:
        """Suggestions for an unknown code or name: the nearest codes and the nearest names."""
        q = text.strip()
        if not q:
            return []
        hits = {h.record.path: h for h in self.search(q, limit=limit, min_score=CLOSE)}
        for code, score, _ in process.extract(
            q.upper(), self._codes, scorer=fuzz.ratio, limit=limit, score_cutoff=CLOSE
        ):
            for i in self._own[code]:
                r = self.records[i]
                old = hits.get(r.path)
                if old is None or score > old.score:
                    hits[r.path] = Hit(r, round(score, 1), ("similar-code",))
        return sorted(hits.values(), key=Hit.sort_key)[:limit]

    def _code_hits(self, q: str, found: _Found) -> None:
        for i in self._implementing.get(q, []):
            if found.keep(i):
                found.offer(i, 90.0, ("basic-code",))
        start = bisect.bisect_left(self._codes, q)
        for code in self._codes[start:]:
            if not code.startswith(q):
                break
            exact = code == q
            score = 100.0 if exact else 80.0 + 20.0 * len(q) / len(code)
            for i in self._own[code]:
                if found.keep(i):
                    found.offer(i, score, ("code-exact",) if exact else ("code-prefix",))

    def _name_hits(self, qn: Normalized, limit: int, min_score: float, found: _Found) -> None:
        q = qn.key
        scores: dict[int, tuple[float, str]] = {}
        for _, score, k in process.extract(
            q, self._keys, scorer=fuzz.WRatio, limit=None, score_cutoff=min_score
        ):
            scores[k] = (score, "fuzzy")
        for k, key in enumerate(self._keys):
            if q in key:  # tighter names first: the query is more of the name
                scores[k] = (80.0 + 20.0 * len(q) / len(key), "contains")
        same = self._key_index.get(q)
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1][0], kv[0]))
        top: list[float] = []  # min-heap of the best `limit` scores taken so far
        for k, (score, why) in ranked:
            if len(top) >= limit and score < top[0]:
                break  # every later key scores lower than the hits already taken
            for i in self._key_records[k]:
                if not found.keep(i):
                    continue
                r = self.records[i]
                m = None
                if k == same:  # the same key: the duplicate classifier says why, and how sure
                    m = classify_names(self.norm, qn, self._norms[r.name], DEFAULT_THRESHOLD)
                if m is not None:
                    found.offer(i, m.score, m.steps, m)
                else:
                    found.offer(i, score, (why,))
                heapq.heappush(top, m.score if m is not None else score)
                if len(top) > limit:
                    heapq.heappop(top)
