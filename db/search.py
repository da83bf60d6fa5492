"""Searching the library: highlights, notes and tags through the FTS5 index, or documents' text.

A query is words and "quoted phrases", every one of which must match, and
filters that combine with them:

- ``tag:policy`` — a highlight with that tag (any case), or a tag nested under
  it (``tag:topic`` also finds ``topic/asylum``); several ``tag:`` must all hold;
- ``doc:"war and"`` — highlights of the documents whose title (or, untitled,
  file name) contains those words in any case; ``doc:12`` — document 12;
- ``color:2`` (or ``colour:2``) — colour 1 to 5;
- ``has:note`` (a note that is not blank), ``has:tag``;
- ``before:2026-01-01`` and ``after:2025`` — made before the start, or after the
  end, of that day, month (``2025-06``) or year (UTC dates);
- ``-word``, ``-"a phrase"``, ``-tag:todo`` (or ``NOT word``) leave out what matches;
- ``word*`` finds words starting with ``word``.

Several ``doc:`` or ``color:`` filters take any of them (a highlight has one of
each). Words are always quoted for FTS5, so no input is an FTS syntax error;
a filter that cannot be understood raises :class:`QueryError` with one line.
With words, hits are ranked by bm25 (the quote weighing most, then the note,
then the tags); with filters only, highlights are listed newest first.

``scope="text"`` looks for the words in the current text of every document
instead (no index: the texts are case-folded and scanned, stopping at
``limit``); a hit there is a place in the text, in a paragraph holding every word.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate
from typing import TYPE_CHECKING, Any, ClassVar

from db.documents.inert import make_inert
from db.library import display_title
from db.locate import Locator
from db.models import Block, Document, Highlight
from db.store import _HIGHLIGHT_SELECT, NotFoundError, _highlights
from db.tags import normalise_tag, tag_key

if TYPE_CHECKING:
    from db.store import Store

__all__ = [
    "FILTER_KEYS",
    "SCOPES",
    "Filter",
    "Hit",
    "Query",
    "QueryError",
    "Term",
    "check_query",
    "parse_query",
    "search",
]

#: Where a search looks: the highlights (with notes and tags), or documents' whole text.
SCOPES = ("highlights", "text")
#: The filters a query knows; ``colour`` is ``color``.
FILTER_KEYS = ("tag", "doc", "color", "has", "before", "after")
_KEY_ALIASES = {"colour": "color", "tags": "tag", "document": "doc"}
_HAS = {"note": "note", "notes": "note", "tag": "tag", "tags": "tag"}

#: How many tokens of a highlight's field a snippet shows (FTS5 allows up to 64).
SNIPPET_TOKENS = 20
#: About how many characters of a document's text a full-text snippet shows.
SNIPPET_CHARS = 140
#: How many letters the word being typed needs before it is searched as a prefix.
PARTIAL_PREFIX_MIN = 3
#: bm25 weights of the index's columns: quote, note, tags.
_RANK = "bm25(10.0, 4.0, 2.0)"
_FIELDS = ("quote", "note", "tags")
#: Snippet markers: control characters, which a quote (canonical text is inert)
#: cannot hold; a note or tag that does hold one gets a snippet without marks.
_OPEN, _CLOSE = "\x02", "\x03"
#: Locators kept between searches, by (database, text hash): a text never changes
#: under its hash, and typing a query searches the same documents again and again.
_LOCATORS_KEPT = 8

_SURROGATES = re.compile("[\ud800-\udfff]")
_FILTER = re.compile(r"([A-Za-z]+):")
_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
_SPACE_RUN = re.compile(r"\s+")
# What created values sort after when a bound lies past year 9999: nothing is that late.
_NEVER = "~"


class QueryError(ValueError):
    """A query that cannot be understood; the message is one line for the user."""


@dataclass(frozen=True, slots=True)
class Term:
    """A word or a quoted phrase of a query, as typed (not case-folded)."""

    text: str
    phrase: bool = False
    #: ``word*``: any word starting with it (in the index; the full text matches substrings).
    prefix: bool = False
    negated: bool = False

    @property
    def has_words(self) -> bool:
        """Whether the index can find it: it holds a letter or a digit (FTS5 drops the rest)."""
        return any(char.isalnum() for char in self.text)


@dataclass(frozen=True, slots=True)
class Filter:
    """A ``key:value`` of a query, its value normalised.

    ``tag``: the tag's key (``db.tags.tag_key``); ``color``: "1"-"5"; ``has``:
    "note" or "tag"; ``before``/``after``: the ISO prefix ``created`` is compared
    with (``created < value`` / ``created >= value``); ``doc``: as typed.
    """

    key: str
    value: str
    negated: bool = False


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: its words and phrases and its filters."""

    terms: tuple[Term, ...] = ()
    filters: tuple[Filter, ...] = ()

    @property
    def words(self) -> tuple[Term, ...]:
        """The words and phrases that must match."""
        return tuple(term for term in self.terms if not term.negated)

    @property
    def excluded(self) -> tuple[Term, ...]:
        """The words and phrases that must not match."""
        return tuple(term for term in self.terms if term.negated)

    def of(self, key: str, *, negated: bool = False) -> list[str]:
        """The values of the filters with this key (the negated ones with ``negated``)."""
        return [f.value for f in self.filters if f.key == key and f.negated == negated]


