"""Names for exported things: safe, stable, unique file names, titles and highlight anchors.

A file name is made from what people call the document (its title, else its
file's name, else ``document-<id>``) so that an export folder reads like a
library, but cleaned so that it is one harmless name on every system a vault
is synced to: Linux, macOS and Windows, and Obsidian, whose links break on
``#``, ``^``, ``[``, ``]`` and ``|``.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections.abc import Iterable

from db.documents.inert import make_inert
from db.locate import Location
from db.models import Document
from db.tags import is_valid_tag, tag_key

__all__ = ["clean_tags", "file_name", "highlight_anchor", "name_key", "place_of", "title_of"]

#: At most this many characters of stem, and this many UTF-8 bytes: with
#: " (12345)" and an extension it stays well under the 255-byte limit of
#: ext4, APFS and NTFS.
STEM_CHARS = 80
STEM_BYTES = 200

# Path separators, the characters Windows forbids in a name, and the ones that
# break an Obsidian link ([[name#^block|alias]]): each becomes a space.
_FORBIDDEN = frozenset('/\\<>:"|?*#^[]')
# Bidirectional controls can make "gpj.exe" look like "exe.jpg" in a file
# manager (CVE-class "RLO" spoofing), so they go; ZWJ and ZWNJ stay, because
# emoji sequences and Persian or Indic words need them.
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_WHITESPACE = re.compile(r"\s+")
_DOTS = re.compile(r"\.{2,}")
#: Names Windows keeps for devices, whatever extension follows them.
_RESERVED = frozenset(
    ["con", "prn", "aux", "nul", "conin$", "conout$"]
    + [f"{port}{digit}" for port in ("com", "lpt") for digit in "123456789¹²³"]
)
_EXTENSION = re.compile(r"[A-Za-z0-9]+(?:\.[A-Za-z0-9]+)*")
_HEX = re.compile(r"[0-9a-f]+")


def title_of(document: Document) -> str:
    """What people call a document: its title, else its file's name, else ""."""
    title = document.metadata.title.strip()
    if title:
        return title
    return os.path.basename(document.path) if document.path else ""


def place_of(location: Location) -> str:
    """Where a highlight is, for people, on one line ("CHAPTER I, ¶ 12"); "" where unknown.

    An orphan, or a highlight on a text the document no longer has, is
    located as paragraph 0: "¶ 0" would read as a place, so it is left out.
    """
    if location.paragraph <= 0 and not location.page:
        return ""
    # The chapter is a heading of the document: one line, no control characters.
    return " ".join(make_inert(location.describe()).split())


def clean_tags(tags: Iterable[str]) -> list[str]:
    """Tags as other tools take them (one word of letters, digits, ``-``, ``_``, ``/``), each once.

    A highlight's tags already are; a document's come from its front matter
    and may hold spaces (``machine learning``), which would split one tag in
    two in Obsidian and Readwise, so whitespace becomes ``-`` and other
    characters a tag cannot have are dropped. Order is kept; the first
    spelling of tags that differ only in case wins, as in ``db.tags``.
    """
    cleaned: list[str] = []
    seen: set[str] = set()
    for given in tags:
        tag = unicodedata.normalize("NFC", given.strip().removeprefix("#"))
        if not is_valid_tag(tag):
            tag = "".join(char for char in _WHITESPACE.sub("-", tag) if is_valid_tag(char))
        key = tag_key(tag)
        if tag and key not in seen:
            seen.add(key)
            cleaned.append(tag)
    return cleaned


def name_key(name: str) -> str:
    """What two names that one file system could confuse share: the NFC of the case fold."""
    return unicodedata.normalize("NFC", name.casefold())


