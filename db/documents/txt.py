"""The plain-text loader: rejoins hard-wrapped prose and finds headings, verse and extracts.

The input is a file as people write them: Project Gutenberg books wrapped at
~70 columns, one-verse-per-line Bibles, notes. The unit of decision is the
*group*, a run of lines between blank lines; each group becomes one or more
blocks:

- a chapter-like line (``CHAPTER XII``, ``BOOK ONE: 1805``, ``PREFACE``,
  ``Chapter 3. The Title``) -> heading: BOOK/PART/VOLUME/ACT, EPILOGUE and the
  front and back matter (PREFACE, CONTENTS, ...) level 1, CHAPTER/SCENE level 2.
  A bare ``CHAPTER I`` followed by a short title-cased line (on the next line
  or after a blank line, as in Alice) becomes one heading
  ``CHAPTER I. Down the Rabbit-Hole``. Nothing else becomes a heading by
  shape alone, ALL-CAPS or not: a lone ``NAPOLEON`` closing a letter is a
  signature, not a section;
- a text underlined with ``===`` / ``---`` (or ``‾‾‾``, ``~~~``) -> heading 1 / 2;
- a line of three or more ``*``, ``-``, ``_``, ``=`` or ``~`` (``* * *``) -> rule;
- a group in which a fifth of the lines or more are longer than 80 columns and
  most lines end like sentences, not mid-sentence -> one paragraph per line
  (one verse per line);
- a group indented deeper than the text's paragraphs (poetry, letters,
  footnotes, hanging lists) -> a ``quote`` block that keeps its line breaks and
  its relative indentation;
- lines set by hand, not wrapped (addresses, lists, poems set flush left): a
  group that stays well short of the text's usual width and either has three
  lines or more, all under 60% of that width, or breaks most lines before a
  word that would have fitted -> a paragraph that keeps its line breaks;
- anything else is wrapped prose -> one paragraph, lines joined by a space
  (with no space after a hyphen or dash that ends a line: "WAISTCOAT-POCKET").

A short first line that looks like a title becomes a level-1 heading and the
document's title. Work is per line and per group with ``str`` methods and a few
regular expressions: a 4 MB book loads in tens of milliseconds.
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import accumulate, repeat
from operator import add, ge, itemgetter, mod

from db.models import Block, LoadedText, Metadata

#: Wrapped prose is set narrower than this; a group with many longer lines was not wrapped.
LONG_LINE = 80
#: A group with a line this close to the text's usual width reached the margin: it was wrapped.
MARGIN_SLACK = 10

_LEADING_BLANK_LINES = re.compile(r"(?:[^\S\n]*\n)+")
_BLANK_RUN = re.compile(r"\n(?:[^\S\n]*\n)+")
_FIRST_NON_SPACE_AT_COLUMN_0 = re.compile(r"^[^ \n]", re.MULTILINE)
_INDENTS = re.compile(r"^( *)[^ \n]", re.MULTILINE)
_DASHES = frozenset("-\u2010\u2013\u2014")
_UNDERLINE_CHARS = frozenset("=-~_‾*#^")
_RULE = re.compile(r"(?:([*\-_=~#•·])[ ]*){3,}")
_UNDERLINE = re.compile(r"([=\-~_‾*#^])\1{2,}")  # the characters of _UNDERLINE_CHARS

_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
    "fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty"
)
_NUMBER = (
    r"(?:\d{1,4}"
    r"|(?=[IVXLCDM])M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})"
    r"|(?=[ivxlcdm])m{0,3}(?:cm|cd|d?c{0,3})(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})"
    rf"|(?i:(?:{_NUMBER_WORDS})(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?))"
)


def _either_case(*words: str) -> str:
    return "|".join(f"{w.upper()}|{w.title()}" for w in words)


#: keyword -> (level, needs a number)
_KEYWORDS: dict[str, tuple[int, bool]] = {
    "book": (1, True),
    "part": (1, True),
    "volume": (1, True),
    "act": (1, True),
    "chapter": (2, True),
    "scene": (2, True),
    "epilogue": (1, False),
    "prologue": (1, False),
    "preface": (1, False),
    "foreword": (1, False),
    "introduction": (1, False),
    "contents": (1, False),
    "table of contents": (1, False),
    "afterword": (1, False),
    "appendix": (1, False),
    "glossary": (1, False),
    "bibliography": (1, False),
    "acknowledgments": (1, False),
    "acknowledgements": (1, False),
}
_ORDINAL_WORDS = ("first", "second", "third", "fourth", "fifth", "final", "last")
_ORDINALS = _either_case(*_ORDINAL_WORDS)
_HEADING = re.compile(
    rf"(?:(?:{_ORDINALS}) +)?(?P<kw>{_either_case(*sorted(_KEYWORDS, key=len, reverse=True))})"
    rf"(?=[ .:]|$)(?: +(?P<num>{_NUMBER})(?=[ .:\-–—]|$))?(?P<rest>.*)"
)
#: The first three letters of every line _HEADING can match: a set lookup turns
#: away the ten thousand paragraphs of a book before any regex runs.
_HEADING_PREFIXES = frozenset(
    form[:3] for word in (*_KEYWORDS, *_ORDINAL_WORDS) for form in (word.upper(), word.title())
)
_TITLE_SEPARATOR = re.compile(r" *(?:[.:]|[-–—]) *")
_SMALL_WORDS = frozenset(
    {
        *("a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "nor"),
        *("of", "on", "or", "the", "to", "upon", "with"),
    }
)


def parse_txt(text: str) -> LoadedText:
    """Build the canonical text of a plain-text document from inert text (tabs expanded)."""
    text = _dedent(_strip_blank_edges(text))
    groups = _BLANK_RUN.split(text) if text else []
    para_indent = _paragraph_indent(groups)
    usual = _usual_width(text)
    out = _Out()
    texts, kinds, levels = out.texts, out.kinds, out.levels
    if groups and _title_above(groups[0], usual):
        # A news report's headline over its subtitle: two lines, not one paragraph.
        title, groups[0] = groups[0].split("\n", 1)
        out.add("heading", title.strip(), 1)
    for group in groups:
        # The common case, inline because a book has ten thousand of them: a
        # flush-left paragraph wrapped at some width, without trailing spaces,
        # no line ending in a dash, not a heading.
        if "\n" in group and "\n " not in group and " \n" not in group:
            lines = group.split("\n")
            if group[0] == " ":
                lines[0] = lines[0].lstrip(" ")
            lengths = list(map(len, lines))
            width = max(lengths)
            if (
                width <= LONG_LINE
                and (len(lines) > 3 or lines[-1][:1] not in _UNDERLINE_CHARS)
                and (lines[0][:3] not in _HEADING_PREFIXES or _heading(lines[0]) is None)
                and _DASHES.isdisjoint(map(itemgetter(-1), lines))
                and not _hand_set(lines, lengths, width, usual)
            ):
                texts.append(" ".join(lines).rstrip())
                kinds.append("paragraph")
                levels.append(0)
                out.bare_heading = False
                continue
        _add_group(out, group, para_indent, usual)
    metadata = Metadata()
    _take_title(out, metadata)
    return out.result(metadata)


class _Out:
    """The blocks so far, as parallel lists: a book has 30,000 of them, objects come at the end."""

    def __init__(self) -> None:
        self.kinds: list[str] = []
        self.texts: list[str] = []
        self.levels: list[int] = []
        #: True while the last block is a heading with a number and no title yet.
        self.bare_heading = False

    def add(self, kind: str, text: str, level: int = 0, *, bare: bool = False) -> None:
        if text:
            self.kinds.append(kind)
            self.texts.append(text)
            self.levels.append(level)
            self.bare_heading = bare

    def add_paragraphs(self, texts: list[str]) -> None:
        self.texts.extend(texts)
        self.kinds.extend(repeat("paragraph", len(texts)))
        self.levels.extend(repeat(0, len(texts)))
        self.bare_heading = False

    def result(self, metadata: Metadata) -> LoadedText:
        lengths = list(map(len, self.texts))
        starts = list(accumulate(map(add, lengths, repeat(2)), initial=0))
        blocks = list(map(Block, self.kinds, starts, map(add, starts, lengths), self.levels))
        return LoadedText(
            text="\n\n".join(self.texts), blocks=blocks, metadata=metadata, format="txt"
        )


def _strip_blank_edges(text: str) -> str:
    match = _LEADING_BLANK_LINES.match(text)
    if match:
        text = text[match.end() :]
    return text.rstrip()


def _dedent(text: str) -> str:
    """Remove the indentation every line shares, so that only relative indentation counts."""
    if not text or _FIRST_NON_SPACE_AT_COLUMN_0.search(text):
        return text
    common = min(len(indent) for indent in _INDENTS.findall(text))
    return re.sub(f"(?m)^ {{{common}}}", "", text)


def _usual_width(text: str) -> int:
    """The width most lines of the text come close to: its right margin if it was wrapped."""
    # The first few thousand lines tell; the whole book would cost a sort of 60,000 numbers.
    lengths = sorted(map(len, text[:200_000].split("\n")))
    return lengths[len(lengths) * 9 // 10]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _paragraph_indent(groups: list[str]) -> int:
    """How far this text indents a paragraph's first line (0 in most, 2 in Alice)."""
    counts: Counter[int] = Counter()
    # The first thousand paragraphs are plenty to know the habit of a book.
    for group in groups[:1000]:
        newline = group.find("\n")
        # Only groups whose second line is flush left: a first line indented
        # more than the rest is a paragraph opening, not an extract.
        if newline > 0 and group[newline + 1 : newline + 2] != " ":
            counts[_indent(group[:newline])] += 1
    return counts.most_common(1)[0][0] if counts else 0


