"""Tags: what the reader types turned into clean tag names, their keys, and back into text.

A tag is one or more of: letters of any script (with their combining marks,
without which Devanagari or Thai words cannot be spelled), decimal digits,
``-``, ``_`` and ``/`` (``topic/asylum`` nests, as in Obsidian). Tags are kept
in NFC, so that a composed and a decomposed ``ñ`` are one tag, and compared by
:func:`tag_key` (NFC of the case fold), so that ``Ñandú`` and ``ñandú`` are one
tag too; the first spelling met wins.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

__all__ = ["format_tags", "is_valid_tag", "normalise_tag", "parse_tags", "tag_key"]

#: Tags are separated by commas or whitespace of any kind, in any number.
_SEPARATORS = re.compile(r"[,\s]+")

_PUNCTUATION = frozenset("-_/")


def _allowed(char: str) -> bool:
    if char in _PUNCTUATION:
        return True
    category = unicodedata.category(char)
    # L*: letters; M*: the marks that spell them; Nd: decimal digits of any script.
    return category[0] in "LM" or category == "Nd"


def is_valid_tag(tag: str) -> bool:
    """Whether ``tag`` is a tag as stored: non-empty, in NFC, of allowed characters only."""
    return bool(tag) and unicodedata.is_normalized("NFC", tag) and all(map(_allowed, tag))


def normalise_tag(text: str) -> str:
    """The tag as stored for what was typed: trimmed, one leading ``#`` dropped, NFC.

    Raises ValueError (naming the piece) if it is empty or holds a character a
    tag cannot have.
    """
    tag = text.strip()
    if tag.startswith("#"):
        tag = tag[1:]
    tag = unicodedata.normalize("NFC", tag)
    if not tag:
        raise ValueError(f"{text!r} is not a tag: it is empty")
    bad = [char for char in tag if not _allowed(char)]
    if bad:
        raise ValueError(
            f"{text!r} is not a tag: {bad[0]!r} is not a letter, digit, '-', '_' or '/'"
        )
    return tag


def tag_key(tag: str) -> str:
    """What two spellings of one tag share: the NFC of its case fold (``Straße`` -> ``strasse``)."""
    return unicodedata.normalize("NFC", tag.casefold())


def parse_tags(text: str) -> tuple[list[str], list[str]]:
    """The tags in what the reader typed, and the pieces that are not tags.

    Pieces are separated by commas or whitespace; a leading ``#`` is dropped and
    a lone ``#`` ignored. Tags come back in the order typed, each once (compared
    case-insensitively; the first spelling wins). Pieces with a character a tag
    cannot have come back as typed in the second list, so the reader can be
    told. Never raises.
    """
    tags: list[str] = []
    rejected: list[str] = []
    seen: set[str] = set()
    for piece in _SEPARATORS.split(text):
        if piece in ("", "#"):
            continue
        try:
            tag = normalise_tag(piece)
        except ValueError:
            rejected.append(piece)
            continue
        key = tag_key(tag)
        if key not in seen:
            seen.add(key)
            tags.append(tag)
    return tags, rejected


def format_tags(tags: Iterable[str]) -> str:
    """Tags as the reader types and sees them: ``#a #b`` (empty for no tags)."""
    return " ".join(f"#{tag}" for tag in tags)
