"""The headless commands (show, tags, meta, export, cite; add in tui.adding): print, exit.

They never import Textual, and only ``cite`` imports the CSL processor (slow to
load). What a user gets wrong on the command line is found before the store is
opened or a file is written; then nothing is created or changed.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, TextIO, cast

from tui.cli import STYLE_ALIASES, UsageError, open_store

if TYPE_CHECKING:
    from db.locate import Location
    from db.models import Document, Highlight, LoadedText
    from db.store import Store


def run_command(command: str, args: argparse.Namespace) -> int:
    """Run a command on the database, which no command but ``add`` creates."""
    if command == "add":
        from tui.adding import run_add

        return run_add(args)
    if command == "config":
        from tui.configuring import run_config

        return run_config(args)
    if command in ("list", "rm"):
        from tui.listing import run_listing

        return run_listing(command, args)
    if command == "search":
        from tui.searching import run_search

        return run_search(args)
    if command == "doctor":
        from tui.doctoring import run_doctor

        return run_doctor(args)
    if command in ("import", "link"):
        from tui.importing import run_import, run_link

        return run_import(args) if command == "import" else run_link(args)
    from db.paths import default_db_path
    from db.store import StoreError

    # Mistakes in the arguments alone are told before the database is opened.
    if command == "export":
        _check_export_args(args)
    elif command == "cite":
        _check_cite_args(args)
    db_path = Path(args.db or default_db_path()).expanduser()
    store = None
    try:
        # A database that is not there holds no documents: say so, and make nothing.
        if db_path.exists():
            store = open_store(db_path, create=False)
        if command == "export":
            return _export(store, args)
        if command == "show":
            text = _show(store, args.doc, as_json=args.json)
        elif command == "meta":
            text = _meta(store, args.doc, args.assignments, as_json=args.json)
        elif command == "cite":
            text = _cite(store, args)
        else:
            text = _tags(store, as_json=args.json)
    except StoreError as error:
        raise UsageError(str(error)) from error
    finally:
        if store is not None:
            store.close()
    if command == "cite" and args.copy:
        return _copy(text)
    return _print(_inert_text(text) if command == "cite" else text)


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


# --- margin export ---------------------------------------------------------------------------


def _export_usage(message: str) -> UsageError:
    return UsageError(f"{message} (see margin export --help)")


def _check_export_args(args: argparse.Namespace) -> None:
    """Settle ``args.format`` and refuse what cannot be exported as asked, touching nothing."""
    from db.export import one_document_per_file

    if args.output == "-":
        args.output = None  # stdout, as without -o
    if args.all and args.doc is not None:
        raise _export_usage("give DOC or --all, not both")
    if not args.all and args.doc is None:
        raise _export_usage("give DOC, or --all for the whole library")
    if args.format is None:
        if args.all:
            # No default for a library: md would make a folder where a file was meant.
            raise _export_usage(
                "--all needs -f FORMAT: md or html (a folder, -o DIR), json, csv, bibtex "
                "or csl-json (one file)"
            )
        from db.config import load_config

        # The config's export_format, else Markdown; its problems are for `margin config show`.
        args.format = load_config().export_format or "md"
    fmt = args.format
    if args.output is None:
        if args.all and one_document_per_file(fmt):
            raise UsageError(f"{fmt} holds one document per file: give -o DIR")
        return
    target = Path(args.output).expanduser()
    if one_document_per_file(fmt):
        if (args.all or _names_a_folder(args.output)) and target.exists() and not target.is_dir():
            raise UsageError(f"{args.output} is a file; {fmt} files go into a folder (-o DIR)")
    elif target.is_dir() or _names_a_folder(args.output):
        raise UsageError(f"{args.output} is a folder; {fmt} exports to one file (-o FILE)")


def _names_a_folder(output: str) -> bool:
    """Whether -o was written as a folder: ``notes/``."""
    return output.endswith(("/", os.sep))


def _export(store: Store | None, args: argparse.Namespace) -> int:
    """``margin export``: to stdout, to one file, or to a folder of one file per document."""
    from db.export import one_document_per_file
    from db.library import NoMatchingDocumentError, resolve_document

    fmt: str = args.format
    if args.all:
        # By id, so that the same library always exports the same file.
        documents = sorted(store.documents(), key=lambda d: d.id) if store is not None else []
    elif store is None:
        raise NoMatchingDocumentError(args.doc)
    else:
        documents = [resolve_document(store, args.doc)]
    if args.output is None:
        return _export_to_stdout(store, fmt, documents)
    target = Path(args.output).expanduser()
    to_folder = one_document_per_file(fmt) and (
        args.all or _names_a_folder(args.output) or target.is_dir()
    )
    progress = _Progress() if len(documents) > 1 and sys.stderr.isatty() else None
    try:
        if to_folder:
            # Made first, so that a library of one document is still a file in a folder.
            target.mkdir(parents=True, exist_ok=True)
        written = _export_to_path(store, fmt, documents, target, progress)
    except OSError as error:
        raise UsageError(f"cannot write {target}: {error.strerror or error}") from error
    finally:
        if progress is not None:
            progress.clear()
    if to_folder and args.all:
        count = len(written)
        print(f"wrote {count} file{'' if count == 1 else 's'} to {target}", file=sys.stderr)
    else:
        for path in written:
            print(f"wrote {path}", file=sys.stderr)
    return 0


def _export_to_path(
    store: Store | None,
    fmt: str,
    documents: Sequence[Document],
    target: Path,
    progress: _Progress | None,
) -> list[Path]:
    from db.exporting import export_to_path, write_chunks

    if store is not None:
        return export_to_path(store, fmt, documents, target, progress=progress)
    # No database: an empty library, an empty export (a folder gets no files).
    if target.is_dir():
        return []
    write_chunks(_empty_export(fmt), target)
    return [target]


def _empty_export(fmt: str) -> Iterator[str]:
    """The export of no documents: an empty collection, a CSV header, an empty list."""
    from db.export import export
    from db.store import utc_now

    return export(fmt, [], utc_now())


def _export_to_stdout(store: Store | None, fmt: str, documents: Sequence[Document]) -> int:
    """Stream the export to stdout as UTF-8, whatever the locale says: it is a file's content."""
    from db.exporting import export_to_stream

    out = _Stdout(sys.stdout)
    try:
        if store is not None:
            export_to_stream(store, fmt, documents, cast("TextIO", out))
        else:
            for chunk in _empty_export(fmt):
                out.write(chunk)
        out.flush()
    except BrokenPipeError:
        _silence_stdout()
        return 141
    return 0


