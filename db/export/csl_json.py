"""CSL-JSON: a document's bibliographic record as Zotero, pandoc and citeproc read it.

:func:`csl_item` is also what :mod:`db.cite` feeds the CSL processor and what
:mod:`db.export.bibtex` builds its entries from, so the three agree on how a
name, a date or a citekey is read from :class:`~db.models.Metadata`.

An item's ``id`` is its citekey (``carroll1865alice``), the same key the
BibTeX export gives it, so a pandoc user can cite ``[@carroll1865alice]``
from either file. Within one export, keys are made unique by
:func:`unique_keys`.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any

from db.export import ExportItem
from db.models import Document

#: Our kinds of work -> CSL item types ("article" depends on having a container).
_CSL_TYPES = {
    "webpage": "webpage",
    "book": "book",
    "chapter": "chapter",
    "report": "report",
}

#: Identifier names as Metadata stores them -> CSL variables.
_IDENTIFIERS = {
    "doi": "DOI",
    "isbn": "ISBN",
    "issn": "ISSN",
    "pmid": "PMID",
    "pmcid": "PMCID",
}

#: Lower-case particles that belong to the family name ("Ludwig van Beethoven"):
#: CSL keeps them apart so styles can sort "Beethoven, Ludwig van" correctly.
# fmt: off
_PARTICLES = frozenset({
    "da", "das", "de", "del", "della", "der", "des", "di", "do", "dos", "du", "la", "le", "van",
    "von", "den", "ter", "ten", "zu", "zur", "y",
})
# fmt: on
_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "v"})

#: Words that make a name an organisation's, not a person's: a style must not
#: invert "World Health Organization" into "Organization, W. H."
# fmt: off
_ORGANISATION_WORDS = frozenset({
    "agency", "association", "associated", "assembly", "bank", "board", "bureau", "center",
    "centre", "college", "commission", "committee", "company", "co", "co.", "corp", "corp.",
    "corporation", "council", "department", "foundation", "government", "group", "inc", "inc.",
    "institute", "institution", "league", "limited", "ltd", "ltd.", "llc", "ministry", "museum",
    "network", "news", "office", "organisation", "organization", "partners", "party", "press",
    "project", "service", "society", "staff", "team", "trust", "union", "university",
})
# fmt: on

#: Words a citekey skips at the start of a title, as BibTeX tools do.
# fmt: off
_TITLE_STOP_WORDS = frozenset({
    "a", "an", "the", "of", "on", "in", "at", "to", "for", "and", "or", "but", "with", "from",
    "by", "der", "die", "das", "le", "la", "les", "el",
})
# fmt: on

#: Letters that do not decompose into ASCII under NFKD.
_ASCII_FOLDS = str.maketrans(
    {"ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "OE",
     "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "þ": "th", "Þ": "Th", "ð": "d", "Ð": "D",
     "ı": "i"}
)  # fmt: skip

_DATE = re.compile(r"^\s*(-?\d{1,4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[T\s].*)?$")


def parse_name(name: str) -> dict[str, str]:
    """One author as a CSL name: ``{"family", "given"}``, or ``{"literal"}``.

    "Family, Given" and "Given Family" are people; a single word ("Plato"),
    an organisation ("World Health Organization") or anything we cannot
    split with confidence stays whole as a literal, which every style prints
    as written rather than inverting or initialising it.
    """
    name = " ".join(name.split())
    if not name:
        return {}
    if "," in name:
        family, _, rest = name.partition(",")
        parts = [part.strip() for part in rest.split(",") if part.strip()]
        family = family.strip()
        if not family or not parts or _is_organisation(name):
            return {"literal": name}
        suffix = ""
        # "King, Martin Luther, Jr." or "King, Jr., Martin Luther"
        if len(parts) > 1 and parts[-1].lower() in _SUFFIXES:
            suffix = parts.pop()
        elif len(parts) > 1 and parts[0].lower() in _SUFFIXES:
            suffix = parts.pop(0)
        return _person(family, " ".join(parts), suffix)
    words = name.split(" ")
    if len(words) < 2 or len(words) > 5 or _is_organisation(name):
        return {"literal": name}
    suffix = ""
    if words[-1].lower() in _SUFFIXES and len(words) > 2:
        suffix = words.pop()
    # The family name starts at the first lower-case particle after the given
    # names ("Ludwig van Beethoven"), else it is the last word.
    start = len(words) - 1
    for index in range(1, len(words) - 1):
        if words[index] in _PARTICLES:
            start = index
            break
    return _person(" ".join(words[start:]), " ".join(words[:start]), suffix)


def _person(family: str, given: str, suffix: str) -> dict[str, str]:
    person: dict[str, str] = {}
    words = family.split(" ")
    particles: list[str] = []
    while len(words) > 1 and words[0] in _PARTICLES:
        particles.append(words.pop(0))
    person["family"] = " ".join(words)
    if given:
        person["given"] = given
    if particles:
        person["non-dropping-particle"] = " ".join(particles)
    if suffix:
        person["suffix"] = suffix
    return person


def _is_organisation(name: str) -> bool:
    words = name.replace(",", " ").split()
    if any(word.lower() in _ORGANISATION_WORDS for word in words):
        return True
    # "The Guardian", "Smith & Sons", "Procter and Gamble" or "W3C" are not people's names.
    return (
        words[0].lower() == "the"
        or "&" in name
        or any(word.lower() == "and" for word in words)
        or any(ch.isdigit() for ch in name)
    )


def parse_date(value: str) -> dict[str, Any]:
    """A CSL date from an ISO date, whole or partial: "1865", "2024-06", "2024-06-03T10:00Z".

    A month and day without a year (ISO 8601 "--06-03", as a loader writes a
    news dateline's "June 3") is no date to cite: none. Anything else is kept
    as a literal date so nothing the user typed is lost.
    """
    value = value.strip()
    if not value:
        return {}
    if value.startswith("--"):
        # A month and day without a year cannot be cited: styles print "n.d."
        # until the reader fills the year in (the citation chooser asks).
        return {}
    match = _DATE.match(value)
    if match is None:
        return {"literal": value}
    parts = [int(match.group(1))]
    month, day = match.group(2), match.group(3)
    if month and 1 <= int(month) <= 12:
        parts.append(int(month))
        if day and 1 <= int(day) <= 31:
            parts.append(int(day))
    return {"date-parts": [parts]}


def bare_doi(doi: str) -> str:
    """A DOI without its resolver prefix: styles add "https://doi.org/" themselves."""
    doi = doi.strip()
    return re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", doi, flags=re.IGNORECASE)


def work_title(document: Document) -> str:
    """The title to cite: the document's, else its file's name without the extension."""
    title = " ".join(document.metadata.title.split())
    if title:
        return title
    return os.path.splitext(os.path.basename(document.path))[0] if document.path else ""


def csl_type(document: Document) -> str:
    """The CSL item type for the document's kind of work ("document" when unknown)."""
    meta = document.metadata
    if meta.kind == "article":
        if meta.container.strip():
            return "article-journal"
        # An article with an outlet but no journal is a news report: "Reuters" is
        # where it appeared, which styles print as a newspaper's name.
        return "article-newspaper" if meta.publisher.strip() else "article"
    return _CSL_TYPES.get(meta.kind, "document")


def csl_item(document: Document) -> dict[str, Any]:
    """The document's bibliographic record as one CSL-JSON item (empty fields left out)."""
    meta = document.metadata
    item: dict[str, Any] = {"id": citekey(document), "type": csl_type(document)}
    title = work_title(document)
    if title:
        item["title"] = title
    authors = [name for name in (parse_name(a) for a in meta.authors) if name]
    if authors:
        item["author"] = authors
    issued = parse_date(meta.published)
    if issued:
        item["issued"] = issued
    if meta.url.strip() and _has_access_date(document):
        # The day margin fetched the page is the day the reader accessed it;
        # MLA, Chicago and Harvard ask for it for undated or web sources.
        accessed = parse_date(document.added)
        if accessed:
            item["accessed"] = accessed
    newspaper = item["type"] == "article-newspaper"
    for variable, value in (
        ("publisher", "" if newspaper else meta.publisher),
        ("container-title", meta.publisher if newspaper else meta.container),
        ("URL", meta.url),
        ("language", meta.language),
        ("abstract", meta.description),
    ):
        value = " ".join(value.split())
        if value:
            item[variable] = value
    for name, value in sorted(meta.identifiers.items()):
        identifier = _IDENTIFIERS.get(name.lower())
        if identifier and value.strip():
            item[identifier] = bare_doi(value) if identifier == "DOI" else value.strip()
    if meta.tags:
        item["keyword"] = ", ".join(meta.tags)
    return item


def _has_access_date(document: Document) -> bool:
    # A web page changes; a book or a journal article with a URL does not need one.
    return document.metadata.kind in ("webpage", "") and bool(document.added)


def ascii_fold(text: str) -> str:
    """``text`` in ASCII letters: "Müller" -> "Muller", "Łukasz" -> "Lukasz"."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_ASCII_FOLDS))
    return decomposed.encode("ascii", "ignore").decode("ascii")


def _key_word(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", ascii_fold(text).lower())


def citekey(document: Document) -> str:
    """A readable key: first author's family name, year, first title word ("carroll1865alice").

    Only ASCII letters and digits, so it is valid in BibTeX, biblatex and
    pandoc alike. Without an author the key starts with "anon".
    """
    meta = document.metadata
    author = ""
    for raw in meta.authors:
        name = parse_name(raw)
        if name:
            author = name.get("family") or name["literal"].split(" ")[0]
            break
    issued = parse_date(meta.published)
    year = str(issued["date-parts"][0][0]) if "date-parts" in issued else ""
    # Words split at anything not a letter or digit, so "Alice's" gives "alice".
    words = re.findall(r"[a-z0-9]+", ascii_fold(work_title(document)).lower())
    word = next((w for w in words if w not in _TITLE_STOP_WORDS), "")
    key = (_key_word(author) or "anon") + year.lstrip("-") + word
    return key if key != "anon" else f"margin{document.id}"


def unique_keys(documents: Iterable[Document]) -> Iterator[tuple[Document, str]]:
    """Each document with its citekey, a repeated key getting "-2", "-3", … in order.

    Keys are only letters and digits, so a suffixed key never equals a plain one.
    """
    seen: dict[str, int] = {}
    for document in documents:
        key = citekey(document)
        count = seen.get(key, 0) + 1
        seen[key] = count
        yield document, key if count == 1 else f"{key}-{count}"


#: What json.dumps leaves raw that must not be (see export).
_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def export(items: Iterable[ExportItem], exported: str) -> Iterator[str]:
    """A JSON array of CSL items, one per document, written an item at a time."""
    del exported  # CSL-JSON has no place for it; the items are the whole file.
    first = True
    yield "["
    for document, key in unique_keys(item.document for item in items):
        record = csl_item(document)
        record["id"] = key
        # As in the W3C export: DEL and C1 controls (which act on a terminal
        # showing the file), line separators and lone surrogates are escaped.
        text = _UNSAFE.sub(
            lambda m: f"\\u{ord(m.group()):04x}", json.dumps(record, ensure_ascii=False, indent=2)
        )
        yield ("\n" if first else ",\n") + "  " + text.replace("\n", "\n  ")
        first = False
    yield "]\n" if first else "\n]\n"