def _add_group(out: _Out, group: str, para_indent: int, usual: int) -> None:
    newlines = group.count("\n")
    if not newlines:
        _add_line(out, group, para_indent)
        return
    lines = group.split("\n")
    stripped = list(map(str.strip, lines))
    if newlines <= 2 and stripped[-1][:1] in _UNDERLINE_CHARS and _add_underlined(out, stripped):
        return
    first = stripped[0]
    if first[:3] in _HEADING_PREFIXES:
        heading = _heading(first)
        if heading is not None and (heading[2] or _titleish(heading[1])):
            # "CHAPTER I" on its own line above the chapter's first paragraph.
            out.add("heading", heading[1], heading[0], bare=heading[2])
            _add_group(out, group[group.index("\n") + 1 :], para_indent, usual)
            return
    if "\n " in group and group.count("\n ") == newlines:
        # Every line after the first is indented: verse, a letter, a hanging list.
        out.add("quote", _kept_lines(lines))
        return
    # Widths from the stripped lines: a paragraph's first-line indent is not text.
    lengths = list(map(len, stripped))
    width = max(lengths)
    if width > LONG_LINE and _one_per_line(stripped, lengths):
        out.add_paragraphs(stripped)
    elif _hand_set(stripped, lengths, width, usual):
        out.add("paragraph", "\n".join(stripped))
    elif _DASHES.isdisjoint(map(itemgetter(-1), stripped)):
        out.add("paragraph", " ".join(stripped))
    else:
        out.add("paragraph", _join_dashes(stripped))


