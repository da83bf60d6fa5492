"""What an import parser returns: books with their highlights, before they meet the store."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class ImportedHighlight:
    """One highlight as a source gives it: its quote, with what the reader wrote about it."""

    quote: str
    note: str = ""
    tags: list[str] = field(default_factory=list)
    #: 1-5, margin's colours (a source's "yellow", "pink"... mapped by the parser).
    color: int = 1
    #: The source's own place of it, as text: "Location 1234-1236", "page 14", "offset 120".
    location: str = ""
    #: The page label where the source gives one ("14"), for citations.
    page: str = ""
    #: When it was made, ISO 8601: UTC with "Z" where the source says ("2020-12-23T03:22:08Z"),
    #: else local time without a zone, as a Kindle records it ("2014-11-20T23:24:32"); "" if
    #: not known.
    created: str = ""
    #: Where it sorts in its book (a Kindle location's start, a Readwise location); -1: unknown.
    order: int = -1


@dataclass(slots=True)
class ImportedBook:
    """A book (or article) with its highlights, as one import source holds it."""

    title: str
    authors: list[str] = field(default_factory=list)
    highlights: list[ImportedHighlight] = field(default_factory=list)
    url: str = ""
    #: The document's own tags (Readwise's "Document tags").
    tags: list[str] = field(default_factory=list)
    #: "book", "article", ... (db.models.WORK_KINDS), or "" when the source does not say.
    kind: str = ""
    #: Identifiers the source gives, e.g. {"asin": "B00X..."}.
    identifiers: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class ParsedImport:
    """A parsed import file: its books, and what was left out and why (one line each)."""

    #: "kindle", "readwise" or "json".
    format: str
    books: list[ImportedBook] = field(default_factory=list)
    #: Entries skipped on purpose and why: "42 bookmarks", "3 empty highlights".
    skipped: list[str] = field(default_factory=list)
    #: Entries that could not be read, each "line 120: no title line".
    failed: list[str] = field(default_factory=list)
