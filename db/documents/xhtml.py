"""XhtmlConverter: lays the blocks of an (X)HTML element tree into a ``BlockBuilder``.

The tree may come from lxml's XML parser (tags in the XHTML namespace) or its
HTML parser (bare tag names); either way only local names count.

Block mapping: h1-h6 become headings with their level; p, div and the other
block containers become paragraphs (``quote`` inside a blockquote, level =
depth from 0); ul/ol items become ``list_item`` blocks (level = list depth
from 0) starting with "• ", "◦ " or "▪ " by depth, or "3. " for an ordered
list (``start``, ``value`` and ``reversed`` honoured), a further paragraph of
an item being a ``list_item`` without a marker; pre is a ``code`` block with
its lines; a table is a ``table`` block, one line per row, cells padded to the
column's width and joined by " │ ", a "─┼─" line under the header rows (as
the Markdown loader lays them), its caption a paragraph above; hr is a rule
("* * *"). A run of short div elements holding only inline content (verse
written one div per line) is one block with a line per div, as a browser
shows it with no space between.

Inline: em/i/cite/dfn/var are "em" spans, strong/b "strong", code/kbd/samp/tt
"code", an ``a`` with an href "link"; ``br`` is a line break (a space in a
heading or a table cell); an image shows its alt text (nothing without one);
ruby keeps its base text (rt and rp are dropped); soft hyphens are dropped.
Text stays in logical order whatever its direction.

Dropped: head, script, style, template, forms, embedded media, svg, and
elements marked ``hidden`` or ``display:none`` (but never a footnote, an
endnote or an element a note reference links to: notes are kept where they
stand). Page breaks (epub:type "pagebreak", role
"doc-pagebreak", or a Project Gutenberg "pageno"/"pagenum" anchor) are not
shown: their label goes to ``on_pagebreak`` and the page starts at the next
text written after them.

Hooks: ``on_id(id)`` is called for each element carrying an id (or an ``a``
with a name) at the point where it starts, so a caller can record which
block holds it (``len(builder.blocks)`` then is that block's index);
``on_pagebreak(label)`` is called for each page break (by default ``page``,
which marks the page in the builder).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from db.documents.builder import BlockBuilder
from db.documents.markdown import table_text

XHTML_NS = "http://www.w3.org/1999/xhtml"
OPS_NS = "http://www.idpf.org/2007/ops"
_EPUB_TYPE = f"{{{OPS_NS}}}type"

RULE_TEXT = "* * *"
BULLETS = ("• ", "◦ ", "▪ ")
HEADING_LEVELS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}

#: Elements that start and end a block (a browser's display:block defaults).
BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "caption", "center", "dd",
        "details", "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure",
        "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr",
        "html", "legend", "li", "listing", "main", "menu", "nav", "ol", "p", "plaintext",
        "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr",
        "ul", "xmp",
    }
)  # fmt: skip
#: Elements whose content a reader never sees as text.
_DROPPED = frozenset(
    {
        "audio", "base", "button", "canvas", "case", "datalist", "embed", "head", "iframe",
        "input", "link", "map", "meta", "noscript", "object", "rp", "rt", "script", "select",
        "style", "svg", "template", "textarea", "title", "video",
    }
)  # fmt: skip
_STYLES = {
    "em": "em",
    "i": "em",
    "cite": "em",
    "dfn": "em",
    "var": "em",
    "strong": "strong",
    "b": "strong",
    "code": "code",
    "kbd": "code",
    "samp": "code",
    "tt": "code",
}
_PRE_TAGS = frozenset({"pre", "listing", "plaintext", "xmp"})
_NOTE_TYPES = frozenset(
    {"footnote", "endnote", "rearnote", "note", "footnotes", "endnotes", "rearnotes"}
)
_NOTE_ROLES = frozenset({"doc-footnote", "doc-endnote", "doc-endnotes", "note"})
_PAGE_CLASSES = frozenset({"pageno", "pagenum", "page-number", "pagenumber"})
#: A div no longer than this, holding only inline content, is taken for a line of verse.
LINE_DIV_LENGTH = 100

_WHITESPACE = re.compile(r"[ \t\n\r\f\u2028\u2029]+")
_PAGE_LABEL = re.compile(r"\[?\s*(?:(?:pg|page|p)\b\.?\s*)?(.*?)\s*\]?", re.IGNORECASE)

#: A run of inline text with its styles.
Run = tuple[str, tuple[str, ...]]


@functools.lru_cache(maxsize=512)
def local_name(tag: str) -> str:
    """The element's name without its namespace, lower-cased: "{…xhtml}P" -> "p"."""
    return tag.rpartition("}")[2].lower()


