"""Reading and setting a document's metadata by field name, as `margin meta` and the form do."""

from __future__ import annotations

import re
from dataclasses import replace

from db.models import WORK_KINDS, Metadata
from db.tags import parse_tags

#: Field name -> what it is, in the order they are shown.
FIELDS = {
    "title": "title",
    "author": "authors, separated by ';' (Family, Given; …)",
    "date": "publication date: YYYY, YYYY-MM or YYYY-MM-DD (--MM-DD: the year is not known)",
    "publisher": "publisher, or the site for a web page",
    "container": "the journal, book or site it appears in",
    "type": f"kind of work: {', '.join(WORK_KINDS)}",
    "url": "web address",
    "doi": "DOI (10.…)",
    "isbn": "ISBN",
    "language": "language code (en, fr, …)",
    "description": "a short description",
    "tags": "document tags, separated by commas or spaces",
}

#: Other names people type for a field.
ALIASES = {
    "authors": "author",
    "by": "author",
    "published": "date",
    "year": "date",
    "site": "publisher",
    "journal": "container",
    "kind": "type",
    "link": "url",
    "lang": "language",
}

# "--06-03" is ISO 8601's month and day without a year: a news report's
# dateline says "June 3", and the year is left for the reader to fill in.
_DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?|--\d{2}-\d{2}")


def field_name(name: str) -> str:
    """The canonical field for a name typed by a person; ValueError naming the known ones."""
    key = name.strip().lower()
    key = ALIASES.get(key, key)
    if key not in FIELDS:
        raise ValueError(f"unknown field {name!r} (known: {', '.join(FIELDS)})")
    return key


def get_field(metadata: Metadata, name: str) -> str:
    """A field's value as text (authors joined with '; ', tags with ', ')."""
    key = field_name(name)
    if key == "author":
        return "; ".join(metadata.authors)
    if key == "tags":
        return ", ".join(metadata.tags)
    if key == "date":
        return metadata.published
    if key == "type":
        return metadata.kind
    if key in ("doi", "isbn"):
        return metadata.identifiers.get(key, "")
    value: str = getattr(metadata, key)
    return value


def set_field(metadata: Metadata, name: str, value: str) -> Metadata:
    """A copy of metadata with one field set from text; ValueError for a value that cannot be."""
    key = field_name(name)
    value = " ".join(value.split()) if key != "description" else value.strip()
    if key == "author":
        return replace(metadata, authors=[a.strip() for a in value.split(";") if a.strip()])
    if key == "tags":
        tags, rejected = parse_tags(value)
        if rejected:
            raise ValueError(f"not a tag: {', '.join(rejected)}")
        return replace(metadata, tags=tags)
    if key == "date":
        if value and not _DATE.fullmatch(value):
            raise ValueError(f"a date is YYYY, YYYY-MM, YYYY-MM-DD or --MM-DD, not {value!r}")
        return replace(metadata, published=value)
    if key == "type":
        if value and value.lower() not in WORK_KINDS:
            raise ValueError(f"type is one of {', '.join(WORK_KINDS)}, not {value!r}")
        return replace(metadata, kind=value.lower())
    if key in ("doi", "isbn"):
        identifiers = dict(metadata.identifiers)
        if value:
            identifiers[key] = value
        else:
            identifiers.pop(key, None)
        return replace(metadata, identifiers=identifiers)
    changed = replace(metadata)
    setattr(changed, key, value)  # title, publisher, container, url, language, description
    return changed


def apply_assignments(metadata: Metadata, assignments: list[str]) -> Metadata:
    """``KEY=VALUE`` strings applied in order; ValueError for one without '=' or a bad value."""
    for assignment in assignments:
        key, sep, value = assignment.partition("=")
        if not sep:
            raise ValueError(f"--set takes KEY=VALUE, not {assignment!r}")
        metadata = set_field(metadata, key, value)
    return metadata
