"""Searching the library (db.search) and `margin search`: queries, filters, ranking, full text.

One small library serves most tests (read only): three documents, six
highlights with notes, tags, colours and creation dates set by hand.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import highlight_words
from hypothesis import given, settings
from hypothesis import strategies as st

from db.models import Block, Document, Highlight, LoadedText, Metadata
from db.search import Filter, Hit, QueryError, Term, parse_query, search
from db.store import Store
from tui.cli import main
from tui.searching import format_hits, query_from_args

GENOA = "Well, Prince, so Genoa and Lucca are now just family estates of the Buonapartes."
JULY = "It was in July, 1805, and the speaker was the well-known Anna Pavlovna Scherer."
HAPPY = "All happy families are alike; each unhappy family is unhappy in its own way."
WAR = [("heading", "CHAPTER I"), ("paragraph", GENOA), ("paragraph", JULY), ("paragraph", HAPPY)]
POEMS = [
    ("paragraph", "In Flanders fields the poppies blow\nBetween the crosses, row on row"),
    ("paragraph", "The lighthouse stands on the rock."),
]
NOTES = [
    ("paragraph", "Die Straße war lang und STRASSE hieß sie."),
    ("paragraph", "Ein Café am Meer."),
]


def loaded(title: str, blocks: list[tuple[str, str]]) -> LoadedText:
    made, at = [], 0
    for kind, text in blocks:
        made.append(Block(kind, at, at + len(text), 1 if kind == "heading" else 0))
        at += len(text) + 2
    text = "\n\n".join(text for _, text in blocks)
    return LoadedText(text=text, blocks=made, metadata=Metadata(title=title))


add_highlight = highlight_words


@dataclass
class Library:
    store: Store
    db: Path
    war: Document
    poems: Document
    notes: Document
    hl: dict[str, Highlight]


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    db = tmp_path_factory.mktemp("search") / "margin.db"
    store = Store.open(db)
    war = store.add_document(loaded("War and Peace", WAR), path=None, source_hash="w")
    poems = store.add_document(loaded("War Poems", POEMS), path=None, source_hash="p")
    # No title: it answers to its file's name.
    notes = store.add_document(
        loaded("", NOTES), path="/nowhere/strasse_notes.txt", source_hash="n"
    )
    hl = {
        "genoa": add_highlight(
            store, war, "Genoa and Lucca", tags=["Policy", "topic/italy"],
            created="2025-03-10T10:00:00Z",
        ),
        "july": add_highlight(
            store, war, "It was in July, 1805", note="the lighthouse of the evening", color=2,
            created="2025-12-31T23:59:59Z",
        ),
        "happy": add_highlight(
            store, war, "All happy families are alike", note="Tolstoy's famous opening",
            tags=["todo"], color=3, created="2026-01-01T00:00:00Z",
        ),
        "poppies": add_highlight(
            store, poems, "the poppies blow", tags=["topic/war"], color=2,
            created="2026-02-15T08:00:00Z",
        ),
        "light": add_highlight(
            store, poems, "The lighthouse stands on the rock.", created="2026-03-01T12:00:00Z"
        ),
        "cafe": add_highlight(
            store, notes, "Ein Café am Meer.", note="  \n ", created="2026-04-01T00:00:00Z"
        ),
    }  # fmt: skip
    yield Library(store, db, war, poems, notes, hl)
    store.close()


def found(library: Library, query: str, **options: object) -> list[str]:
    """The names of the highlights a query finds, in the order found."""
    names = {h.id: name for name, h in library.hl.items()}
    hits = search(library.store, query, **options)  # type: ignore[arg-type]
    assert all(hit.kind == "highlight" and hit.highlight is not None for hit in hits)
    return [names[hit.highlight.id] for hit in hits if hit.highlight is not None]


def marked(hit: Hit) -> list[str]:
    return [hit.snippet[start:end] for start, end in hit.marks]


# --- the query language ----------------------------------------------------------------------


def test_parse_query_reads_words_phrases_filters_and_negation() -> None:
    query = parse_query(
        'war "and peace" -foo NOT bar Tag:#Policy doc:"war  and" colour:2 has:notes '
        "-has:tag before:2026 after:2025-12 light*"
    )
    assert query.terms == (
        Term("war"),
        Term("and peace", phrase=True),
        Term("foo", negated=True),
        Term("bar", negated=True),
        Term("light", prefix=True),
    )
    assert query.filters == (
        Filter("tag", "policy"),
        Filter("doc", "war and"),
        Filter("color", "2"),
        Filter("has", "note"),
        Filter("has", "tag", negated=True),
        Filter("before", "2026"),
        Filter("after", "2026-01"),
    )


def test_parse_query_is_lenient_with_quotes_and_strange_words() -> None:
    assert parse_query('"war and').terms == (Term("war and", phrase=True),)
    assert parse_query('doc:"war and').filters == (Filter("doc", "war and"),)
    # An unknown key is no filter: the word is searched as it is.
    assert parse_query("quote:lighthouse").terms == (Term("quote:lighthouse"),)
    assert parse_query("war NOT").terms == (Term("war"),)
    assert parse_query("- * ").terms == (Term("-"), Term("*"))  # no words: the index ignores them


def test_partial_queries_end_in_a_prefix_and_skip_an_unfinished_filter() -> None:
    assert parse_query("war lightho", partial=True).terms == (
        Term("war"),
        Term("lightho", prefix=True),
    )
    assert parse_query("war lightho ", partial=True).terms[-1] == Term("lightho")
    assert parse_query("war li", partial=True).terms[-1] == Term("li")  # too short yet
    assert parse_query('"a phrase', partial=True).terms == (Term("a phrase", phrase=True),)
    assert parse_query("war tag:", partial=True).filters == ()
    with pytest.raises(QueryError):
        parse_query("war tag:")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("color:9", "color:9: a colour is 1, 2, 3, 4 or 5"),
        ("colour:0", "color:0: a colour is 1, 2, 3, 4 or 5"),
        ("has:colour", "has:colour: write has:note or has:tag"),
        ("before:2026-13", "before:2026-13 is no date"),
        ("after:20x6", "after:20x6 is no date: write YYYY, YYYY-MM or YYYY-MM-DD"),
        ("before:2026-02-30", "before:2026-02-30 is no date"),
        ("tag:a*b", "tag:a*b is no tag"),
        ("tag:", "tag: needs a value"),
        ('doc:""', "doc: needs a value"),
        ("-before:2026", "-before: cannot be negated"),
    ],
)
def test_bad_filters_raise_a_one_line_query_error(
    library: Library, query: str, message: str
) -> None:
    with pytest.raises(QueryError) as raised:
        search(library.store, query)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


# --- filters ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "names"),
    [
        # Filters alone list highlights newest first.
        ("", ["cafe", "light", "poppies", "happy", "july", "genoa"]),
        ("tag:policy", ["genoa"]),
        ("tag:POLICY", ["genoa"]),
        ("tag:topic", ["poppies", "genoa"]),  # nested tags too
        ("tag:topic/war", ["poppies"]),
        ("tag:top", []),
        ("tag:topic tag:policy", ["genoa"]),  # every tag: must hold
        ("-tag:topic", ["cafe", "light", "happy", "july"]),
        ('doc:"war and"', ["happy", "july", "genoa"]),
        ("doc:war", ["light", "poppies", "happy", "july", "genoa"]),
        ("doc:POEMS", ["light", "poppies"]),
        ("doc:strasse", ["cafe"]),  # an untitled document by its file's name
        ("doc:nothing", []),
        ("-doc:war", ["cafe"]),
        ("doc:poems doc:strasse", ["cafe", "light", "poppies"]),  # any of them
        ("color:2", ["poppies", "july"]),
        ("color:1 color:3", ["cafe", "light", "happy", "genoa"]),
        ("-color:1", ["poppies", "happy", "july"]),
        ("has:note", ["happy", "july"]),  # a blank note is none
        ("-has:note", ["cafe", "light", "poppies", "genoa"]),
        ("has:tag", ["poppies", "happy", "genoa"]),
        ("before:2026", ["july", "genoa"]),
        ("before:2026-01-01", ["july", "genoa"]),
        ("after:2025", ["cafe", "light", "poppies", "happy"]),
        ("after:2025-12-31", ["cafe", "light", "poppies", "happy"]),
        ("after:2026-02", ["cafe", "light"]),
        ("before:2026-02-15", ["happy", "july", "genoa"]),
        ("after:2026-02-14 before:2026-03-02", ["light", "poppies"]),
        ("after:9999", []),
        ("has:tag color:2 doc:poems", ["poppies"]),
    ],
)
def test_filters(library: Library, query: str, names: list[str]) -> None:
    assert found(library, query) == names


def test_document_by_id_and_one_document_only(library: Library) -> None:
    assert found(library, f"doc:{library.poems.id}") == ["light", "poppies"]
    assert found(library, "", document_id=library.war.id) == ["happy", "july", "genoa"]
    assert found(library, "doc:poems", document_id=library.war.id) == []


# --- words and phrases -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("lighthouse", ["light", "july"]),  # the quote outranks a note
        ("LIGHTHOUSE rock", ["light"]),
        ("lighthouse -rock", ["july"]),
        ("lighthouse NOT evening", ["light"]),
        ("-lighthouse", ["cafe", "poppies", "happy", "genoa"]),
        ("light", []),
        ("lightho*", ["light", "july"]),
        ('"happy families"', ["happy"]),
        ('"families happy"', []),
        ('"happy families" tag:TODO', ["happy"]),
        ("lighthouse color:1", ["light"]),
        ("lighthouse doc:peace", ["july"]),
        ("lighthouse before:2026", ["july"]),
        ("cafe", ["cafe"]),  # accents are ignored by the index
        ("war", ["poppies"]),  # a tag's word
        ("opening tolstoy", ["happy"]),
    ],
)
def test_words_and_phrases(library: Library, query: str, names: list[str]) -> None:
    assert found(library, query) == names


def test_the_last_word_is_a_prefix_while_typing(library: Library) -> None:
    assert found(library, "light", partial=True) == ["light", "july"]
    assert found(library, "light ", partial=True) == []


def test_snippets_mark_the_matched_words(library: Library) -> None:
    light, july = search(library.store, "lighthouse")
    assert (light.field, july.field) == ("quote", "note")
    assert light.snippet == "The lighthouse stands on the rock."
    assert marked(light) == ["lighthouse"]
    assert marked(july) == ["lighthouse"]
    assert july.snippet == "the lighthouse of the evening"
    (happy,) = search(library.store, '"happy families"')
    assert marked(happy) == ["happy families"]
    (cafe,) = search(library.store, "CAFE")
    assert marked(cafe) == ["Café"]
    (poppies,) = search(library.store, "war")
    assert poppies.field == "tags"
    assert poppies.snippet == "#topic/war"
    assert marked(poppies) == ["war"]


def test_a_hit_says_where_it_is(library: Library) -> None:
    (july,) = search(library.store, "july")
    assert july.where == "CHAPTER I, ¶ 2"
    assert july.document.id == library.war.id
    assert (july.start, july.end) == (library.hl["july"].start, library.hl["july"].end)
    (light,) = search(library.store, "rock")
    assert light.where == "¶ 2"


def test_filters_only_snippet_is_the_quote(library: Library) -> None:
    (hit,) = search(library.store, "tag:todo")
    assert hit.field == ""
    assert hit.snippet == "All happy families are alike"
    assert hit.marks == ()


def test_limit(library: Library) -> None:
    assert len(search(library.store, "", limit=2)) == 2
    assert len(search(library.store, "lighthouse", limit=1)) == 1
    assert search(library.store, "", limit=0) == []


def test_an_orphan_and_notes_with_control_characters(tmp_path: Path) -> None:
    with Store.open(tmp_path / "m.db") as store:
        document = store.add_document(
            loaded("Odd", [("paragraph", "Some words to mark here, and more.")]),
            path=None,
            source_hash="o",
        )
        bell = add_highlight(store, document, "words to mark", note="bell \x07\x02 rings")
        red = add_highlight(store, document, "and more", note="alarm \x1b[31m red")
        lost = add_highlight(store, document, "Some")
        store.update_highlight(lost.id, status="orphan")
        # A note holding a snippet marker itself: the quote, unmarked, stands for it.
        (hit,) = search(store, "rings")
        assert hit.highlight is not None and hit.highlight.id == bell.id
        assert (hit.snippet, hit.marks, hit.field) == ("words to mark", (), "quote")
        (hit,) = search(store, "red")
        assert hit.highlight is not None and hit.highlight.id == red.id
        assert hit.snippet == "alarm \u241b[31m red"  # the escape made visible
        assert marked(hit) == ["red"]
        (orphan,) = search(store, "some")
        assert orphan.where == ""
        assert search(store, "some", scope="text")[0].where == "¶ 1"


# --- malformed input never reaches FTS5 as syntax --------------------------------------------

SYNTAX = [
    '"',
    '""',
    '"unbalanced phrase',
    "*",
    "war*",
    "(war",
    "war)",
    "^war",
    "a:b",
    "quote:lighthouse",
    "NEAR(war peace)",
    "war AND OR NOT",
    "NOT",
    "-",
    "--war",
    "{quote note}: war",
    "+war",
    "war\x00peace",
    "\ud800",
    "'; DROP TABLE highlights; --",
]


@pytest.mark.parametrize("query", SYNTAX)
def test_syntax_characters_are_words(library: Library, query: str) -> None:
    for scope in ("highlights", "text"):
        hits = search(library.store, query, scope=scope)
        assert isinstance(hits, list)


QUERY_TEXT = st.one_of(
    st.text(max_size=30),
    st.lists(
        st.sampled_from(
            [
                "war", "lighthouse", '"', "*", "(", ")", ":", "^", "-", "NOT", "OR", "AND",
                "NEAR", "tag:", "doc:", "color:", "has:", "before:", "after:", "policy", "2",
                "note", "2026", "-01", " ", "#", "+", "{", "}", "\\", "'", "ß", "Café",
            ]
        ),
        max_size=8,
    ).map("".join),
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(text=QUERY_TEXT, partial=st.booleans())
def test_no_query_raises_anything_but_a_query_error(
    library: Library, text: str, partial: bool
) -> None:
    for scope in ("highlights", "text"):
        try:
            hits = search(library.store, text, scope=scope, partial=partial)
        except QueryError as error:
            assert str(error) and "\n" not in str(error)
            continue
        for hit in hits:
            assert all(0 <= a < b <= len(hit.snippet) for a, b in hit.marks)


# --- full text -------------------------------------------------------------------------------


def text_hits(library: Library, query: str, **options: object) -> list[Hit]:
    hits = search(library.store, query, scope="text", **options)  # type: ignore[arg-type]
    for hit in hits:
        assert hit.is_text and hit.highlight is None and hit.field == "text"
        text = library.store.load_document(hit.document).text
        assert text[hit.start : hit.end] == hit.matched
    return hits


def test_full_text_finds_words_in_any_case(library: Library) -> None:
    (hit,) = text_hits(library, "LIGHTHOUSE")
    assert hit.document.id == library.poems.id
    assert hit.matched == "lighthouse"
    assert hit.where == "¶ 2"
    assert marked(hit) == ["lighthouse"]
    (genoa,) = text_hits(library, "genoa")
    assert genoa.where == "CHAPTER I, ¶ 1"


def test_full_text_folds_case_fully(library: Library) -> None:
    hits = text_hits(library, "strasse")
    assert [hit.matched for hit in hits] == ["Straße", "STRASSE"]
    assert [marked(hit) for hit in hits] == [["Straße", "STRASSE"]] * 2


def test_full_text_phrases_cross_line_breaks(library: Library) -> None:
    (hit,) = text_hits(library, '"poppies blow between"')
    assert hit.matched == "poppies blow\nBetween"
    assert marked(hit) == ["poppies blow Between"]
    assert "\n" not in hit.snippet


def test_full_text_wants_every_word_in_one_paragraph(library: Library) -> None:
    (hit,) = text_hits(library, "families alike")
    assert hit.matched == "families"
    assert marked(hit) == ["families", "alike"]
    assert text_hits(library, "genoa alike") == []
    assert text_hits(library, "july -1805") == []
    assert [h.matched for h in text_hits(library, "july -lucca")] == ["July"]
    # A word is found inside longer ones, as the reader's / finds it.
    assert [h.matched for h in text_hits(library, "happy")] == ["happy", "happy", "happy"]


def test_full_text_filters_limit_and_cancel(library: Library) -> None:
    every = text_hits(library, "the")
    assert {hit.document.id for hit in every} == {library.war.id, library.poems.id}
    assert {h.document.id for h in text_hits(library, "the doc:poems")} == {library.poems.id}
    assert len(text_hits(library, "the", limit=2)) == 2
    assert text_hits(library, "the", cancelled=lambda: True) == []
    assert text_hits(library, "") == []
    with pytest.raises(QueryError, match="tag: choose highlights"):
        search(library.store, "the tag:policy", scope="text")


def test_a_long_paragraph_gives_a_snippet_around_the_word(tmp_path: Path) -> None:
    words = " ".join(f"word{i}" for i in range(200))
    with Store.open(tmp_path / "m.db") as store:
        store.add_document(loaded("Long", [("paragraph", words)]), path=None, source_hash="l")
        (hit,) = search(store, "word100", scope="text")
    assert hit.snippet.startswith("…") and hit.snippet.endswith("…")
    assert len(hit.snippet) < 200
    assert marked(hit) == ["word100"]
    assert " word99 " in hit.snippet and " word101 " in hit.snippet


# --- margin search ---------------------------------------------------------------------------


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_prints_ranked_results_marked_off_a_terminal(
    library: Library, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["search", "lighthouse", "--db", str(library.db)], capsys)
    assert code == 0 and err == ""
    first, second = out.split("\n\n")
    light_id = library.hl["light"].id.replace("-", "")[:8]
    assert first.splitlines() == [
        f"War Poems — ¶ 2  hl-{light_id}",
        "  “The «lighthouse» stands on the rock.”",
    ]
    assert second.splitlines()[0].startswith("War and Peace — CHAPTER I, ¶ 2  hl-")
    assert second.splitlines()[1] == "  ✎ the «lighthouse» of the evening"
    assert "\x1b" not in out


def test_cli_marks_in_reverse_video_on_a_terminal(library: Library) -> None:
    hits = search(library.store, "lighthouse rock")
    shown = format_hits(hits, terminal=True)
    assert "The \x1b[7mlighthouse\x1b[27m stands on the \x1b[7mrock\x1b[27m." in shown
    assert "«" not in shown


def test_cli_json(library: Library, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["search", "lighthouse", "--json", "--db", str(library.db)], capsys)
    assert code == 0
    records = json.loads(out)
    assert [r["id"] for r in records] == [library.hl["light"].id, library.hl["july"].id]
    light = records[0]
    assert set(light) == {
        "id", "document_id", "document", "title", "location", "quote", "note", "tags", "color",
        "created", "snippet", "marks", "kind", "field", "start", "end",
    }  # fmt: skip
    assert light["document_id"] == library.poems.id
    assert (light["document"], light["title"], light["location"]) == ("War Poems",) * 2 + ("¶ 2",)
    assert light["kind"] == "highlight" and light["field"] == "quote"
    assert light["created"] == "2026-03-01T12:00:00Z"
    start, end = light["marks"][0]
    assert light["snippet"][start:end] == "lighthouse"
    assert (light["start"], light["end"]) == (library.hl["light"].start, library.hl["light"].end)


def test_cli_full_text(library: Library, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["search", "--text", "strasse", "--json", "--db", str(library.db)], capsys)
    assert code == 0
    records = json.loads(out)
    assert [(r["kind"], r["quote"], r["id"]) for r in records] == [
        ("text", "Straße", None),
        ("text", "STRASSE", None),
    ]
    assert records[0]["document"] == "strasse_notes.txt" and records[0]["title"] == ""
    code, out, _ = run(["search", "--text", "lighthouse", "--db", str(library.db)], capsys)
    text = library.store.load_document(library.poems).text
    assert out.splitlines()[0] == f"War Poems — ¶ 2  text @{text.index('lighthouse')}"


def test_cli_words_with_spaces_are_phrases(
    library: Library, capsys: pytest.CaptureFixture[str]
) -> None:
    assert query_from_args(["happy families", "doc:war and", "-very old", 'a "b c"']) == (
        '"happy families" doc:"war and" -"very old" a "b c"'
    )
    code, out, _ = run(["search", "families happy", "--json", "--db", str(library.db)], capsys)
    assert (code, json.loads(out)) == (0, [])


def test_cli_without_a_database_finds_nothing_and_makes_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "none.db"
    assert run(["search", "war", "--db", str(db)], capsys) == (0, "", "no matches\n")
    assert run(["search", "war", "--json", "--db", str(db)], capsys) == (0, "[]\n", "")
    assert not db.exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["search", "color:9"],
        ["search", "before:yesterday"],
        ["search", "war", "--limit", "0"],
        ["search", "--text", "war", "has:note"],
    ],
)
def test_cli_bad_query_exits_2_with_one_line(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run([*argv, "--db", str(tmp_path / "m.db")], capsys)
    assert (code, out) == (2, "")
    assert err.startswith("margin: ") and err.count("\n") == 1
    assert not (tmp_path / "m.db").exists()


def test_cli_does_not_import_textual(library: Library) -> None:
    import subprocess

    code = (
        "import sys\n"
        "from tui.cli import main\n"
        f"main(['search', 'lighthouse', '--db', {str(library.db)!r}])\n"
        f"main(['search', '--text', 'the', '--db', {str(library.db)!r}])\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')),"
        " file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert "lighthouse" in result.stdout
    assert result.stderr == "[]\n"
