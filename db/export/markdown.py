"""Markdown export: one document's highlights as a note for Obsidian or any folder of notes.

The file is YAML front matter (title, author, url, source, published, tags,
highlights, exported) and then, per highlight in text order::

    > the quote, every line a block quote line, its Markdown escaped

    ^hl-1a2b3c4d

    the reader's note, as written (it is their own Markdown)

    CHAPTER III, ¶ 12 · colour 2 · moved · #tag #topic/asylum

The quote is the document's words, not Markdown: everything that would make
it structure (a heading, a list, a link, emphasis, HTML, a table, Obsidian's
``==marks==``, ``%%comments%%``, ``$math$`` and ``#tags``) is escaped, so it
renders as exactly the words highlighted. The block id after it (Obsidian
wants a quote's id on its own line) is stable, so links to it survive
re-exports; an unchanged document re-exports byte for byte the same but for
the ``exported`` line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

from db.documents.inert import make_inert
from db.export import ExportItem
from db.export.names import clean_tags, highlight_anchor, place_of, title_of
from db.models import Highlight
from db.tags import tag_key

__all__ = ["escape_text", "export", "yaml_string"]

# Escaped wherever they stand: each can open inline structure in CommonMark
# (\ ` * _ [ ] < &), GFM (| ~) or Obsidian (# tags, == marks, %% comments,
# $ math, ^ block ids).
_INLINE = re.compile(r"[\\`*_\[\]<&#|~=$%^]")
# Structure only at the start of a line: a block quote, a bullet or an
# ordered list item ("1." or "1)"); "-", "*", "=" and "#" runs are covered
# by the escapes above or below.
_ORDERED = re.compile(r"\d+(?=[.)])")
# A line that may open a block only its own end closes (a code fence, raw
# HTML), which left open would swallow the rest of the file. Only such a
# line outside any list or quote counts: those close when their container does.
_BLOCK_OPENER = re.compile(r"^ {0,3}(?:```|~~~|<)", re.MULTILINE)
# A line of dashes, colons, pipes and spaces alone is a table's delimiter row
# under a line with a pipe in it, even an escaped one (markdown-it reads a
# quote "|" then ":-" as a table): its dashes are escaped too.
_DELIMITER_ROW = re.compile(r"[ \t|:-]*-[ \t|:-]*")
_BACKTICKS = re.compile(r"`+")
_SENTINEL = "margin-end-of-note-7f3a"
_LEADING_BLANK_LINES = re.compile(r"\A(?:[ \t]*\n)+")


def export(items: Iterable[ExportItem], exported: str) -> Iterator[str]:
    """The Markdown file of the one document in ``items`` (ValueError for none or several)."""
    iterator = iter(items)
    item = next(iterator, None)
    if item is None:
        raise ValueError("a Markdown export holds one document; none was given")
    if next(iterator, None) is not None:
        raise ValueError("a Markdown export holds one document; export each to its own file")
    # Checked above, before the first chunk, so the caller can refuse before
    # it creates a file; the chunks themselves come lazily.
    return _chunks(item, exported)


def _chunks(item: ExportItem, exported: str) -> Iterator[str]:
    yield _front_matter(item, exported)
    anchors: set[str] = set()
    for highlight in item.highlights:
        yield _highlight(item, highlight, highlight_anchor(highlight.id, anchors))


def _front_matter(item: ExportItem, exported: str) -> str:
    metadata = item.document.metadata
    tags = clean_tags([*metadata.tags, *(tag for h in item.highlights for tag in h.tags)])
    tags.sort(key=lambda tag: (tag_key(tag), tag))
    authors = [author for author in (a.strip() for a in metadata.authors) if author]
    lines = ["---", f"title: {yaml_string(title_of(item.document))}"]
    if len(authors) > 1:
        lines += ["author:", *(f"  - {yaml_string(author)}" for author in authors)]
    else:
        lines.append(f"author: {yaml_string(authors[0] if authors else '')}")
    lines += [
        f"url: {yaml_string(metadata.url)}",
        f"source: {yaml_string(item.document.path or '')}",
        f"published: {yaml_string(metadata.published)}",
    ]
    if tags:
        lines += ["tags:", *(f"  - {yaml_string(tag)}" for tag in tags)]
    else:
        lines.append("tags: []")
    lines += [f"highlights: {len(item.highlights)}", f"exported: {yaml_string(exported)}", "---"]
    return "\n".join(lines) + "\n"


def _highlight(item: ExportItem, highlight: Highlight, anchor: str) -> str:
    parts = [_block_quote(highlight.quote), f"^{anchor}"]
    note = _note(highlight.note)
    if note:
        parts.append(note)
    parts.append(_details(item, highlight))
    return "\n" + "\n\n".join(parts) + "\n"


def _block_quote(quote: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in escape_text(quote).split("\n"))


def _details(item: ExportItem, highlight: Highlight) -> str:
    # The chapter is the document's own words (a heading), so it is escaped
    # like a quote; the tags are clean tag words and must stay as they are
    # for Obsidian to see them.
    place = place_of(item.locate(highlight))
    details = [escape_text(place)] if place else []
    details.append(f"colour {highlight.color}")
    if highlight.status == "fuzzy":
        details.append(f"fuzzy {highlight.score:.0%}")
    elif highlight.status != "exact":
        details.append(escape_text(highlight.status))
    tags = clean_tags(highlight.tags)
    if tags:
        details.append(" ".join(f"#{tag}" for tag in tags))
    return " · ".join(details)


def _note(note: str) -> str:
    """The note as written, trimmed of blank lines around it and kept from swallowing the file.

    A note is the reader's own Markdown, so it is not escaped; but one that
    leaves a code fence, an HTML block or an Obsidian comment open would
    turn every highlight after it into code, so such a note is shown as
    Markdown source in a fence of its own instead.
    """
    # Control characters become visible (ESC as ␛): a Markdown file gets
    # printed to terminals, and margin lets none through to one.
    note = _LEADING_BLANK_LINES.sub("", make_inert(note, tabsize=None)).rstrip()
    if not note or _closed(note):
        return note
    fence = "`" * max(3, 1 + max((len(run) for run in _BACKTICKS.findall(note)), default=0))
    return f"{fence}markdown\n{note}\n{fence}"


def _closed(note: str) -> bool:
    """Whether a paragraph after ``note`` is a paragraph of its own, not part of the note."""
    # Obsidian's comments and math blocks, which CommonMark does not know.
    if note.count("%%") % 2 or note.count("$$") % 2:
        return False
    if not _BLOCK_OPENER.search(note):
        return True
    tokens = _block_parser().parse(f"{note}\n\n{_SENTINEL}\n")
    return (
        len(tokens) >= 3
        and tokens[-3].type == "paragraph_open"
        and tokens[-3].level == 0
        and tokens[-2].content == _SENTINEL
    )


@cache
def _block_parser() -> Any:
    """A CommonMark parser of blocks only: inline parsing would be wasted on this question."""
    # Imported here: most notes never need the parser.
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").disable(["inline", "text_join"])


def escape_text(text: str) -> str:
    """``text`` as Markdown that renders as exactly that text, line breaks kept as line breaks.

    Every character that could start inline structure is backslash-escaped,
    and so is what starts a block at the beginning of a line (``>``, ``-``,
    ``+``, ``1.``). Whitespace at either end of a line, which Markdown
    drops (or reads as indentation or a hard break), is written as a
    character reference. Runs of blank lines read as one paragraph break.
    """
    return "\n".join(_escape_line(line) for line in text.split("\n"))


def _escape_line(line: str) -> str:
    if not line:
        return line
    escaped = _INLINE.sub(r"\\\g<0>", line)
    if _DELIMITER_ROW.fullmatch(line):
        escaped = escaped.replace("-", "\\-")
    if escaped[0] in ">-+":
        escaped = "\\" + escaped
    else:
        number = _ORDERED.match(escaped)
        if number:
            escaped = f"{number.group()}\\{escaped[number.end() :]}"
    if escaped[0].isspace():
        escaped = f"&#{ord(escaped[0])};{escaped[1:]}"
    if escaped[-1].isspace():
        escaped = f"{escaped[:-1]}&#{ord(escaped[-1])};"
    return escaped


#: Characters YAML will not take raw inside a double-quoted scalar: outside its
#: printable set, or read as line breaks (NEL, LS, PS) or a byte-order mark.
_YAML_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]"
)
_YAML_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t"}


def yaml_string(text: str) -> str:
    """``text`` as a YAML double-quoted scalar that any YAML (1.1 or 1.2) reads back exactly.

    Always quoted, so a title such as ``Note: "yes"``, ``- a list?``, ``no``,
    ``1984`` or ``~`` stays a string. Only JSON's escapes are used, so the
    value is a JSON string too.
    """
    escaped = re.sub(r'[\\"\n\t]', lambda match: _YAML_ESCAPES[match.group()], text)
    escaped = _YAML_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", escaped)
    return f'"{escaped}"'
