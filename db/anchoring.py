"""Selectors for highlights, and re-anchoring them when a document's text changes.

A highlight is stored as a :class:`Selector`: its ``[start, end)`` offsets plus
the exact quote and up to :data:`CONTEXT` characters of text on either side.
When the text changes, :func:`reanchor` finds it again, in four steps:

1. **Map** the old offsets through a diff of the old text against the new one
   (a :class:`TextMap`) and check that the mapped range still holds the quote:
   ``exact`` if the offsets did not change, ``moved`` if they did.
2. **Search the quote exactly**, choosing among repeats by how well the text
   around each one matches the stored prefix and suffix, then by nearness to
   where the diff says the highlight went: ``moved`` (or ``exact``).
3. **Search approximately** (edit distance) near that place; failing that, in
   the text the diff says is new, or where pieces of the quote or its context
   survive, or (without a diff) in the whole text: ``fuzzy``, with a score.
4. Otherwise the highlight is an ``orphan`` and keeps its old offsets.

The anchors we studied take any match within their edit budget, and
mis-anchor (Hypothesis: h#2634, h#2798, h#4328, client#7571). Here a weak match
is refused: the edits, the length and a score combining quote and context
similarity are all bounded (see the policy constants). And with a diff, a quote
that is not where the diff put it is not matched to text that the diff shows
was already there elsewhere, since that is another passage that looks like it
(unless the quote and all its context are there, word for word).

Offsets are Python string indices (code points). Nothing here raises on any
input; a bad selector simply ends up an orphan.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Final

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein, Opcodes

#: Characters of context kept on each side of a quote (fewer at the ends of the text).
CONTEXT: Final = 32

# --- policy -----------------------------------------------------------------
# The quote may differ from the text it is matched to by at most this share of
# its length (edits counted by Levenshtein distance) ...
MAX_EDIT_SHARE: Final = 0.25
# ... and the matched text may be at most this much shorter or longer.
MAX_LENGTH_CHANGE: Final = 0.25
# A match's score is QUOTE_WEIGHT x quote similarity + CONTEXT_WEIGHT x context
# similarity (each 0-1); below MIN_SCORE it is refused. With perfect context a
# quote may have lost a quarter of its characters; an exact quote needs half
# of its context to agree.
QUOTE_WEIGHT: Final = 0.6
CONTEXT_WEIGHT: Final = 0.4
MIN_SCORE: Final = 0.8
# A selector without any context (an imported quote) has nothing to confirm a
# match but the quote itself, so it must be closer. 0.85 keeps out the
# "long quote that must not match" fixtures, which come within 0.82.
MIN_SCORE_WITHOUT_CONTEXT: Final = 0.85
# An exact quote that occurs once in the new text and is at least this long is
# taken even when its context changed (a sentence moved to another paragraph).
MIN_UNIQUE_QUOTE: Final = 10
# Among acceptable candidates, nearness to the expected place only breaks near-ties.
NEARNESS_WEIGHT: Final = 0.05

# --- effort bounds ------------------------------------------------------------
# Exact occurrences of a short quote scored against the context, nearest first.
_MAX_OCCURRENCES: Final = 200
# Windows up to this many characters are searched with the bit-parallel edit
# distance below; longer ones are first narrowed down by rapidfuzz.
_MAX_DIRECT_WINDOW: Final = 4096
# Separate stretches of new text searched for a moved and edited quote; past
# this many, the places where pieces of it survive (_seed_windows) instead.
_MAX_WINDOWS: Final = 64
# Those pieces: this many characters (of the context; of the quote, at most this
# and at least _MIN_QUOTE_SEED), this many pieces of the quote, the hits of each
# kept (nearest first), and the places searched.
_SEED: Final = 16
_MIN_QUOTE_SEED: Final = 8
_MAX_PIECES: Final = 8
_SEED_HITS: Final = 8
_MAX_SEED_WINDOWS: Final = 8
# Without a diff, quotes up to this long that are found nowhere else are looked
# for in the whole text with rapidfuzz: ~0.2 s on a 4 MB book at this length.
_MAX_GLOBAL_QUOTE: Final = 500
# Approximate candidates kept per window, and how many of them are aligned with their context.
_MAX_CANDIDATES: Final = 16
_MAX_ALIGNED: Final = 4
# Quotes longer than this are only found exactly.
_MAX_FUZZY_QUOTE: Final = 20_000
# Character-level diff (difflib) only where both sides of a change are this small.
_MAX_CHAR_DIFF: Final = 200 * 200
# difflib on tokens only when the two token lists are this small (it can go quadratic).
_MAX_TOKEN_DIFF: Final = 500 * 500
# Context may sit this many characters away from the quote and still count as adjacent.
_CONTEXT_SLACK: Final = 4
# reanchor_all asks cancelled() after this many selectors.
_CANCEL_EVERY: Final = 64


@dataclass(frozen=True, slots=True)
class Selector:
    """Where a highlight was: ``[start, end)`` in the old text, its quote and context."""

    start: int
    end: int
    quote: str
    prefix: str
    suffix: str


@dataclass(frozen=True, slots=True)
class Anchor:
    """Where a highlight is now.

    ``status`` is one of ``exact``, ``moved``, ``fuzzy``, ``orphan`` (see
    ``db.models.ANCHOR_STATUSES``). ``score`` is 1.0 for exact and moved
    anchors, the match score (at least :data:`MIN_SCORE`) for fuzzy ones and
    0.0 for orphans, whose ``start``/``end`` are the selector's, unchanged.
    """

    start: int
    end: int
    status: str
    score: float


def make_selector(text: str, start: int, end: int, context: int = CONTEXT) -> Selector:
    """The selector of ``text[start:end]``: the quote and up to ``context`` characters around it."""
    size = len(text)
    start, end = sorted((max(0, min(start, size)), max(0, min(end, size))))
    context = max(0, context)
    return Selector(
        start=start,
        end=end,
        quote=text[start:end],
        prefix=text[max(0, start - context) : start],
        suffix=text[end : end + context],
    )


# =============================================================================
# The diff: old offsets -> new offsets
# =============================================================================


class TextMap:
    """Maps offsets of an old text to the new one, through the runs of text they share.

    Build it once per pair of texts with :func:`text_map`. A position inside a
    shared run maps exactly; one inside text that was replaced or deleted has
    only an approximate counterpart (:meth:`approximate`).
    """

    __slots__ = ("_inserted", "_lengths", "_new", "_old", "_old_text", "new_length", "old_length")

    def __init__(
        self, old_text: str, new_length: int, blocks: Sequence[tuple[int, int, int]]
    ) -> None:
        """``blocks`` are the shared runs ``(old_start, new_start, length)``, in order."""
        self._old_text = old_text  # a reference, not a copy: to check selectors against
        self.old_length = len(old_text)
        self.new_length = new_length
        self._old = [block[0] for block in blocks]
        self._new = [block[1] for block in blocks]
        self._lengths = [block[2] for block in blocks]
        self._inserted: tuple[tuple[int, int], ...] | None = None

    def holds(self, start: int, end: int, quote: str) -> bool:
        """Whether the old text has ``quote`` at ``[start, end)``: if not, the offsets
        were not made on this text and mean nothing to the map."""
        return 0 <= start <= end and self._old_text[start:end] == quote

    def blocks(self) -> list[tuple[int, int, int]]:
        """The shared runs ``(old_start, new_start, length)``, in order."""
        return list(zip(self._old, self._new, self._lengths, strict=True))

    def map_start(self, start: int) -> int | None:
        """Where the character at old offset ``start`` is now, or None if it was changed."""
        i = bisect_right(self._old, start) - 1
        if i >= 0 and start < self._old[i] + self._lengths[i]:
            return self._new[i] + start - self._old[i]
        return None

    def map_end(self, end: int) -> int | None:
        """Where an old range ending at ``end`` (exclusive) ends now, or None if its last
        character was changed. Text inserted right at ``end`` stays outside the range."""
        if end <= 0:
            return None
        mapped = self.map_start(end - 1)
        return None if mapped is None else mapped + 1

    def approximate(self, position: int) -> int:
        """Where old offset ``position`` is now, or the nearest guess when its text changed."""
        i = bisect_right(self._old, position) - 1
        if i < 0:
            return min(max(position, 0), self._new[0] if self._new else self.new_length)
        offset = position - self._old[i]
        if offset < self._lengths[i]:
            return self._new[i] + offset
        # In the gap after block i: as far into the replacement as into the old text.
        gap_end = self._new[i + 1] if i + 1 < len(self._new) else self.new_length
        new_gap_start = self._new[i] + self._lengths[i]
        return min(new_gap_start + offset - self._lengths[i], gap_end)

    def locate(self, start: int, end: int) -> tuple[int, int]:
        """The part of the new text that old ``[start, end)`` became, widened to whole
        changed regions where its ends fall inside one."""
        i = bisect_right(self._old, start) - 1
        if i >= 0 and start < self._old[i] + self._lengths[i]:
            low = self._new[i] + start - self._old[i]
        else:
            low = self._new[i] + self._lengths[i] if i >= 0 else 0
        j = bisect_left(self._old, end) - 1
        if j >= 0 and end <= self._old[j] + self._lengths[j]:
            high = self._new[j] + end - self._old[j]
        else:
            high = self._new[j + 1] if j + 1 < len(self._new) else self.new_length
        return low, max(low, high)

    def borrowed(self, new_start: int, new_end: int, old_start: int, old_end: int) -> int:
        """How many characters of new ``[new_start, new_end)`` are old text from outside
        old ``[old_start, old_end)``: text that was already there, somewhere else.

        Only shared runs of :data:`CONTEXT` characters or more count; shorter ones
        are chance matches of common words inside rewritten text.
        """
        count = 0
        i = max(0, bisect_right(self._new, new_start) - 1)
        while i < len(self._new) and self._new[i] < new_end:
            length = self._lengths[i]
            low, high = max(new_start, self._new[i]), min(new_end, self._new[i] + length)
            if length >= CONTEXT and low < high:
                old_low = self._old[i] + low - self._new[i]
                old_high = old_low + high - low
                inside = max(0, min(old_high, old_end) - max(old_low, old_start))
                count += high - low - inside
            i += 1
        return count

    def inserted(self) -> tuple[tuple[int, int], ...]:
        """The ranges of the new text that no shared run covers (new or rewritten text)."""
        if self._inserted is None:
            ranges = []
            position = 0
            for new, length in zip(self._new, self._lengths, strict=True):
                if new > position:
                    ranges.append((position, new))
                position = new + length
            if position < self.new_length:
                ranges.append((position, self.new_length))
            self._inserted = tuple(ranges)
        return self._inserted


def text_map(old_text: str, new_text: str) -> TextMap:
    """The offset map from ``old_text`` to ``new_text``.

    Fast on books: the common head and tail are skipped with slice compares,
    the rest is diffed by lines (a paragraph is one line in the canonical
    text), changed lines by words, and changed words by characters only where
    both sides are short.
    """
    if old_text == new_text:
        return TextMap(old_text, len(new_text), [(0, 0, len(old_text))] if old_text else [])
    return TextMap(old_text, len(new_text), _diff(old_text, new_text))


# Tokens at each level. A line keeps its newline and any blank lines after it,
# so the blank lines between paragraphs never become thousands of equal tokens.
_LINES: Final = re.compile(r"[^\n]*\n+|[^\n]+")
_WORDS: Final = re.compile(r"\S+\s*|\s+")
_LEVELS: Final = (_LINES, _WORDS)


def _diff(old: str, new: str) -> list[tuple[int, int, int]]:
    """Shared runs ``(old_start, new_start, length)`` of two texts, sorted and merged."""
    runs: list[tuple[int, int, int]] = []
    work = [(0, len(old), 0, len(new), 0)]
    while work:
        alo, ahi, blo, bhi, level = work.pop()
        head = _common_head(old, alo, ahi, new, blo, bhi)
        if head:
            runs.append((alo, blo, head))
            alo += head
            blo += head
        tail = _common_tail(old, alo, ahi, new, blo, bhi)
        if tail:
            runs.append((ahi - tail, bhi - tail, tail))
            ahi -= tail
            bhi -= tail
        if alo == ahi or blo == bhi:
            continue
        if level == len(_LEVELS):
            # Characters, only for short changes: difflib is quadratic here.
            if (ahi - alo) * (bhi - blo) <= _MAX_CHAR_DIFF:
                matcher = SequenceMatcher(None, old[alo:ahi], new[blo:bhi], autojunk=False)
                runs.extend((alo + i, blo + j, n) for i, j, n in matcher.get_matching_blocks() if n)
            continue
        pattern = _LEVELS[level]
        a_tokens = pattern.findall(old, alo, ahi)
        b_tokens = pattern.findall(new, blo, bhi)
        a_offsets = _offsets(a_tokens, alo)
        b_offsets = _offsets(b_tokens, blo)
        i_prev = j_prev = 0
        for i, j, n in [*_match_tokens(a_tokens, b_tokens), (len(a_tokens), len(b_tokens), 0)]:
            if i > i_prev and j > j_prev:
                # A changed stretch: look at it again, one level finer.
                work.append(
                    (a_offsets[i_prev], a_offsets[i], b_offsets[j_prev], b_offsets[j], level + 1)
                )
            if n:
                runs.append((a_offsets[i], b_offsets[j], a_offsets[i + n] - a_offsets[i]))
            i_prev, j_prev = i + n, j + n
    runs.sort()
    merged: list[tuple[int, int, int]] = []
    for a, b, n in runs:
        if merged and merged[-1][0] + merged[-1][2] == a and merged[-1][1] + merged[-1][2] == b:
            merged[-1] = (merged[-1][0], merged[-1][1], merged[-1][2] + n)
        else:
            merged.append((a, b, n))
    return merged


def _offsets(tokens: list[str], base: int) -> list[int]:
    offsets = [base]
    for token in tokens:
        offsets.append(offsets[-1] + len(token))
    return offsets


def _common_head(a: str, alo: int, ahi: int, b: str, blo: int, bhi: int) -> int:
    """Length of the common start of a[alo:ahi] and b[blo:bhi]."""
    return _common_run(a, alo, ahi, b, blo, bhi, from_end=False)


def _common_tail(a: str, alo: int, ahi: int, b: str, blo: int, bhi: int) -> int:
    """Length of the common end of a[alo:ahi] and b[blo:bhi]."""
    return _common_run(a, alo, ahi, b, blo, bhi, from_end=True)


def _common_run(a: str, alo: int, ahi: int, b: str, blo: int, bhi: int, *, from_end: bool) -> int:
    """Length of the common start (or end) of two slices, by galloping slice compares:
    a book's unchanged head is found in a few dozen compares, not millions."""
    limit = min(ahi - alo, bhi - blo)
    n, step, growing = 0, 256, True
    while n < limit:
        k = min(step, limit - n)
        if from_end:
            same = a[ahi - n - k : ahi - n] == b[bhi - n - k : bhi - n]
        else:
            same = a[alo + n : alo + n + k] == b[blo + n : blo + n + k]
        if same:
            n += k
            if growing:
                step *= 2
        elif k == 1:
            break
        else:
            step, growing = k // 2, False
    return n