def epub_types(element: Any) -> list[str]:
    """The element's epub:type tokens (from an XML or an HTML parse)."""
    value = element.get(_EPUB_TYPE) or element.get("epub:type") or ""
    return value.split() if isinstance(value, str) else []


def element_text(element: Any) -> str:
    """The element's text, whitespace collapsed (for labels and titles)."""
    return " ".join("".join(element.itertext()).split())


def has_heading(root: Any) -> bool:
    """Whether the tree holds an h1-h6 with some text."""
    names = [*HEADING_LEVELS, *(f"{{{XHTML_NS}}}{name}" for name in HEADING_LEVELS)]
    return any(element_text(heading) for heading in root.iter(*names))


def page_label(element: Any) -> str | None:
    """The page label of a page-break element, or None if it is not one."""
    role = element.get("role") or ""
    classes = (element.get("class") or "").split()
    if not (
        "pagebreak" in epub_types(element)
        or "doc-pagebreak" in role.split()
        or _PAGE_CLASSES.intersection(classes)
    ):
        return None
    return clean_page_label(
        element.get("title") or element.get("aria-label") or element_text(element)
    )


def clean_page_label(label: str) -> str | None:
    """A page's label without decoration: "[Pg 14]", "Page 14", "p. 14" -> "14"."""
    label = " ".join(label.split())
    match = _PAGE_LABEL.fullmatch(label)
    return (match[1] if match else "") or label or None


def _is_note(element: Any) -> bool:
    if _NOTE_TYPES.intersection(epub_types(element)):
        return True
    return bool(_NOTE_ROLES.intersection((element.get("role") or "").split()))


def _is_hidden(element: Any) -> bool:
    if element.get("hidden") is not None:
        return not _is_note(element)
    style = element.get("style")
    if style and "display:none" in style.replace(" ", "").lower():
        return not _is_note(element)
    return False


def note_targets(root: Any) -> set[str]:
    """Ids that note references (epub:type "noteref", role "doc-noteref") link to."""
    targets: set[str] = set()
    for link in root.iter("a", f"{{{XHTML_NS}}}a"):
        href = link.get("href") or ""
        if href.startswith("#") and (
            "noteref" in epub_types(link) or "doc-noteref" in (link.get("role") or "").split()
        ):
            targets.add(href[1:])
    return targets


@dataclass(slots=True)
class _List:
    ordered: bool
    number: int
    step: int = 1


@dataclass(slots=True)
class _Row:
    cells: list[list[Run]] = field(default_factory=list)
    header: bool = False
    all_th: bool = True


@dataclass(slots=True)
class _Table:
    rows: list[_Row] = field(default_factory=list)
    caption: list[Run] = field(default_factory=list)
    #: Where text goes: a cell's runs, the caption's, or None (between cells).
    target: list[Run] | None = None
    in_head: bool = False