@dataclass(frozen=True, slots=True)
class Hit:
    """One result: a highlight (``kind == "highlight"``) or a place in a document's text.

    ``snippet`` is one line of plain text (whitespace collapsed, control
    characters made visible) and ``marks`` the ``[start, end)`` ranges in it
    that matched, for the caller to style. ``start``/``end`` are offsets into
    the document's text: the highlight's, or the matched words' for a text hit.
    """

    kind: str
    document: Document
    start: int
    end: int
    snippet: str
    marks: tuple[tuple[int, int], ...]
    #: Where it is, as ``Location.describe`` says ("CHAPTER I, ¶ 12", "p. 14"); "" when it
    #: has no place in the document's current text (an orphan, or a highlight on an old text).
    where: str
    #: What matched: "quote", "note" or "tags"; "" when only filters chose it; "text".
    field: str
    highlight: Highlight | None = None
    #: A text hit's matched words as they stand in the text.
    matched: str = ""

    @property
    def is_text(self) -> bool:
        return self.kind == "text"

    @property
    def quote(self) -> str:
        """The highlight's quote, or the words a text hit matched."""
        return self.highlight.quote if self.highlight is not None else self.matched


# --- parsing ---------------------------------------------------------------------------------


def _shown(value: str) -> str:
    return " ".join(make_inert(value).split())


def _read_value(text: str, at: int) -> tuple[str, int, bool]:
    """The value starting at ``at``: a quoted phrase (closed or not) or a run of non-space."""
    if at < len(text) and text[at] == '"':
        close = text.find('"', at + 1)
        if close < 0:  # an unbalanced quote runs to the end
            return text[at + 1 :], len(text), True
        return text[at + 1 : close], close + 1, True
    end = at
    while end < len(text) and not text[end].isspace():
        end += 1
    return text[at:end], end, False


