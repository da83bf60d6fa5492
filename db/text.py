"""Sentence and word boundaries on the canonical text, for the reader's motions and highlights.

Sentences are found by rules, one block at a time and only for the blocks a
caller touches, never for the whole book up front. The rules, in short:

* A sentence ends after a terminator cluster (``.``, ``!``, ``?``, ``…``,
  ``...``, ``?!``, CJK ``。！？``, Arabic ``؟``, Devanagari ``।`` …) plus any
  closing quotes or brackets right after it, when whitespace and then the
  start of a new sentence follow. A lowercase next word never starts one:
  ``“Heavens! what a virulent attack!” replied the prince`` is one sentence.
* A period after a known abbreviation is judged by the abbreviation's class:
  titles (``Mr.``, ``Dr.``, ``St.``, ``Gen.``, ``e.g.``, ``vs.`` …) never end a
  sentence; number words (``No.``, ``Vol.``, ``p.``, ``Feb.`` …) do not before a
  number; abbreviations that can close a sentence (``U.S.``, ``etc.``,
  ``Inc.``, ``a.m.``, initials ``J.``) end one only before an opening quote or
  a common sentence-opening word ("The", "He", "But" …), so "the U.S. Senate"
  and "George W. Bush" hold together while "to the U.S. The next year" splits.
* CJK terminators end a sentence without any whitespace after them, except
  inside a quotation that the sentence goes on after (``「すごい！」と言った``).
* Headings and rules are one unit each; code blocks and tables give one unit
  per non-blank line; paragraphs, list items and quotes are segmented as prose.

Every rule decides a boundary from the text near one terminator only, never
from an earlier decision. That is what lets a huge block (a 4 MB book with no
blank line) be segmented in a window around the cursor and give the same
answer as segmenting all of it.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from itertools import pairwise
from typing import Final

from db.models import Block

__all__ = [
    "block_index_at",
    "block_sentences",
    "next_sentence_start",
    "prev_sentence_start",
    "sentence_at",
    "sentences",
    "word_at",
]

Range = tuple[int, int]

# --- terminators, quotes and brackets -------------------------------------

# A spaced ellipsis ". . ." is tried first so its dots read as one cluster.
_CLUSTER_RE: Final = re.compile(r"\.(?:[ \u00a0]\.){2,}|[.!?…‼⁇⁈⁉。！？｡؟۔।॥։።፧။﹗﹖]+")
# Ends a sentence with no space after it: CJK text is not spaced.
_STRONG: Final = frozenset("。！？｡")
# Ends a sentence whatever word precedes it: only "." can follow an abbreviation.
_FIRM: Final = frozenset("!?‼⁇⁈⁉！？؟۔।॥։።፧။﹗﹖")
# Straight quotes and guillemets appear in both sets: right after a terminator
# they close, after whitespace they open (German writes »…«, French «…»).
_CLOSERS: Final = frozenset("\"'”’»«›‹)]}」』】〕〉》）］｝〗〙〛")
_OPENERS: Final = frozenset("\"'`“‘’„‚«»‹›([{「『【〔〈《（［｛〖〘〚¿¡")
_QUOTE_OPENERS: Final = frozenset("\"'“‘’„‚«»‹›「『¿¡")
# After a terminator and a space these continue the sentence: "etc. , and".
_CONTINUERS: Final = frozenset(",;:%)]}）］｝")

# --- abbreviations ----------------------------------------------------------


def _words(listing: str) -> list[str]:
    return listing.split()


_NEVER: Final = 1  # a title or connective: always followed by more of the sentence
_NUMBER: Final = 2  # introduces a number: "No. 5", "Feb. 2", "p. 12"
_MAYEND: Final = 3  # can close a sentence: "U.S.", "etc.", "Inc.", "a.m.", initials

_ABBREVIATIONS: Final[dict[str, int]] = {
    **dict.fromkeys(
        _words(
            # English titles and ranks. "St." reads as Saint (St. Petersburg), so
            # "Main St. The house" does not split: the rarer loss.
            "Mr Mrs Ms Mx Messrs Mssrs Dr Drs Prof Profs Rev Revd Hon Rt St Sts Ste Mt Ft "
            "Gen Gens Lt Lieut Col Maj Capt Cpt Cmdr Cdr Adm Brig Sgt Cpl Pvt Gov Sen Sens Rep "
            "Reps Pres Supt Insp Det Msgr Fr Br "
            # Spanish, French and German titles. "Sr." is read as Señor, so
            # "John Smith Sr. He left" does not split.
            "Sr Sra Srta Sres Dra Dña Ud Uds Vd Vds Mme Mmes Mlle Mlles MM Mgr Hr Hrn Frl Pfr "
            # connectives, Latin ("op. cit.") and dotted forms that never end a sentence
            "vs cf viz approx ca incl excl resp esp bzw vgl ggf inkl evtl bspw sog zzgl usf "
            "env av apr aprox op "
            "e.g i.e E.g I.e e.G z.B d.h u.a o.ä u.U s.o s.u p.ej v.a"
        ),
        _NEVER,
    ),
    **dict.fromkeys(
        _words(
            "No Nos Nr Nrn Vol Vols vol vols p pp Fig Figs fig figs Art art Ch ch Chap chap "
            "Sec Sect sec sect Tab tab Eq Eqs eq eqs Ref Refs ref refs Ed Eds ed eds "
            "Bd Abs Kap Pág pág págs Núm núm cap l ll vv "
            "Jan Feb Febr Mar Apr Jun Jul Aug Sep Sept Oct Okt Nov Dec Dez "
            "janv févr avr juil sept oct nov déc"
        ),
        _NUMBER,
    ),
    **dict.fromkeys(
        _words(
            "etc Etc usw Inc Ltd Co Corp Bros Jr Esq Ave Blvd Rd al ibid Ibid cit "
            "a.m p.m A.M P.M "
            # US states, written this way in news datelines and copy
            "Ala Ariz Ark Calif Colo Conn Del Fla Ga Ill Ind Kan Ky La Md Mass Mich Minn Miss "
            "Mo Mont Neb Nev Okla Ore Pa Tenn Tex Va Vt Wash Wis Wyo"
        ),
        _MAYEND,
    ),
}

# Letters with internal dots, 1-2 letters a piece: U.S, e.g, Ph.D, EE.UU, z.B.
_DOTTED_RE: Final = re.compile(r"(?:[^\W\d_]{1,2}\.)+[^\W\d_]{1,2}")
_ROMAN_RE: Final = re.compile(r"[IVXLCDM]+")
_ENUMERATOR_RE: Final = re.compile(r"\d{1,3}|[^\W\d_]|[ivxlcdm]{1,5}|[IVXLCDM]{1,5}")
_MAX_TOKEN: Final = 64

# Words that open most sentences and seldom follow an abbreviation inside one.
# After "U.S." or "etc." only these (or an opening quote) start a new sentence.
_STARTERS: Final = frozenset(
    _words(
        """A An The This That These Those There Here It Its He She They We I You His Her
    Their Our My Your Him Them Us Me But And Or Nor So Yet Then Now Still Also Thus
    Hence Indeed Instead Meanwhile Moreover However Nevertheless Furthermore After
    Before When While Whilst If Although Though Because Since Until Once As At In On
    Of For From By With Without To Into During Despite Under Over Some Many Most Much
    Such Other Others Another Each Every Both All Any None No Not Neither Either What
    Why How Who Whom Whose Where Which Whether Today Yesterday Tomorrow Tonight
    Earlier Later Last Next First Finally One Two Three Several Few Only Even Just
    Yes Oh Well Please Let Do Does Did Is Are Was Were Has Have Had Will Would Can
    Could Should Shall May Might Must
    Le La Les Il Elle Ils Elles Nous Vous Je On Un Une Des Ce Cette Mais Et Puis
    Der Die Das Er Sie Es Wir Ich Ein Eine Aber Und Dann Doch
    El Los Las Ella Ellos Yo Una Pero Luego"""
    )
)
_MONTHS_ORDINAL: Final = frozenset(
    # German ordinal dates: "am 3. Oktober" is no sentence end.
    _words(
        "Januar Jänner Februar März April Mai Juni Juli August September Oktober November Dezember"
    )
)

# --- words ------------------------------------------------------------------

_APOSTROPHES: Final = frozenset("'’ʼ")
_HYPHENS: Final = frozenset("-‐‑")
# Catalan l·l, and "_" so identifiers in code stay whole.
_JOINERS: Final = _APOSTROPHES | _HYPHENS | frozenset("·_")
_DIGIT_JOINERS: Final = frozenset(".,")


def block_index_at(blocks: Sequence[Block], offset: int) -> int:
    """The index of the block holding ``offset``.

    An offset in the gap between two blocks (on the "\\n\\n") belongs to the
    following block; one past the last block is clamped to the last block.
    Raises ``ValueError`` when there are no blocks.
    """
    if not blocks:
        raise ValueError("no blocks")
    return min(bisect_right(blocks, offset, key=lambda b: b.end), len(blocks) - 1)


def sentences(text: str, start: int, end: int, *, kind: str = "paragraph") -> list[Range]:
    """Sentence spans ``[s, e)`` of the block ``text[start:end]``, in absolute offsets.

    Spans are trimmed of whitespace, in order, and cover every non-space
    character of the block. ``kind`` is the block's kind (see
    :func:`block_sentences`); the default segments prose.
    """
    lo, hi = _clamp(text, start, end)
    return list(_cached_units(text, lo, hi, _unit_rule(kind)))


def block_sentences(text: str, block: Block) -> list[Range]:
    """The sentence units of ``block`` according to its kind.

    Headings and rules are one unit; code blocks and tables one per non-blank
    line; every other kind is segmented as prose.
    """
    return sentences(text, block.start, block.end, kind=block.kind)


def sentence_at(text: str, blocks: Sequence[Block], offset: int) -> Range:
    """The sentence containing ``offset``.

    An offset on whitespace between sentences, or in the gap between blocks,
    belongs to the next sentence; past the last sentence of a block, to that
    last sentence. A text without any sentence gives ``(offset, offset)``
    clamped into the text.
    """
    if blocks:
        first = block_index_at(blocks, offset)
        for index in range(first, len(blocks)):
            spans = _units_around(text, blocks[index], offset)
            for span in spans:
                if span[1] > offset:
                    return span
            if spans:
                return spans[-1]
        for index in range(first - 1, -1, -1):
            spans = _units_around(text, blocks[index], blocks[index].end)
            if spans:
                return spans[-1]
    clamped = max(0, min(offset, len(text)))
    return clamped, clamped


def next_sentence_start(text: str, blocks: Sequence[Block], offset: int) -> int | None:
    """The start of the first sentence that begins after ``offset``, or None."""
    if not blocks:
        return None
    for index in range(block_index_at(blocks, offset), len(blocks)):
        spans = _units_around(text, blocks[index], offset)
        starts = [s for s, _ in spans]
        found = bisect_right(starts, offset)
        if found < len(starts):
            return starts[found]
    return None


def prev_sentence_start(text: str, blocks: Sequence[Block], offset: int) -> int | None:
    """The start of the last sentence that begins before ``offset``, or None.

    Like vim's ``(``: from inside a sentence to its start, from its start to
    the previous sentence's start, across blocks.
    """
    if not blocks:
        return None
    for index in range(block_index_at(blocks, offset), -1, -1):
        spans = _units_around(text, blocks[index], offset)
        starts = [s for s, _ in spans]
        found = bisect_left(starts, offset)
        if found > 0:
            return starts[found - 1]
    return None


def word_at(text: str, offset: int) -> Range:
    """The word at ``offset``, or the word ending just before it, else ``(offset, offset)``.

    A word is a run of letters of any script, digits and combining marks;
    apostrophes, hyphens, underscores and the middle dot join two such runs
    ("don't", "well-known", "snake_case", "l·l"), and "." or "," join two
    digits ("3.5", "33,000"). Punctuation and whitespace belong to no word. CJK text has no
    spaces, so a run of ideographs reads as one word.
    """
    offset = max(0, min(offset, len(text)))
    if offset < len(text) and _in_word(text, offset):
        at = offset
    elif offset > 0 and _in_word(text, offset - 1):
        at = offset - 1
    else:
        return offset, offset
    start = at
    while start > 0 and _in_word(text, start - 1):
        start -= 1
    end = at + 1
    while end < len(text) and _in_word(text, end):
        end += 1
    return start, end


# --- words ------------------------------------------------------------------


def _is_word_char(ch: str) -> bool:
    # Combining marks count: Devanagari vowel signs and decomposed accents are
    # part of the word they sit on, though not isalnum().
    return ch.isalnum() or unicodedata.category(ch)[0] == "M"


def _in_word(text: str, i: int) -> bool:
    ch = text[i]
    if _is_word_char(ch):
        return True
    if 0 < i < len(text) - 1:
        before, after = text[i - 1], text[i + 1]
        if ch in _JOINERS:
            return _is_word_char(before) and _is_word_char(after)
        if ch in _DIGIT_JOINERS:
            return before.isdigit() and after.isdigit()
    return False


# --- units per block kind -----------------------------------------------------

_PROSE: Final = "prose"
_LINES: Final = "lines"
_WHOLE: Final = "whole"


def _unit_rule(kind: str) -> str:
    if kind in ("heading", "rule"):
        return _WHOLE
    if kind in ("code", "table"):
        return _LINES
    return _PROSE


def _clamp(text: str, start: int, end: int) -> Range:
    lo = max(0, min(start, len(text)))
    return lo, max(lo, min(end, len(text)))


def _skip_space(text: str, i: int, hi: int) -> int:
    while i < hi and text[i].isspace():
        i += 1
    return i


def _trim_end(text: str, lo: int, hi: int) -> int:
    while hi > lo and text[hi - 1].isspace():
        hi -= 1
    return hi


def _compute_units(text: str, lo: int, hi: int, rule: str) -> tuple[Range, ...]:
    if rule == _PROSE:
        return tuple(_prose_spans(text, lo, hi, lo, hi, list(_breaks(text, lo, hi, lo, hi))))
    if rule == _WHOLE:
        s, e = _skip_space(text, lo, hi), _trim_end(text, lo, hi)
        return ((s, e),) if s < e else ()
    units: list[Range] = []
    pos = lo
    while pos < hi:
        newline = text.find("\n", pos, hi)
        line_end = hi if newline < 0 else newline
        s, e = _skip_space(text, pos, line_end), _trim_end(text, pos, line_end)
        if s < e:
            units.append((s, e))
        pos = line_end + 1
    return tuple(units)


class _UnitCache:
    """A small LRU of units per block, for one text at a time.

    Keyed on the text's identity: hashing or comparing a 4 MB string per
    keystroke would cost more than segmenting the block again. A new text
    object empties the cache, so only one text is ever kept alive by it.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._text: str | None = None
        self._units: OrderedDict[tuple[int, int, str], tuple[Range, ...]] = OrderedDict()

    def get(self, text: str, key: tuple[int, int, str]) -> tuple[Range, ...] | None:
        with self._lock:
            if self._text is not text:
                return None
            units = self._units.get(key)
            if units is not None:
                self._units.move_to_end(key)
            return units

    def put(self, text: str, key: tuple[int, int, str], units: tuple[Range, ...]) -> None:
        with self._lock:
            if self._text is not text:
                self._text = text
                self._units.clear()
            self._units[key] = units
            while len(self._units) > self.size:
                self._units.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._text = None
            self._units.clear()


