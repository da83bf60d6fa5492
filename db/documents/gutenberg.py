"""Project Gutenberg plain texts: the licence header and footer cut off, the header's metadata kept.

Every style of header the archive has used is recognised: the 1990s preamble
that ends with ``*END*THE SMALL PRINT!...*END*`` (alice29.txt), the
``*** START OF THIS PROJECT GUTENBERG EBOOK ... ***`` of the 2000s and the
``*** START OF THE PROJECT GUTENBERG EBOOK ... ***`` of today, and their
footers (``End of Project Gutenberg's ...``, ``End of the Project Gutenberg
EBook of ...``, ``*** END OF THE PROJECT GUTENBERG EBOOK ... ***``). The
header's ``Title:``, ``Author:``, ``Translator:``, ``Language:`` and eBook
number become metadata; the release date does not, as it is the file's date,
not the work's.

Only the first ~80 KB are searched for the header and the last 500 lines for
the footer, with ``str.find`` and one regular expression on upper-cased
copies: a 4 MB book costs well under a millisecond.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from db.models import Metadata

#: Every header names "Project Gutenberg" within its first lines.
_SNIFF_CHARS = 3000
#: The 1990s small print ends ~230 lines (12 KB) in; the START line of later files far sooner.
_HEAD_CHARS = 80_000
#: The footer's licence runs to ~360 lines after the END line.
_TAIL_LINES = 500

_STARTS = ("START OF THE PROJECT GUTENBERG", "START OF THIS PROJECT GUTENBERG")
_SMALL_PRINT_ENDS = ("END*THE SMALL PRINT", "END THE SMALL PRINT")
#: Searched in _upper's copy, where "’" is a "?".
_FOOTER = re.compile(
    r"^[ *]*(?:THE )?END OF (?:THE |THIS )?PROJECT GUTENBERG(?:['?]S | E-?BOOK| E-?TEXT)"
    r"|^[ *]*START\*+THE SMALL PRINT",
    re.MULTILINE,
)
#: "End of the Project Gutenberg EBook of War and Peace, by Leo Tolstoy" (upper-cased).
_FOOTER_TITLE = re.compile(
    r"END OF (?:THE |THIS )?PROJECT GUTENBERG(?:'S|’S)? ?(?:E-?BOOK |E-?TEXT )?(?:OF )?(.*)",
    re.IGNORECASE,
)
#: The first line: "The Project Gutenberg EBook of War and Peace, by Leo Tolstoy",
#: "Project Gutenberg's Alice's Adventures in Wonderland, by Lewis Carroll",
#: "***This is the Project Gutenberg Etext of Alice in Wonderland***".
_FIRST_LINE = re.compile(
    r"[* ]*(?:This is )?(?:The )?Project Gutenberg(?:'s|’s| E-?Book of| E-?text of)"
    r" (?P<rest>.+?)[* ]*",
    re.IGNORECASE,
)
_FIELD = re.compile(r"(?P<key>[A-Za-z][A-Za-z -]{0,30}?) *: *(?P<value>.*)")
_NUMBER = re.compile(r"E-?(?:BOOK|TEXT) *#(\d+)", re.IGNORECASE)
_FILE_NAME = re.compile(r"should be named (\d+)(?:-\d+)?\.(?:txt|zip)", re.IGNORECASE)
_CREDITS = re.compile(
    r"(?:Produced|Prepared|Transcribed|Digiti[sz]ed|Scanned|Proofread) by"
    r"|E-?text (?:was )?(?:prepared|produced)"
    r"|This (?:e-?text|e-?book) was (?:prepared|produced)",
    re.IGNORECASE,
)
#: A title page's groups are short; the body's first groups are looked at this far.
_GROUP_CHARS = 2000
_BLANK_LINES = re.compile(r"\n(?:[^\S\n]*\n)+")
_NAME_WORD = re.compile(r"[A-Z][A-Za-z'’.\-]*|[a-z]{1,3}")
_ROMAN = re.compile(r"M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")
#: Words that are Roman numerals by their letters only.
_NOT_ROMAN = frozenset(("MIX", "DIM", "MI", "DI", "LI", "CIV", "MID"))
_SMALL_WORDS = frozenset(
    {
        *("a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "nor"),
        *("of", "on", "or", "the", "to", "upon", "with"),
    }
)
#: People named in a header who are not authors of the book.
_NOT_AUTHORS = frozenset(("various", "unknown", "anonymous", "n/a"))

#: Ranks the catalogue writes in lower case before a name.
_RANKS = frozenset(
    ("graf", "gräfin", "count", "countess", "baron", "baroness", "freiherr", "freifrau"),
) | frozenset(("sir", "dame", "lord", "lady", "prince", "princess", "duke", "duchess"))

#: Language names as the headers spell them -> BCP 47 codes.
LANGUAGE_CODES = {
    "afrikaans": "af",
    "arabic": "ar",
    "basque": "eu",
    "bulgarian": "bg",
    "catalan": "ca",
    "chinese": "zh",
    "croatian": "hr",
    "czech": "cs",
    "danish": "da",
    "dutch": "nl",
    "english": "en",
    "esperanto": "eo",
    "estonian": "et",
    "finnish": "fi",
    "french": "fr",
    "galician": "gl",
    "german": "de",
    "greek": "el",
    "hebrew": "he",
    "hindi": "hi",
    "hungarian": "hu",
    "icelandic": "is",
    "irish": "ga",
    "italian": "it",
    "japanese": "ja",
    "korean": "ko",
    "latin": "la",
    "latvian": "lv",
    "lithuanian": "lt",
    "middle english": "enm",
    "norwegian": "no",
    "occitan": "oc",
    "old english": "ang",
    "persian": "fa",
    "polish": "pl",
    "portuguese": "pt",
    "romanian": "ro",
    "russian": "ru",
    "sanskrit": "sa",
    "scots": "sco",
    "serbian": "sr",
    "slovenian": "sl",
    "spanish": "es",
    "swedish": "sv",
    "tagalog": "tl",
    "turkish": "tr",
    "ukrainian": "uk",
    "welsh": "cy",
    "yiddish": "yi",
}


class GutenbergText(NamedTuple):
    """A Project Gutenberg file taken apart: its reading text and what its header says."""

    body: str
    metadata: Metadata


def split_gutenberg(text: str) -> GutenbergText | None:
    """The reading text and metadata of a Project Gutenberg file; None for any other text.

    ``text`` is inert text with "\\n" line breaks. A file is recognised by its
    header (a START line or the old small print) or by its footer alone.
    """
    header_end = _header_end(text) if "UTENBERG" in _upper(text[:_SNIFF_CHARS]) else -1
    start = max(header_end, 0)
    tail_start = max(_tail_start(text), start)
    footer_start = -1
    tail = _upper(text[tail_start:])
    if "GUTENBERG" in tail or "SMALL PRINT" in tail:
        match = _FOOTER.search(tail)
        if match is not None:
            footer_start = tail_start + match.start()
    if header_end < 0 and footer_start < 0:
        return None
    header = text[:header_end] if header_end >= 0 else ""
    footer = text[footer_start:] if footer_start >= 0 else ""
    metadata = _metadata(header, footer)
    body = _skip_credits(
        text[start : footer_start if footer_start >= 0 else len(text)], metadata.title
    )
    if not metadata.title or not metadata.authors:
        _title_from_body(body, metadata)
    if not metadata.title or not metadata.authors:
        _title_from_banner(header, footer, metadata)
    return GutenbergText(body, metadata)


def _header_end(text: str) -> int:
    """The offset after the header's last line (the START or END-OF-SMALL-PRINT line), or -1.

    A START line ends the header wherever it is; without one, the end of the
    small print does (1990s files), the first one found: a short file of the
    2000s also has small print, at its end.
    """
    head = _upper(text[:_HEAD_CHARS])
    for markers in (_STARTS, _SMALL_PRINT_ENDS):
        found = [at for at in map(head.find, markers) if at >= 0 and _marker_line(head, at)]
        if found:
            line_end = head.find("\n", min(found))
            return len(head) if line_end < 0 else line_end + 1
    return -1


def _marker_line(head: str, at: int) -> bool:
    """True if the phrase at ``at`` is on a marker line, after asterisks, not inside prose."""
    line_start = head.rfind("\n", 0, at) + 1
    return head[line_start:at].strip(" ").startswith("*")


def _upper(text: str) -> str:
    """``text`` with its ASCII letters upper-cased and every other character a "?".

    The markers are ASCII; one character for one keeps offsets valid in the
    original, which ``str.upper`` does not ("ß" becomes "SS").
    """
    return text.encode("ascii", "replace").decode("ascii").upper()


def _tail_start(text: str) -> int:
    """The offset of the start of the text's last _TAIL_LINES lines."""
    at = len(text)
    for _ in range(_TAIL_LINES):
        at = text.rfind("\n", 0, at)
        if at <= 0:
            return 0
    return at + 1


