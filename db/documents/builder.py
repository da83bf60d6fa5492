"""BlockBuilder: lays blocks of inline text end to end into a canonical text, for tree loaders.

The HTML, EPUB and PDF loaders walk a tree or a page and call ``begin`` /
``write`` / ``end`` for each block; the builder keeps the invariants every
``LoadedText`` holds: blocks joined by exactly one blank line, no empty block,
no blank line inside a block, no control character but "\\n" (text is made
inert as it is written), inline spans clipped to their block.

Whitespace in a normal block is collapsed as a browser collapses it (any run
of spaces, tabs and newlines is one space; the block's edges are stripped);
a preformatted block (code, a table, verse) keeps its lines and spaces, a
blank line in it kept as a line holding one space. A page mark or a
table-of-contents entry made between blocks points at the start of the next
block that is laid; one made inside a block, at the next word written.
"""

from __future__ import annotations

import re
from dataclasses import replace

from db.documents.inert import make_inert
from db.models import Block, LoadedText, Metadata, PageMark, Span, TocEntry

# As HTML collapses: ASCII whitespace only. A no-break space is there on purpose ("p.\u00a014").
# U+2028/U+2029 too: make_inert would turn them into "\n" after the collapse.
_WHITESPACE = re.compile(r"[ \t\n\r\f\u2028\u2029]+")
#: Whitespace-only lines at the start of a preformatted block, up to its first line's indent.
_LEADING_BLANK_LINES = re.compile(r"(?:[^\S\n]*\n)+")
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
        #: Pages that start inside the block being built, at the next text written.
        self._block_pages: list[str] = []

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
            self._mark_block_pages()
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
        self._mark_block_pages()
        self._space_pending = text.endswith(" ")
        self._append(text.rstrip(" "), styles)

    def _mark_block_pages(self) -> None:
        """Pages begun inside this block start at the text about to be written (not a space)."""
        if self._block_pages:
            block_start = self._pos + (2 if self._texts else 0)
            # Pages begun before this block start with it, before the ones inside it.
            for label in self._pending_pages:
                self._mark_page(block_start, label)
            self._pending_pages.clear()
            start = block_start + self._length
            for label in self._block_pages:
                self._mark_page(start, label)
            self._block_pages.clear()

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
        # Pages begun after the block's last word start with the next block.
        later_pages, self._block_pages = self._block_pages, []
        if self._pre:
            block = self.add_lines(kind, text, level, spans)
        else:
            # write() already dropped leading spaces; only a trailing break can be left.
            lead = len(text) - len(text.lstrip())
            block = self._lay(
                kind, text.strip(), level, [(s - lead, e - lead, st) for s, e, st in spans]
            )
        self._pending_pages.extend(later_pages)
        return block

    def add_lines(
        self,
        kind: str,
        text: str,
        level: int = 0,
        spans: list[tuple[int, int, str]] | None = None,
    ) -> Block | None:
        """Lay ``text`` (inert already) as set: lines and indentation kept.

        The first line keeps its indentation too: it aligns a table's columns or
        a code block's structure. A blank line inside becomes a line holding one
        space, as in the Markdown loader: the gap stays, and no blank line splits
        the block. ``spans`` are offsets into ``text`` and move with it.
        """
        if self._kind:
            self.end()
        edits: list[tuple[int, int, str]] = []
        leading = _LEADING_BLANK_LINES.match(text)
        if leading:
            edits.append((0, leading.end(), ""))
        trailing = len(text.rstrip())
        edits.extend(
            (m.start() + 1, m.end(), " ")
            for m in _BLANK_LINES.finditer(text, leading.end() if leading else 0, trailing)
        )
        edits.append((trailing, len(text), ""))
        kept, moved_spans = _edit(text, spans or [], edits)
        return self._lay(kind, kept, level, moved_spans)

    def add(self, kind: str, text: str, level: int = 0, *, preformatted: bool = False) -> None:
        """A whole block of plain text at once."""
        self.begin(kind, level, preformatted=preformatted)
        self.write(text)
        self.end()

    def _lay(
        self, kind: str, text: str, level: int, spans: list[tuple[int, int, str]]
    ) -> Block | None:
        if not text or text.isspace():
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
            self._block_pages.append(label)
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


def keep_blocks(loaded: LoadedText, first: int, end: int) -> LoadedText:
    """``loaded`` with only its blocks ``first``..``end`` (say, without a licence around a book).

    Spans go with their blocks; page marks and contents entries outside are
    moved to the nearest kept edge (a page that began in the cut header still
    holds the first kept block).
    """
    blocks = loaded.blocks[first:end]
    if first == 0 and end >= len(loaded.blocks):
        return loaded
    if not blocks:
        return replace(loaded, text="", blocks=[], spans=[], pages=[], toc=[])
    start, stop = blocks[0].start, blocks[-1].end

    def moved(offset: int) -> int:
        return min(max(offset, start), stop) - start

    pages: list[PageMark] = []
    for page in loaded.pages:
        at = moved(page.start)
        if pages and pages[-1].start >= at:
            pages[-1] = PageMark(pages[-1].start, page.label)
        else:
            pages.append(PageMark(at, page.label))
    return replace(
        loaded,
        text=loaded.text[start:stop],
        blocks=[b._replace(start=b.start - start, end=b.end - start) for b in blocks],
        spans=[
            Span(s.start - start, s.end - start, s.style)
            for s in loaded.spans
            if start <= s.start and s.end <= stop
        ],
        pages=pages,
        toc=[e._replace(start=moved(e.start)) for e in loaded.toc if start <= e.start <= stop],
    )


def _edit(
    text: str, spans: list[tuple[int, int, str]], edits: list[tuple[int, int, str]]
) -> tuple[str, list[tuple[int, int, str]]]:
    """``text`` with the ranges of ``edits`` (start, end, replacement; sorted, apart) replaced,
    and ``spans`` moved to where their text went."""
    edits = [e for e in edits if e[1] > e[0] or e[2]]
    if not edits:
        return text, spans

    def moved(offset: int) -> int:
        shift = 0
        for start, end, replacement in edits:
            if offset <= start:
                break
            if offset < end:
                return start + shift  # inside a replaced range: to its start
            shift += len(replacement) - (end - start)
        return offset + shift

    kept, previous = [], 0
    for start, end, replacement in edits:
        kept.append(text[previous:start])
        kept.append(replacement)
        previous = end
    kept.append(text[previous:])
    moved_spans = [(moved(s), moved(e), style) for s, e, style in spans]
    return "".join(kept), [span for span in moved_spans if span[1] > span[0]]
