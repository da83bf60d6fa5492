"""Setting metadata by field name: aliases, lists, dates, kinds, identifiers, refusals."""

from __future__ import annotations

import pytest

from db.metadata import FIELDS, apply_assignments, get_field, set_field
from db.models import Metadata


def test_assignments_set_every_field():
    metadata = apply_assignments(
        Metadata(),
        [
            "title=Alice's Adventures in Wonderland",
            "author=Carroll, Lewis; Tenniel, John",
            "date=1865",
            "publisher=Macmillan",
            "type=book",
            "isbn=978-0-14-143976-1",
            "tags=classic, children",
        ],
    )
    assert metadata.title == "Alice's Adventures in Wonderland"
    assert metadata.authors == ["Carroll, Lewis", "Tenniel, John"]
    assert metadata.published == "1865"
    assert metadata.kind == "book"
    assert metadata.identifiers == {"isbn": "978-0-14-143976-1"}
    assert metadata.tags == ["classic", "children"]
    assert get_field(metadata, "authors") == "Carroll, Lewis; Tenniel, John"
    assert get_field(metadata, "year") == "1865"
    assert {name: get_field(metadata, name) for name in FIELDS}["isbn"] == "978-0-14-143976-1"


def test_an_empty_value_clears_a_field():
    metadata = set_field(Metadata(identifiers={"doi": "10.1/x"}), "doi", "")
    assert metadata.identifiers == {}
    assert set_field(Metadata(authors=["A"]), "author", "").authors == []


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ("colour=red", "unknown field"),
        ("date=June 3", "a date is YYYY"),
        ("type=novel", "type is one of"),
        ("tags=a$b", "not a tag"),
        ("title", "KEY=VALUE"),
    ],
)
def test_bad_assignments_are_refused(assignment, message):
    with pytest.raises(ValueError, match=message):
        apply_assignments(Metadata(), [assignment])


def test_a_date_without_a_year_is_kept_for_the_reader_to_complete():
    # A dateline gives "June 3"; the year is filled in later.
    metadata = set_field(Metadata(), "date", "--06-03")
    assert metadata.published == "--06-03"
    assert set_field(metadata, "date", "2024-06-03").published == "2024-06-03"
    with pytest.raises(ValueError, match="--MM-DD"):
        set_field(metadata, "date", "06-03")