class _Stdout:
    """stdout for an export: UTF-8 bytes; on a terminal, with every control character made visible.

    Piped or redirected, the export is exactly the file ``-o`` would write.
    On a terminal, a document's title or a note could otherwise carry escape
    sequences that the terminal would act on.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        stream.flush()  # what was written as text goes before the bytes
        # A stream with no bytes under it (a test's StringIO) takes the text.
        self._bytes: BinaryIO | None = getattr(stream, "buffer", None)
        self._terminal = stream.isatty()

    def write(self, chunk: str) -> int:
        if self._terminal:
            from db.documents.inert import make_inert

            chunk = make_inert(chunk, tabsize=None)
        if self._bytes is None:
            return self._stream.write(chunk)
        self._bytes.write(chunk.encode("utf-8"))
        return len(chunk)

    def flush(self) -> None:
        (self._bytes or self._stream).flush()


class _Progress:
    """One line on stderr (a terminal), rewritten as documents are exported: ``exporting 3/40``."""

    def __init__(self) -> None:
        self._width = 0

    def __call__(self, done: int, total: int) -> None:
        line = f"exporting {done}/{total}"
        self._width = max(self._width, len(line))
        sys.stderr.write(f"\r{line}")
        sys.stderr.flush()

    def clear(self) -> None:
        if self._width:
            sys.stderr.write("\r" + " " * self._width + "\r")
            sys.stderr.flush()


# --- margin cite -----------------------------------------------------------------------------


def _check_cite_args(args: argparse.Namespace) -> None:
    if args.form == "quote" and args.highlight is None:
        raise UsageError("--form quote needs --highlight ID: the quotation is a highlight's")
    if args.highlight is not None and not _id_key(args.highlight):
        raise UsageError("--highlight needs an id, or the start of one")


def _cite(store: Store | None, args: argparse.Namespace) -> str:
    """``margin cite``: the document, or a highlight of it, cited; the text to print or copy."""
    from db.cite import cite
    from db.library import NoMatchingDocumentError, resolve_document

    if store is None:
        raise NoMatchingDocumentError(args.doc)
    document = resolve_document(store, args.doc)
    style = STYLE_ALIASES.get(args.style, args.style) if args.style else _default_style(store)
    highlight = _find_highlight(store, document, args.highlight) if args.highlight else None
    form = args.form or ("quote" if highlight is not None else "reference")
    location = _cited_location(store, document, highlight) if highlight is not None else None
    try:
        text = cite(
            document,
            style=style,
            form=form,
            quote=highlight.quote if highlight is not None else None,
            location=location,
        )
    except ValueError as error:  # a highlight with no words to quote
        raise UsageError(str(error)) from error
    return text.rstrip("\n") + "\n"


def _default_style(store: Store) -> str:
    """The style chosen last in the reader, else the config's citation_style, else APA."""
    from db.cite import STYLES
    from db.config import load_config

    for chosen in (store.get_setting("citation_style"), load_config().citation_style):
        if isinstance(chosen, str):
            chosen = STYLE_ALIASES.get(chosen, chosen)
            if chosen in STYLES:
                return chosen
    return "apa"