def _match_tokens(a: Sequence[str], b: Sequence[str]) -> list[tuple[int, int, int]]:
    """Matching runs ``(i, j, n)`` of two token lists, in order (patience diff).

    Tokens that occur once on each side anchor the alignment (their longest
    increasing subsequence); the stretches between anchors are matched the same
    way, recursively; a stretch with no such token falls back to difflib when
    small and is left unmatched otherwise. That keeps the cost near-linear,
    where difflib on a whole book's lines can go quadratic on repeated lines.
    """
    runs: list[tuple[int, int, int]] = []
    work = [(0, len(a), 0, len(b))]
    while work:
        alo, ahi, blo, bhi = work.pop()
        while alo < ahi and blo < bhi and a[alo] == b[blo]:
            runs.append((alo, blo, 1))
            alo += 1
            blo += 1
        while alo < ahi and blo < bhi and a[ahi - 1] == b[bhi - 1]:
            ahi -= 1
            bhi -= 1
            runs.append((ahi, bhi, 1))
        if alo == ahi or blo == bhi:
            continue
        anchors = _unique_anchors(a, alo, ahi, b, blo, bhi)
        if anchors:
            i_prev, j_prev = alo, blo
            for i, j in anchors:
                runs.append((i, j, 1))
                work.append((i_prev, i, j_prev, j))
                i_prev, j_prev = i + 1, j + 1
            work.append((i_prev, ahi, j_prev, bhi))
        elif (ahi - alo) * (bhi - blo) <= _MAX_TOKEN_DIFF:
            matcher = SequenceMatcher(None, a[alo:ahi], b[blo:bhi], autojunk=False)
            runs.extend((alo + i, blo + j, n) for i, j, n in matcher.get_matching_blocks() if n)
    runs.sort()
    merged: list[tuple[int, int, int]] = []
    for i, j, n in runs:
        if merged and merged[-1][0] + merged[-1][2] == i and merged[-1][1] + merged[-1][2] == j:
            merged[-1] = (merged[-1][0], merged[-1][1], merged[-1][2] + n)
        else:
            merged.append((i, j, n))
    return merged


