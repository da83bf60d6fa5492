"""The headless commands (show, tags, meta): read the store, print, exit; never Textual."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tui.cli import UsageError

if TYPE_CHECKING:
    from db.models import Document, Highlight, LoadedText
    from db.store import Store


def run_command(command: str, args: argparse.Namespace) -> int:
    """Run ``margin show`` or ``margin tags`` on the database, which they never create."""
    from db.paths import default_db_path
    from db.store import Store, StoreError

    db_path = Path(args.db or default_db_path()).expanduser()
    store = None
    try:
        # A database that is not there holds no documents: say so, and make nothing.
        if db_path.exists():
            store = Store.open(db_path, create=False)
        if command == "show":
            text = _show(store, args.doc, as_json=args.json)
        elif command == "meta":
            text = _meta(store, args.doc, args.assignments, as_json=args.json)
        else:
            text = _tags(store, as_json=args.json)
    except StoreError as error:
        raise UsageError(str(error)) from error
    finally:
        if store is not None:
            store.close()
    return _print(text)


def _show(store: Store | None, spec: str, *, as_json: bool) -> str:
    from db.library import NoMatchingDocumentError, resolve_document

    if store is None:
        raise NoMatchingDocumentError(spec)
    document = resolve_document(store, spec)
    highlights = store.highlights(document.id)
    if as_json:
        return _json([highlight_record(h) for h in highlights])
    current = [h for h in highlights if h.text_hash == document.text_hash]
    loaded = store.load_text(document.text_hash) if current else None
    return format_highlights(document, highlights, loaded)


def _meta(store: Store | None, spec: str, assignments: list[str], *, as_json: bool) -> str:
    """``margin meta``: the document's metadata, after setting any ``--set`` fields."""
    from db.library import NoMatchingDocumentError, resolve_document
    from db.metadata import FIELDS, apply_assignments, get_field

    if store is None:
        raise NoMatchingDocumentError(spec)
    document = resolve_document(store, spec)
    metadata = document.metadata
    if assignments:
        try:
            metadata = apply_assignments(metadata, assignments)
        except ValueError as error:
            raise UsageError(str(error)) from error
        store.update_metadata(document.id, metadata)
    if as_json:
        return _json({name: get_field(metadata, name) for name in FIELDS})
    width = max(map(len, FIELDS))
    return "".join(
        f"{name:<{width}}  {_one_line(get_field(metadata, name))}".rstrip() + "\n"
        for name in FIELDS
    )


def _tags(store: Store | None, *, as_json: bool) -> str:
    counts = store.tag_counts() if store is not None else []
    if as_json:
        return _json([{"tag": tag, "count": count} for tag, count in counts])
    return format_tags(counts)


def highlight_record(highlight: Highlight) -> dict[str, object]:
    """A highlight as ``margin show --json`` gives it: plain keys, every value as stored."""
    h = highlight
    return {
        "id": h.id,
        "start": h.start,
        "end": h.end,
        "quote": h.quote,
        "note": h.note,
        "tags": list(h.tags),
        "color": h.color,
        "status": h.status,
        "score": h.score,
        "created": h.created,
        "updated": h.updated,
        "prefix": h.prefix,
        "suffix": h.suffix,
    }


def _inert_lines(text: str) -> list[str]:
    """``text`` as lines that are safe to print: every control character made visible."""
    from db.documents.inert import make_inert

    return make_inert(text).split("\n")


def _one_line(text: str) -> str:
    """``text`` safe to print as (part of) one line: controls visible, whitespace runs one space."""
    return " ".join(" ".join(_inert_lines(text)).split())


def format_highlights(
    document: Document, highlights: Sequence[Highlight], loaded: LoadedText | None
) -> str:
    """``margin show``: a title line, then per highlight its place, colour and status,
    the quote, the note indented under it and the tags.

    The place is the chapter and paragraph (``CHAPTER I, ¶ 12``, as citations
    and the notes pane count them) for a highlight on the document's current
    text, else its offsets (``@120-164``: an orphan, or one not re-anchored
    since the file changed).
    """
    from db.library import document_label
    from db.locate import Locator

    title = document_label(document, limit=200)
    if document.metadata.authors:
        title += " — " + ", ".join(document.metadata.authors)
    count = len(highlights)
    counted = f"{count} highlight{'' if count == 1 else 's'}" if count else "no highlights"
    lines = [f"{_one_line(title)}  (id {document.id}, {counted})"]
    locator = Locator(loaded.text, loaded.blocks) if loaded is not None else None
    for h in highlights:
        if h.status != "orphan" and h.text_hash == document.text_hash and locator is not None:
            place = _one_line(locator.at(h.start).describe())
        else:
            place = f"@{h.start}-{h.end}"
        head = [place, f"colour {h.color}"]
        if h.status == "fuzzy":
            head.append(f"fuzzy {h.score:.0%}")
        elif h.status != "exact":
            head.append(h.status)
        lines += ["", "  ".join(head)]
        lines += [f"  {line}" for line in _inert_lines(f"“{h.quote}”")]
        if h.note.strip():
            lines += [f"      {line}".rstrip() for line in _inert_lines(h.note.strip())]
        if h.tags:
            lines.append("  " + " ".join(f"#{_one_line(tag)}" for tag in h.tags))
    return "\n".join(lines) + "\n"


def _cells(text: str) -> int:
    """How many terminal columns ``text`` takes: wide East Asian letters 2, combining marks 0."""
    import unicodedata

    return sum(
        0 if unicodedata.combining(char) else 2 if unicodedata.east_asian_width(char) in "WF" else 1
        for char in text
    )


def format_tags(counts: Sequence[tuple[str, int]]) -> str:
    """``margin tags``: one tag a line, the counts right-aligned in a column after the longest."""
    if not counts:
        return ""
    names = [_one_line(tag) for tag, _ in counts]
    width = max(map(_cells, names))
    digits = max(len(str(count)) for _, count in counts)
    return "".join(
        f"{name}{' ' * (width - _cells(name))}  {count:>{digits}}\n"
        for name, (_, count) in zip(names, counts, strict=True)
    )


#: What json.dumps leaves raw but a terminal may act on (DEL, C1 controls such as CSI)
#: or cannot be written as UTF-8 (lone surrogates). They occur in JSON only inside
#: strings, where a \u escape is the same character to any JSON reader.
_JSON_UNSAFE = "[\x7f-\x9f\ud800-\udfff\u2028\u2029]"


def _json(value: object) -> str:
    import json
    import re

    text = json.dumps(value, ensure_ascii=False, indent=2)
    return re.sub(_JSON_UNSAFE, lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


def _print(text: str) -> int:
    """Write ``text`` to stdout; 0, or 141 (as a shell says SIGPIPE) if the reader went away."""
    stream = sys.stdout
    encoding = stream.encoding or "utf-8"
    try:
        text.encode(encoding)
    except UnicodeEncodeError:  # e.g. PYTHONIOENCODING=ascii: "\u00b6", not a traceback
        text = text.encode(encoding, "backslashreplace").decode(encoding)
    try:
        stream.write(text)
        stream.flush()
    except BrokenPipeError:
        # `margin show 3 | head`: Python would complain again when it flushes at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
        return 141
    return 0
