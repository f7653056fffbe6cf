"""Lossless candidate generation: every pair of keys whose ``fuzz.ratio`` reaches the threshold.

Exhaustive comparison is quadratic (50k names ≈ 43 s with rapidfuzz ``cdist`` on 2 cores), so
we use q-gram prefix filtering (the AllPairs/PPJoin scheme) with a bound derived from the scorer
and verify every candidate with the scorer itself. No pair above the threshold is lost:

``fuzz.ratio(a, b) = 100 · 2L / (la + lb)`` where L is the longest common subsequence (LCS).
Take an LCS alignment: L matched columns; D = la − L unmatched characters of a, I = lb − L of b.
Two consecutive matched columns form the same bigram in a and in b unless a run of unmatched
characters of a or of b lies between them. Unmatched characters form at most D runs in a and at
most I runs in b, and each run breaks at most one of the L − 1 consecutive column pairs, so a and
b share at least ``L − 1 − D − I = 3L − 1 − la − lb`` bigram occurrences (an injective matching of
equal bigrams, hence a lower bound on the multiset intersection). With ratio ≥ T, t = T/100,
L ≥ t(la + lb)/2, so the shared bigrams are at least

    c(la, lb) = (1.5 t − 1)(la + lb) − 1.

Bigrams are tokens with an occurrence number (许可#0, 许可#1), so set intersection equals multiset
intersection. Under one global token order (rarest first), two token sets sharing ≥ c tokens share
a token within their first ``n − c + 1`` tokens each (the prefix principle); using a smaller c for
one side only lengthens its prefix, which stays lossless. Records are processed by increasing
length: a record x probes with c at the shortest admissible partner (lb ≥ la·t/(2 − t), since
L ≤ min(la, lb)), and is indexed with c at the shortest later partner (lb ≥ la). Pairs with
c ≤ 0 (both names very short: la + lb ≤ 1/(1.5t − 1)) share no guaranteed bigram and are compared
exhaustively. For T < 80 the bigram bound is too weak and single characters are used instead
(then c = t(la + lb)/2 > 0 always, since L ≥ that many shared characters).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence

from rapidfuzz import fuzz, process

from catalog_cli.parallel import shares

EPS = 1e-9


def _tokens(s: str, q: int, ids: dict[tuple[str, int], int]) -> list[int]:
    seen: Counter[str] = Counter()
    out: list[int] = []
    for i in range(len(s) - q + 1):
        g = s[i : i + q]
        key = (g, seen[g])
        seen[g] += 1
        tid = ids.get(key)
        if tid is None:
            tid = ids[key] = len(ids)
        out.append(tid)
    return out


def _order(keys: list[str]) -> list[int]:
    """The search order: by length, then text (empty keys are left out)."""
    return sorted((i for i, k in enumerate(keys) if k), key=lambda i: (len(keys[i]), keys[i]))


def _q(threshold: float) -> int:
    """Bigrams, or single characters where the bigram bound is too weak (see the docstring)."""
    return 2 if 1.5 * threshold / 100.0 - 1 >= 0.2 else 1


def tokens(keys: list[str], threshold: float) -> dict[int, list[int]]:
    """Every key's tokens, rarest first (what each share of a search needs: computed once
    before the shares are forked, they share it instead of each building its own)."""
    q = _q(threshold)
    ids: dict[tuple[str, int], int] = {}
    toks = {i: _tokens(keys[i], q, ids) for i in _order(keys)}
    freq: Counter[int] = Counter()
    for ts in toks.values():
        freq.update(ts)
    rank = {tid: (f, tid) for tid, f in freq.items()}
    for ts in toks.values():
        ts.sort(key=rank.__getitem__)
    return toks


def similar_pairs(
    keys: list[str],
    threshold: float,
    share: tuple[int, int] = (0, 1),
    toks: dict[int, list[int]] | None = None,
) -> Iterator[tuple[int, int, float]]:
    """Yield ``(i, j, score)``, i < j, for every pair with ``fuzz.ratio ≥ threshold``.

    ``keys`` should be distinct (equal keys are grouped by the caller); empty keys are skipped.
    ``share`` ``(k, n)``: only the pairs found while probing the k-th of every n keys in the
    search order (the n shares together are all pairs, each once), so that n processes can
    split the work: each builds the whole index, which is cheap, and probes it for its keys.
    ``toks``: :func:`tokens` of ``keys`` when computed already.
    """
    part, parts = share
    t = threshold / 100.0
    if t <= 0:
        raise ValueError("threshold must be above 0")
    q = _q(threshold)
    slope = (1.5 * t - 1) if q == 2 else t / 2  # c(la, lb) = slope·(la+lb) − const
    const = 1.0 if q == 2 else 0.0
    lo = t / (2 - t)  # shortest admissible partner, as a fraction of the longer length
    order = _order(keys)

    # Short pairs with no guaranteed shared token: exhaustive (there are few such names).
    if q == 2:
        short_max = math.floor((1 + EPS) / slope) if slope > 0 else 0
        short = [i for i in order if len(keys[i]) <= short_max]
        for pos, i in enumerate(short):
            if pos % parts != part:
                continue
            for j in short[pos + 1 :]:
                if (len(keys[i]) + len(keys[j])) * slope - const > EPS:
                    continue  # long enough to share a bigram: the index finds it
                s = fuzz.ratio(keys[i], keys[j], score_cutoff=threshold)
                if s >= threshold:
                    yield min(i, j), max(i, j), s

    if toks is None:
        toks = tokens(keys, threshold)
    index: dict[int, list[int]] = defaultdict(list)
    start: dict[int, int] = defaultdict(int)  # postings before this are too short for now
    for turn, i in enumerate(order):
        x = keys[i]
        lx = len(x)
        tx = toks[i]
        n = len(tx)
        if n == 0:
            continue
        c_index = max(1, math.ceil(slope * (2 * lx) - const - EPS))
        if turn % parts != part:  # another process probes for this key; index it all the same
            for tid in tx[: max(0, n - c_index + 1)]:
                index[tid].append(i)
            continue
        min_len = math.ceil(lx * lo - EPS)
        c_probe = max(1, math.ceil(slope * (lx + min_len) - const - EPS))
        seen: set[int] = set()
        for tid in tx[: max(0, n - c_probe + 1)]:
            plist = index.get(tid)
            if not plist:
                continue
            p = start[tid]
            while p < len(plist) and len(keys[plist[p]]) < min_len:
                p += 1  # records come by increasing length: too short now, too short later
            start[tid] = p
            seen.update(plist[p:])
        if seen:
            cands = list(seen)
            if q == 2 and (lx + min_len) * slope - const <= EPS:
                # a short pair: already compared exhaustively above
                cands = [j for j in cands if (lx + len(keys[j])) * slope - const > EPS]
            # Candidates outnumber pairs ~200 to 1 on real catalogs: score them in one C loop
            # (the same scorer and cutoff as fuzz.ratio one pair at a time).
            found = process.extract(
                x,
                list(map(keys.__getitem__, cands)),
                scorer=fuzz.ratio,
                score_cutoff=threshold,
                limit=None,
            )
            for _, s, k in found:
                j = cands[k]
                yield (i, j, s) if i < j else (j, i, s)
        for tid in tx[: max(0, n - c_index + 1)]:
            index[tid].append(i)


# The key pairs of an earlier run: its keys and (i, j) positions into them.
KeyPairs = tuple[list[str], list[tuple[int, int]]]
INCREMENTAL_MAX = 300  # more new keys than this: the full search is as fast


def pairs_since(keys: list[str], threshold: float, before: KeyPairs | None) -> KeyPairs:
    """``similar_pairs``' (i, j) for ``keys``, from an earlier run's pairs when few keys are new.

    ``fuzz.ratio`` depends on the two keys only, so the earlier pairs among keys still present
    stay pairs (each is scored again: a cache is never believed), and only the new keys are
    compared with every key, as the exhaustive search would.
    """
    if before is not None:
        old_keys, old_pairs = before
        known = set(old_keys)
        new = [i for i, k in enumerate(keys) if k and k not in known]
        if len(new) <= INCREMENTAL_MAX:
            pos = {k: i for i, k in enumerate(keys)}
            out: set[tuple[int, int]] = set()
            for a, b in old_pairs:
                i, j = pos.get(old_keys[a], -1), pos.get(old_keys[b], -1)
                if i >= 0 and j >= 0 and fuzz.ratio(keys[i], keys[j]) >= threshold:
                    out.add((i, j) if i < j else (j, i))
            for i in new:
                for _, _, j in _matches(keys[i], keys, threshold):
                    if j != i and keys[j]:
                        out.add((i, j) if i < j else (j, i))
            return keys, sorted(out)
    if len(keys) < SHARED_FROM:
        return keys, sorted((i, j) for i, j, _ in similar_pairs(keys, threshold))
    global _SEARCH  # noqa: PLW0603 - the forked processes inherit it: nothing to pickle
    _SEARCH = (keys, threshold, tokens(keys, threshold))
    try:
        found = shares(_share)
    finally:
        _SEARCH = None
    return keys, sorted(pair for part in found for pair in part)


SHARED_FROM = 5000  # fewer keys: one process searches them faster than two can start
_SEARCH: tuple[list[str], float, dict[int, list[int]]] | None = None


def _share(share: tuple[int, int]) -> list[tuple[int, int]]:
    assert _SEARCH is not None
    keys, threshold, toks = _SEARCH
    return [(i, j) for i, j, _ in similar_pairs(keys, threshold, share, toks)]


def _matches(key: str, keys: Sequence[str], threshold: float) -> list[tuple[str, float, int]]:
    return process.extract(key, keys, scorer=fuzz.ratio, score_cutoff=threshold, limit=None)