def _unique_anchors(
    a: Sequence[str], alo: int, ahi: int, b: Sequence[str], blo: int, bhi: int
) -> list[tuple[int, int]]:
    """Pairs (i, j) of tokens unique in both ranges, the longest run in order on both sides."""
    a_counts = Counter(a[alo:ahi])
    b_counts = Counter(b[blo:bhi])
    b_where = {b[j]: j for j in range(blo, bhi) if b_counts[b[j]] == 1}
    pairs = [(i, b_where[a[i]]) for i in range(alo, ahi) if a_counts[a[i]] == 1 and a[i] in b_where]
    if not pairs:
        return []
    # Longest increasing subsequence of the j's (patience sorting with back links).
    tails: list[int] = []  # tails[k]: j of the smallest-ending run of length k + 1
    tail_index: list[int] = []
    back: list[int] = [-1] * len(pairs)
    for index, (_, j) in enumerate(pairs):
        k = bisect_left(tails, j)
        if k == len(tails):
            tails.append(j)
            tail_index.append(index)
        else:
            tails[k] = j
            tail_index[k] = index
        back[index] = tail_index[k - 1] if k else -1
    chain = []
    index = tail_index[-1]
    while index != -1:
        chain.append(pairs[index])
        index = back[index]
    chain.reverse()
    return chain