class XhtmlConverter:
    """Walks an (X)HTML element tree and lays its blocks with a ``BlockBuilder``."""

    def __init__(
        self,
        builder: BlockBuilder,
        *,
        on_id: Callable[[str], None] | None = None,
        on_pagebreak: Callable[[str], None] | None = None,
    ) -> None:
        self.builder = builder
        self._on_id = on_id
        self._on_pagebreak = on_pagebreak if on_pagebreak is not None else self.page
        self._reset()

    def _reset(self) -> None:
        self._styles: tuple[str, ...] = ()
        self._style_stack: list[tuple[str, ...]] = []
        #: (kind, level) of the paragraphs inside the innermost blockquote or list item.
        self._flow: list[tuple[str, int]] = []
        self._lists: list[_List] = []
        self._quotes = 0
        #: A list item's marker not laid yet, with the flow depth of its item.
        self._marker: tuple[str, int] | None = None
        #: Inside a heading, pre or table, block elements do not start blocks.
        self._inline_only = 0
        self._pre = 0
        self._table: _Table | None = None
        self._table_depth = 0
        self._pages: list[str] = []
        self._line_div: Any = None
        self._frames: list[str] = []
        self._note_targets: set[str] = set()

    # --- the walk ------------------------------------------------------------

    def convert(self, root: Any) -> None:
        """Lay the blocks of ``root`` (an element or an ElementTree).

        Comments and processing instructions are removed from the tree first
        (their tails stay as text).
        """
        from lxml import etree

        if hasattr(root, "getroot"):
            root = root.getroot()
        if root is None:
            return
        self._reset()
        etree.strip_tags(root, etree.Comment, etree.ProcessingInstruction, etree.Entity)
        # A hidden note (a pop-up footnote) is still shown where it stands.
        self._note_targets = note_targets(root)
        walker = etree.iterwalk(root, events=("start", "end"))
        start, end, text = self._start, self._end, self._text
        for event, element in walker:
            if event == "start":
                if start(element):
                    if element.text:
                        text(element.text)
                else:
                    walker.skip_subtree()
            else:
                end(element)
        self._end_block()
        self._flush_marker()
        self._flush_pages()

    def page(self, label: str) -> None:
        """A page of the source starts here: at the next text written."""
        self._pages.append(label)

    def _start(self, element: Any) -> bool:
        """Handle an element's start; False to skip its content."""
        name = local_name(element.tag) if isinstance(element.tag, str) else ""
        if name in _DROPPED or (
            _is_hidden(element) and element.get("id") not in self._note_targets
        ):
            self._frames.append("")
            return False
        label = page_label(element)
        if label is not None:
            self._frames.append("")
            self._ids(element, every=True)
            self._on_pagebreak(label)
            return False
        style = _STYLES.get(name)
        if style is None and name == "a" and element.get("href") is not None:
            style = "link"
        if style is not None:
            self._style_stack.append(self._styles)
            if style not in self._styles:
                self._styles = (*self._styles, style)
            self._frames.append("style")
            self._ids(element)
            return True
        if name in BLOCK_TAGS:
            frame = self._block_start(element, name)
            self._frames.append(frame)
            return True
        self._frames.append("")
        self._ids(element)
        if name == "br":
            self._break()
        elif name == "img":
            alt = element.get("alt")
            if alt:
                self._text(alt)
        elif name == "math":
            alt = element.get("alttext")
            if alt:
                self._text(alt)
                return False
        return True

    def _end(self, element: Any) -> None:
        frame = self._frames.pop()
        if frame == "style":
            self._styles = self._style_stack.pop()
        elif frame:
            self._block_end(element, frame)
        tail = element.tail
        if tail:
            self._text(tail)

    def _ids(self, element: Any, *, every: bool = False) -> None:
        if self._on_id is None:
            return
        for node in element.iter() if every else (element,):
            if not isinstance(node.tag, str):
                continue
            ident = node.get("id")
            if ident:
                self._on_id(ident)
            anchor = node.get("name")
            if anchor and anchor != ident and local_name(node.tag) == "a":
                self._on_id(anchor)

    # --- blocks --------------------------------------------------------------

    def _block_start(self, element: Any, name: str) -> str:
        if self._table_depth:
            return self._table_start(element, name)
        if self._inline_only:
            # A block inside a heading reads as words apart, inside pre as lines.
            self._ids(element)
            self._text("\n" if self._pre else " ")
            return ""
        builder = self.builder
        if name == "div" and self._is_line(element):
            previous = element.getprevious()
            if previous is not None and previous is self._line_div and builder.in_block:
                builder.line_break()
                self._line_div = None
            else:
                self._end_block()
            self._ids(element)
            return "line"
        level = HEADING_LEVELS.get(name)
        if level is not None:
            self._structure_start(element)
            self._begin("heading", level)
            self._inline_only += 1
            return "heading"
        if name in _PRE_TAGS:
            self._structure_start(element)
            self._begin("code", preformatted=True)
            self._pre += 1
            self._inline_only += 1
            return "pre"
        if name == "table":
            self._structure_start(element)
            self._table = _Table()
            self._table_depth = 1
            self._inline_only += 1
            return "table"
        if name in ("ul", "ol", "menu", "dir"):
            self._structure_start(element)
            self._lists.append(self._new_list(element, name == "ol"))
            return "list"
        if name == "li":
            self._structure_start(element)
            if not self._lists:
                self._lists.append(_List(False, 1))
                frame = "orphan-li"
            else:
                frame = "li"
            depth = len(self._lists)
            current = self._lists[-1]
            if current.ordered:
                value = element.get("value")
                if value is not None and value.strip().lstrip("-").isdigit():
                    current.number = int(value)
                marker = f"{current.number}. "
                current.number += current.step
            else:
                marker = BULLETS[(depth - 1) % len(BULLETS)]
            self._flow.append(("list_item", depth - 1))
            self._marker = (marker, len(self._flow))
            return frame
        if name == "blockquote":
            self._structure_start(element)
            self._quotes += 1
            self._flow.append(("quote", self._quotes - 1))
            return "quote"
        if name == "hr":
            self._structure_start(element)
            self._flush_pages()
            builder.add("rule", RULE_TEXT)
            return "block"
        # p, div, section, ...: their text begins a block of the enclosing flow lazily.
        self._end_block()
        self._ids(element)
        return "block"

    def _structure_start(self, element: Any) -> None:
        """Before a heading, list, quote, pre, table or rule: lay what came before."""
        self._end_block()
        self._flush_marker()
        self._ids(element)

    def _block_end(self, element: Any, frame: str) -> None:
        if frame.startswith("cell") or frame in ("row", "caption", "section", "nested"):
            self._table_end(element, frame)
            return
        if frame == "line":
            nxt = element.getnext()
            tail = element.tail
            if (
                (tail is None or not tail.strip())
                and nxt is not None
                and isinstance(nxt.tag, str)
                and local_name(nxt.tag) == "div"
                and self._is_line(nxt)
            ):
                self._line_div = element
            else:
                self._end_block()
            return
        if frame == "heading":
            self._end_block()
            self._inline_only -= 1
        elif frame == "pre":
            self._end_block()
            self._pre -= 1
            self._inline_only -= 1
        elif frame == "table":
            self._inline_only -= 1
            self._table_depth = 0
            table, self._table = self._table, None
            if table is not None:
                self._lay_table(table)
        elif frame == "list":
            self._end_block()
            self._flush_marker()
            self._lists.pop()
        elif frame in ("li", "orphan-li"):
            self._end_block()
            self._flush_marker()
            self._flow.pop()
            if frame == "orphan-li":
                self._lists.pop()
        elif frame == "quote":
            self._end_block()
            self._flow.pop()
            self._quotes -= 1
        else:
            self._end_block()

    def _new_list(self, element: Any, ordered: bool) -> _List:
        if not ordered:
            return _List(False, 1)
        reversed_ = element.get("reversed") is not None
        start = (element.get("start") or "").strip()
        if start.lstrip("-").isdigit():
            number = int(start)
        elif reversed_:
            number = sum(
                1
                for child in element
                if isinstance(child.tag, str) and local_name(child.tag) == "li"
            )
        else:
            number = 1
        return _List(True, number, -1 if reversed_ else 1)

    def _is_line(self, element: Any) -> bool:
        """A div holding only inline content and a short text: a line of verse."""
        for child in element:
            if isinstance(child.tag, str) and local_name(child.tag) in BLOCK_TAGS:
                return False
        length = 0
        for piece in element.itertext():
            length += len(piece)
            if length > 4 * LINE_DIV_LENGTH:
                return False
        text = element_text(element)
        return 0 < len(text) <= LINE_DIV_LENGTH

    def _begin(self, kind: str, level: int = 0, *, preformatted: bool = False) -> None:
        self._flush_pages()
        self.builder.begin(kind, level, preformatted=preformatted)

    def _begin_flow(self) -> None:
        kind, level = self._flow[-1] if self._flow else ("paragraph", 0)
        self._begin(kind, level)
        marker = self._marker
        if marker is not None and marker[1] == len(self._flow):
            self.builder.write(marker[0])
            self._marker = None

    def _end_block(self) -> None:
        self._line_div = None
        if self.builder.in_block:
            self.builder.end()

    def _flush_marker(self) -> None:
        """Lay a list marker on its own: its item starts with a list, a heading, a table..."""
        marker = self._marker
        if marker is not None:
            self._marker = None
            self._flush_pages()
            self.builder.add(
                "list_item", marker[0].rstrip(), self._flow[-1][1] if self._flow else 0
            )

    def _flush_pages(self) -> None:
        if self._pages:
            for label in self._pages:
                self.builder.page(label)
            self._pages.clear()

    # --- inline --------------------------------------------------------------

    def _text(self, text: str) -> None:
        if "\xad" in text:
            text = text.replace("\xad", "")
        if not self._pre and ("\u2028" in text or "\u2029" in text):
            # Line and paragraph separators would become line breaks in the text
            # (see make_inert); in flowing text they are spaces, as a browser shows them.
            text = text.replace("\u2028", " ").replace("\u2029", " ")
        if not text:
            return
        if self._table_depth:
            table = self._table
            if table is not None:
                target = table.target if table.target is not None else table.caption
                target.append((text, self._styles))
            return
        builder = self.builder
        if self._pre:
            if text.strip():
                self._flush_pages()
            builder.write(text)
            return
        if not text.strip():
            if builder.in_block:
                builder.write(text)
            return
        if self._pages:
            self._flush_pages()
        if not builder.in_block:
            self._begin_flow()
        builder.write(text, self._styles)

    def _break(self) -> None:
        if self._table_depth or (self._inline_only and not self._pre):
            self._text(" ")
        elif self._pre:
            self.builder.write("\n")
        else:
            self.builder.line_break()

    # --- tables --------------------------------------------------------------

    def _table_start(self, element: Any, name: str) -> str:
        self._ids(element)
        table = self._table
        if table is None:
            return ""
        if name == "table":
            # A table in a cell is text of that cell.
            self._table_depth += 1
            self._text(" ")
            return "nested"
        if self._table_depth > 1 or name not in ("tr", "td", "th", "caption", "thead"):
            # A block in a cell: its words stay apart.
            self._text(" ")
            return ""
        if name == "thead":
            table.in_head = True
            return "section"
        if name == "caption":
            table.target = table.caption
            return "caption"
        if name == "tr":
            table.rows.append(_Row(header=table.in_head))
            table.target = None
            return "row"
        if not table.rows:
            table.rows.append(_Row(header=table.in_head))
        row = table.rows[-1]
        cell: list[Run] = []
        row.cells.append(cell)
        if name != "th":
            row.all_th = False
        table.target = cell
        return "cell"

    def _table_end(self, element: Any, frame: str) -> None:
        table = self._table
        if frame == "nested":
            self._table_depth -= 1
            self._text(" ")
            return
        if table is None:
            return
        if frame == "section":
            table.in_head = False
        elif frame in ("cell", "caption", "row"):
            table.target = None

    def _lay_table(self, table: _Table) -> None:
        caption = _collapse(table.caption)
        if caption:
            self._begin("paragraph")
            for text, styles in caption:
                self.builder.write(text, styles)
            self.builder.end()
        rows: list[tuple[list[list[Run]], bool]] = []
        for row in table.rows:
            cells = [_collapse(cell) for cell in row.cells]
            if any(cells):
                rows.append((cells, row.header or (row.all_th and bool(row.cells))))
        if not rows:
            return
        header_rows = 0
        while header_rows < len(rows) and rows[header_rows][1]:
            header_rows += 1
        if header_rows == len(rows):
            header_rows = 0
        text, spans = table_text(
            [[_cell(cell) for cell in cells] for cells, _ in rows], [], header_rows
        )
        self._begin("table", preformatted=True)
        write = self.builder.write
        # Written in pieces where the styles change, so each span lands where it was.
        cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
        for a, b in itertools.pairwise(cuts):
            write(text[a:b], tuple(style for s, e, style in spans if s <= a and b <= e))
        self.builder.end()


def _cell(runs: list[Run]) -> tuple[str, list[tuple[int, int, str]]]:
    """A cell's runs as (text, spans) for the Markdown loader's table layout."""
    pieces: list[str] = []
    spans: list[tuple[int, int, str]] = []
    pos = 0
    for text, styles in runs:
        pieces.append(text)
        spans.extend((pos, pos + len(text), style) for style in styles)
        pos += len(text)
    return "".join(pieces), spans


def _collapse(runs: list[Run]) -> list[Run]:
    """Runs of a cell or caption with whitespace collapsed and the edges trimmed."""
    out: list[Run] = []
    space = False
    for text, styles in runs:
        text = _WHITESPACE.sub(" ", text)
        if text.startswith(" "):
            space = True
            text = text[1:]
        if not text:
            continue
        if space and out:
            out.append((" ", ()))
        space = text.endswith(" ")
        out.append((text.rstrip(" "), styles))
    return out
