"""Turn a document's bytes into text: BOMs, the UTF-8 fast path and encoding detection."""

from __future__ import annotations

import codecs
from typing import Any

#: Longest BOM first: the UTF-32 LE BOM begins with the UTF-16 LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

#: Python codec names as people know them.
_DISPLAY_NAMES = {
    "latin_1": "ISO-8859-1",
    "koi8_r": "KOI8-R",
    "koi8_u": "KOI8-U",
    "shift_jis": "Shift_JIS",
    "euc_jp": "EUC-JP",
    "euc_kr": "EUC-KR",
    "big5": "Big5",
    "gb2312": "GB2312",
    "gb18030": "GB18030",
    "cp932": "Windows-31J",
    "cp949": "Windows-949",
    "mac_roman": "MacRoman",
}

#: Above this share of U+FFFD after a lossy decode, the bytes are not text in
#: any encoding we know and showing them would only show noise.
_MAX_REPLACED = 0.25


#: Where a NUL byte means "binary": text files have none, executables, images
#: and archives have one within the first few kilobytes.
BINARY_SNIFF = 8192


class UndecodableError(ValueError):
    """The bytes are not text in any encoding that could be found."""


def looks_binary(data: bytes) -> bool:
    """True if ``data`` is not text: a NUL byte early on, and no UTF-16/32 BOM to explain it."""
    if b"\x00" not in data[:BINARY_SNIFF]:
        return False
    return not data.startswith(
        (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)
    )


def encoding_label(codec: str) -> str:
    """The usual name of a Python codec: "cp1252" -> "windows-1252"."""
    codec = codecs.lookup(codec).name
    if codec.startswith("cp125") and len(codec) == 6:
        return "windows-" + codec[2:]
    if codec.startswith("iso8859"):
        return "ISO-8859-" + codec.split("-")[-1].split("_")[-1]
    return _DISPLAY_NAMES.get(codec.replace("-", "_"), codec.replace("_", "-"))


def decode(data: bytes) -> tuple[str, str | None]:
    """Decode ``data`` and return the text and a one-line notice for the reader, or None.

    A BOM decides the encoding (and is dropped). Otherwise UTF-8 is tried as is
    (the only path a well-formed book takes, so it stays a single C call); then
    UTF-8 with replacement characters if the bytes are mostly good UTF-8; then
    charset-normalizer's best guess; then UTF-8 with replacement characters.
    Raises UndecodableError when even that would be mostly replacement characters.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            body = data[len(bom) :]
            try:
                return body.decode(encoding), None
            except UnicodeDecodeError:
                text = body.decode(encoding, errors="replace")
                return _checked(text), (
                    f"Some bytes are not valid {encoding_label(encoding)}: shown as \ufffd."
                )
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    lossy = data.decode("utf-8", errors="replace")
    replaced = lossy.count("\ufffd")
    well_formed = len(lossy) - len(lossy.encode("ascii", errors="ignore")) - replaced
    if well_formed >= replaced:
        # More good multi-byte sequences than bad bytes: UTF-8 with a few
        # flaws. Legacy 8-bit text almost never forms a valid sequence, and a
        # detector asked about this would mojibake the whole file for one bad byte.
        return lossy, "Some bytes are not valid UTF-8: shown as \ufffd."
    guessed = _guess(data)
    if guessed is not None:
        text, codec = guessed
        return text, f"Decoded as {encoding_label(codec)} (not UTF-8)."
    return _checked(lossy), "Not valid UTF-8 and no other encoding fits: bad bytes shown as \ufffd."


def _checked(text: str) -> str:
    if text and text.count("\ufffd") > _MAX_REPLACED * len(text):
        raise UndecodableError("cannot be decoded as text")
    return text


def _guess(data: bytes) -> tuple[str, str] | None:
    """charset-normalizer's best guess as (text, codec), or None."""
    import charset_normalizer  # costs ~40 ms to import; only non-UTF-8 files pay it

    try:
        matches = list(charset_normalizer.from_bytes(data))
    except Exception:  # a detector bug on hostile input must not stop the file opening
        return None
    # Without a BOM, UTF-16/32 is a guess that turns ASCII into CJK noise
    # (charset-normalizer offers it for "caf\xe9"); real UTF-16 files have a
    # BOM or NUL bytes, and NUL bytes are refused as binary before this.
    matches = [m for m in matches if not m.encoding.startswith(("utf_16", "utf_32"))]
    if not matches:
        return None
    # Latin code pages tie on English or short text and the detector then picks
    # the first alphabetically (cp1250), which turns "è" into "č" all through
    # a Windows-1252 War and Peace. Among equally good guesses, prefer the far
    # more common windows-1252.
    best = matches[0]
    codec = best.encoding
    for match in matches:
        if not _ties(match, best):
            break
        if match.encoding == "cp1252" or "cp1252" in match.could_be_from_charset:
            codec = "cp1252"
            break
    try:
        return data.decode(codec), codec
    except (UnicodeDecodeError, LookupError):
        return str(best), best.encoding


def _ties(a: Any, b: Any) -> bool:
    return bool(abs(a.chaos - b.chaos) < 1e-9 and abs(a.coherence - b.coherence) < 1e-9)