# =============================================================================
# Re-anchoring
# =============================================================================


def reanchor(selector: Selector, new_text: str, mapping: TextMap | None = None) -> Anchor:
    """Where ``selector``'s highlight is in ``new_text`` (see the module docstring).

    ``mapping`` is the :class:`TextMap` from the text the selector was made on
    to ``new_text``. Without it (or with one made for other texts) the old
    offsets are only a hint, and the quote at them must also have its context.
    """
    orphan = Anchor(selector.start, selector.end, "orphan", 0.0)
    quote = selector.quote
    size = len(new_text)
    # An empty quote has nothing to check a position against.
    if not quote or not new_text:
        return orphan
    start, end = selector.start, selector.end
    if mapping is not None and (mapping.new_length != size or not mapping.holds(start, end, quote)):
        mapping = None  # made for other texts than this selector's and this one

    # 1. The old offsets, through the diff.
    allowed: Callable[[int, int], bool] | None = None
    if mapping is not None:
        known = mapping

        def allowed(low: int, high: int) -> bool:
            # The diff knows where each piece of unchanged text came from. If
            # step 1 failed, the highlight's own text changed or went; a match
            # made of text that was already there, elsewhere, is another passage
            # that looks like it (the other "Robin" of h#2798, the next row).
            return known.borrowed(low, high, start, end) <= MAX_EDIT_SHARE * len(quote)

        new_start = mapping.map_start(start)
        new_end = mapping.map_end(end)
        if new_start is not None and new_end is not None and new_text[new_start:new_end] == quote:
            return _found(selector, new_start, new_end)
        expected = mapping.approximate(start)
        near = mapping.locate(start, end)
    else:
        if (
            0 <= start <= size
            and new_text[start : start + len(quote)] == quote
            and _context_similarity(selector, new_text, start, start + len(quote)) == 1.0
        ):
            return _found(selector, start, start + len(quote))
        expected = min(max(start, 0), size)
        near = (expected, min(expected + len(quote), size))

    # 2. The quote, exactly.
    found = _exact(selector, new_text, expected, allowed)
    if found is not None:
        return _found(selector, found, found + len(quote))

    # 3. The quote, approximately: near where it was, then in new text elsewhere.
    if len(quote) > _MAX_FUZZY_QUOTE:
        return orphan
    pad = len(quote) // 4 + CONTEXT
    local = (max(0, near[0] - pad), min(size, near[1] + pad))
    best = _best_approximate(selector, new_text, [local], expected, allowed)
    if best is None:
        # Not where the diff says it went: perhaps moved and edited. Moved text
        # is new text to the diff, so that is searched when there is little of
        # it; else the places where a piece of the quote or its context survives.
        inserted = mapping.inserted() if mapping is not None else ()
        if mapping is not None and len(inserted) <= _MAX_WINDOWS:
            elsewhere = _widened(inserted, pad, size, skip=local)
        else:
            elsewhere = _seed_windows(selector, new_text, expected, pad, skip=local)
        best = _best_approximate(selector, new_text, elsewhere, expected, allowed)
        # Without a diff, nothing else narrows the search: all of the text
        # (0.05-0.2 s a quote on a book, with rapidfuzz), for quotes not too long.
        affordable = len(quote) <= _MAX_GLOBAL_QUOTE or size <= _MAX_DIRECT_WINDOW
        if best is None and mapping is None and local != (0, size) and affordable:
            best = _best_approximate(selector, new_text, [(0, size)], expected, allowed)
    if best is not None:
        return Anchor(best[0], best[1], "fuzzy", round(best[2], 4))
    return orphan


