"""Kindle "My Clippings.txt": highlights and notes from any firmware, grouped by book.

A Kindle appends every highlight, note and bookmark to one file, an entry each,
ended by a line of ten "=" signs::

    Title (Series 2) (Author Name)
    - Your Highlight on page 246 | Location 3436-3437 | Added on Monday, March 21, 2016 8:35:16 AM

    The text of the highlight.
    ==========

The second line is written in the device's language (English, German,
Spanish, French, Italian, Portuguese, Dutch, Chinese and Japanese words are
known here), with or without a page, "Location"/"Position"/"位置 #" ranges
and a date in that language's form. What the parser decides:

- Title and authors: the last parenthesised group of the title line is the
  author list (nested brackets allowed, as in "((美)米切尔)"), authors split
  on ";" (see ``split_authors``); without one, the old "Title - Author" form is
  tried; otherwise the whole line is the title. Entries group into books by
  that line, in the order the books first appear.
- Bookmarks are skipped, and so are highlights and notes with no text; each
  kind is counted in ``skipped``.
- A highlight edited on the device (extended, shortened, or made again) is
  appended again: an entry of the same book whose location range overlaps an
  earlier one (or, with no locations, on the same page) and whose text
  contains the earlier text or is contained in it is the same highlight. The
  later entry wins, since the file is written in the order things happen and
  the later one is what the device shows; it takes the earlier one's place in
  the list. The dropped versions are counted in ``skipped``. Overlapping
  highlights whose texts differ are both kept.
- A note belongs to the highlight of the same book whose location range holds
  the note's location (a note ending a highlight is at its last location),
  wherever it is in the file: a note written before its highlight still
  attaches. With several candidates, the one ending at the note wins, then
  the shortest range, then the latest. Two notes at the same location are an
  edit: the later replaces the earlier. Notes at different places in one
  highlight are joined with a blank line.
- A note that belongs to no highlight is kept as an ``ImportedHighlight``
  whose ``quote`` is "" and whose ``note`` is its text, at its own place and
  time: nothing the reader typed is dropped. The importer must store such an
  entry as a note on the book (or a note at that location), never as a
  highlight to anchor, since there is no quote to find.
- ``created`` is the date as written, in ISO 8601 *without* a zone
  ("2014-11-20T23:24:32"): a Kindle records its local time and not its zone,
  so no UTC instant can be given. A date that cannot be read leaves "".
- ``order`` is the location's start, or the page times 1000 when only a page
  is given (so page-only entries sort among located ones), or -1.
- ``location`` is in English whatever the device's language
  ("Location 759-760", "page 246, Location 3436", "page 125"); ``page`` is the
  page label as given ("246", "xii", "7-9").
- An entry of a kind not recognised is taken as a highlight when it has text:
  a clipping is text taken from the book.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from db.documents.inert import make_inert
from db.imports.records import ImportedBook, ImportedHighlight, ParsedImport

__all__ = ["SEPARATOR", "parse_kindle", "split_authors", "split_title"]

SEPARATOR = "=========="

_BOM = "\ufeff"

# Kinds of entry by the words devices write for them. Notes are tried last:
# their words are short ("note", "nota") and could sit inside a longer word.
_BOOKMARK_WORDS = ("bookmark", "lesezeichen", "书签", "書籤", "marcador", "signet", "segnalibro",
                   "ブックマーク", "bladwijzer", "закладка")  # fmt: skip
_HIGHLIGHT_WORDS = ("highlight", "markierung", "标注", "標註", "subrayado", "surlignement",
                    "evidenziazione", "destaque", "ハイライト", "markering", "выделение",
                    "clip this article")  # fmt: skip
_NOTE_WORDS = ("note", "notiz", "笔记", "筆記", "nota", "メモ", "notitie", "заметка")

_LOCATION = re.compile(
    r"(?:\blocation|\bloc\.|\bposition|\bposici[oó]n|\bposizione|\bposi[cç][aã]o|\bemplacement"
    r"|\bpositie|位置(?:\s*no\.)?)\s*#?\s*(\d+)(?:\s*-\s*(\d+))?",
    re.IGNORECASE,
)
_PAGE_LABEL = r"(\d+|[ivxlcdm]+\b)"
_PAGE = re.compile(
    rf"(?:\bpage|\bseite|\bp[aá]gina|\bbladzijde)\s+{_PAGE_LABEL}(?:\s*-\s*{_PAGE_LABEL})?",
    re.IGNORECASE,
)
_PAGE_CJK = re.compile(r"第\s*(\d+)\s*页|(\d+)\s*ページ")

_TIME = re.compile(r"(\d{1,2})[:時](\d{2})(?:[:分](\d{2}))?")
_DATE_CJK = re.compile(r"(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})")
_DATE_NUMERIC = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_WORD = re.compile(r"[^\W\d_]+")
_NUMBER = re.compile(r"\d+")
# Only next to the time: German "Hinzugefügt am" is not a morning.
_PM_AFTER = re.compile(r"\s*p\.?\s?m\b", re.IGNORECASE)
_AM_AFTER = re.compile(r"\s*a\.?\s?m\b", re.IGNORECASE)
_PM_BEFORE = ("下午", "午後", "晚上", "傍晚", "오후")
_AM_BEFORE = ("上午", "午前", "凌晨", "早上", "오전")
_NOON = "中午"

_MONTH_NAMES: tuple[tuple[str, ...], ...] = (
    ("january", "jan", "januar", "enero", "janvier", "gennaio", "janeiro", "januari"),
    ("february", "feb", "februar", "febrero", "février", "fevrier", "febbraio", "fevereiro",
     "februari"),
    ("march", "mar", "märz", "marz", "marzo", "mars", "março", "marco", "maart"),
    ("april", "apr", "abril", "avril", "aprile"),
    ("may", "mai", "mayo", "maggio", "maio", "mei"),
    ("june", "jun", "juni", "junio", "juin", "giugno", "junho"),
    ("july", "jul", "juli", "julio", "juillet", "luglio", "julho"),
    ("august", "aug", "agosto", "août", "aout", "augustus"),
    ("september", "sep", "sept", "septiembre", "setiembre", "septembre", "settembre", "setembro"),
    ("october", "oct", "oktober", "octubre", "octobre", "ottobre", "outubro"),
    ("november", "nov", "noviembre", "novembre", "novembro"),
    ("december", "dec", "dezember", "diciembre", "décembre", "decembre", "dicembre", "dezembro"),
)  # fmt: skip
_MONTHS = {name: number for number, names in enumerate(_MONTH_NAMES, 1) for name in names}

#: Locations per bucket of the overlap index, and the most buckets one range is filed under.
_BUCKET = 64
_MAX_BUCKETS = 64

_NAME_SEPARATORS = re.compile("[;；，、]")
_LIST_AND = re.compile(r",?\s+(?:and|&)\s+")


@dataclass(slots=True)
class _Entry:
    """One clipping of a book, before edits collapse and notes find their highlight."""

    kind: str  # "highlight", "note" or "bookmark"
    text: str
    start: int  # location range; -1 when the entry has none
    end: int
    page: str
    created: str
    seq: int  # place in the file: later entries were written later
    place: int = 0  # where it is listed: an edited highlight keeps its first version's place

    def location_text(self) -> str:
        parts = []
        if self.page:
            parts.append(f"page {self.page}")
        if self.start >= 0:
            span = str(self.start) if self.end == self.start else f"{self.start}-{self.end}"
            parts.append(f"Location {span}")
        return ", ".join(parts)

    def order(self) -> int:
        if self.start >= 0:
            return self.start
        first = self.page.split("-")[0]
        return int(first) * 1000 if first.isdigit() else -1


@dataclass(slots=True)
class _Book:
    title: str
    authors: list[str]
    highlights: list[_Entry]
    notes: list[_Entry]


def parse_kindle(text: str) -> ParsedImport:
    """Parse the text of a "My Clippings.txt" into books with their highlights and notes."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    result = ParsedImport(format="kindle")
    books: dict[str, _Book] = {}
    counts = {"bookmark": 0, "empty highlight": 0, "empty note": 0}
    record: list[str] = []
    record_line = 1
    seq = 0
    lines = text.split("\n")
    lines.append(SEPARATOR)  # closes a last entry that has no separator
    for number, line in enumerate(lines, 1):
        if line.strip().lstrip(_BOM) != SEPARATOR:
            if not record:
                record_line = number
            record.append(line)
            continue
        if record:
            seq += 1
            _add_record(record, record_line, seq, books, counts, result)
            record = []
    edits = 0
    for book in books.values():
        highlights, dropped = _collapse_edits(book.highlights)
        edits += dropped
        result.books.append(
            ImportedBook(
                title=book.title,
                authors=book.authors,
                highlights=_with_notes(highlights, book.notes),
                kind="book",
            )
        )
    for what, count in (*counts.items(), ("earlier version", edits)):
        if count:
            label = f"{what}s" if count != 1 else what
            if what == "earlier version":
                label += " of highlights edited on the device"
            result.skipped.append(f"{count} {label}")
    return result


