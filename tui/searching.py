"""`margin search QUERY...`: highlights, notes and tags (or with --text, documents' text) found.

Each result is printed as its document's title and place, then the snippet
with the matched words marked — in reverse video on a terminal, between
« and » otherwise — and the highlight's short id. ``--json`` prints a list of
records instead. Like the other reading commands, it creates no database.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tui.cli import UsageError, open_store

if TYPE_CHECKING:
    from db.search import Hit

#: Plain ANSI SGR: reverse video on and off, which every terminal knows.
_REVERSE = ("\x1b[7m", "\x1b[27m")
_GUILLEMETS = ("«", "»")
#: A filter typed as one shell word with spaces: ``'doc:war and'`` after the shell's quoting.
_SPACED_FILTER = re.compile(r"(-?[A-Za-z]+:)(.*)", re.DOTALL)
#: How much of the quote a note's or tags' hit shows under its snippet.
_QUOTE_CHARS = 100


def query_from_args(words: Sequence[str]) -> str:
    """The query the shell's words make: a word holding spaces was quoted, so it is a phrase.

    ``margin search "war and peace"`` reaches margin as one word with spaces;
    it is searched as the phrase, as ``doc:"war and"`` is a filter's value.
    """
    parts = []
    for word in words:
        if not any(char.isspace() for char in word) or '"' in word:
            parts.append(word)
            continue
        found = _SPACED_FILTER.fullmatch(word)
        if found is not None:
            parts.append(f'{found.group(1)}"{found.group(2)}"')
        elif word.startswith("-") and len(word) > 1:
            parts.append(f'-"{word[1:]}"')
        else:
            parts.append(f'"{word}"')
    return " ".join(parts)


def run_search(args: argparse.Namespace) -> int:
    from db.paths import default_db_path
    from db.search import QueryError, check_query, parse_query, search
    from db.store import StoreError
    from tui.commands import _json, _print

    if args.limit < 1:
        raise UsageError("--limit takes a number of results, 1 or more")
    scope = "text" if args.text else "highlights"
    try:
        # A query is understood (or refused) before any database is opened.
        query = parse_query(query_from_args(args.query))
        check_query(query, scope)
    except QueryError as error:
        raise UsageError(str(error)) from error
    db_path = Path(args.db or default_db_path()).expanduser()
    hits: list[Hit] = []
    try:
        # A database that is not there holds nothing to find: say so, and make none.
        if db_path.exists():
            with open_store(db_path, create=False) as store:
                hits = search(store, query, limit=args.limit, scope=scope)
    except QueryError as error:
        raise UsageError(str(error)) from error
    except StoreError as error:
        raise UsageError(str(error)) from error
    if args.json:
        return _print(_json([hit_record(hit) for hit in hits]))
    if not hits:
        print("no matches", file=sys.stderr)
        return 0
    return _print(format_hits(hits, terminal=sys.stdout.isatty()))


def hit_record(hit: Hit) -> dict[str, object]:
    """A hit as ``margin search --json`` gives it; a text hit has no highlight's fields."""
    from db.library import display_title

    h = hit.highlight
    return {
        "id": h.id if h is not None else None,
        "document_id": hit.document.id,
        "document": display_title(hit.document),
        "title": hit.document.metadata.title,
        "location": hit.where,
        "quote": hit.quote,
        "note": h.note if h is not None else "",
        "tags": list(h.tags) if h is not None else [],
        "color": h.color if h is not None else None,
        "created": h.created if h is not None else None,
        "snippet": hit.snippet,
        "marks": [list(mark) for mark in hit.marks],
        "kind": hit.kind,
        "field": hit.field,
        "start": hit.start,
        "end": hit.end,
    }


def marked(text: str, marks: Sequence[tuple[int, int]], *, terminal: bool) -> str:
    """``text`` with its marked ranges in reverse video (a terminal) or between « »."""
    opening, closing = _REVERSE if terminal else _GUILLEMETS
    out = []
    at = 0
    for start, end in marks:
        if start < at:
            continue  # overlapping marks: the first one stands
        out += [text[at:start], opening, text[start:end], closing]
        at = end
    out.append(text[at:])
    return "".join(out)


def format_hits(hits: Sequence[Hit], *, terminal: bool) -> str:
    """The hits for people: per hit a head line, the marked snippet, and for a note the quote."""
    from db.library import document_label
    from tui.commands import _one_line

    blocks = []
    for hit in hits:
        title = _one_line(document_label(hit.document, limit=60))
        if hit.highlight is not None:
            h = hit.highlight
            place = _one_line(hit.where) if hit.where else f"@{h.start}-{h.end}"
            ident = f"hl-{h.id.replace('-', '')[:8]}"
        else:
            place, ident = _one_line(hit.where), f"text @{hit.start}"
        snippet = marked(hit.snippet, hit.marks, terminal=terminal)
        if hit.field in ("quote", ""):
            lines = [f"  “{snippet}”"]
        elif hit.field == "note":
            lines = [f"  ✎ {snippet}", f"    “{_short(hit.quote)}”"]
        elif hit.field == "tags":
            lines = [f"  {snippet}", f"    “{_short(hit.quote)}”"]
        else:
            lines = [f"  {snippet}"]
        blocks.append("\n".join([f"{title} — {place}  {ident}", *lines]))
    return "\n\n".join(blocks) + "\n"


def _short(text: str) -> str:
    from tui.commands import _one_line

    flat = _one_line(text)
    if len(flat) <= _QUOTE_CHARS:
        return flat
    cut = flat.rfind(" ", 0, _QUOTE_CHARS)
    return flat[: cut if cut > _QUOTE_CHARS // 2 else _QUOTE_CHARS].rstrip() + "…"
