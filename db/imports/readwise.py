"""Readwise CSV: its export (with or without "Document tags") and its import format.

Columns are found by name in the header, in any order and any case:

- the export: ``Highlight,Book Title,Book Author,Amazon Book ID,Note,Color,
  Tags,Location Type,Location,Highlighted at`` and, since 2025 or so,
  ``Document tags``;
- the import format (which margin's own Readwise export writes):
  ``Highlight,Title,Author,URL,Note,Location,Date``.

``Highlight`` is the only column required. Rows group into books by title
and author, in the order the books first appear; highlights keep file order.
What the parser decides:

- Tags: the ``Tags`` cell is split on commas. Readwise's action tags stay
  tags as they are: ``h1``..``h6`` (the highlight is a heading), ``c1``..
  (concatenate with the next), ``discard``, ``favorite``; the importer may
  act on them. A note whose first line is only ``.word`` tokens (Readwise's
  inline tags, as in ``.h1`` or margin's own ``.asylum .topic/asylum``) gives
  those words as tags, and the lines after it are the note.
- Colours map to margin's five by hue: yellow 1, green 2, blue 3, pink and
  red and orange 4, purple 5; empty or unknown is 1.
- Location: ``page`` gives "page 14" and ``page`` "14"; ``location`` gives
  "Location 1693" (a Kindle location); ``order``, ``offset`` and ``time``
  give "order 2", "offset 81", "time 754". ``order`` is the number in every
  case. With no type, a number is kept as it is ("14"), and 0 means unknown.
- ``Highlighted at`` (or ``Date``) becomes ISO 8601 UTC to the second
  ("2020-12-23 03:22:08.7525+00:00" -> "2020-12-23T03:22:08Z"); a time with
  no zone is taken as UTC, as margin's own export writes it.
- Authors: Readwise gives one string per book; it is split by
  ``db.imports.kindle.split_authors``: on ";", on " and " / " & " ("Jeremy
  Howard and Sylvain Gugger"), and on commas only when two or more commas
  separate names that all have a space in them, so "Family, Given" stays one
  name. "Blank, Steve, Dorf, Bob" stays one string: it cannot be told apart.
- Books: ``Amazon Book ID`` gives ``identifiers["asin"]`` and ``kind``
  "book"; an author that is a domain name ("reason.com", as Readwise names
  the site of an article) gives ``kind`` "article". ``Document tags`` are
  split on commas (list brackets and quotes around them are dropped).
- A row with a note but no highlight is kept with ``quote`` "" (see the
  Kindle parser: the importer keeps it as a note); a row with neither is
  counted in ``skipped``. A row with no title goes to a book titled "", for
  the importer to name.
- A row the CSV reader cannot read (a cell over 128 KiB, the ``csv``
  module's limit, which is process-wide and so left alone) stops the parse
  there, with its line in ``failed``; the rows before it are kept.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

from db.documents.inert import make_inert
from db.imports.kindle import split_authors
from db.imports.records import ImportedBook, ImportedHighlight, ParsedImport

__all__ = ["COLORS", "parse_readwise"]

#: Readwise's colour names -> margin's colours (1 yellow, 2 green, 3 blue, 4 pink, 5 purple).
COLORS = {"yellow": 1, "green": 2, "blue": 3, "pink": 4, "red": 4, "orange": 4, "purple": 5}

# Each field and the header names that give it (lower case), first found wins.
_COLUMNS = {
    "highlight": ("highlight",),
    "title": ("book title", "title"),
    "author": ("book author", "author"),
    "asin": ("amazon book id",),
    "url": ("url", "source url", "book url"),
    "note": ("note",),
    "color": ("color", "colour"),
    "tags": ("tags",),
    "location_type": ("location type",),
    "location": ("location",),
    "created": ("highlighted at", "date"),
    "document_tags": ("document tags",),
}

_DOT_TAGS = re.compile(r"(?:\.[^\s.][^\s]*)(?:\s+\.[^\s.][^\s]*)*")
_DOMAIN = re.compile(r"(?:[\w-]+\.)+[a-z]{2,}", re.IGNORECASE)
_FRACTION = re.compile(r"(\d{2}:\d{2}:\d{2})\.\d+")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def parse_readwise(text: str) -> ParsedImport:
    """Parse a Readwise CSV into books with their highlights."""
    result = ParsedImport(format="readwise")
    text = text.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        result.failed.append("line 1: the file is empty")
        return result
    except csv.Error as error:
        result.failed.append(f"line 1: not CSV ({error})")
        return result
    names = [name.strip().lstrip("\ufeff").lower() for name in header]
    columns: dict[str, int] = {}
    for field, wanted in _COLUMNS.items():
        for name in wanted:
            if name in names:
                columns[field] = names.index(name)
                break
    if "highlight" not in columns:
        result.failed.append("line 1: no Highlight column in the header")
        return result
    books: dict[tuple[str, str], ImportedBook] = {}
    empty = 0
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            result.failed.append(f"line {line}: {error}")
            break
        if not any(cell.strip() for cell in row):
            continue
        cells = _Row(row, columns)
        highlight = _highlight(cells)
        if not highlight.quote and not highlight.note:
            empty += 1
            continue
        title, author = make_inert(cells.get("title")), make_inert(cells.get("author"))
        book = books.get((title, author))
        if book is None:
            book = books[title, author] = ImportedBook(title=title, authors=split_authors(author))
            if _DOMAIN.fullmatch(author):
                book.kind = "article"
        asin = make_inert(cells.get("asin"))
        if asin and "asin" not in book.identifiers:
            book.identifiers["asin"] = asin
            book.kind = "book"
        if not book.url and cells.get("url"):
            book.url = make_inert(cells.get("url"))
        for tag in _split_tags(cells.get("document_tags")):
            if tag not in book.tags:
                book.tags.append(tag)
        book.highlights.append(highlight)
    result.books.extend(books.values())
    if empty:
        result.skipped.append(f"{empty} empty highlight{'s' if empty != 1 else ''}")
    return result


class _Row:
    """A row's cells by field name ("" for a column the file lacks or the row is short of)."""

    __slots__ = ("cells", "columns")

    def __init__(self, cells: list[str], columns: dict[str, int]) -> None:
        self.cells = cells
        self.columns = columns

    def get(self, field: str) -> str:
        index = self.columns.get(field)
        return self.cells[index].strip() if index is not None and index < len(self.cells) else ""