def _add_record(
    record: list[str],
    line_number: int,
    seq: int,
    books: dict[str, _Book],
    counts: dict[str, int],
    result: ParsedImport,
) -> None:
    # Blank lines before the title (a file starting with a blank line, or the
    # Spanish firmware's leading newline) are not part of it.
    start = 0
    while start < len(record) and not record[start].strip(_BOM + " \t"):
        start += 1
    if start == len(record):
        return
    line_number += start
    title_line = " ".join(record[start].replace(_BOM, "").split())
    if start + 1 >= len(record) or not record[start + 1].lstrip(_BOM + " ").startswith("-"):
        result.failed.append(f"line {line_number}: no '- Your Highlight ...' line after the title")
        return
    header = record[start + 1].lstrip(_BOM + " -")
    body = "\n".join(line.rstrip() for line in record[start + 2 :]).strip()
    kind = _kind(header)
    if kind == "bookmark":
        counts["bookmark"] += 1
        return
    if not body:
        counts[f"empty {kind}"] += 1
        return
    book = books.get(title_line)
    if book is None:
        title, authors = split_title(title_line)
        book = books[title_line] = _Book(make_inert(title), authors, [], [])
    start_loc, end_loc = _locations(header)
    entry = _Entry(
        kind=kind,
        text=make_inert(body),
        start=start_loc,
        end=end_loc,
        page=_page(header),
        created=parse_date(header.rsplit("|", 1)[-1]) if "|" in header else parse_date(header),
        seq=seq,
        place=seq,
    )
    (book.notes if kind == "note" else book.highlights).append(entry)


