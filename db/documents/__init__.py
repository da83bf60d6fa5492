"""Document loaders: a path or bytes in, the canonical text (``LoadedText``) out.

``load_path`` and ``load_bytes`` pick the loader (``detect_format``). Text
formats are decoded (``decode``), made inert (``make_inert``) and handed to the
plain-text or Markdown loader; HTML, EPUB and PDF loaders take the bytes and
build their text with ``BlockBuilder``. Every failure a user can cause is a
``LoadError`` whose ``str()`` is one line naming the file. Each format's
parser (and its library) is imported only when a file needs it.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable

# Imported under another name: the package attribute "decode" stays the module.
from db.documents.decode import UndecodableError, looks_binary
from db.documents.decode import decode as decode_bytes
from db.documents.inert import make_inert
from db.models import LoadedText

__all__ = [
    "FORMATS",
    "LoadError",
    "Progress",
    "detect_format",
    "load_bytes",
    "load_path",
    "read_source",
]

#: Formats this package loads, by the name ``LoadedText.format`` carries.
FORMATS = ("txt", "md", "html", "epub", "pdf")
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd", ".mkdn")
_SUFFIX_FORMATS = {
    **dict.fromkeys(MARKDOWN_SUFFIXES, "md"),
    **dict.fromkeys((".html", ".htm", ".xhtml", ".shtml"), "html"),
    ".epub": "epub",
    ".pdf": "pdf",
    **dict.fromkeys((".txt", ".text"), "txt"),
}
#: Formats read from bytes by their own parser, not decoded as text first.
_BINARY_FORMATS = ("html", "epub", "pdf")
#: A loader's progress: (units done, units in all), e.g. pages of a PDF.
Progress = Callable[[int, int], None]
_HTML_START = re.compile(
    rb"\A(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S
)
#: How much of an unnamed input (stdin) is looked at to tell Markdown from text.
_SNIFF_BYTES = 4096
_FRONT_MATTER = re.compile(
    rb"\A(?:\xef\xbb\xbf)?(?:---[ \t]*\r?\n[A-Za-z_\"'][^\n]*:|\+\+\+[ \t]*\r?\n)"
)
_ATX_HEADING = re.compile(rb"^ {0,3}#{1,6}[ \t]+\S", re.MULTILINE)
_FENCE = re.compile(rb"^ {0,3}(?:```|~~~)", re.MULTILINE)
_LIST_ITEM = re.compile(rb"^ {0,3}(?:[-*+]|\d{1,9}[.)])[ \t]+\S", re.MULTILINE)


class LoadError(Exception):
    """A document cannot be loaded; ``str(err)`` is one line: "war.txt: is a directory"."""


def detect_format(name: str | None, data: bytes) -> str:
    """Return one of FORMATS: by the suffix of ``name``, else by what ``data`` starts with.

    A known suffix wins, so that a file named ``.pdf`` that is not one is
    reported as such rather than shown as noise.
    """
    if name is not None:
        suffix = os.path.splitext(name)[1].lower()
        if suffix in _SUFFIX_FORMATS:
            return _SUFFIX_FORMATS[suffix]
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04") and b"application/epub+zip" in data[:100]:
        return "epub"
    if _HTML_START.match(data[:_SNIFF_BYTES]):
        return "html"
    if name is not None:
        return "txt"
    head = data[:_SNIFF_BYTES]
    if _FRONT_MATTER.match(head) or _ATX_HEADING.search(head) or _FENCE.search(head):
        return "md"
    # One line starting with "-" or "1." happens in prose; two is a list.
    lists = _LIST_ITEM.finditer(head)
    return "md" if next(lists, None) and next(lists, None) else "txt"


def load_bytes(
    data: bytes,
    name: str | None = None,
    fmt: str | None = None,
    *,
    url: str | None = None,
    progress: Progress | None = None,
) -> LoadedText:
    """Load a document from its bytes.

    ``name`` (a path or file name; None for stdin) picks the format unless
    ``fmt`` does, and names the input in error messages. ``url`` is where a
    fetched page came from; ``progress`` is called as a long load goes on.
    """
    label = _label(name if name is not None else "standard input")
    fmt = fmt or detect_format(name, data)
    if fmt not in FORMATS:
        raise LoadError(f"{label}: cannot read {fmt!r} documents")
    if fmt in _BINARY_FORMATS:
        loaded = _load_binary(fmt, data, label, url, progress)
        if not loaded.text and not loaded.notices:
            loaded.notices.append("The file has no text to show.")
        return loaded
    if looks_binary(data):
        raise LoadError(f"{label}: looks like a binary file, not text")
    try:
        text, notice = decode_bytes(data)
    except UndecodableError:
        raise LoadError(f"{label}: cannot be decoded as text (unknown encoding)") from None
    try:
        if fmt == "md":
            from db.documents.markdown import parse_markdown

            loaded = parse_markdown(make_inert(text, tabsize=None))
        else:
            # Imported here: reopening an unchanged file never parses it.
            from db.documents.txt import parse_txt

            loaded = parse_txt(make_inert(text))
    except Exception as err:
        # A loader bug must not become a traceback for the reader; the chained
        # exception keeps it for --debug. Tests assert this never happens.
        raise LoadError(f"{label}: could not be read ({type(err).__name__})") from err
    if notice:
        loaded.notices.insert(0, notice)
    if not loaded.text:
        loaded.notices.append(
            "The file is empty." if not text.strip() else "The file has no text to show."
        )
    return loaded


def _load_binary(
    fmt: str, data: bytes, label: str, url: str | None, progress: Progress | None
) -> LoadedText:
    try:
        if fmt == "html":
            from db.documents.html import parse_html

            return parse_html(data, label, url=url)
        if fmt == "epub":
            from db.documents.epub import parse_epub

            return parse_epub(data, label, progress=progress)
        from db.documents.pdf import parse_pdf

        return parse_pdf(data, label, progress=progress)
    except LoadError:
        raise
    except Exception as err:
        # As for text: a parser's own failure is one line, the chain for --debug.
        raise LoadError(f"{label}: could not be read ({type(err).__name__})") from err


def load_path(
    path: str | os.PathLike[str], *, progress: Progress | None = None
) -> tuple[LoadedText, bytes]:
    """Load the document at ``path``; return it with the file's bytes (the store hashes them)."""
    name = os.fspath(path)
    data = read_source(name)
    return load_bytes(data, name, progress=progress), data


def read_source(path: str | os.PathLike[str]) -> bytes:
    """The bytes of the file at ``path``, or a LoadError saying why they cannot be read."""
    name = os.fspath(path)
    label = _label(name)
    try:
        mode = os.stat(name).st_mode
        if stat.S_ISDIR(mode):
            raise LoadError(f"{label}: is a directory")
        # A pipe is fine (margin <(command)); a device such as /dev/zero would never end.
        if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
            raise LoadError(f"{label}: is not a regular file")
        with open(name, "rb") as file:
            return file.read()
    except OSError as err:
        raise LoadError(f"{label}: {_reason(err)}") from None


def _reason(err: OSError) -> str:
    if isinstance(err, FileNotFoundError):
        return "no such file"
    if isinstance(err, IsADirectoryError):
        return "is a directory"
    if isinstance(err, PermissionError):
        return "permission denied"
    reason = err.strerror or str(err) or type(err).__name__
    return reason[:1].lower() + reason[1:]


def _label(name: str) -> str:
    """The name as it may appear in a one-line message: no control characters, no line breaks."""
    return make_inert(name).replace("\n", "\u240a")