def reanchor_all(
    selectors: Sequence[Selector],
    old_text: str | None,
    new_text: str,
    cancelled: Callable[[], bool] | None = None,
) -> list[Anchor]:
    """:func:`reanchor` for every selector, building the diff once.

    ``old_text`` is the text the selectors were made on (None if it is not
    known: then each is searched for). If ``cancelled`` returns true (it is
    asked every few dozen selectors), the anchors found so far are returned:
    a list shorter than ``selectors``, in the same order.
    """
    if cancelled is not None and cancelled():
        return []
    mapping = text_map(old_text, new_text) if old_text is not None else None
    anchors: list[Anchor] = []
    for index, selector in enumerate(selectors):
        if cancelled is not None and index and index % _CANCEL_EVERY == 0 and cancelled():
            break
        anchors.append(reanchor(selector, new_text, mapping))
    return anchors


def _found(selector: Selector, start: int, end: int) -> Anchor:
    status = "exact" if (start, end) == (selector.start, selector.end) else "moved"
    return Anchor(start, end, status, 1.0)


def _exact(
    selector: Selector, text: str, expected: int, allowed: Callable[[int, int], bool] | None
) -> int | None:
    """Start of the best exact occurrence of the quote that the policy accepts, or None."""
    quote = selector.quote
    # The quote with all its context: the common case of text moved unchanged.
    if selector.prefix or selector.suffix:
        whole = selector.prefix + quote + selector.suffix
        # Not checked with `allowed`: a copy of the quote with all its context is
        # as good as the one the diff says went (the text had both, word for word).
        hits = _occurrences(text, whole, expected, _MAX_OCCURRENCES)
        if hits:
            return min(hits, key=lambda at: abs(at - expected)) + len(selector.prefix)
    starts = _occurrences(text, quote, expected, _MAX_OCCURRENCES)
    candidates = [at for at in starts if allowed is None or allowed(at, at + len(quote))]
    if not candidates:
        return None
    best: tuple[float, int, float | None] | None = None  # (rank, start, context)
    for at in candidates:
        context = _context_similarity(selector, text, at, at + len(quote))
        rank = (0.0 if context is None else context) + NEARNESS_WEIGHT * _nearness(
            at, expected, len(text)
        )
        if best is None or rank > best[0]:
            best = (rank, at, context)
    assert best is not None
    _, at, context = best
    if context is None:
        return at  # nothing to check the quote against: take the nearest
    if QUOTE_WEIGHT + CONTEXT_WEIGHT * context >= MIN_SCORE:
        return at
    if len(quote) >= MIN_UNIQUE_QUOTE and len(starts) == 1:
        return at
    return None