def _kind(header: str) -> str:
    lowered = header.lower()
    if any(word in lowered for word in _BOOKMARK_WORDS):
        return "bookmark"
    if any(word in lowered for word in _HIGHLIGHT_WORDS):
        return "highlight"
    if any(word in lowered for word in _NOTE_WORDS):
        return "note"
    return "highlight"


def _locations(header: str) -> tuple[int, int]:
    match = _LOCATION.search(header)
    if match is None:
        return -1, -1
    start = int(match.group(1))
    if match.group(2) is None:
        return start, start
    end_text = match.group(2)
    end = int(end_text)
    if end < start and len(end_text) < len(match.group(1)):
        # Old firmware shortens the end: "Loc. 2126-29" is 2126-2129.
        end = int(match.group(1)[: -len(end_text)] + end_text)
    return start, max(start, end)


def _page(header: str) -> str:
    match = _PAGE.search(header)
    if match is not None:
        first, last = match.group(1), match.group(2)
        return first if last is None or last == first else f"{first}-{last}"
    match = _PAGE_CJK.search(header)
    if match is not None:
        return match.group(1) or match.group(2)
    return ""


def parse_date(text: str) -> str:
    """A Kindle's date in any of its languages as "2014-11-20T23:24:32" (local time), or ""."""
    time = _TIME.search(text)
    hour = minute = second = 0
    rest = text
    if time is not None:
        hour, minute = int(time.group(1)), int(time.group(2))
        second = int(time.group(3) or 0)
        before, after = text[max(0, time.start() - 4) : time.start()], text[time.end() :]
        afternoon = _PM_AFTER.match(after) or any(w in before for w in _PM_BEFORE)
        if hour < 12 and (afternoon or (_NOON in before and hour < 11)):
            hour += 12
        elif hour == 12 and (_AM_AFTER.match(after) or any(w in before for w in _AM_BEFORE)):
            hour = 0
        rest = text[: time.start()] + " " + after
    cjk = _DATE_CJK.search(rest) or _DATE_NUMERIC.search(rest)
    if cjk is not None:
        year, month, day = (int(group) for group in cjk.groups())
    else:
        month = next((_MONTHS[w] for w in _WORD.findall(rest.lower()) if w in _MONTHS), 0)
        numbers = _NUMBER.findall(rest)
        if not month or not numbers:
            return ""
        years = [n for n in numbers if len(n) == 4]
        if years:
            year = int(years[0])
            numbers.remove(years[0])
        elif len(numbers) >= 2:
            # "Monday, 3 December 12 19:42:30": a two-digit year comes last.
            year = 2000 + int(numbers.pop())
        else:
            return ""
        if not numbers:
            return ""
        day = int(numbers[0])
    try:
        return datetime(year, month, day, hour, minute, second).isoformat()
    except ValueError:
        return ""