def _id_key(text: str) -> str:
    """What an id is compared by: lower case, without dashes or an anchor's ``^hl-``."""
    key = text.strip().lower().removeprefix("^").removeprefix("hl-")
    return key.replace("-", "")


def _find_highlight(store: Store, document: Document, spec: str) -> Highlight:
    """The document's one highlight whose id is ``spec`` or starts with it.

    Dashes and case do not matter, and the ``hl-1a2b3c4d`` anchors of the
    Markdown and HTML exports name their highlights too.
    """
    from db.library import document_label

    highlights = store.highlights(document.id)
    exact = [h for h in highlights if h.id == spec]
    if exact:
        return exact[0]
    key = _id_key(spec)
    found = [h for h in highlights if _id_key(h.id).startswith(key)]
    if len(found) == 1:
        return found[0]
    label = _one_line(document_label(document))
    shown = _one_line(spec)
    if not found:
        raise UsageError(f'no highlight of {label} has an id starting "{shown}"')
    listed = ", ".join(f"{h.id[:13]}… “{_snippet(h.quote)}”" for h in found[:3])
    more = f", and {len(found) - 3} more" if len(found) > 3 else ""
    raise UsageError(
        f'"{shown}" starts the ids of {len(found)} highlights of {label}: {listed}{more}'
    )


def _snippet(text: str, limit: int = 24) -> str:
    """The start of ``text`` on one line, cut at a word and marked "…" if it goes on."""
    text = _one_line(text)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip() + "…"


def _cited_location(store: Store, document: Document, highlight: Highlight) -> Location | None:
    """Where a highlight is in the document's current text; None for an orphan or an old text."""
    from db.locate import Locator

    if highlight.status == "orphan" or highlight.text_hash != document.text_hash:
        return None
    loaded = store.load_text(document.text_hash)
    return Locator.of(loaded).at(highlight.start)


def _copy(text: str) -> int:
    """``--copy``: the citation to a clipboard, and which one took it on stderr."""
    from tui import clipboard

    said = clipboard.copy_headless(text.rstrip("\n"))
    if said == clipboard.FAILED:
        raise UsageError("no clipboard is reachable (no system clipboard, no terminal)")
    print(said, file=sys.stderr)
    return 0


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
    locator = Locator.of(loaded) if loaded is not None else None
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
        # The short id that `margin cite --highlight` takes, as exports anchor it.
        head.append(f"hl-{h.id.replace('-', '')[:8]}")
        lines += ["", "  ".join(head)]
        lines += [f"  {line}" for line in _inert_lines(f"“{h.quote}”")]
        if h.note.strip():
            lines += [f"      {line}".rstrip() for line in _inert_lines(h.note.strip())]
        if h.tags:
            lines.append("  " + " ".join(f"#{_one_line(tag)}" for tag in h.tags))
    return "\n".join(lines) + "\n"


def _inert_text(text: str) -> str:
    """Text of several lines made safe to print, line breaks kept."""
    from db.documents.inert import make_inert

    return make_inert(text)


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
        _silence_stdout()
        return 141
    return 0


def _silence_stdout() -> None:
    """After a closed pipe: `margin show 3 | head`; Python would complain again at exit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
