"""Which import format a file is in, from its content first and its name second, and its text.

Content decides when it can, since people rename files ("clippings (1).txt",
"export.csv"): a CSV header holding ``Highlight`` and ``Book Title`` or
``Title`` is Readwise (looked at first, since it is one line that a Kindle
title line never is), a line of ten "=" signs is a Kindle entry's end, and text
starting with "{" or "[" is JSON. Only then does the name help: ``.json``,
``.csv``, and a ``.txt`` with "clippings" in its name.
"""

from __future__ import annotations

import codecs
import csv
import re

from db.documents.decode import decode

__all__ = ["decode_import", "detect_import_format"]

#: How much of the file the content checks read: a Kindle file's first
#: separator comes after one entry, a few kilobytes at most.
_SNIFF = 65536

_SEPARATOR_LINE = re.compile(r"^\ufeff?[ \t]*==========[ \t]*\r?$", re.MULTILINE)
_UTF16 = ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


def detect_import_format(name: str | None, data: bytes) -> str | None:
    """The format of an import file ("kindle", "readwise" or "json"), or None if none fits."""
    head = _head_text(data)
    first_line = head.lstrip("\ufeff \t\r\n").split("\n", 1)[0]
    if _is_readwise_header(first_line):
        return "readwise"
    if _SEPARATOR_LINE.search(head):
        return "kindle"
    if head.lstrip("\ufeff \t\r\n").startswith(("{", "[")):
        return "json"
    lowered = (name or "").lower()
    if lowered.endswith(".json"):
        return "json"
    if lowered.endswith(".csv"):
        return "readwise"
    if lowered.endswith(".txt") and "clippings" in lowered:
        return "kindle"
    return None


def decode_import(data: bytes) -> str:
    """The text of an import file: UTF-8 (a BOM is dropped), UTF-16 with a BOM, else a guess.

    A BOM at the start of a Kindle entry in the middle of the file stays: the
    Kindle parser removes those. Raises ``db.documents.decode.UndecodableError``
    (a ValueError) when the bytes are not text in any encoding that fits.
    """
    try:
        return data.removeprefix(codecs.BOM_UTF8).decode("utf-8")
    except UnicodeDecodeError:
        pass
    for bom, encoding in _UTF16:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding)
            except UnicodeDecodeError:
                break
    return decode(data)[0]


def _head_text(data: bytes) -> str:
    head = data[:_SNIFF]
    for bom, encoding in _UTF16:
        if head.startswith(bom):
            body = head[len(bom) :]
            return body[: len(body) // 2 * 2].decode(encoding, errors="replace")
    return head.decode("utf-8", errors="replace")


def _is_readwise_header(line: str) -> bool:
    try:
        cells = next(csv.reader([line]))
    except (csv.Error, StopIteration):
        return False
    names = {cell.strip().lower() for cell in cells}
    return "highlight" in names and ("book title" in names or "title" in names)