def _occurrences(text: str, needle: str, expected: int, limit: int) -> list[int]:
    """The starts of ``needle`` in ``text`` nearest ``expected`` (at most ``limit``), sorted.

    Found outwards from ``expected``, so a needle that occurs a million times
    costs no more than one that occurs ``limit`` times.
    """
    if not needle:
        return []
    expected = min(max(expected, 0), len(text))
    right = text.find(needle, expected)
    left = text.rfind(needle, 0, expected + len(needle) - 1)
    starts: list[int] = []
    while len(starts) < limit and (left != -1 or right != -1):
        if right != -1 and (left == -1 or right - expected <= expected - left):
            starts.append(right)
            right = text.find(needle, right + 1)
        else:
            starts.append(left)
            left = text.rfind(needle, 0, left + len(needle) - 1)
    starts.sort()
    return starts


def _nearness(position: int, expected: int, size: int) -> float:
    return 1.0 - min(1.0, abs(position - expected) / max(1, size))


def _context_similarity(selector: Selector, text: str, start: int, end: int) -> float | None:
    """How well the text around ``[start, end)`` matches the stored prefix and suffix (0-1).

    Each side counts in proportion to its length; a side is compared only as
    far as the text goes (a match at the very start has no prefix to check).
    None when there is nothing to compare.
    """
    total = weight = 0
    prefix = selector.prefix[max(0, len(selector.prefix) - start) :]
    if prefix:
        window = text[max(0, start - len(prefix) - _CONTEXT_SLACK) : start]
        errors = 0 if window.endswith(prefix) else _ending_errors(prefix, window)
        total += len(prefix) - errors
        weight += len(prefix)
    suffix = selector.suffix[: max(0, len(text) - end)]
    if suffix:
        window = text[end : end + len(suffix) + _CONTEXT_SLACK]
        errors = 0 if window.startswith(suffix) else _ending_errors(suffix[::-1], window[::-1])
        total += len(suffix) - errors
        weight += len(suffix)
    return total / weight if weight else None


def _ending_errors(pattern: str, window: str) -> int:
    """Fewest edits between ``pattern`` and a piece of ``window`` ending within
    :data:`_CONTEXT_SLACK` characters of its end (capped at the pattern's length)."""
    scores = _edit_scores(pattern, window, free_start=True)
    tail = scores[max(0, len(scores) - _CONTEXT_SLACK - 1) :]
    return min([len(pattern), *tail])


def _widened(
    ranges: Sequence[tuple[int, int]], pad: int, size: int, skip: tuple[int, int]
) -> list[tuple[int, int]]:
    """``ranges`` widened by ``pad`` and merged, leaving out those inside ``skip``."""
    merged: list[tuple[int, int]] = []
    for low, high in ranges:
        low, high = max(0, low - pad), min(size, high + pad)
        if merged and low <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return [(low, high) for low, high in merged if low < skip[0] or high > skip[1]]


