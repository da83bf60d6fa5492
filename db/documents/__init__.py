"""Document loaders: a path or bytes in, the canonical text (``LoadedText``) out.

``load_path`` and ``load_bytes`` pick the loader (``detect_format``), decode
(``decode``), make the text inert (``make_inert``) and hand it to the plain-text
or Markdown loader. Every failure a user can cause is a ``LoadError`` whose
``str()`` is one line naming the file. The Markdown parser and the encoding
detector are imported only when a file needs them.
"""

from __future__ import annotations

import os
import re
import stat

# Imported under another name: the package attribute "decode" stays the module.
from db.documents.decode import UndecodableError, looks_binary
from db.documents.decode import decode as decode_bytes
from db.documents.inert import make_inert
from db.models import LoadedText

__all__ = ["FORMATS", "LoadError", "detect_format", "load_bytes", "load_path", "read_source"]

#: Formats this package loads, by the name ``LoadedText.format`` carries.
FORMATS = ("txt", "md")
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd", ".mkdn")
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
    """Return "md" or "txt": by the suffix of ``name``, or for stdin (None) by ``data``."""
    if name is not None:
        return "md" if os.path.splitext(name)[1].lower() in MARKDOWN_SUFFIXES else "txt"
    head = data[:_SNIFF_BYTES]
    if _FRONT_MATTER.match(head) or _ATX_HEADING.search(head) or _FENCE.search(head):
        return "md"
    # One line starting with "-" or "1." happens in prose; two is a list.
    lists = _LIST_ITEM.finditer(head)
    return "md" if next(lists, None) and next(lists, None) else "txt"


def load_bytes(data: bytes, name: str | None = None, fmt: str | None = None) -> LoadedText:
    """Load a document from its bytes.

    ``name`` (a path or file name; None for stdin) picks the format unless
    ``fmt`` does, and names the input in error messages.
    """
    label = _label(name if name is not None else "standard input")
    fmt = fmt or detect_format(name, data)
    if fmt not in FORMATS:
        raise LoadError(f"{label}: cannot read {fmt!r} documents")
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


def load_path(path: str | os.PathLike[str]) -> tuple[LoadedText, bytes]:
    """Load the document at ``path``; return it with the file's bytes (the store hashes them)."""
    name = os.fspath(path)
    data = read_source(name)
    return load_bytes(data, name), data


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