def split_title(line: str) -> tuple[str, list[str]]:
    """The title and the authors of a title line: "Title (Series) (Author; Other)"."""
    line = " ".join(line.replace(_BOM, "").split())
    if line.endswith(")"):
        depth = 0
        for index in range(len(line) - 1, -1, -1):
            char = line[index]
            if char == ")":
                depth += 1
            elif char == "(":
                depth -= 1
                if depth == 0:
                    title = line[:index].strip()
                    if title:
                        return title, split_authors(line[index + 1 : -1])
                    break
    if " - " in line:
        title, author = line.rsplit(" - ", 1)
        if title.strip() and author.strip():
            return title.strip(), split_authors(author)
    return line, []


def split_authors(text: str) -> list[str]:
    """Names from one author string, each as written ("Family, Given" stays one name).

    ";" always separates names ("Blank, Steve;Dorf, Bob"), and so do the
    full-width "；", "，" and "、" of Chinese lists ("王小波，李银河"). " and " or " & "
    separate names too, and a comma before them lists more ("A B, C D, and
    E F"), but only when every name of the list has a space in it: in
    "Howard, Jeremy and Gugger, Sylvain" the commas are inside names. With no
    "and", commas list names only when there are two or more and every piece
    has a space; a single comma is taken as "Family, Given" ("Le Guin, Ursula K.").
    Trailing commas go ("Seneca," is "Seneca"); "Unknown" is no author.
    """
    names: list[str] = []
    for part in _NAME_SEPARATORS.split(text):
        part = " ".join(make_inert(part).split()).strip(" ,")
        if not part or part.lower() == "unknown":
            continue
        pieces = _LIST_AND.split(part)
        if len(pieces) > 1:
            expanded = [*_comma_list(pieces[0], minimum=1), *pieces[1:]]
            names.extend(piece.strip(" ,") for piece in expanded if piece.strip(" ,"))
            continue
        names.extend(_comma_list(part, minimum=2))
    return names


def _comma_list(text: str, *, minimum: int) -> list[str]:
    pieces = [piece.strip() for piece in text.split(",")]
    if len(pieces) > minimum and all(" " in piece for piece in pieces):
        return pieces
    return [text]


def _overlaps(a: _Entry, b: _Entry) -> bool:
    if a.start >= 0 and b.start >= 0:
        return a.start <= b.end and b.start <= a.end
    return a.start < 0 and b.start < 0 and bool(a.page) and a.page == b.page