_cache: Final = _UnitCache(64)


def _cached_units(text: str, lo: int, hi: int, rule: str) -> tuple[Range, ...]:
    key = (lo, hi, rule)
    units = _cache.get(text, key)
    if units is None:
        units = _compute_units(text, lo, hi, rule)
        _cache.put(text, key, units)
    return units


# Prose blocks longer than this are segmented in a window around the offset
# asked about (the King James Bible as one block is 4 MB).
_LARGE_BLOCK = 20_000
_WINDOW = 2_048


def _units_around(text: str, block: Block, offset: int) -> Sequence[Range]:
    """Consecutive units of ``block`` around ``offset``.

    For all but huge prose blocks these are all the block's units. Otherwise
    they include at least the two units before and the two after ``offset``
    (or all of them up to the block's edge), which is all the motions need.
    """
    lo, hi = _clamp(text, block.start, block.end)
    rule = _unit_rule(block.kind)
    if rule != _PROSE or hi - lo <= _LARGE_BLOCK:
        return _cached_units(text, lo, hi, rule)
    offset = max(lo, min(offset, hi))
    width = _WINDOW
    while True:
        a = _sync_point(text, lo, offset - width)
        c = min(hi, offset + width)
        found = list(_breaks(text, lo, hi, a, c))
        before = bisect_right(found, offset)
        if (a == lo or before >= 2) and (c == hi or len(found) - before >= 2):
            return _prose_spans(text, lo, hi, a, c, found)
        width *= 2