def _period(key: str, value: str) -> tuple[str, str]:
    """The ISO strings a date's period starts at and the next one starts at."""
    found = _DATE.fullmatch(value)
    if found is None:
        raise QueryError(f"{key}:{_shown(value)} is no date: write YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = (int(part) if part else 0 for part in found.groups())
    try:
        first = date(year, month or 1, day or 1)
    except ValueError as error:
        raise QueryError(f"{key}:{_shown(value)} is no date ({error})") from None
    if day:
        try:
            return value, (first + timedelta(days=1)).isoformat()
        except OverflowError:
            return value, _NEVER
    if month:
        following = f"{year:04d}-{month + 1:02d}" if month < 12 else f"{year + 1:04d}-01"
        return value, following if year < 9999 or month < 12 else _NEVER
    return value, f"{year + 1:04d}" if year < 9999 else _NEVER


def _filter(key: str, value: str, negated: bool) -> Filter:
    shown = _shown(value)
    if not value.strip():
        examples = {
            "tag": "tag:policy",
            "doc": 'doc:"war and peace" or doc:12',
            "color": "color:2",
            "has": "has:note",
            "before": "before:2026-01-01",
            "after": "after:2025",
        }
        raise QueryError(f"{key}: needs a value, as in {examples[key]}")
    if key == "tag":
        try:
            name = normalise_tag(value).rstrip("/")
        except ValueError as error:
            raise QueryError(f"tag:{shown} is no tag: {str(error).split(': ', 1)[-1]}") from None
        if not name:
            raise QueryError(f"tag:{shown} is no tag")
        return Filter(key, tag_key(name), negated)
    if key == "color":
        if value not in ("1", "2", "3", "4", "5"):
            raise QueryError(f"color:{shown}: a colour is 1, 2, 3, 4 or 5")
        return Filter(key, value, negated)
    if key == "has":
        what = _HAS.get(value.casefold())
        if what is None:
            raise QueryError(f"has:{shown}: write has:note or has:tag")
        return Filter(key, what, negated)
    if key in ("before", "after"):
        if negated:
            other = "after" if key == "before" else "before"
            raise QueryError(f"-{key}: cannot be negated; write {other}: instead")
        start, following = _period(key, value.strip())
        return Filter(key, start if key == "before" else following)
    return Filter(key, " ".join(value.split()), negated)


def parse_query(text: str, *, partial: bool = False) -> Query:
    """The words, phrases and filters of ``text``; :class:`QueryError` for a bad filter.

    Unbalanced quotes close at the end; a word with no letter or digit is kept
    (the full-text scope looks for it) but the index ignores it. ``partial``
    is for a query still being typed: its last word, unless followed by a
    space, is a prefix (once it has :data:`PARTIAL_PREFIX_MIN` letters), and a
    filter left without a value at the end is ignored.
    """
    text = _SURROGATES.sub("\ufffd", text).replace("\x00", " ")
    terms: list[Term] = []
    filters: list[Filter] = []
    negate_next = False
    last_bare: int | None = None  # index in terms of a bare word ending the text
    at = 0
    while at < len(text):
        if text[at].isspace():
            at += 1
            continue
        negated, negate_next = negate_next, False
        if text[at] == "-" and at + 1 < len(text) and not text[at + 1].isspace():
            negated = True
            at += 1
        found = _FILTER.match(text, at)
        key = found.group(1).lower() if found else ""
        key = _KEY_ALIASES.get(key, key)
        if found is not None and key in FILTER_KEYS:
            value, at, _ = _read_value(text, found.end())
            if partial and at >= len(text) and not value.strip():
                break  # "tag:" being typed
            filters.append(_filter(key, value, negated))
            continue
        value, at, quoted = _read_value(text, at)
        if not quoted and value == "NOT" and not negated:
            negate_next = True
            continue
        prefix = not quoted and value.endswith("*") and value.rstrip("*") != ""
        if prefix:
            value = value.rstrip("*")
        if not value.strip():
            continue
        terms.append(Term(value, phrase=quoted, prefix=prefix, negated=negated))
        last_bare = len(terms) - 1 if not quoted and at >= len(text) else None
    if partial and last_bare is not None:
        last = terms[last_bare]
        # One or two letters begin thousands of words: ranking them all is slow and no help.
        if not last.negated and sum(map(str.isalnum, last.text)) >= PARTIAL_PREFIX_MIN:
            terms[last_bare] = Term(last.text, phrase=False, prefix=True)
    return Query(tuple(terms), tuple(filters))


# --- searching -------------------------------------------------------------------------------


def search(
    store: Store,
    query_text: str | Query,
    *,
    limit: int = 50,
    scope: str = "highlights",
    document_id: int | None = None,
    partial: bool = False,
    cancelled: Callable[[], bool] | None = None,
) -> list[Hit]:
    """The hits of a query, best first (highlights) or in document order (text).

    ``document_id`` keeps to one document. ``partial`` reads the query as one
    still being typed (see :func:`parse_query`). ``cancelled`` is asked between
    documents of a full-text search, which stops early when it says so.
    Raises :class:`QueryError` for a query that cannot be understood, and
    ValueError for a scope not in :data:`SCOPES`.
    """
    query = (
        query_text if isinstance(query_text, Query) else parse_query(query_text, partial=partial)
    )
    check_query(query, scope)
    if limit < 1:
        return []
    if scope == "text":
        return _TextSearch(store, query, limit, document_id, cancelled).run()
    return _HighlightSearch(store, query, limit, document_id).run()


def check_query(query: Query, scope: str) -> None:
    """Raise :class:`QueryError` if ``query`` cannot search ``scope`` (ValueError: no scope).

    The full text has no tags, colours, notes or dates: only words and ``doc:``.
    """
    if scope not in SCOPES:
        raise ValueError(f"a search's scope is one of {', '.join(SCOPES)}, not {scope!r}")
    if scope == "text":
        only_highlights = sorted({f.key for f in query.filters} - {"doc"})
        if only_highlights:
            names = ", ".join(f"{key}:" for key in only_highlights)
            raise QueryError(f"{names} choose highlights; a full-text search takes words and doc:")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join(text.casefold().split()))


