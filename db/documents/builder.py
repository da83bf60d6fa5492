"""BlockBuilder: lays blocks of inline text end to end into a canonical text, for tree loaders.

The HTML, EPUB and PDF loaders walk a tree or a page and call ``begin`` /
``write`` / ``end`` for each block; the builder keeps the invariants every
``LoadedText`` holds: blocks joined by exactly one blank line, no empty block,
no blank line inside a block, no control character but "\\n" (text is made
inert as it is written), inline spans clipped to their block.

Whitespace in a normal block is collapsed as a browser collapses it (any run
of spaces, tabs and newlines is one space; the block's edges are stripped);
a preformatted block (code, a table, verse) keeps its lines and spaces and
drops blank lines. A page mark or a table-of-contents entry made between blocks points at
the start of the next block that is laid.
"""

from __future__ import annotations

import re

from db.documents.inert import make_inert
from db.models import Block, LoadedText, Metadata, PageMark, Span, TocEntry

# As HTML collapses: ASCII whitespace only. A no-break space is there on purpose ("p.\u00a014").
_WHITESPACE = re.compile(r"[ \t\n\r\f]+")
_BLANK_LINES = re.compile(r"\n[^\S\n]*(?=\n)")


class BlockBuilder:
    """Accumulates blocks; ``result`` returns the ``LoadedText``."""

    def __init__(self) -> None:
        self._texts: list[str] = []
        self.blocks: list[Block] = []
        self.spans: list[Span] = []
        self.pages: list[PageMark] = []
        self.toc: list[TocEntry] = []
        self._pos = 0
        # The block being built.
        self._kind = ""
        self._level = 0
        self._pre = False
        self._pieces: list[str] = []
        self._length = 0
        #: Open spans of the block being built: (start in block, style).
        self._raw_spans: list[tuple[int, int, str]] = []
        self._space_pending = False
        # Marks waiting for the next block's start.
        self._pending_pages: list[str] = []
        self._pending_toc: list[tuple[str, int]] = []

    # --- blocks --------------------------------------------------------------

    @property
    def in_block(self) -> bool:
        return bool(self._kind)

    @property
    def block_length(self) -> int:
        """How many characters the block being built holds so far."""
        return self._length

    def begin(self, kind: str, level: int = 0, *, preformatted: bool = False) -> None:
        """Start a block (ending the one being built, if any)."""
        if self._kind:
            self.end()
        self._kind, self._level, self._pre = kind, level, preformatted
        self._pieces, self._length, self._raw_spans = [], 0, []
        self._space_pending = False

    def write(self, text: str, styles: tuple[str, ...] | str = ()) -> None:
        """Append inline text to the block being built (a paragraph is begun if none is)."""
        if not text:
            return
        if not self._kind:
            self.begin("paragraph")
        if self._pre:
            self._append(make_inert(text), styles)
            return
        text = make_inert(_WHITESPACE.sub(" ", text))
        if text.startswith(" "):
            self._space_pending = True
            text = text[1:]
        if not text:
            return
        if self._space_pending and self._length and not self._ends_with_break():
            self._append(" ", ())
        self._space_pending = text.endswith(" ")
        self._append(text.rstrip(" "), styles)

    def line_break(self) -> None:
        """A forced line break inside the block (``<br>``, a verse line)."""
        if self._kind and self._length and not self._ends_with_break():
            self._space_pending = False
            self._append("\n", ())

    def _ends_with_break(self) -> bool:
        return bool(self._pieces) and self._pieces[-1].endswith("\n")

    def _append(self, text: str, styles: tuple[str, ...] | str) -> None:
        if not text:
            return
        if isinstance(styles, str):
            styles = (styles,) if styles else ()
        start = self._length
        self._pieces.append(text)
        self._length += len(text)
        for style in styles:
            last = self._raw_spans[-1] if self._raw_spans else None
            if last is not None and last[2] == style and last[1] >= start - 1:
                self._raw_spans[-1] = (last[0], self._length, style)
            else:
                self._raw_spans.append((start, self._length, style))

    def end(self) -> Block | None:
        """Lay the block being built; None if it held nothing but whitespace."""
        if not self._kind:
            return None
        kind, level = self._kind, self._level
        self._kind = ""
        text = "".join(self._pieces)
        spans = self._raw_spans
        if self._pre:
            text = _BLANK_LINES.sub("", text)
        lead = len(text) - len(text.lstrip())
        text = text.strip()
        # Blank lines were only removed in preformatted text, where spans are
        # rare (code is one style); there, clip rather than shift each span.
        return self._lay(kind, text, level, [(s - lead, e - lead, st) for s, e, st in spans])

    def add(self, kind: str, text: str, level: int = 0, *, preformatted: bool = False) -> None:
        """A whole block of plain text at once."""
        self.begin(kind, level, preformatted=preformatted)
        self.write(text)
        self.end()

    def _lay(
        self, kind: str, text: str, level: int, spans: list[tuple[int, int, str]]
    ) -> Block | None:
        if not text:
            return None
        start = self._pos + (2 if self._texts else 0)
        end = start + len(text)
        self._texts.append(text)
        block = Block(kind, start, end, level)
        self.blocks.append(block)
        limit = len(text)
        for s, e, style in spans:
            s, e = max(0, s), min(limit, e)
            if e > s:
                self.spans.append(Span(start + s, start + e, style))
        self._pos = end
        for label in self._pending_pages:
            self._mark_page(start, label)
        for title, toc_level in self._pending_toc:
            self.toc.append(TocEntry(title, start, toc_level))
        self._pending_pages.clear()
        self._pending_toc.clear()
        return block

    # --- marks ---------------------------------------------------------------

    def page(self, label: str) -> None:
        """A page of the source starts here (at the next block, or inside this one if begun)."""
        label = " ".join(make_inert(label).split())
        if not label:
            return
        if self._kind and self._length:
            start = self._pos + (2 if self._texts else 0) + self._length
            self._mark_page(start, label)
        else:
            self._pending_pages.append(label)

    def _mark_page(self, start: int, label: str) -> None:
        # Two marks at one offset (empty pages): the later page wins, as a
        # reader at that offset is on it.
        if self.pages and self.pages[-1].start >= start:
            self.pages[-1] = PageMark(self.pages[-1].start, label)
        else:
            self.pages.append(PageMark(start, label))

    def toc_entry(self, title: str, level: int = 1) -> None:
        """An entry of the source's table of contents points at the next block."""
        title = " ".join(make_inert(title).split())
        if title:
            self._pending_toc.append((title, max(1, level)))

    # --- the result ----------------------------------------------------------

    def result(
        self, metadata: Metadata | None = None, fmt: str = "txt", notices: list[str] | None = None
    ) -> LoadedText:
        if self._kind:
            self.end()
        text = "\n\n".join(self._texts)
        # Marks after the last block point at the end of the text.
        for label in self._pending_pages:
            self._mark_page(len(text), label)
        self.toc.extend(TocEntry(title, len(text), level) for title, level in self._pending_toc)
        self._pending_pages.clear()
        self._pending_toc.clear()
        return LoadedText(
            text=text,
            blocks=self.blocks,
            spans=self.spans,
            metadata=metadata or Metadata(),
            format=fmt,
            notices=notices or [],
            pages=self.pages,
            toc=self.toc,
        )