_SYNC_RE: Final = re.compile(r"\w(?=\s)")


def _sync_point(text: str, lo: int, x: int) -> int:
    """A position at or before ``x`` where a scan for terminators may start.

    It is a whitespace character right after a word character, so no
    terminator cluster or closing quote can straddle it: a scan from there
    finds exactly the clusters a scan from the block's start finds after it.
    """
    if x <= lo:
        return lo
    width = 256
    while True:
        a = max(lo, x - width)
        last = None
        for match in _SYNC_RE.finditer(text, a, x + 1):
            last = match
        if last is not None:
            return last.end()
        if a == lo:
            return lo
        width *= 4


def _prose_spans(text: str, lo: int, hi: int, a: int, c: int, found: list[int]) -> list[Range]:
    """Sentence spans from the breaks found scanning ``[a, c)`` of the block ``[lo, hi)``."""
    spans: list[Range] = []
    if a == lo:
        first = _skip_space(text, lo, hi)
        if found:
            spans.append((first, found[0]))
        elif c == hi and first < hi:
            spans.append((first, _trim_end(text, lo, hi)))
    for here, there in pairwise(found):
        spans.append((_skip_space(text, here, hi), there))
    if found and c == hi:
        spans.append((_skip_space(text, found[-1], hi), _trim_end(text, lo, hi)))
    return spans