def _document_ids(
    store: Store, query: Query, document_id: int | None
) -> tuple[set[int] | None, set[int]]:
    """The documents a query keeps to (None: any) and those it leaves out."""
    wanted, unwanted = query.of("doc"), query.of("doc", negated=True)
    chosen: set[int] | None = None
    if wanted or unwanted:
        documents = store.documents()
        titles = [(_fold(display_title(d)), d.id) for d in documents]
        ids = {d.id for d in documents}

        def named(spec: str) -> set[int]:
            if spec.isascii() and spec.isdigit() and int(spec) in ids:
                return {int(spec)}
            key = _fold(spec)
            return {doc_id for title, doc_id in titles if key in title}

        if wanted:
            chosen = set()
            for spec in wanted:
                chosen |= named(spec)
        excluded: set[int] = set()
        for spec in unwanted:
            excluded |= named(spec)
    else:
        excluded = set()
    if document_id is not None:
        chosen = {document_id} if chosen is None else chosen & {document_id}
    return chosen, excluded


def _fts_phrase(term: Term) -> str:
    return '"' + term.text.replace('"', '""') + '"' + ("*" if term.prefix else "")


class _Places:
    """Where highlights and offsets are in documents' current texts, one Locator per text."""

    _kept: ClassVar[OrderedDict[tuple[str, str], tuple[Locator, list[Block]]]] = OrderedDict()
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, store: Store) -> None:
        self._store = store
        self._documents: dict[int, Document] = {}

    def document(self, doc_id: int) -> Document:
        document = self._documents.get(doc_id)
        if document is None:
            document = self._documents[doc_id] = self._store.get_document(doc_id)
        return document

    def text(self, text_hash: str) -> tuple[Locator, list[Block]] | None:
        """The Locator of a stored text, with the text's blocks (None for an unknown hash)."""
        key = (str(self._store.path), text_hash)
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
                return found
        try:
            loaded = self._store.load_text(text_hash)
        except NotFoundError:
            return None
        found = (Locator.of(loaded), loaded.blocks)
        with self._lock:
            self._kept[key] = found
            while len(self._kept) > _LOCATORS_KEPT:
                self._kept.popitem(last=False)
        return found

    def of_highlight(self, document: Document, highlight: Highlight) -> str:
        if highlight.status == "orphan" or highlight.text_hash != document.text_hash:
            return ""
        found = self.text(document.text_hash)
        return found[0].at(highlight.start).describe() if found is not None else ""


