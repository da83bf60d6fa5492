"""Where an offset is in a document, as a citation says it: page, chapter, paragraph."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from db.models import Block, LoadedText, PageMark


@dataclass(frozen=True, slots=True)
class Location:
    """A place in a document for a reader: its paragraph number and the chapter it is in.

    ``paragraph`` counts the document's paragraph-like blocks from 1 (headings
    and rules do not count), as APA 7 numbers paragraphs of unpaginated works.
    ``page`` is the source's own page label where it has pages, else "".
    """

    paragraph: int
    chapter: str = ""
    page: str = ""

    def locator(self) -> tuple[str, str]:
        """The CSL locator (label, value): the page where there is one, else the paragraph."""
        if self.page:
            return "page", self.page
        return "paragraph", str(self.paragraph)

    @property
    def placed(self) -> bool:
        """False for the location of an orphan: paragraph 0, no page."""
        return bool(self.page) or self.paragraph > 0

    def describe(self) -> str:
        """For people: "p. 14", or "CHAPTER III, ¶ 12", or "¶ 12" ("no place" for an orphan)."""
        if self.page:
            return f"p. {self.page}"
        if self.paragraph <= 0:
            return "no place in the current text"
        if self.chapter:
            return f"{self.chapter}, ¶ {self.paragraph}"
        return f"¶ {self.paragraph}"


class Locator:
    """Finds locations in one document's text quickly (blocks are indexed once)."""

    def __init__(self, text: str, blocks: Sequence[Block], pages: Sequence[PageMark] = ()) -> None:
        self._text = text
        self._page_starts = [page.start for page in pages]
        self._page_labels = [page.label for page in pages]
        self._starts = [block.start for block in blocks]
        self._blocks = blocks
        # Running counts of paragraph-like blocks and the last heading, by block index.
        self._paragraphs: list[int] = []
        self._chapters: list[int] = []
        counted, heading = 0, -1
        for index, block in enumerate(blocks):
            if block.kind == "heading":
                heading = index
            elif block.kind != "rule":
                counted += 1
            self._paragraphs.append(counted)
            self._chapters.append(heading)

    @classmethod
    def of(cls, loaded: LoadedText) -> Locator:
        return cls(loaded.text, loaded.blocks, loaded.pages)

    def page_at(self, offset: int) -> str:
        """The label of the source's page holding ``offset`` ("" before the first, or none)."""
        index = bisect_right(self._page_starts, offset) - 1
        return self._page_labels[index] if index >= 0 else ""

    @property
    def paragraphs(self) -> int:
        """How many paragraphs the document has, as ``Location.paragraph`` counts them."""
        return self._paragraphs[-1] if self._paragraphs else 0

    def at(self, offset: int) -> Location:
        if not self._blocks:
            return Location(paragraph=1, page=self.page_at(offset))
        index = max(0, bisect_right(self._starts, offset) - 1)
        paragraph = max(1, self._paragraphs[index])
        heading = self._chapters[index]
        chapter = ""
        if heading >= 0:
            block = self._blocks[heading]
            chapter = " ".join(self._text[block.start : block.end].split())
        return Location(paragraph=paragraph, chapter=chapter, page=self.page_at(offset))