def _breaks(text: str, lo: int, hi: int, a: int, c: int) -> Iterator[int]:
    """Sentence ends (after closing quotes) for terminator clusters starting in ``[a, c)``."""
    for match in _CLUSTER_RE.finditer(text, a, hi):
        if match.start() >= c:
            return
        end = _break_after(text, lo, hi, match.start(), match.end())
        if end is not None:
            yield end


# --- the boundary rules ---------------------------------------------------------


def _break_after(text: str, lo: int, hi: int, a: int, b: int) -> int | None:
    """Where the sentence ends if the terminator cluster ``text[a:b]`` ends it, else None.

    Reads only the block ``[lo, hi)`` around the cluster; see the module docstring.
    """
    cluster = text[a:b]
    end = b
    while end < hi and text[end] in _CLOSERS:
        end += 1
    after = _skip_space(text, end, hi)
    if after == hi:
        return None  # the block's last sentence; its end is the block's trimmed end
    if cluster[-1] in _STRONG:
        # 「すごい！」と言った: a quotation the sentence goes on after.
        if end > b and after == end and text[end] not in _OPENERS:
            return None
        return end
    if after == end:
        return None  # no space: 3.5, U.S.A., e.g.,  Yahoo!Inc, end.[1]
    nxt = after
    while nxt < hi and text[nxt] in _OPENERS:
        nxt += 1
    if nxt == hi:
        return end
    first = text[nxt]
    if first.islower() or first in _CONTINUERS:
        return None
    if any(ch in _FIRM for ch in cluster):
        return end
    word_end = nxt
    while word_end < hi and text[word_end].isalpha():
        word_end += 1
    word = text[nxt:word_end]
    token, token_start = _token_before(text, lo, a)
    if cluster != ".":
        # An ellipsis before a capital may end a sentence, but not in a count
        # ("1, 2, 3... 10") or a stammer ("I… I don't know").
        if first.isdigit() or (word and token is not None and token.lower() == word.lower()):
            return None
        return end
    if end > b or token is None:
        return end  # "Go.” Then" — a closed quotation ends the sentence
    cls = _classify(token)
    if cls is None or cls == _MAYEND:
        if _is_enumerator(text, lo, token, token_start):
            return None
        if token.isdigit() and len(token) <= 2 and word in _MONTHS_ORDINAL:
            return None
    if cls is None:
        return end
    if cls == _NEVER:
        return None
    if cls == _NUMBER:
        if first.isdigit() or (word != "I" and _ROMAN_RE.fullmatch(word) is not None):
            return None
        return end
    # _MAYEND: "to the U.S. The next year" ends, "the U.S. Senate" does not.
    if nxt > after and any(text[i] in _QUOTE_OPENERS for i in range(after, nxt)):
        return end
    is_initial = len(word) == 1 and word_end < hi and text[word_end] == "."
    if not is_initial and (
        word in _STARTERS or (word.isupper() and word.capitalize() in _STARTERS)
    ):
        return end
    return None