def _add_line(out: _Out, line: str, para_indent: int) -> None:
    """A group of one line: a rule, a heading, a chapter's title, an extract or a paragraph."""
    text = line.strip()
    if len(text) <= LONG_LINE:
        if _RULE.fullmatch(text):
            out.add("rule", "* * *")
            return
        heading = _heading(text) if text[:3] in _HEADING_PREFIXES else None
        if heading is not None:
            out.add("heading", heading[1], heading[0], bare=heading[2])
            return
        if out.bare_heading and _titleish(text):
            # The chapter's title, one blank line below its number (Alice).
            out.texts[-1] = _joined_title(out.texts[-1], text)
            out.bare_heading = False
            return
    out.add("quote" if _indent(line) > para_indent else "paragraph", text)


def _add_underlined(out: _Out, stripped: list[str]) -> bool:
    """A title underlined (or over- and underlined) with ===, ---, ~~~ becomes a heading."""
    if len(stripped) == 2 and _UNDERLINE.fullmatch(stripped[1]) and len(stripped[0]) <= LONG_LINE:
        level = 1 if stripped[1][0] == "=" else 2
        out.add("heading", " ".join(stripped[0].split()), level)
        return True
    if (
        len(stripped) == 3
        and _UNDERLINE.fullmatch(stripped[0])
        and stripped[0] == stripped[2]
        and len(stripped[1]) <= LONG_LINE
    ):
        out.add("heading", " ".join(stripped[1].split()), 1)
        return True
    return False


def _join_dashes(lines: list[str]) -> str:
    """Join lines with spaces, but not after a hyphen or dash that ends a word."""
    parts = [lines[0]]
    for line in lines[1:]:
        previous = parts[-1]
        if len(previous) > 1 and previous[-1] in _DASHES and not previous[-2].isspace():
            parts[-1] = previous + line
        else:
            parts.append(line)
    return " ".join(parts)