def _highlight(row: _Row) -> ImportedHighlight:
    quote = make_inert(row.get("highlight"))
    note = make_inert(row.get("note"))
    tags = _split_tags(row.get("tags"))
    first, _, rest = note.partition("\n")
    if _DOT_TAGS.fullmatch(first.strip()):
        for word in first.split():
            if word[1:] not in tags:
                tags.append(word[1:])
        note = rest.strip()
    location, page, order = _place(row.get("location_type").lower(), row.get("location"))
    return ImportedHighlight(
        quote=quote,
        note=note,
        tags=tags,
        color=COLORS.get(row.get("color").lower(), 1),
        location=location,
        page=page,
        created=_created(row.get("created")),
        order=order,
    )


def _split_tags(text: str) -> list[str]:
    tags: list[str] = []
    for tag in make_inert(text).strip().strip("[]").split(","):
        tag = tag.strip().strip("'\"").strip()
        if tag and tag not in tags:
            tags.append(tag)
    return tags


def _place(kind: str, value: str) -> tuple[str, str, int]:
    """The location text, the page label and the order of a Location Type and Location."""
    value = make_inert(value).strip()
    number = int(float(value)) if _NUMBER.fullmatch(value) else -1
    if not kind:
        if number == 0 or not value:
            return "", "", -1
        return value, "", number
    if not value:
        return "", "", -1
    if kind == "page":
        return f"page {value}", value, number
    if kind == "location":
        return f"Location {value}", "", number
    return f"{kind} {value}", "", number


def _created(text: str) -> str:
    """ISO 8601 UTC to the second ("2020-12-23T03:22:08Z"), or "" if it is not a time."""
    text = _FRACTION.sub(r"\1", text.strip())
    if not text:
        return ""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return ""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    elif len(text) <= 10:
        return moment.date().isoformat()
    return moment.isoformat() + "Z"
