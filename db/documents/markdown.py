"""The Markdown loader: CommonMark with tables (markdown-it-py), front matter and inline styles.

Block mapping: headings keep their level; paragraphs; list items become
``list_item`` blocks (level = nesting depth, 0 at the top) whose text starts
with the marker ("• ", "◦ ", "▪ " by depth, or "3. "); a further paragraph of
the same item is a ``list_item`` without a marker; paragraphs in block quotes
are ``quote`` blocks (level = depth - 1); fenced and indented code and raw HTML
blocks are ``code`` blocks with their lines; thematic breaks are ``rule``
blocks ("* * *"); tables are ``table`` blocks, one line per row, cells padded
to the column's width and separated by " │ ", a "─┼─" line under the header.

Inline: emphasis, strong emphasis, code spans and links become ``Span``s
("em", "strong", "code", "link") over their text; link URLs are dropped;
images show their alt text; inline HTML shows as the literal text it is.

Front matter (YAML between ``---`` lines or TOML between ``+++`` lines at the
very start) fills the metadata and is never shown. YAML is read by a small
reader of flat ``key: value`` pairs and ``- item`` lists (no PyYAML); front
matter that cannot be read is skipped with a notice.

markdown-it-py is imported on the first call: ``import db.documents`` stays cheap.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from db.documents.inert import make_inert
from db.models import Block, LoadedText, Metadata, Span

#: Tab stop inside Markdown pieces (code blocks, code spans, text).
TABSIZE = 4
_BULLETS = ("• ", "◦ ", "▪ ")
_RULE_TEXT = "* * *"
#: Block tokens whose content markdown-it parses as blocks again (and drops past maxNesting).
_CONTAINERS = frozenset(("blockquote_open", "list_item_open"))
_OPEN_STYLES = {"em_open": "em", "strong_open": "strong", "link_open": "link"}
_CLOSE_STYLES = {"em_close": "em", "strong_close": "strong", "link_close": "link"}

_YAML_FENCE = re.compile(r"---[ \t]*\n(.*?\n)??(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_TOML_FENCE = re.compile(r"\+\+\+[ \t]*\n(.*?\n)??\+\+\+[ \t]*(?:\n|\Z)", re.DOTALL)
_YAML_KEY = re.compile(
    r"""(?P<key>"[^"]*"|'[^']*'|[^\s#'"\-:][^:]*?)[ \t]*:(?:[ \t]+(?P<value>.*))?"""
)
_YAML_FLOW_ITEM = re.compile(r"""\s*("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^,]*)\s*(?:,|$)""")
_HTML_COMMENTS = re.compile(r"\s*(?:<!--.*?-->\s*)+", re.DOTALL)
_BLANK_LINES = re.compile(r"\n[^\S\n]*(?=\n)")

#: A span while a block is being built: (start, end, style), offsets into the block.
_RawSpan = tuple[int, int, str]


class FrontMatterError(ValueError):
    """Front matter that is there but cannot be read."""


@functools.cache
def _parser() -> Any:
    from markdown_it import MarkdownIt  # ~60 ms to import: only Markdown files pay it

    return MarkdownIt("commonmark").enable("table")


def parse_markdown(source: str) -> LoadedText:
    """Build the canonical text of a Markdown document from inert source (tabs kept)."""
    notices: list[str] = []
    body, front, front_notice = split_front_matter(source)
    if front_notice:
        notices.append(front_notice)
    parser = _parser()
    builder = _Builder(body, parser.options.get("maxNesting", 20))
    builder.walk(parser.parse(body))
    if builder.too_deep:
        notices.append("Some Markdown is nested too deeply and is shown as its source.")
    metadata = metadata_from(front) if front else Metadata()
    if not metadata.title and builder.first_h1:
        metadata.title = builder.first_h1
    return LoadedText(
        text="\n\n".join(builder.texts),
        blocks=builder.blocks,
        spans=builder.spans,
        metadata=metadata,
        format="md",
        notices=notices,
    )


# --- blocks ------------------------------------------------------------------


@dataclass(slots=True)
class _List:
    ordered: bool
    number: int
    delimiter: str