class _HighlightSearch:
    """One search of the highlights: SQL over highlights and their FTS5 index."""

    def __init__(self, store: Store, query: Query, limit: int, document_id: int | None) -> None:
        self.store = store
        self.query = query
        self.limit = limit
        self.document_id = document_id
        self.places = _Places(store)

    def _conditions(self) -> tuple[list[str], list[Any]] | None:
        """SQL conditions on ``h`` for the filters, or None when nothing can match."""
        query = self.query
        conditions: list[str] = []
        params: list[Any] = []
        chosen, excluded = _document_ids(self.store, query, self.document_id)
        if chosen is not None:
            if not chosen - excluded:
                return None
            conditions.append(f"h.document_id IN ({', '.join('?' * len(chosen))})")
            params += sorted(chosen)
        if excluded:
            conditions.append(f"h.document_id NOT IN ({', '.join('?' * len(excluded))})")
            params += sorted(excluded)
        for negated in (False, True):
            colors = sorted(set(query.of("color", negated=negated)))
            if colors:
                no = "NOT " if negated else ""
                conditions.append(f"h.color {no}IN ({', '.join('?' * len(colors))})")
                params += [int(c) for c in colors]
            for key in query.of("tag", negated=negated):
                # The tag itself or one nested under it: keys from "key/" up to "key0"
                # ("0" follows "/"), so the tags_key index answers it.
                conditions.append(
                    f"h.id {'NOT ' if negated else ''}IN (SELECT ht.highlight_id"
                    " FROM tags t JOIN highlight_tags ht ON ht.tag_id = t.id"
                    " WHERE t.key = ? OR (t.key >= ? AND t.key < ?))"
                )
                params += [key, key + "/", key + "0"]
            for what in query.of("has", negated=negated):
                blank = "=" if negated else "!="
                if what == "note":
                    # Blank as str.strip() would see it, for the usual white space.
                    conditions.append(f"trim(h.note, ' ' || char(9, 10, 11, 12, 13)) {blank} ''")
                else:
                    conditions.append(f"h.tag_names {blank} ''")
        for bound in query.of("before"):
            conditions.append("h.created < ?")
            params.append(bound)
        for bound in query.of("after"):
            conditions.append("h.created >= ?")
            params.append(bound)
        return conditions, params

    def run(self) -> list[Hit]:
        words = self.query.words
        indexed = [t for t in words if t.has_words]
        if words and not indexed:
            return []  # only punctuation: no word of the index can match it
        excluded = [t for t in self.query.excluded if t.has_words]
        built = self._conditions()
        if built is None:
            return []
        conditions, params = built
        columns = ", ".join(f"h.{name.strip()}" for name in _HIGHLIGHT_SELECT.split(","))
        if not indexed:
            if excluded:
                conditions.append(
                    "h.rowid NOT IN (SELECT rowid FROM highlights_fts WHERE highlights_fts MATCH ?)"
                )
                params.append(" OR ".join(map(_fts_phrase, excluded)))
            where = " AND ".join(conditions) or "1"
            sql = (
                f"SELECT {columns} FROM highlights h WHERE {where}"
                " ORDER BY h.created DESC, h.rowid DESC LIMIT ?"
            )
            with self.store._reading() as conn:
                rows = conn.execute(sql, (*params, self.limit)).fetchall()
            return [self._listed(h) for h in _highlights(rows)]
        match = " AND ".join(map(_fts_phrase, indexed))
        if excluded:
            match = f"({match}) NOT ({' OR '.join(map(_fts_phrase, excluded))})"
        snippets = ", ".join(
            f"snippet(highlights_fts, {column}, char(2), char(3), '…', {SNIPPET_TOKENS})"
            for column in range(len(_FIELDS))
        )
        where = "".join(f" AND {condition}" for condition in conditions)
        sql = (
            f"SELECT {columns}, {snippets} FROM highlights_fts"
            " JOIN highlights h ON h.rowid = highlights_fts.rowid"
            f" WHERE highlights_fts MATCH ? AND highlights_fts.rank MATCH ?{where}"
            " ORDER BY highlights_fts.rank LIMIT ?"
        )
        with self.store._reading() as conn:
            rows = conn.execute(sql, (match, _RANK, *params, self.limit)).fetchall()
        width = len(_FIELDS)
        found = _highlights([row[:-width] for row in rows])
        return [self._ranked(h, row[-width:]) for h, row in zip(found, rows, strict=True)]

    def _hit(self, h: Highlight, snippet: str, marks: list[tuple[int, int]], field: str) -> Hit:
        document = self.places.document(h.document_id)
        text, marks = _tidy(snippet, marks)
        where = self.places.of_highlight(document, h)
        return Hit("highlight", document, h.start, h.end, text, tuple(marks), where, field, h)

    def _listed(self, h: Highlight) -> Hit:
        return self._hit(h, _shorten(h.quote, SNIPPET_CHARS), [], "")

    def _ranked(self, h: Highlight, snippets: Sequence[str]) -> Hit:
        raw = (h.quote, h.note, "\x1f".join(h.tags))
        if any(_OPEN in value or _CLOSE in value for value in raw):
            # The field holds a marker character itself: its marks cannot be told apart.
            return self._hit(h, _shorten(h.quote, SNIPPET_CHARS), [], "quote")
        for field, snippet in zip(_FIELDS, snippets, strict=True):
            if _OPEN in snippet:
                text, marks = _unmark(snippet)
                if field == "tags":
                    text, marks = _as_tags(h.tags, text, marks)
                return self._hit(h, text, marks, field)
        return self._hit(h, _shorten(h.quote, SNIPPET_CHARS), [], "quote")