def _metadata(header: str, footer: str) -> Metadata:
    meta = Metadata(publisher="Project Gutenberg", kind="book")
    fields = _fields(header)
    title = fields.get("title", [])
    if title:
        meta.title = _joined_title(title)
    for key in ("author", "authors", "creator"):
        for line in fields.get(key, []):
            meta.authors.extend(_people(line))
    translators = [
        p
        for key in ("translator", "translators")
        for line in fields.get(key, [])
        for p in _people(line)
    ]
    if translators:
        meta.description = f"Translated by {_and_list(translators)}."
    language = " ".join(fields.get("language", []))
    meta.language = language_code(language)
    number = _NUMBER.search(header) or _FILE_NAME.search(footer)
    if number is not None:
        meta.identifiers["gutenberg"] = str(int(number[1]))
        meta.url = f"https://www.gutenberg.org/ebooks/{int(number[1])}"
    return meta


def _fields(header: str) -> dict[str, list[str]]:
    """``Key: value`` lines of a header, each with its indented continuation lines."""
    fields: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in header.split("\n"):
        if not line.strip():
            current = None
            continue
        if line[0] == " " and current is not None:
            current.append(" ".join(line.split()))
            continue
        match = _FIELD.fullmatch(line.strip())
        if match is None or line[0] == " ":
            current = None
            continue
        key = " ".join(match["key"].lower().split())
        value = " ".join(match["value"].split())
        current = fields.setdefault(key, [])
        if value:
            current.append(value)
    return fields