def _heading(line: str) -> tuple[int, str, bool] | None:
    """(level, text, bare) if ``line`` is a chapter-like heading; bare = it has no title."""
    if len(line) > LONG_LINE or line[:3] not in _HEADING_PREFIXES:
        return None
    match = _HEADING.fullmatch(line)
    if match is None:
        return None
    level, needs_number = _KEYWORDS[match["kw"].lower()]
    number = match["num"]
    if needs_number and not number:
        return None
    rest = match["rest"]
    text = " ".join(line.split())
    if not rest or rest in (".", ":"):
        return level, text.rstrip(".:"), bool(number)
    separator = _TITLE_SEPARATOR.match(rest)
    title = rest[separator.end() :] if separator and separator.end() else ""
    if title:
        if title[-1] in ".,;:":
            return None
    elif rest.startswith(" ") and _titleish(rest.strip()):
        title = rest.strip()
    else:
        return None
    return level, text, False


def _titleish(line: str) -> bool:
    """A short line in Title Case or CAPITALS, not ending like a clause: "Who Stole the Tarts?"."""
    if (
        not line
        or len(line) > 60
        or line[-1] in ".,;:"
        or not (line[0].isupper() or line[0].isdigit())
    ):
        return False
    words = [w for w in line.split() if w[0].isalpha() and w.lower() not in _SMALL_WORDS]
    if not words or len(words) > 10:
        return False
    capitalised = sum(1 for w in words if w[0].isupper())
    return capitalised * 4 >= len(words) * 3


def _joined_title(heading: str, title: str) -> str:
    title = " ".join(title.split())
    return f"{heading} {title}" if heading[-1] in ".:" else f"{heading}. {title}"


def _kept_lines(lines: list[str]) -> str:
    """The lines as they are, less the indentation they share."""
    common = min(_indent(line) for line in lines)
    return "\n".join(line[common:].rstrip() for line in lines)


def _one_per_line(stripped: list[str], lengths: list[int]) -> bool:
    """True for one-verse-per-line texts: many long lines that end like sentences."""
    if sum(map(LONG_LINE.__lt__, lengths)) * 5 < len(lengths):
        return False
    # Wrapped prose breaks mid-sentence, after a word; a verse ends with punctuation.
    last_chars = map(itemgetter(-1), stripped[:-1])
    return sum(map(str.isalnum, last_chars)) * 2 < len(stripped) - 1


def _hand_set(stripped: list[str], lengths: list[int], width: int, usual: int) -> bool:
    """True if the group's line breaks were set by hand (an address, a list), not by wrapping.

    ``width`` is the group's longest line, ``usual`` the text's usual width.
    """
    if width >= usual - MARGIN_SLACK:
        # It reaches the margin: wrapped there. (Also what keeps a book fast.)
        return False
    if len(stripped) >= 3 and width * 5 <= usual * 3:
        # Three lines or more, all far short of the margin.
        return True
    return _not_wrapped(stripped, lengths, width)


def _not_wrapped(stripped: list[str], lengths: list[int], width: int) -> bool:
    """True if most line breaks come before a word that would have fitted in ``width``.

    Wrapped prose breaks a line only when the next word would not fit; an
    address or a list breaks wherever it likes. ``width`` is the group's own:
    the text's usual width is no measure for ragged books, where lines end
    well short of it.
    """
    # The next line's first word ends at its first space; find() gives -1 for
    # a line of one word, and -1 % (length + 1) is that length.
    next_words = map(
        mod, map(str.find, stripped[1:], repeat(" ")), map(add, lengths[1:], repeat(1))
    )
    fitted: int = sum(map(ge, repeat(width - 1), map(add, lengths, next_words)))
    return fitted * 2 > len(lengths) - 1


def _title_above(group: str, usual: int) -> bool:
    """True if the group's first line stands alone above the rest: a headline, not wrapped prose.

    Wrapping ends a line early only when the next word would not fit, so a
    first line that the next word would have fitted beside (in the text's
    usual width) was broken by hand.
    """
    lines = group.split("\n")
    if not 2 <= len(lines) <= 3:
        return False
    first, following = lines[0].strip(), lines[1].split()
    if not first or not following or first[-1] in ".,;:-–—" or _heading(first) is not None:
        return False
    return len(first) + 1 + len(following[0]) <= usual - 1


def _take_title(out: _Out, metadata: Metadata) -> None:
    """A short, title-like first line becomes the title (and a level-1 heading)."""
    if len(out.texts) < 2:
        return
    first, kind = out.texts[0], out.kinds[0]
    if kind == "heading" and _heading(first) is None:
        metadata.title = first
    elif kind == "paragraph" and "\n" not in first and _titleish(first):
        metadata.title = first
        out.kinds[0] = "heading"
        out.levels[0] = 1