def _unmark(snippet: str) -> tuple[str, list[tuple[int, int]]]:
    """The snippet without FTS5's markers, and the ranges they enclosed."""
    out: list[str] = []
    marks: list[tuple[int, int]] = []
    length = 0
    opened: int | None = None
    for piece in re.split(f"([{_OPEN}{_CLOSE}])", snippet):
        if piece == _OPEN:
            opened = length
        elif piece == _CLOSE:
            if opened is not None and length > opened:
                marks.append((opened, length))
            opened = None
        else:
            out.append(piece)
            length += len(piece)
    return "".join(out), marks


def _as_tags(
    tags: Sequence[str], text: str, marks: list[tuple[int, int]]
) -> tuple[str, list[tuple[int, int]]]:
    """The tags column's snippet ("a b") written as tags are shown ("#a #b"), marks moved."""
    if text != " ".join(tags):
        return text, marks  # cut short by the snippet: left as FTS5 gave it
    # Each character of tag k moves right by k + 1 (one "#" per tag up to it).
    shift = [0] * (len(text) + 1)
    at = 0
    for index, tag in enumerate(tags):
        for offset in range(len(tag) + 1):
            if at + offset <= len(text):
                shift[at + offset] = index + 1
        at += len(tag) + 1
    shifted = [(a + shift[a], b + shift[b - 1]) for a, b in marks]
    return " ".join(f"#{tag}" for tag in tags), shifted