class _Index:
    """Entries by the stretch of locations (or the page) they cover, to find overlaps fast.

    A book can hold thousands of highlights; comparing each with every other
    would take seconds, so each is filed under the buckets of ``_BUCKET``
    locations its range touches. Ranges too wide for that are always checked.
    """

    __slots__ = ("buckets", "wide")

    def __init__(self) -> None:
        self.buckets: dict[tuple[int, str], list[int]] = {}
        self.wide: list[int] = []

    @staticmethod
    def _keys(entry: _Entry) -> list[tuple[int, str]] | None:
        if entry.start >= 0:
            first, last = entry.start // _BUCKET, entry.end // _BUCKET
            if last - first > _MAX_BUCKETS:
                return None
            return [(bucket, "") for bucket in range(first, last + 1)]
        return [(-1, entry.page)] if entry.page else []

    def add(self, index: int, entry: _Entry) -> None:
        keys = self._keys(entry)
        if keys is None:
            self.wide.append(index)
            return
        for key in keys:
            self.buckets.setdefault(key, []).append(index)

    def candidates(self, entry: _Entry) -> list[int]:
        """Indexes of entries that may overlap ``entry``, in the order they were added."""
        keys = self._keys(entry)
        if keys is None:
            keys = [(bucket, "") for bucket in {k[0] for k in self.buckets} if bucket >= 0]
        found = set(self.wide)
        for key in keys:
            found.update(self.buckets.get(key, ()))
        return sorted(found)


def _collapse_edits(highlights: list[_Entry]) -> tuple[list[_Entry], int]:
    """The highlights with every earlier version of an edited one dropped, and how many went."""
    kept: list[_Entry] = []
    squeezed: list[str] = []
    index = _Index()
    dropped = 0
    for entry in highlights:
        text = " ".join(entry.text.split())
        for position in index.candidates(entry):
            earlier = kept[position]
            if _overlaps(earlier, entry) and (
                text in squeezed[position] or squeezed[position] in text
            ):
                entry.place = earlier.place
                kept[position] = entry
                squeezed[position] = text
                # Filed again under its new range; the old keys still lead to it.
                index.add(position, entry)
                dropped += 1
                break
        else:
            index.add(len(kept), entry)
            kept.append(entry)
            squeezed.append(text)
    return kept, dropped


def _with_notes(highlights: list[_Entry], notes: list[_Entry]) -> list[ImportedHighlight]:
    """The book's highlights with their notes, and each note no highlight holds on its own."""
    attached: dict[int, list[_Entry]] = {}
    lone: list[_Entry] = []
    located = _Index()
    for position, entry in enumerate(highlights):
        located.add(position, entry)
    for note in notes:
        target = _target(highlights, located.candidates(note), note)
        if target is None:
            lone.append(note)
        else:
            attached.setdefault(target, []).append(note)
    items: list[tuple[int, ImportedHighlight]] = []
    for index, entry in enumerate(highlights):
        items.append((entry.place, _imported(entry, entry.text, _note_text(attached.get(index)))))
    for note in lone:
        items.append((note.place, _imported(note, "", note.text)))
    # In file order; a lone note stays where it was written, among the highlights.
    items.sort(key=lambda item: item[0])
    return [item for _, item in items]


def _imported(entry: _Entry, quote: str, note: str) -> ImportedHighlight:
    return ImportedHighlight(
        quote=quote,
        note=note,
        location=entry.location_text(),
        page=entry.page,
        created=entry.created,
        order=entry.order(),
    )


def _target(highlights: list[_Entry], candidates: list[int], note: _Entry) -> int | None:
    best: tuple[int, int, int] | None = None
    target = None
    for index in candidates:
        entry = highlights[index]
        if note.start >= 0 and entry.start >= 0:
            if not entry.start <= note.start <= entry.end:
                continue
        elif not (note.start < 0 and entry.start < 0 and note.page and note.page == entry.page):
            continue
        rank = (0 if entry.end == note.start else 1, entry.end - entry.start, -entry.seq)
        if best is None or rank < best:
            best, target = rank, index
    return target


def _note_text(notes: list[_Entry] | None) -> str:
    latest: dict[tuple[int, str], str] = {}
    for note in sorted(notes or (), key=lambda n: n.seq):
        # Notes at one place are one note edited: the later text is the note.
        latest[note.start, note.page] = note.text
    return "\n\n".join(latest.values())
