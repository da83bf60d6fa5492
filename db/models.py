"""Plain dataclasses shared by the loaders, the store and the front end."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

#: Block kinds a loader may produce. Blocks are separated by exactly one blank
#: line ("\n\n") in the canonical text; a block may hold single newlines
#: (code lines, verse lines, table rows).
BLOCK_KINDS = ("paragraph", "heading", "list_item", "quote", "code", "rule", "table")


class Block(NamedTuple):
    """One block of the canonical text: its kind and its [start, end) offsets.

    A named tuple, not a dataclass: a book has 30,000 blocks and they are
    made on every open, where a tuple is made twice as fast.
    """

    kind: str
    start: int
    end: int
    #: heading level (1-6) for headings; nesting depth (0 = top) for list items and quotes.
    level: int = 0


class Span(NamedTuple):
    """An inline style over [start, end) of the canonical text: em, strong, code or link."""

    start: int
    end: int
    style: str


class PageMark(NamedTuple):
    """Where a page of the source (a PDF page, an EPUB page-list entry) starts in the text."""

    start: int
    #: The page's own label as the source numbers it: "14", "xiv", "A-3".
    label: str


class TocEntry(NamedTuple):
    """One entry of a document's own table of contents (an EPUB's navigation, a PDF's outline)."""

    title: str
    start: int
    #: Nesting depth, 1 at the top.
    level: int = 1


@dataclass(slots=True)
class Metadata:
    """What a citation needs to know about a document; every field may be empty."""

    title: str = ""
    authors: list[str] = field(default_factory=list)
    published: str = ""
    publisher: str = ""
    url: str = ""
    language: str = ""
    description: str = ""
    identifiers: dict[str, str] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    #: The work it appears in: a journal, a book (for a chapter), a site's section.
    container: str = ""
    #: What kind of work it is: article, webpage, book, chapter or report (empty: unknown).
    kind: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "authors": list(self.authors),
            "published": self.published,
            "publisher": self.publisher,
            "url": self.url,
            "language": self.language,
            "description": self.description,
            "identifiers": dict(self.identifiers),
            "tags": list(self.tags),
            "container": self.container,
            "kind": self.kind,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Metadata:
        return cls(
            title=str(data.get("title") or ""),
            authors=[str(a) for a in data.get("authors") or []],
            published=str(data.get("published") or ""),
            publisher=str(data.get("publisher") or ""),
            url=str(data.get("url") or ""),
            language=str(data.get("language") or ""),
            description=str(data.get("description") or ""),
            identifiers={str(k): str(v) for k, v in (data.get("identifiers") or {}).items()},
            tags=[str(t) for t in data.get("tags") or []],
            container=str(data.get("container") or ""),
            kind=str(data.get("kind") or ""),
        )


@dataclass(slots=True)
class LoadedText:
    """What every loader returns: the canonical text, its blocks, inline spans and metadata.

    Invariants (tested for every loader): blocks are sorted and do not overlap;
    ``"\\n\\n".join(text[b.start:b.end] for b in blocks) == text``; the text
    holds no control character other than "\\n" (see ``db.documents.inert``).
    """

    text: str
    blocks: list[Block]
    spans: list[Span] = field(default_factory=list)
    metadata: Metadata = field(default_factory=Metadata)
    format: str = "txt"
    #: Things the reader should be told once, e.g. "decoded as windows-1252".
    notices: list[str] = field(default_factory=list)
    #: Page starts, sorted by offset, for sources that have pages (PDF, EPUB page lists).
    pages: list[PageMark] = field(default_factory=list)
    #: The source's own table of contents, in reading order; empty: headings serve.
    toc: list[TocEntry] = field(default_factory=list)


@dataclass(slots=True)
class Document:
    """A document as the store keeps it: where it came from and where the reader is."""

    id: int
    text_hash: str
    source_hash: str
    format: str
    path: str | None
    metadata: Metadata
    added: str
    opened: str | None
    #: The reading position: the cursor's offset into the canonical text.
    position: int = 0

    @property
    def title(self) -> str:
        return self.metadata.title


@dataclass(slots=True)
class LibraryEntry:
    """A document as the library lists it: with its length and its highlight and note counts."""

    document: Document
    #: The text's length in characters.
    length: int
    highlights: int
    notes: int

    @property
    def progress(self) -> float:
        """How far the reader got, 0-1: the reading position over the text's length."""
        if self.length <= 1:
            return 1.0 if self.document.opened else 0.0
        return min(1.0, max(0.0, self.document.position / (self.length - 1)))


#: The kinds of work citations know (CSL types follow from these).
WORK_KINDS = ("article", "webpage", "book", "chapter", "report")

#: Where a highlight stands after its document's text changed (see db.anchoring).
ANCHOR_STATUSES = ("exact", "moved", "fuzzy", "orphan")


@dataclass(slots=True)
class Highlight:
    """A marked range of a document's canonical text, with what the reader wrote about it.

    ``start``/``end`` are offsets into the text whose hash is ``text_hash``;
    ``quote``, ``prefix`` and ``suffix`` (32+ characters each, fewer at the
    ends of the text) let it be found again when the text changes.
    """

    id: str
    document_id: int
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str
    text_hash: str
    color: int = 1
    note: str = ""
    tags: list[str] = field(default_factory=list)
    #: One of ANCHOR_STATUSES; an orphan's start/end are where it last was.
    status: str = "exact"
    #: The match score (0-1) of a fuzzy anchor; 1.0 otherwise.
    score: float = 1.0
    created: str = ""
    updated: str = ""