def _shorten(text: str, limit: int) -> str:
    """The start of ``text``, cut at a word before ``limit`` characters with "…"."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat.rfind(" ", 0, limit)
    return flat[: cut if cut > limit // 2 else limit].rstrip() + "…"


def _tidy(text: str, marks: Sequence[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
    """``text`` on one line, white space runs made one space, controls visible; marks moved."""
    index: list[int] = []  # where each character of text lands
    out: list[str] = []
    length = 0
    space = True  # leading white space goes
    for char in text:
        index.append(length)
        if char.isspace():
            if not space:
                out.append(" ")
                length += 1
            space = True
        else:
            out.append(char)
            length += 1
            space = False
    index.append(length)
    tidy = "".join(out).rstrip(" ")
    # No white space but " " is left, so make_inert maps one character to one.
    inert = make_inert(tidy)
    if len(inert) != len(tidy):
        return inert, []
    moved = []
    for start, end in marks:
        a, b = index[start], min(index[end], len(tidy))
        if a < b:
            moved.append((a, b))
    return inert, moved


# --- the full text ---------------------------------------------------------------------------


def _pattern(term: Term) -> re.Pattern[str]:
    """A term in case-folded text: its words with any white space between them."""
    return re.compile(r"\s+".join(re.escape(word) for word in term.text.casefold().split()))


class _TextSearch:
    """One search of documents' texts: each text case-folded and scanned, paragraph by paragraph."""

    def __init__(
        self,
        store: Store,
        query: Query,
        limit: int,
        document_id: int | None,
        cancelled: Callable[[], bool] | None,
    ) -> None:
        self.store = store
        self.query = query
        self.limit = limit
        self.document_id = document_id
        self.cancelled = cancelled or (lambda: False)
        self.places = _Places(store)
        self.patterns = [_pattern(t) for t in query.words]
        self.unwanted = [_pattern(t) for t in query.excluded]
        self.hits: list[Hit] = []

    def run(self) -> list[Hit]:
        if not self.patterns:
            return []
        chosen, excluded = _document_ids(self.store, self.query, self.document_id)
        for document in self.store.documents():
            if (chosen is not None and document.id not in chosen) or document.id in excluded:
                continue
            if self.cancelled():
                break
            self._scan(document)
            if len(self.hits) >= self.limit:
                break
        return self.hits[: self.limit]

    def _scan(self, document: Document) -> None:
        with self.store._reading() as conn:
            row = conn.execute(
                "SELECT text FROM texts WHERE hash = ?", (document.text_hash,)
            ).fetchone()
        if row is None:
            return
        text: str = row[0]
        folded = text.casefold()
        # Every word somewhere in the document, before its paragraphs are looked at.
        if any(pattern.search(folded) is None for pattern in self.patterns):
            return
        found_text = self.places.text(document.text_hash)
        if found_text is None:
            return
        locator, blocks = found_text
        if len(folded) == len(text):
            # Folding kept every character one character: offsets carry over, and only
            # the paragraphs where the first word occurs need a look.
            starts = [block.start for block in blocks]
            seen: set[int] = set()
            for found in self.patterns[0].finditer(folded):
                index = bisect_right(starts, found.start()) - 1
                if index < 0 or index in seen:
                    continue
                seen.add(index)
                block = blocks[index]
                self._block(document, text, block, folded[block.start : block.end], None, locator)
                if len(self.hits) >= self.limit:
                    return
            return
        for block in blocks:
            piece = text[block.start : block.end]
            folded_piece = piece.casefold()
            ends = None
            if len(folded_piece) != len(piece):
                # "ß" folds to "ss": where each character's folding ends, to map back.
                ends = list(accumulate(len(char.casefold()) for char in piece))
            self._block(document, text, block, folded_piece, ends, locator)
            if len(self.hits) >= self.limit:
                return

    def _block(
        self,
        document: Document,
        text: str,
        block: Block,
        folded: str,
        ends: list[int] | None,
        locator: Locator,
    ) -> None:
        """The hits in one paragraph: each place of the first word, if every word is in it."""
        if any(p.search(folded) is None for p in self.patterns[1:]) or any(
            p.search(folded) for p in self.unwanted
        ):
            return

        def to_text(start: int, end: int) -> tuple[int, int]:
            if ends is None:
                return block.start + start, block.start + end
            return block.start + bisect_right(ends, start), block.start + bisect_left(ends, end) + 1

        marks = sorted(
            to_text(*found.span())
            for pattern in self.patterns
            for found in pattern.finditer(folded)
            if found.end() > found.start()
        )
        for found in self.patterns[0].finditer(folded):
            if found.end() == found.start():
                continue
            start, end = to_text(*found.span())
            snippet, marks_in = _window(text, block.start, block.end, start, end, marks)
            snippet, moved = _tidy(snippet, marks_in)
            where = locator.at(start).describe()
            self.hits.append(
                Hit(
                    kind="text",
                    document=document,
                    start=start,
                    end=end,
                    snippet=snippet,
                    marks=tuple(moved),
                    where=where,
                    field="text",
                    matched=text[start:end],
                )
            )
            if len(self.hits) >= self.limit:
                return


def _window(
    text: str, low: int, high: int, start: int, end: int, marks: Sequence[tuple[int, int]]
) -> tuple[str, list[tuple[int, int]]]:
    """About SNIPPET_CHARS of ``text[low:high]`` around ``[start, end)``, cut at spaces."""
    first = max(low, start - SNIPPET_CHARS * 2 // 5)
    last = min(high, max(end, first + SNIPPET_CHARS))
    first = max(low, min(first, last - SNIPPET_CHARS))
    if first > low:
        space = text.find(" ", first, start)
        first = space + 1 if space >= 0 else first
    if last < high:
        space = text.rfind(" ", end, last)
        last = space if space >= 0 else last
    head = "…" if first > low else ""
    tail = "…" if last < high else ""
    shift = len(head) - first
    inside = [
        (max(a, first) + shift, min(b, last) + shift) for a, b in marks if a < last and b > first
    ]
    return head + text[first:last] + tail, inside