def file_name(document: Document, taken: set[str], extension: str) -> str:
    """A safe file name for ``document``'s export, unique within ``taken``, which it joins.

    The stem is the first of the title, the source file's stem and
    ``document-<id>`` that survives cleaning: NFC; control, bidi and forbidden
    characters (path separators, ``<>:"|?*`` and Obsidian's ``#^[]``) and runs
    of whitespace become one space; runs of dots become "…"; no leading dot or
    space, no trailing dot or space; a Windows device name (``CON``,
    ``nul.txt``, ``COM1``…) gets a ``_``; at most 80 characters and 200 UTF-8
    bytes, cut between characters a reader sees as one.

    ``taken`` holds names already used, compared case-insensitively (by
    :func:`name_key`; names put in as they are found on disk are found too
    when their case matches). A clash gets `` (2)``, `` (3)``… The name's key
    is added to ``taken``, so one set serves a whole export. The same
    document and the same ``taken`` always give the same name.
    """
    suffix = extension.lstrip(".")
    if not _EXTENSION.fullmatch(suffix):
        raise ValueError(f"{extension!r} is not a file extension")
    stem = _stem(document)
    number = 1
    while True:
        candidate = f"{stem}.{suffix}" if number == 1 else f"{stem} ({number}).{suffix}"
        key = name_key(candidate)
        if key not in taken and candidate not in taken:
            taken.add(key)
            return candidate
        number += 1


def _stem(document: Document) -> str:
    sources = [document.metadata.title]
    if document.path:
        sources.append(os.path.splitext(os.path.basename(document.path.rstrip("/\\")))[0])
    for source in sources:
        stem = _clean(source)
        if stem:
            return stem
    return f"document-{document.id}"


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = "".join(" " if _unwanted(char) else char for char in text)
    text = _WHITESPACE.sub(" ", text).strip(" .")
    # ".." is only dangerous as a whole name, but nothing that looks like one
    # should reach a path: an ellipsis reads the same.
    text = _cut(_DOTS.sub("…", text))
    text = text.rstrip(" .")
    # Windows ignores what follows the first dot and trailing spaces before
    # it: "nul.txt" and "AUX .md" are devices too. The "_" goes after the word.
    device = text.partition(".")[0].rstrip(" ")
    if device.casefold() in _RESERVED:
        text = f"{device}_{text[len(device) :]}"
    return text


def _unwanted(char: str) -> bool:
    if char in _FORBIDDEN or char in _BIDI_CONTROLS:
        return True
    # Cc: C0 and C1 controls, NUL among them; Cs: lone surrogates, which
    # cannot be encoded; Zl/Zp: line and paragraph separators.
    return unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp")


def _cut(text: str) -> str:
    """``text`` cut to the stem limits, never inside a grapheme the reader sees as one."""
    if len(text) <= STEM_CHARS and len(text.encode("utf-8")) <= STEM_BYTES:
        return text
    end, size = 0, 0
    while end < len(text) and end < STEM_CHARS:
        size += len(text[end].encode("utf-8"))
        if size > STEM_BYTES:
            break
        end += 1
    # Back off while the cut would leave a mark without its letter, an emoji
    # without its modifier or variation selector, or a dangling joiner.
    while end > 0 and (_joins_previous(text[end]) or text[end - 1] == "\u200d"):
        end -= 1
    return text[:end]


def _joins_previous(char: str) -> bool:
    if unicodedata.category(char) in ("Mn", "Mc", "Me"):
        return True
    code = ord(char)
    return (
        char == "\u200d"
        or 0xFE00 <= code <= 0xFE0F  # variation selectors
        or 0x1F3FB <= code <= 0x1F3FF  # skin-tone modifiers
        or 0xE0020 <= code <= 0xE007F  # tag characters (flag sequences)
    )


def highlight_anchor(highlight_id: str, taken: set[str]) -> str:
    """A short, stable anchor for a highlight: ``hl-`` and the first 8 hex digits of its uuid.

    Anchors must be unique within one file (an Obsidian block id, an HTML
    id), so a clash, which comes once in some 10^5 highlights, takes more
    digits of the uuid, which keeps it stable while the set of highlights is
    the same. An id that is not a uuid is hashed. The anchor is added to
    ``taken``.
    """
    digits = highlight_id.replace("-", "").lower()
    if not _HEX.fullmatch(digits) or len(digits) < 8:
        digits = hashlib.sha256(highlight_id.encode("utf-8", "surrogatepass")).hexdigest()
    for length in range(8, len(digits) + 1):
        anchor = f"hl-{digits[:length]}"
        if anchor not in taken:
            taken.add(anchor)
            return anchor
    # The same id twice: number the later ones so each still has an anchor.
    number = 2
    while f"hl-{digits}-{number}" in taken:
        number += 1
    anchor = f"hl-{digits}-{number}"
    taken.add(anchor)
    return anchor
