"""Readwise CSV export: every highlight of any number of documents, one row each, for import.

The columns are Readwise's, in its order: ``Highlight,Title,Author,URL,Note,
Location,Date``. Readwise has no tag column; it reads tags from a note that
starts with ``.tag`` words (its "inline tags", one of its action tags), so a
highlight's tags lead its note: ``.asylum .topic/asylum`` on the first line,
the note on the lines after. Location is a number, as Readwise sorts by it:
the page where the source has a numeric one, else the paragraph number.
Date is the highlight's creation in UTC as ``YYYY-MM-DD HH:MM:SS``.

A spreadsheet opening the file must not run anything in it, so a cell that
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (a formula
to Excel, LibreOffice or Google Sheets) gets a leading ``'``, as OWASP
advises, and so does one where such a character follows leading whitespace,
which an import that trims cells would bring to the front. Readwise shows the
``'``; a quote that begins with a dash is the price.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from db.export import ExportItem
from db.export.names import clean_tags, title_of
from db.locate import Location
from db.models import Highlight

__all__ = ["HEADER", "export", "neutralise"]

HEADER = ("Highlight", "Title", "Author", "URL", "Note", "Location", "Date")

#: What a spreadsheet reads as the start of a formula (tab and CR because some
#: strip them and read what follows).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: A formula behind whitespace (or NULs) that the importing program may trim away.
_TRIMMED_FORMULA = re.compile(r"[\s\x00]*[=+\-@]")
_NUMBER = re.compile(r"[0-9]+")


def export(items: Iterable[ExportItem], exported: str) -> Iterator[str]:
    """The CSV file of every highlight in ``items``, a chunk per row.

    ``exported`` is not written: Readwise has no column for it.
    """
    buffer = io.StringIO()
    # RFC 4180: "\r\n" ends rows, fields with quotes, commas or line breaks are
    # quoted and their quotes doubled ("" not \"), as Readwise requires.
    writer = csv.writer(buffer, lineterminator="\r\n")

    def row(cells: Iterable[str]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([neutralise(cell) for cell in cells])
        return buffer.getvalue()

    yield row(HEADER)
    for item in items:
        metadata = item.document.metadata
        title = title_of(item.document)
        author = ", ".join(a.strip() for a in metadata.authors if a.strip())
        for highlight in item.highlights:
            yield row(
                (
                    highlight.quote,
                    title,
                    author,
                    metadata.url,
                    _note(highlight),
                    location_number(item.locate(highlight)),
                    _date(highlight.created),
                )
            )


def neutralise(cell: str) -> str:
    """``cell`` with a ``'`` before it if a spreadsheet would take it for a formula.

    Also when whitespace comes first (``"  =1+1"``): a spreadsheet that trims
    cells on import (LibreOffice's "Trim spaces") then reads a formula.
    """
    formula = cell.startswith(_FORMULA_STARTS) or _TRIMMED_FORMULA.match(cell)
    return f"'{cell}" if formula else cell


def location_number(location: Location) -> str:
    """The page where it is a number ("14", not "xiv"), else the paragraph number.

    Empty where the place is unknown (paragraph 0: an orphan, or a highlight
    on a text the document no longer has); Readwise takes an empty Location.
    """
    if _NUMBER.fullmatch(location.page):
        return location.page
    return str(location.paragraph) if location.paragraph > 0 else ""


def _note(highlight: Highlight) -> str:
    tags = " ".join(f".{tag}" for tag in clean_tags(highlight.tags))
    note = highlight.note.strip()
    if tags and note:
        return f"{tags}\n{note}"
    return tags or note


def _date(created: str) -> str:
    """An ISO time as Readwise's ``YYYY-MM-DD HH:MM:SS`` in UTC ("" if it is not one)."""
    try:
        moment = datetime.fromisoformat(created)
    except ValueError:
        return ""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    # A time without a zone is the store's own, which is UTC.
    return moment.strftime("%Y-%m-%d %H:%M:%S")
