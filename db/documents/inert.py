"""Make document text inert: no control character but "\\n" reaches the canonical text.

A terminal acts on control characters (ESC starts a sequence that can move the
cursor, recolour the screen or set the clipboard), so text from a document must
never carry them. Each one is replaced by a visible stand-in of the same
length, so the reader sees that something was there:

- C0 controls (U+0000-U+001F except "\\n") -> their Unicode Control Pictures
  (U+2400 + code): ESC shows as "␛" and the rest of an escape sequence as
  the literal characters it is made of;
- DEL -> "␡" (U+2421);
- C1 controls (U+0080-U+009F) and lone surrogates -> "\\ufffd";
- "\\r\\n" and a lone "\\r" -> "\\n", and U+2028/U+2029 (line and paragraph
  separators) -> "\\n", so that every line break is a plain "\\n";
- tabs -> spaces, expanded to tab stops *before* the mapping (so columns match).

Markup of any kind (``[bold red]``, HTML, Markdown) is left alone: it is text.
"""

from __future__ import annotations

import re

_LINE_BREAKS = re.compile("\r\n?|[\u2028\u2029]")
# "\t" and "\n" are not in the class: newlines are the block structure and
# tabs are either expanded before the search or kept on purpose (tabsize=None).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")

# The same test on UTF-8 bytes, which is several times faster on a whole book
# than a regex over the str: bytes.translate deletes the allowed bytes and
# anything left is a C0 control or DEL; C1 controls are "\xc2\x80".."\xc2\x9f".
_ALLOWED_BYTES = b"\n" + bytes(range(0x20, 0x7F)) + bytes(range(0x80, 0x100))
_ALLOWED_BYTES_AND_TAB = _ALLOWED_BYTES + b"\t"
_C1_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")

_PICTURES: dict[str, str] = {chr(c): chr(0x2400 + c) for c in range(0x20)}
_PICTURES["\x7f"] = "\u2421"


def _picture(match: re.Match[str]) -> str:
    # Anything not in the table is a C1 control or a lone surrogate.
    return _PICTURES.get(match.group(), "\ufffd")


def make_inert(s: str, tabsize: int | None = 8) -> str:
    """Return ``s`` with line breaks normalised and every control character made visible.

    ``tabsize`` expands tabs to that tab stop; ``None`` leaves tabs in place for
    a caller (the Markdown parser) that gives them meaning and expands them later.
    """
    if "\r" in s or "\u2028" in s or "\u2029" in s:
        s = _LINE_BREAKS.sub("\n", s)
    if tabsize is not None and "\t" in s:
        s = s.expandtabs(tabsize)
    if _is_clean(s, keep_tabs=tabsize is None):
        return s
    return _CONTROLS.sub(_picture, s)


def _is_clean(s: str, *, keep_tabs: bool) -> bool:
    try:
        data = s.encode("utf-8")
    except UnicodeEncodeError:
        return False  # a lone surrogate
    if data.translate(None, _ALLOWED_BYTES_AND_TAB if keep_tabs else _ALLOWED_BYTES):
        return False
    return b"\xc2" not in data or _C1_UTF8.search(data) is None