def _token_before(text: str, lo: int, a: int) -> tuple[str | None, int]:
    """The word-like token ending at ``a`` (dots, apostrophes and hyphens included).

    None when it is longer than any abbreviation could be, so a window never
    sees less of it than a scan of the whole block would.
    """
    start = a
    while start > lo and a - start <= _MAX_TOKEN and _is_token_char(text[start - 1]):
        start -= 1
    if a - start > _MAX_TOKEN:
        return None, start
    while start < a and text[start] in ".'’-_":
        start += 1
    return text[start:a], start


def _is_token_char(ch: str) -> bool:
    return ch in ".'’-_" or _is_word_char(ch)


def _classify(token: str) -> int | None:
    if not token:
        return None
    cls = _ABBREVIATIONS.get(token)
    if cls is None and len(token) > 1 and token.isupper():
        # ALL-CAPS copy: "MR. SMITH", "ETC."
        cls = _ABBREVIATIONS.get(token.capitalize()) or _ABBREVIATIONS.get(token.lower())
    if cls is None and token[0].isupper():
        # Sentence-initial capital: "Cf.", "Vgl.", "Etc."
        cls = _ABBREVIATIONS.get(token.lower())
    if cls is not None:
        return cls
    if _DOTTED_RE.fullmatch(token):
        # Capital acronyms (U.S., Ph.D.) can close a sentence; lowercase ones
        # (e.g., z.B.) are connectives that never do.
        return _MAYEND if any(ch.isupper() for ch in token) else _NEVER
    if len(token) == 1 and token.isalpha() and token != "I":
        return _MAYEND  # an initial: J. R. R. Tolkien, George W. Bush
    return None


def _is_enumerator(text: str, lo: int, token: str, token_start: int) -> bool:
    """Whether ``token.`` numbers a list item or section: "1. Buy milk", "IV. The Return"."""
    if not _ENUMERATOR_RE.fullmatch(token):
        return False
    i = token_start
    while i > lo and (text[i - 1] in _OPENERS or text[i - 1] in " \t"):
        i -= 1
    if i == lo:
        return True
    # Inside a block, only at a line start and only small numbers: hard-wrapped
    # prose puts words like "I." at line starts too.
    return text[i - 1] == "\n" and token.isdigit() and len(token) <= 2