class _Builder:
    """Walks markdown-it's flat token stream and lays the blocks end to end."""

    def __init__(self, source: str, max_nesting: int) -> None:
        self._source = source
        self._source_lines: list[str] = []
        self._max_nesting = max_nesting
        self.too_deep = False
        self.texts: list[str] = []
        self.blocks: list[Block] = []
        self.spans: list[Span] = []
        self.first_h1 = ""
        self._pos = 0
        self._lists: list[_List] = []
        self._quote_depth = 0
        #: The marker of a list item whose first block has not been laid yet.
        self._marker: str | None = None
        self._heading_level = 0
        self._in_table = False
        self._rows: list[list[tuple[str, list[_RawSpan]]]] = []
        self._aligns: list[str] = []
        self._header_rows = 0

    def add(self, kind: str, text: str, level: int = 0, spans: Sequence[_RawSpan] = ()) -> None:
        if not text or text.isspace():
            return
        start = self._pos
        self.texts.append(text)
        self.blocks.append(Block(kind, start, start + len(text), level))
        self.spans.extend(Span(start + s, start + e, style) for s, e, style in spans if e > s)
        self._pos = start + len(text) + 2

    def add_inline(
        self, kind: str, text: str, spans: list[_RawSpan], level: int = 0, prefix: str = ""
    ) -> None:
        text, spans = _tidy(text, spans)
        if prefix:
            spans = [(s + len(prefix), e + len(prefix), style) for s, e, style in spans]
            text = (prefix + text).rstrip()
        self.add(kind, text, level, spans)

    def flush_marker(self) -> None:
        """Lay a pending list marker on its own: the item starts with something else."""
        if self._marker is not None:
            self.add("list_item", self._marker.rstrip(), len(self._lists) - 1)
            self._marker = None

    def walk(self, tokens: Sequence[Any]) -> None:
        for token in tokens:
            if token.type in _CONTAINERS and token.level >= self._max_nesting - 1 and token.map:
                self._too_deep(token.map)
                if token.type == "list_item_open":
                    continue  # its marker went out with the source
            handler = getattr(self, "_" + token.type, None)
            if handler is not None:
                handler(token)

    def _too_deep(self, lines: Sequence[int]) -> None:
        """markdown-it drops what is inside a container at its nesting limit: show the source."""
        self.flush_marker()
        if not self._source_lines:
            self._source_lines = self._source.split("\n")
        source = self._source_lines[lines[0] : lines[1]]
        kept = [line.expandtabs(TABSIZE).strip() for line in source]
        self.add("paragraph", "\n".join(line for line in kept if line))
        self.too_deep = True

    # Handlers are named after markdown-it token types; unknown types are skipped.

    def _bullet_list_open(self, token: Any) -> None:
        self._lists.append(_List(False, 0, token.markup))

    def _ordered_list_open(self, token: Any) -> None:
        start = token.attrGet("start")
        number = int(start) if isinstance(start, (int, str)) and str(start).isdigit() else 1
        self._lists.append(_List(True, number, token.markup or "."))

    def _bullet_list_close(self, token: Any) -> None:
        self.flush_marker()
        self._lists.pop()

    _ordered_list_close = _bullet_list_close

    def _list_item_open(self, token: Any) -> None:
        self.flush_marker()
        current = self._lists[-1]
        if current.ordered:
            self._marker = f"{current.number}{current.delimiter} "
            current.number += 1
        else:
            self._marker = _BULLETS[(len(self._lists) - 1) % len(_BULLETS)]

    def _list_item_close(self, token: Any) -> None:
        self.flush_marker()

    def _blockquote_open(self, token: Any) -> None:
        self.flush_marker()
        self._quote_depth += 1

    def _blockquote_close(self, token: Any) -> None:
        self._quote_depth -= 1

    def _heading_open(self, token: Any) -> None:
        self.flush_marker()
        self._heading_level = int(token.tag[1:])

    def _inline(self, token: Any) -> None:
        text, spans = _inline_text(token.children or ())
        if self._in_table:
            self._rows[-1].append(_tidy(text.replace("\n", " "), spans))
        elif self._heading_level:
            text, spans = _tidy(text, spans)
            if self._heading_level == 1 and not self.first_h1:
                self.first_h1 = text
            self.add("heading", text, self._heading_level, spans)
            self._heading_level = 0
        elif self._lists:
            marker, self._marker = self._marker, None
            self.add_inline("list_item", text, spans, len(self._lists) - 1, marker or "")
        elif self._quote_depth:
            self.add_inline("quote", text, spans, self._quote_depth - 1)
        else:
            self.add_inline("paragraph", text, spans)

    def _fence(self, token: Any) -> None:
        self.flush_marker()
        self.add("code", _code_text(token.content))

    _code_block = _fence

    def _html_block(self, token: Any) -> None:
        # A comment is invisible in any rendering of the file; other HTML is
        # shown as the markup it is.
        if not _HTML_COMMENTS.fullmatch(token.content):
            self.flush_marker()
            self.add("code", _code_text(token.content))

    def _hr(self, token: Any) -> None:
        self.flush_marker()
        self.add("rule", _RULE_TEXT)

    def _table_open(self, token: Any) -> None:
        self.flush_marker()
        self._in_table = True
        self._rows = []
        self._aligns = []
        self._header_rows = 0

    def _tr_open(self, token: Any) -> None:
        self._rows.append([])

    def _th_open(self, token: Any) -> None:
        if len(self._rows) == 1:
            self._aligns.append(str(token.attrGet("style") or ""))
            self._header_rows = 1

    _td_open = _th_open

    def _table_close(self, token: Any) -> None:
        self._in_table = False
        text, spans = table_text(self._rows, self._aligns, self._header_rows)
        self.add("table", text, 0, spans)