def _joined_title(lines: list[str]) -> str:
    """A title and the subtitle on the next line: "The Man Who Was Thursday: A Nightmare"."""
    title = lines[0]
    for line in lines[1:]:
        title = f"{title} {line}" if title[-1:] in ",;:-" else f"{title}: {line}"
    return title


def _people(value: str) -> list[str]:
    """The names in a header value: "Louise and Aylmer Maude" stays one, "A B and C D" is two."""
    value = value.strip().rstrip(".")
    parts = [p.strip() for p in re.split(r";| and | & ", value) if p.strip()]
    if len(parts) > 1 and any(len(p.split()) < 2 for p in parts):
        parts = [value]
    return [_without_rank(p) for p in parts if p.lower() not in _NOT_AUTHORS]


def _without_rank(name: str) -> str:
    """The name less the rank the catalogue puts before it: "graf Leo Tolstoy" -> "Leo Tolstoy".

    A citation would take the rank for a given name ("Tolstoy, G. L.").
    """
    first, _, rest = name.partition(" ")
    return rest if rest and first in _RANKS else name


def _and_list(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def language_code(name: str) -> str:
    """The BCP 47 code for a language as a header names it ("English" -> "en"); "" if unknown."""
    first = re.split(r"[,;/]| and ", name.strip(), maxsplit=1)[0].strip()
    if re.fullmatch(r"[a-z]{2,3}(?:-[A-Za-z]{2,4})?", first):
        return first
    return LANGUAGE_CODES.get(first.lower(), "")


def _title_from_banner(header: str, footer: str, meta: Metadata) -> None:
    """The title and author still missing, from the header's first line or the footer's."""
    match = _FIRST_LINE.fullmatch(header.lstrip().split("\n", 1)[0].strip())
    rest = match["rest"] if match is not None else ""
    if not rest and footer:
        found = _FOOTER_TITLE.search(footer.split("\n", 1)[0].strip(" *"))
        rest = found[1] if found is not None else ""
    _title_and_author(rest, meta)


def _title_and_author(rest: str, meta: Metadata) -> None:
    """Fill the title and authors still missing from "War and Peace, by Leo Tolstoy"."""
    rest = rest.strip(" *")
    title, sep, author = rest.rpartition(", by ")
    if not sep:
        title, author = rest, ""
    if title and not meta.title:
        meta.title = title.strip()
    if author and not meta.authors:
        meta.authors = _people(author)


def _skip_credits(body: str, title: str) -> str:
    """The body less the volunteers' credits that precede the book's own title page.

    "Produced by ..." and unlabelled credits ("An Anonymous Volunteer, and David
    Widger") sit between the START line and the title: the short groups before
    the one that is the header's title are dropped, and a first group that
    names who produced the file.
    """
    wanted = _folded(title) if title else ""
    start = body[:_GROUP_CHARS]
    offset = len(start) - len(start.lstrip("\n"))
    cut = 0
    for index in range(5):
        blank = _BLANK_LINES.search(body, offset, offset + _GROUP_CHARS)
        group = body[offset : blank.start() if blank is not None else offset + _GROUP_CHARS]
        if wanted and _folded(group) == wanted:
            # Leading blank lines go later anyway; slicing would copy the book.
            return body[offset:] if index else body
        if group.count("\n") > 3 or blank is None:
            break
        if index == 0 and _CREDITS.match(group.strip()):
            cut = blank.end()
        offset = blank.end()
    return body[cut:]


def _folded(text: str) -> str:
    return " ".join(text.replace("’", "'").casefold().split())


def _title_from_body(body: str, meta: Metadata) -> None:
    """The book's own title page when the header has no Title:/Author: lines (1990s files).

    The first line, if short and title-like, is the title; the next group, if
    it is a name ("Lewis Carroll", "by Lewis Carroll"), the author.
    """
    groups = _BLANK_LINES.split(body[: _GROUP_CHARS * 2].strip("\n"), maxsplit=2)[:2]
    if len(groups) < 2 or "\n" in groups[0].strip():
        return
    first = " ".join(groups[0].split())
    if not _title_like(first):
        return
    if not meta.title:
        meta.title = title_case(first) if first.isupper() else first
    name = " ".join(groups[1].split())
    name = name[3:] if name[:3].lower() == "by " else name
    if not meta.authors and "\n" not in groups[1].strip() and _name_like(name):
        meta.authors = [title_case(name, small_words=False) if name.isupper() else name]


def _title_like(line: str) -> bool:
    if not line or len(line) > 80 or line[-1] in ".,;:" or not line[0].isupper():
        return False
    words = [w for w in line.split() if w[0].isalpha() and w.lower() not in _SMALL_WORDS]
    return bool(words) and all(w[0].isupper() for w in words)


def _name_like(name: str) -> bool:
    words = name.split()
    return (
        2 <= len(words) <= 4
        and all(_NAME_WORD.fullmatch(w) for w in words)
        and sum(w[0].isupper() for w in words) >= 2
    )


def title_case(text: str, *, small_words: bool = True) -> str:
    """ALL-CAPS text cased as a title or a name: "ALICE'S ADVENTURES IN WONDERLAND" ->
    "Alice's Adventures in Wonderland", "JEAN-PAUL O'BRIEN" -> "Jean-Paul O'Brien"."""
    words = text.split()
    out = []
    for index, word in enumerate(words):
        lower = word.lower()
        if small_words and 0 < index < len(words) - 1 and lower in _SMALL_WORDS:
            out.append(lower)
        elif len(word) > 1 and _ROMAN.fullmatch(word) and word not in _NOT_ROMAN:
            out.append(word)
        else:
            out.append(_capitalised(lower))
    return " ".join(out)


def _capitalised(word: str) -> str:
    """Capital after hyphens, O' and Mc: "jean-paul" -> "Jean-Paul", "o'brien" -> "O'Brien"."""
    word = re.sub(r"(^|[-–(\"“])([a-zà-ÿ])", lambda m: m[1] + m[2].upper(), word)
    word = re.sub(r"^([OD]['’])([a-z])", lambda m: m[1] + m[2].upper(), word)
    if len(word) > 3 and word.startswith("Mc"):
        word = "Mc" + word[2].upper() + word[3:]
    return word


#: How many blocks at each end of a book laid out in blocks (an EPUB) may hold the licence.
_EDGE_BLOCKS = 6


def licence_blocks(blocks: list[str]) -> tuple[int, int]:
    """The blocks between a Project Gutenberg header and footer: (first kept, end).

    For a book already in blocks (a Gutenberg EPUB carries the licence as its
    first and last blocks): the header ends with the block holding its START
    line, the footer starts with the block holding its END line. (0,
    len(blocks)) when there is neither.
    """
    first, end = 0, len(blocks)
    for index, block in enumerate(blocks[:_EDGE_BLOCKS]):
        if "UTENBERG" in _upper(block[:_HEAD_CHARS]) and _header_end(block) >= 0:
            first = index + 1
            break
    for index in range(len(blocks) - 1, max(first, len(blocks) - _EDGE_BLOCKS) - 1, -1):
        if _FOOTER.search(_upper(blocks[index])):
            end = index
            break
    return first, end