def _seed_windows(
    selector: Selector, text: str, expected: int, pad: int, skip: tuple[int, int]
) -> list[tuple[int, int]]:
    """Windows where the quote would be, going by exact hits of pieces of it.

    The pieces are the end of the prefix, the start of the suffix and up to
    :data:`_MAX_PIECES` evenly spaced pieces of the quote: an edited quote keeps
    most of them (a changed word spoils one or two). Each hit says where the
    quote would start; the nearest :data:`_SEED_HITS` hits of each piece are
    kept, and the :data:`_MAX_SEED_WINDOWS` places most pieces agree on.
    """
    quote, prefix, suffix = selector.quote, selector.prefix, selector.suffix
    seeds: list[tuple[str, int]] = []  # (piece, where the quote starts relative to a hit)
    if len(prefix) >= _SEED:
        seeds.append((prefix[-_SEED:], _SEED))
    if len(suffix) >= _SEED:
        seeds.append((suffix[:_SEED], -len(quote)))
    piece = min(_SEED, len(quote) // 2)
    if piece >= _MIN_QUOTE_SEED:
        count = min(_MAX_PIECES, len(quote) // piece)
        last = len(quote) - piece
        for offset in sorted({last * k // (count - 1) for k in range(count)}):
            seeds.append((quote[offset : offset + piece], -offset))
    starts = sorted(
        at + shift for part, shift in seeds for at in _occurrences(text, part, expected, _SEED_HITS)
    )
    clusters: list[list[int]] = []  # quote starts within `pad` of each other
    for start in starts:
        if clusters and start - clusters[-1][-1] <= pad:
            clusters[-1].append(start)
        else:
            clusters.append([start])
    clusters.sort(key=lambda c: (-len(c), abs(c[0] - expected)))
    windows = [
        (max(0, c[0] - pad), min(len(text), c[-1] + len(quote) + pad))
        for c in clusters[:_MAX_SEED_WINDOWS]
    ]
    return [(low, high) for low, high in windows if low < skip[0] or high > skip[1]]


def _best_approximate(
    selector: Selector,
    text: str,
    windows: list[tuple[int, int]],
    expected: int,
    allowed: Callable[[int, int], bool] | None,
) -> tuple[int, int, float] | None:
    """The best approximate match ``(start, end, score)`` in the windows that the policy
    accepts: highest score, nearness to ``expected`` breaking near-ties."""
    quote = selector.quote
    best: tuple[tuple[float, int], int, int, float] | None = None  # (rank, start, end, score)
    for low, high in windows:
        for number, span in enumerate(_approximate(quote, text, low, high)):
            spans = [span]
            if number < _MAX_ALIGNED:
                aligned = _aligned_span(selector, text, *span)
                if aligned is not None and aligned != span:
                    spans.append(aligned)
            for start, end in spans:
                if allowed is not None and not allowed(start, end):
                    continue
                score = _score(selector, text, start, end)
                if score is None:
                    continue
                # Equal scores: the length nearer the quote's ("commodo vitae", not "commodo vit").
                rank = (
                    score + NEARNESS_WEIGHT * _nearness(start, expected, len(text)),
                    -abs(end - start - len(quote)),
                )
                if best is None or rank > best[0]:
                    best = (rank, start, end, score)
    return None if best is None else best[1:]


def _approximate(quote: str, text: str, low: int, high: int) -> list[tuple[int, int]]:
    """Spans of text[low:high] within the edit budget of ``quote``, fewest edits first.

    Long windows are first narrowed to the best region rapidfuzz finds.
    """
    size = len(quote)
    if high - low < size - int(MAX_LENGTH_CHANGE * size):
        return []
    if high - low > _MAX_DIRECT_WINDOW + 2 * size:
        window = text[low:high]
        aligned = fuzz.partial_ratio_alignment(quote, window, score_cutoff=50)
        if aligned is None:
            return []
        margin = size // 4 + 8
        low, high = (
            low + max(0, aligned.dest_start - margin),
            low + min(len(window), aligned.dest_end + margin),
        )
    budget = int(MAX_EDIT_SHARE * size)
    scores = _edit_scores(quote, text[low:high], free_start=True)
    # Runs of ends within budget; in each, the ends with the fewest edits.
    ends: list[tuple[int, int]] = []  # (errors, end)
    run: list[tuple[int, int]] = []
    for index, errors in enumerate([*scores, budget + 1]):
        if errors <= budget:
            run.append((errors, index + 1))
        elif run:
            fewest = min(run)[0]
            ends.extend([item for item in run if item[0] == fewest][:3])
            run = []
    ends.sort()
    spans = []
    for errors, end in ends[:_MAX_CANDIDATES]:
        reach = max(0, end - size - errors - 1)
        start = reach + _best_start(quote, text[low + reach : low + end])
        spans.append((low + start, low + end))
    return spans


def _best_start(pattern: str, piece: str) -> int:
    """Where in ``piece`` the match of ``pattern`` ending at its end starts: fewest
    edits, then the length nearest the pattern's (the pass runs backwards from the end)."""
    back = _edit_scores(pattern[::-1], piece[::-1], free_start=False)
    length = min(
        range(len(back) + 1),
        key=lambda n: (back[n - 1] if n else len(pattern), abs(n - len(pattern))),
    )
    return len(piece) - length


def _aligned_span(selector: Selector, text: str, start: int, end: int) -> tuple[int, int] | None:
    """The quote's span found by aligning prefix + quote + suffix around ``[start, end)``.

    Matching the quote alone puts its ends wherever the edits cost least: text
    inserted near one end is as cheaply matched by substituting the quote's
    first words as by inserting, and the span starts in the middle. The
    context, aligned with it, pins the ends where the quote's neighbours are.
    """
    prefix, quote, suffix = selector.prefix, selector.quote, selector.suffix
    if not prefix and not suffix:
        return None
    whole = prefix + quote + suffix
    slack = len(quote) // 4 + 8
    low = max(0, start - len(prefix) - slack)
    window = text[low : min(len(text), end + len(suffix) + slack)]
    scores = _edit_scores(whole, window, free_start=True)
    fewest = min(scores, default=0)
    target = end + len(suffix) - low
    whole_end = min(
        (n + 1 for n, errors in enumerate(scores) if errors == fewest),
        key=lambda n: abs(n - target),
        default=0,
    )
    if not whole_end:
        return None
    whole_start = _best_start(whole, window[:whole_end])
    opcodes = Levenshtein.opcodes(whole, window[whole_start:whole_end])
    quote_start = _through(opcodes, len(prefix), end_side=False)
    quote_end = _through(opcodes, len(prefix) + len(quote), end_side=True)
    if quote_end <= quote_start:
        return None
    return low + whole_start + quote_start, low + whole_start + quote_end


def _through(opcodes: Opcodes, index: int, *, end_side: bool) -> int:
    """Where a boundary before ``whole[index]`` (after ``whole[index - 1]`` on the end
    side) falls in the aligned text. Text inserted at a boundary stays outside the quote."""
    if end_side:
        index -= 1
    for op in opcodes:
        if op.src_start <= index < op.src_end:
            if op.tag == "delete":
                return op.dest_start
            offset = min(op.dest_start + index - op.src_start, op.dest_end - 1)
            return offset + 1 if end_side else offset
    return opcodes.dest_len


def _score(selector: Selector, text: str, start: int, end: int) -> float | None:
    """The combined score of ``text[start:end]`` as a match of the selector, or None if the
    policy refuses it."""
    quote = selector.quote
    if abs((end - start) - len(quote)) > MAX_LENGTH_CHANGE * len(quote):
        return None
    longest = max(len(quote), end - start)
    budget = int(MAX_EDIT_SHARE * len(quote))
    edits = Levenshtein.distance(quote, text[start:end], score_cutoff=budget)
    if edits > budget:
        return None
    similarity = 1.0 - edits / longest
    context = _context_similarity(selector, text, start, end)
    if context is None:
        return similarity if similarity >= MIN_SCORE_WITHOUT_CONTEXT else None
    score = QUOTE_WEIGHT * similarity + CONTEXT_WEIGHT * context
    return score if score >= MIN_SCORE else None


def _edit_scores(pattern: str, text: str, *, free_start: bool) -> list[int]:
    """Edit distances between ``pattern`` and the pieces of ``text`` ending at 1, 2, ... len(text).

    With ``free_start`` a piece may start anywhere (approximate search), else
    it starts at 0 (plain edit distance to each prefix of ``text``). Myers'
    bit-parallel algorithm (1999), in Hyyrö's formulation, on Python ints: one
    pass over ``text`` whatever the pattern's length.
    """
    m = len(pattern)
    if m == 0:
        return [0 if free_start else n for n in range(1, len(text) + 1)]
    masks: dict[str, int] = {}
    for i, char in enumerate(pattern):
        masks[char] = masks.get(char, 0) | (1 << i)
    full = (1 << m) - 1
    top = 1 << (m - 1)
    carry = 0 if free_start else 1  # the distance in row 0 grows by one per column unless free
    positive, negative, score = full, 0, m
    scores = []
    for char in text:
        eq = masks.get(char, 0)
        xv = eq | negative
        xh = ((((eq & positive) + positive) & full) ^ positive) | eq
        h_positive = negative | (~(xh | positive) & full)
        h_negative = positive & xh
        if h_positive & top:
            score += 1
        elif h_negative & top:
            score -= 1
        h_positive = ((h_positive << 1) | carry) & full
        h_negative = (h_negative << 1) & full
        positive = h_negative | (~(xv | h_positive) & full)
        negative = h_positive & xv
        scores.append(score)
    return scores