def _code_text(content: str) -> str:
    """Code lines as they are, tabs expanded, with " " for an empty line.

    An empty line would make a blank line inside the block, and blank lines are
    what separates blocks; a single space keeps the line visible and the text
    splittable.
    """
    lines = [line.expandtabs(TABSIZE).rstrip() for line in content.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return "\n".join(line or " " for line in lines)


def table_text(
    rows: list[list[tuple[str, list[_RawSpan]]]], aligns: list[str], header_rows: int
) -> tuple[str, list[_RawSpan]]:
    if not rows:
        return "", []
    columns = max(len(row) for row in rows)
    widths = [0] * columns
    for row in rows:
        for i, (cell, _) in enumerate(row):
            widths[i] = max(widths[i], _width(cell))
    lines: list[str] = []
    spans: list[_RawSpan] = []
    pos = 0
    for r, row in enumerate(rows):
        parts: list[str] = []
        column_pos = pos
        for i in range(columns):
            cell, cell_spans = row[i] if i < len(row) else ("", [])
            pad = widths[i] - _width(cell)
            right = i < len(aligns) and "right" in aligns[i]
            left_pad = pad if right else 0
            spans.extend(
                (column_pos + left_pad + s, column_pos + left_pad + e, st)
                for s, e, st in cell_spans
            )
            parts.append(" " * pad + cell if right else cell + " " * pad)
            column_pos += len(parts[-1]) + 3
        line = " │ ".join(parts).rstrip() or " "
        lines.append(line)
        pos += len(line) + 1
        if r + 1 == header_rows:
            rule = "─┼─".join("─" * max(w, 1) for w in widths)
            lines.append(rule)
            pos += len(rule) + 1
    return "\n".join(lines), spans


def _width(text: str) -> int:
    """Terminal columns: East Asian wide and full-width characters take two."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


# --- inline ------------------------------------------------------------------


def _inline_text(tokens: Iterable[Any]) -> tuple[str, list[_RawSpan]]:
    """The visible text of an inline token list, with its styled spans."""
    pieces: list[str] = []
    spans: list[_RawSpan] = []
    opened: dict[str, list[int]] = {}
    pos = 0
    for token in tokens:
        kind = token.type
        style = ""
        if kind in _OPEN_STYLES:
            opened.setdefault(_OPEN_STYLES[kind], []).append(pos)
            continue
        if kind in _CLOSE_STYLES:
            starts = opened.get(_CLOSE_STYLES[kind])
            if starts:
                spans.append((starts.pop(), pos, _CLOSE_STYLES[kind]))
            continue
        if kind == "softbreak":
            piece = " "
        elif kind == "hardbreak":
            piece = "\n"
        elif kind == "image":
            piece = _inline_text(token.children or ())[0]
        else:
            # text, code_inline, html_inline (shown literally) and any token a
            # plugin may add: their content is what a reader would see.
            piece = token.content or ""
            if kind == "code_inline":
                style = "code"
        if "\t" in piece:
            piece = piece.expandtabs(TABSIZE)
        if "\n" in piece and kind != "hardbreak":
            piece = piece.replace("\n", " ")
        if style and piece:
            spans.append((pos, pos + len(piece), style))
        pieces.append(piece)
        pos += len(piece)
    return "".join(pieces), spans


def _tidy(text: str, spans: list[_RawSpan]) -> tuple[str, list[_RawSpan]]:
    """Strip the text's edges and blank lines, moving the spans with the text."""
    cuts: list[tuple[int, int]] = []
    lead = len(text) - len(text.lstrip())
    if lead:
        cuts.append((0, lead))
    trail = len(text.rstrip())
    if trail < len(text) and trail >= lead:
        cuts.append((trail, len(text)))
    if "\n" in text:
        cuts.extend((m.start(), m.end()) for m in _BLANK_LINES.finditer(text))
    if not cuts:
        return text, spans
    cuts = _merge(cuts)
    starts = [start for start, _ in cuts]
    removed_before = [0]
    for start, end in cuts:
        removed_before.append(removed_before[-1] + end - start)

    def moved(offset: int) -> int:
        i = bisect_right(starts, offset) - 1
        if i < 0:
            return offset
        start, end = cuts[i]
        if offset < end:
            # Inside a cut: to where the cut was.
            return start - removed_before[i]
        return offset - removed_before[i + 1]

    kept: list[str] = []
    previous = 0
    for start, end in cuts:
        kept.append(text[previous:start])
        previous = end
    kept.append(text[previous:])
    moved_spans = [(moved(s), moved(e), style) for s, e, style in spans]
    return "".join(kept), [span for span in moved_spans if span[1] > span[0]]


def _merge(cuts: list[tuple[int, int]]) -> list[tuple[int, int]]:
    cuts.sort()
    merged = [cuts[0]]
    for start, end in cuts[1:]:
        if start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


# --- front matter ------------------------------------------------------------


def split_front_matter(source: str) -> tuple[str, dict[str, Any] | None, str | None]:
    """Split YAML or TOML front matter off ``source``: (body, fields or None, notice or None)."""
    if source.startswith("---"):
        match = _YAML_FENCE.match(source)
        if match is None or not _looks_like_yaml(match[1] or ""):
            # A thematic break at the top, not front matter.
            return source, None, None
        reader = _parse_yaml
        name = "YAML"
    elif source.startswith("+++"):
        match = _TOML_FENCE.match(source)
        if match is None:
            return source, None, None
        reader = _parse_toml
        name = "TOML"
    else:
        return source, None, None
    body = source[match.end() :]
    try:
        return body, reader(match[1] or ""), None
    except (FrontMatterError, ValueError):
        return body, None, f"The {name} front matter could not be read; it was skipped."


def _looks_like_yaml(src: str) -> bool:
    for line in src.split("\n"):
        if line.strip() and not line.lstrip().startswith("#"):
            return _YAML_KEY.fullmatch(line.rstrip()) is not None
    return True


def _parse_toml(src: str) -> dict[str, Any]:
    import tomllib

    return tomllib.loads(src)


def _parse_yaml(src: str) -> dict[str, Any]:
    """Read flat YAML: ``key: value``, ``key: [a, b]``, ``key:`` + ``- item``, ``>``/``|`` text.

    Nested mappings are skipped; a line that fits none of these raises FrontMatterError.
    """
    lines = src.split("\n")
    fields: dict[str, Any] = {}
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        i += 1
        if not line or line.lstrip().startswith("#"):
            continue
        match = _YAML_KEY.fullmatch(line)
        if match is None or line[0] in " \t":
            raise FrontMatterError(f"not a key: {line!r}")
        key = match["key"].strip("\"'").strip()
        value = (match["value"] or "").strip()
        block: list[str] = []
        while i < len(lines) and (
            not lines[i].strip() or lines[i][0] in " \t" or lines[i].startswith("-")
        ):
            if lines[i].startswith("-") and value and not value.startswith(("|", ">")):
                break
            block.append(lines[i])
            i += 1
        fields[key] = _yaml_value(value, block)
    return fields


def _yaml_value(value: str, block: list[str]) -> Any:
    items = [line.strip() for line in block if line.strip()]
    if value[:1] in ("|", ">"):
        return " ".join(items)
    if not value:
        if items and all(item.startswith("-") for item in items if not item.startswith("#")):
            return [_yaml_scalar(item[1:].strip()) for item in items if item.startswith("-")]
        return {} if items else ""
    if value.startswith("[") and value.endswith("]"):
        inner = value[1:-1]
        return [
            _yaml_scalar(m[1]) for m in _YAML_FLOW_ITEM.finditer(inner) if m[1] and m[1].strip()
        ]
    if value.startswith("{"):
        return {}
    if items:
        # A plain or quoted scalar folded over several lines.
        value = " ".join([value, *items])
    return _yaml_scalar(value)


def _yaml_scalar(value: str) -> str:
    value = value.strip()
    if value[:1] == '"':
        if len(value) < 2 or not value.endswith('"'):
            raise FrontMatterError("unclosed quote")
        return re.sub(r"\\(.)", lambda m: {"n": " ", "t": " "}.get(m[1], m[1]), value[1:-1])
    if value[:1] == "'":
        if len(value) < 2 or not value.endswith("'"):
            raise FrontMatterError("unclosed quote")
        return value[1:-1].replace("''", "'")
    comment = value.find(" #")
    if comment >= 0:
        value = value[:comment].rstrip()
    return "" if value in ("~", "null", "Null", "NULL") else value


def metadata_from(fields: dict[str, Any]) -> Metadata:
    """Map front-matter fields to Metadata (title, authors, date, tags, description, url, ...).

    Names are those of Jekyll, Hugo, Zola, Astro and Pandoc: ``author`` or
    ``authors`` (a name or a list), ``date``/``published``, ``publisher``/``site``,
    ``url``/``link``/``canonical``, ``lang``/``language``, ``description``/``summary``,
    ``tags``, ``keywords`` and ``categories`` (all kept), ``isbn`` and ``doi``.
    """
    meta = Metadata()
    meta.title = _clean(fields.get("title"))
    meta.authors = _clean_list(_first(fields, "authors", "author", "by", "creator"))
    meta.published = _day(
        _first(fields, "date", "published", "pubDate", "publishDate", "date_published")
    )
    tags: list[str] = []
    for key in ("tags", "keywords", "categories", "category"):
        tags.extend(t for t in _clean_list(fields.get(key), split_commas=True) if t not in tags)
    meta.tags = tags
    meta.description = _clean(_first(fields, "description", "summary", "excerpt", "abstract"))
    meta.url = _clean(
        _first(fields, "url", "link", "canonical", "canonical_url", "canonicalURL", "permalink")
    )
    meta.language = _clean(_first(fields, "lang", "language", "locale", "languageCode"))
    meta.publisher = _clean(_first(fields, "publisher", "site", "site_name", "siteName"))
    for key in ("isbn", "doi"):
        value = _clean(_first(fields, key, key.upper()))
        if value:
            meta.identifiers[key] = value
    return meta


def _day(value: Any) -> str:
    """A front-matter date as an ISO date: a timestamp keeps its day ("2024-03-30T10:00Z")."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    text = _clean(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}.*", text):
        return text[:10]
    return text


def _first(fields: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        if fields.get(key) not in (None, "", []):
            return fields[key]
    return None


def _clean(value: Any) -> str:
    if value is None or isinstance(value, dict):
        return ""
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, list):
        return ", ".join(s for s in (_clean(v) for v in value) if s)
    return " ".join(make_inert(str(value)).split())


def _clean_list(value: Any, *, split_commas: bool = False) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        parts = value.split(",") if split_commas else [value]
        return [s for s in (_clean(p) for p in parts) if s]
    if isinstance(value, dict):
        # TOML/YAML authors given as {name = "..."}.
        return _clean_list(value.get("name"))
    if isinstance(value, list):
        out: list[str] = []
        for item in value:
            out.extend(_clean_list(item))
        return out
    return [_clean(value)] if _clean(value) else []
