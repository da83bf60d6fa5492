"""Tests for db.documents: decoding, inert text, the plain-text and Markdown loaders.

Every loaded document goes through ``check_invariants``, the canonical-text
contract the rest of margin relies on (offsets, blank-line separation, no
control characters).
"""

from __future__ import annotations

import codecs
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from invariants import FORBIDDEN, check_invariants

from db.documents import LoadError, detect_format, load_bytes, load_path, read_source
from db.documents.decode import UndecodableError, decode, encoding_label, looks_binary
from db.documents.inert import make_inert
from db.models import LoadedText

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).parent.parent
LOADER_FIXTURES = [
    FIXTURES / name
    for name in (
        "alice_excerpt.txt",
        "war_and_peace_excerpt.txt",
        "bible_excerpt.txt",
        "utf8_demo_excerpt.txt",
        "blns.txt",
        "ls_color_script.txt",
        "go_blog_yaml.md",
        "rust_blog_yaml.md",
        "rust_blog_toml.md",
    )
]


def load_text(source: str, fmt: str = "txt") -> LoadedText:
    loaded = load_bytes(source.encode("utf-8"), fmt=fmt)
    check_invariants(loaded)
    return loaded


def block_texts(loaded: LoadedText, kind: str | None = None) -> list[str]:
    return [loaded.text[b.start : b.end] for b in loaded.blocks if kind in (None, b.kind)]


def span_texts(loaded: LoadedText, style: str) -> list[str]:
    return [loaded.text[s.start : s.end] for s in loaded.spans if s.style == style]


def only_block(loaded: LoadedText) -> tuple[str, str, int]:
    assert len(loaded.blocks) == 1, block_texts(loaded)
    block = loaded.blocks[0]
    return block.kind, loaded.text[block.start : block.end], block.level


# --- every fixture -------------------------------------------------------------


@pytest.mark.parametrize("path", LOADER_FIXTURES, ids=lambda p: p.name)
def test_every_fixture_loads_with_the_invariants(path: Path) -> None:
    loaded, raw = load_path(path)
    assert raw == path.read_bytes()
    assert loaded.format == ("md" if path.suffix == ".md" else "txt")
    assert loaded.blocks
    check_invariants(loaded)


# --- inert text ----------------------------------------------------------------


def test_escape_sequences_show_as_control_pictures() -> None:
    assert make_inert("\x1b[31mred\x1b[0m") == "␛[31mred␛[0m"
    # OSC 52 would set the clipboard; its BEL terminator shows as ␇.
    assert make_inert("\x1b]52;c;aGVsbG8=\x07") == "␛]52;c;aGVsbG8=␇"


def test_every_c0_control_but_newline_has_its_picture() -> None:
    for code in range(0x20):
        if code in (0x09, 0x0A, 0x0D):
            continue
        assert make_inert(chr(code)) == chr(0x2400 + code)
    assert make_inert("\x7f") == "\u2421"


def test_c1_controls_and_lone_surrogates_become_replacement_characters() -> None:
    assert make_inert("a\x85b\x9bc") == "a\ufffdb\ufffdc"
    assert make_inert("x\udcffy\ud800") == "x\ufffdy\ufffd"


def test_line_breaks_become_newlines_and_tabs_spaces() -> None:
    assert make_inert("a\r\nb\rc\u2028d\ne") == "a\nb\nc\nd\ne"
    assert make_inert("ab\tc") == "ab      c"
    assert make_inert("ab\tc", tabsize=4) == "ab  c"
    assert make_inert("a\tb", tabsize=None) == "a\tb"
    # Tabs are expanded first, so a tab after ESC still lines up by columns.
    assert make_inert("\x1b\tx") == "␛       x"


def test_markup_is_plain_text() -> None:
    for markup in ("[bold red]alert[/bold red]", "[link=https://x]y[/]", "<b>hi</b>", "**x**"):
        assert make_inert(markup) == markup
    loaded = load_text("Say [bold red]hello[/] to [link=file:///etc/passwd]me[/link].")
    assert loaded.text == "Say [bold red]hello[/] to [link=file:///etc/passwd]me[/link]."
    loaded = load_text("Say [bold red]hello[/] now.", fmt="md")
    assert loaded.text == "Say [bold red]hello[/] now."


@given(st.text())
def test_make_inert_leaves_no_control_character_and_is_idempotent(text: str) -> None:
    inert = make_inert(text)
    assert FORBIDDEN.search(inert) is None
    assert make_inert(inert) == inert


def test_escape_sequences_in_a_recorded_terminal_session_are_inert() -> None:
    loaded, _ = load_path(FIXTURES / "ls_color_script.txt")
    assert "␛]0;mark@mark-desktop:~/vt100-to-html/scripts␇" in loaded.text
    assert "␛[01;34mbin␛[00m" in loaded.text


# --- decoding --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bom", "encoding"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
    ],
)
def test_a_bom_decides_the_encoding_and_is_dropped(bom: bytes, encoding: str) -> None:
    text = "Schérer said “hello”.\n"
    assert decode(bom + text.encode(encoding)) == (text, None)
    loaded = load_bytes(bom + text.encode(encoding), "a.txt")
    assert loaded.text == "Schérer said “hello”."
    assert loaded.notices == []


def test_utf8_needs_no_notice() -> None:
    assert decode("Pávlovna — ✓".encode()) == ("Pávlovna — ✓", None)


def test_windows_1252_is_detected_and_named() -> None:
    text = (FIXTURES / "war_and_peace_excerpt.txt").read_text(encoding="utf-8")
    decoded, notice = decode(text.encode("cp1252"))
    assert decoded == text
    assert notice == "Decoded as windows-1252 (not UTF-8)."
    loaded = load_bytes(text.encode("cp1252"), "war.txt")
    assert loaded.notices == ["Decoded as windows-1252 (not UTF-8)."]
    assert "Schérer" in loaded.text


def test_short_latin_text_prefers_windows_1252() -> None:
    assert decode(b"caf\xe9") == ("café", "Decoded as windows-1252 (not UTF-8).")


def test_cyrillic_windows_1251_is_detected() -> None:
    text = (
        "Все счастливые семьи похожи друг на друга, "
        "каждая несчастливая семья несчастлива по-своему."
    )
    decoded, notice = decode(text.encode("cp1251"))
    assert decoded == text
    assert notice == "Decoded as windows-1251 (not UTF-8)."


def test_utf8_with_a_stray_byte_stays_utf8() -> None:
    text = (FIXTURES / "war_and_peace_excerpt.txt").read_text(encoding="utf-8")
    data = text.encode()
    cut = data.index(b" ", 500)
    decoded, notice = decode(data[:cut] + b"\xff" + data[cut:])
    assert decoded == data[:cut].decode() + "\ufffd" + data[cut:].decode()
    assert notice == "Some bytes are not valid UTF-8: shown as \ufffd."


def test_bytes_that_are_no_text_raise() -> None:
    with pytest.raises(UndecodableError):
        decode(bytes(range(0x80, 0x100)) * 4)
    with pytest.raises(LoadError, match=r"^noise\.txt: cannot be decoded as text"):
        load_bytes(bytes(range(0x80, 0x100)) * 4, "noise.txt")


def test_encoding_labels() -> None:
    assert encoding_label("cp1252") == "windows-1252"
    assert encoding_label("latin_1") == "ISO-8859-1"
    assert encoding_label("iso8859_15") == "ISO-8859-15"
    assert encoding_label("koi8_r") == "KOI8-R"


def test_binary_is_a_nul_byte_early_on() -> None:
    assert looks_binary(b"PK\x03\x04\x00\x00")
    assert not looks_binary(b"text" * 3000 + b"\x00")
    assert not looks_binary(codecs.BOM_UTF16_LE + "hi".encode("utf-16-le"))


def test_nul_after_the_sniffed_start_is_shown_inert() -> None:
    loaded = load_bytes(b"x" * 9000 + b"\x00y", "a.txt")
    check_invariants(loaded)
    assert loaded.text.endswith("x\u2400y")


def test_charset_normalizer_is_not_imported_for_utf8() -> None:
    code = (
        "import sys; from db.documents import load_bytes; "
        "load_bytes('Pávlovna'.encode(), 'a.txt'); load_bytes(b'# T', 'a.txt'); "
        "print('charset_normalizer' in sys.modules, 'markdown_it' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.split() == ["False", "False"]


def test_importing_the_package_stays_cheap() -> None:
    code = (
        "import sys, db.documents; "
        "heavy = [m for m in ('markdown_it', 'charset_normalizer', 'textual', 'rich', 'tomllib')"
        " if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "[]"


# --- load_path and load_bytes errors -------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(LoadError) as info:
        load_path(tmp_path / "war.txt")
    assert str(info.value) == f"{tmp_path / 'war.txt'}: no such file"


def test_directory(tmp_path: Path) -> None:
    (tmp_path / "war.txt").mkdir()
    with pytest.raises(LoadError) as info:
        load_path(tmp_path / "war.txt")
    assert str(info.value) == f"{tmp_path / 'war.txt'}: is a directory"


def test_relative_name_is_kept_in_the_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "war.txt").mkdir()
    with pytest.raises(LoadError, match=r"^war\.txt: is a directory$"):
        load_path("war.txt")


def test_permission_denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("x")

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    # The tests may run as root, which chmod cannot stop.
    monkeypatch.setattr("db.documents.open", refuse, raising=False)
    with pytest.raises(LoadError) as info:
        load_path(path)
    assert str(info.value) == f"{path}: permission denied"


def test_device_is_refused() -> None:
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero")
    with pytest.raises(LoadError, match="is not a regular file"):
        read_source("/dev/zero")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_a_named_pipe_is_read(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)

    def write() -> None:
        with open(fifo, "wb") as out:
            out.write(b"# From a pipe\n")

    writer = threading.Thread(target=write)
    writer.start()
    loaded, raw = load_path(fifo)
    writer.join()
    assert raw == b"# From a pipe\n"
    assert loaded.text == "# From a pipe"


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "photo.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(LoadError) as info:
        load_path(path)
    assert str(info.value) == f"{path}: looks like a binary file, not text"


def test_stdin_is_named_in_messages() -> None:
    with pytest.raises(LoadError, match=r"^standard input: looks like a binary file"):
        load_bytes(b"\x00\x01")


def test_a_file_name_with_control_characters_still_makes_one_line(tmp_path: Path) -> None:
    name = tmp_path / "evil\n\x1b[31mname.txt"
    with pytest.raises(LoadError) as info:
        load_path(name)
    message = str(info.value)
    assert "\n" not in message and "\x1b" not in message
    assert message.endswith("evil␊␛[31mname.txt: no such file")


def test_unknown_format_is_a_load_error() -> None:
    with pytest.raises(LoadError, match="cannot read 'odt' documents"):
        load_bytes(b"PK", "a.odt", fmt="odt")


def test_load_path_returns_the_raw_bytes(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"\xef\xbb\xbfHello\r\n")
    loaded, raw = load_path(path)
    assert raw == b"\xef\xbb\xbfHello\r\n"
    assert loaded.text == "Hello"


@pytest.mark.parametrize("data", [b"", b"   \n\n \t \r\n"])
@pytest.mark.parametrize("fmt", ["txt", "md"])
def test_empty_input(data: bytes, fmt: str) -> None:
    loaded = load_bytes(data, fmt=fmt)
    assert loaded.text == ""
    assert loaded.blocks == []
    assert loaded.notices == ["The file is empty."]


# --- format detection ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("a.md", "md"),
        ("dir/B.MARKDOWN", "md"),
        ("x.mdown", "md"),
        ("war.txt", "txt"),
        ("README", "txt"),
        ("notes.md.txt", "txt"),
        ("/tmp/x.md/", "txt"),
    ],
)
def test_format_by_name(name: str, fmt: str) -> None:
    assert detect_format(name, b"# looks like markdown") == fmt


@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        (b"# Title\n\nText.", "md"),
        (b"Intro\n\n## Section\n", "md"),
        (b"---\ntitle: x\n---\nbody", "md"),
        (b"+++\ntitle = 'x'\n+++\nbody", "md"),
        (b"Shopping:\n\n- eggs\n- milk\n", "md"),
        (b"```\ncode\n```\n", "md"),
        (b"Just prose.\n\n- a dash that starts one line only\n", "txt"),
        ((FIXTURES / "war_and_peace_excerpt.txt").read_bytes(), "txt"),
        ((FIXTURES / "bible_excerpt.txt").read_bytes(), "txt"),
        (b"#hashtag is not a heading", "txt"),
    ],
)
def test_format_of_stdin_is_sniffed(data: bytes, fmt: str) -> None:
    assert detect_format(None, data) == fmt


def test_fmt_overrides_the_name() -> None:
    assert load_bytes(b"# T\n\nx", "a.txt", fmt="md").blocks[0].kind == "heading"
    assert load_bytes(b"# T\n\nx", "a.md", fmt="txt").blocks[0].kind == "paragraph"


# --- plain text: War and Peace, Alice, the Bible ---------------------------------


@pytest.fixture(scope="module")
def war_and_peace() -> LoadedText:
    loaded, _ = load_path(FIXTURES / "war_and_peace_excerpt.txt")
    return loaded


@pytest.fixture(scope="module")
def alice() -> LoadedText:
    loaded, _ = load_path(FIXTURES / "alice_excerpt.txt")
    return loaded


def test_hard_wrapped_prose_is_rejoined(war_and_peace: LoadedText) -> None:
    first = block_texts(war_and_peace)[0]
    assert first.startswith(
        "“Well, Prince, so Genoa and Lucca are now just family estates of the Buonapartes. "
        "But I warn you,"
    )
    assert first.endswith("sit down and tell me all the news.”")
    assert "\n" not in first and "  " not in first


def test_war_and_peace_headings(war_and_peace: LoadedText) -> None:
    headings = [
        (war_and_peace.text[b.start : b.end], b.level)
        for b in war_and_peace.blocks
        if b.kind == "heading"
    ]
    assert headings == [
        ("CHAPTER II", 2),
        ("BOOK TWO: 1805", 1),
        ("CHAPTER I", 2),
        ("FIRST EPILOGUE: 1813 - 20", 1),
        ("CHAPTER I", 2),
    ]


def test_signatures_and_datelines_are_not_headings(war_and_peace: LoadedText) -> None:
    paragraphs = block_texts(war_and_peace, "paragraph")
    for line in ("JULIE", "NAPOLEON", "MOSCOW, OCTOBER 30, 1812"):
        assert line in paragraphs


def test_indented_footnote_and_verse_are_quotes(war_and_peace: LoadedText) -> None:
    quotes = block_texts(war_and_peace, "quote")
    assert "* The most fascinating woman in Petersburg." in quotes
    assert "Fetching water clear and sweet,\nStop, dear maiden, I entreat—" in quotes
    translation = next(q for q in quotes if q.startswith(" *Poisonous"))
    # Relative indentation is kept: the first line was one column deeper.
    assert translation.split("\n")[1] == "Thou, without whom happiness would for me be impossible,"


def test_alice_chapter_titles_join_their_number(alice: LoadedText) -> None:
    assert block_texts(alice, "heading") == [
        "CHAPTER I. Down the Rabbit-Hole",
        "CHAPTER II. The Pool of Tears",
    ]
    assert all(b.level == 2 for b in alice.blocks if b.kind == "heading")


def test_alice_paragraph_indent_and_line_end_hyphens(alice: LoadedText) -> None:
    paragraphs = block_texts(alice, "paragraph")
    third = next(p for p in paragraphs if p.startswith("There was nothing so VERY remarkable"))
    # "WAISTCOAT-" ended a line: no space is put after the hyphen.
    assert "TOOK A WATCH OUT OF ITS WAISTCOAT-POCKET, and looked at it" in third
    assert "Alice was beginning to get very tired" in paragraphs[paragraphs.index(third) - 2]


def test_alice_verse_keeps_its_lines_and_indentation(alice: LoadedText) -> None:
    assert (
        "`How doth the little crocodile\n  Improve his shining tail,\n"
        "And pour the waters of the Nile\n  On every golden scale!"
    ) in block_texts(alice, "quote")


def test_alice_scene_breaks_are_rules(alice: LoadedText) -> None:
    assert block_texts(alice, "rule") == ["* * *", "* * *", "* * *"]


def test_lines_set_by_hand_keep_their_breaks() -> None:
    # An address block as the small print of old Gutenberg files sets it
    # (alice29.txt's own is now cut with the licence it belongs to).
    address = (
        "Drafted by CHARLES B. KRAMER, Attorney\nCompuServe:  72600,2026\n"
        "Internet:  72600.2026@compuserve.com\nTel:  (212) 254-5093"
    )
    prose = (FIXTURES / "alice_excerpt.txt").read_text(encoding="utf-8")
    loaded = load_text(prose + "\n\n" + address + "\n")
    assert address in block_texts(loaded, "paragraph")


def test_a_break_before_a_word_that_fitted_was_set_by_hand() -> None:
    prose = "We walked along the river for an hour and then we sat down on the\nbank."
    loaded = load_text(f"Dear Sir,\nI write to say the train is late today.\n\n{prose}")
    assert block_texts(loaded) == [
        "Dear Sir,\nI write to say the train is late today.",
        prose.replace("\n", " "),
    ]


def test_one_verse_per_line() -> None:
    loaded, _ = load_path(FIXTURES / "bible_excerpt.txt")
    paragraphs = block_texts(loaded)
    lines = (FIXTURES / "bible_excerpt.txt").read_text().split("\n")
    assert paragraphs == [line.strip() for line in lines if line.strip()]
    assert paragraphs[1] == "And God said, Let there be light: and there was light."
    assert loaded.metadata.title == ""  # "castle" is no title


def test_long_lines_wrapped_mid_sentence_are_still_prose() -> None:
    words = ("lorem ipsum dolor sit amet consectetur adipiscing elit sed do " * 20).split()
    lines, line = [], ""
    for word in words:
        if len(line) + len(word) + 1 > 100:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    loaded = load_text("\n".join(lines))
    assert only_block(loaded) == ("paragraph", " ".join(words), 0)


@pytest.mark.parametrize(
    ("line", "text", "level"),
    [
        ("CHAPTER I", "CHAPTER I", 2),
        ("CHAPTER XII", "CHAPTER XII", 2),
        ("CHAPTER I.", "CHAPTER I", 2),
        ("Chapter 3. The Title", "Chapter 3. The Title", 2),
        ("Chapter 3: The Title", "Chapter 3: The Title", 2),
        ("BOOK ONE: 1805", "BOOK ONE: 1805", 1),
        ("BOOK ELEVEN: 1812", "BOOK ELEVEN: 1812", 1),
        ("FIRST EPILOGUE: 1813 - 20", "FIRST EPILOGUE: 1813 - 20", 1),
        ("SECOND EPILOGUE", "SECOND EPILOGUE", 1),
        ("PART ONE", "PART ONE", 1),
        ("Part Twenty-One", "Part Twenty-One", 1),
        ("VOLUME II", "VOLUME II", 1),
        ("PROLOGUE", "PROLOGUE", 1),
        ("PREFACE", "PREFACE", 1),
        ("INTRODUCTION", "INTRODUCTION", 1),
        ("CONTENTS", "CONTENTS", 1),
        ("    CHAPTER  IV   ", "CHAPTER IV", 2),
    ],
)
def test_chapter_like_lines_are_headings(line: str, text: str, level: int) -> None:
    loaded = load_text(f"Some text before it.\n\n{line}\n\nSome text after it.")
    assert [(b.kind, b.level) for b in loaded.blocks][1] == ("heading", level)
    assert block_texts(loaded)[1] == text


@pytest.mark.parametrize(
    "line",
    [
        "NAPOLEON",
        "JULIE",
        "PROCLAMATION",
        "MOSCOW, OCTOBER 30, 1812",
        "STOP THAT AT ONCE!",
        "I SAID NO.",
        "WHAT IF YOU *WANT* TO SEND MONEY EVEN IF YOU DON'T HAVE TO?",
        "Part of me wanted to stay.",
        "Book 3 is my favourite",
        "Chapter 3 was dull.",
        "Chapter 3. It was raining when they arrived.",
        "CHAPTERS",
        "Contents may settle during shipping",
        "chapter one",
        "PARTY TIME: 1805",
        "Chapter Ten was boring",
        "Volume two, he said",
    ],
)
def test_ordinary_lines_are_not_headings(line: str) -> None:
    loaded = load_text(f"Some text before it.\n\n{line}\n\nSome text after it.")
    assert [b.kind for b in loaded.blocks] == ["paragraph", "paragraph", "paragraph"]


def test_shouting_inside_a_paragraph_stays_in_the_paragraph() -> None:
    loaded = load_text("He opened the door and cried\nCHAPTER ONE IS OVER\nand ran out.")
    assert only_block(loaded) == (
        "paragraph",
        "He opened the door and cried CHAPTER ONE IS OVER and ran out.",
        0,
    )


def test_chapter_number_and_title_on_two_lines() -> None:
    loaded = load_text("CHAPTER I\nDown the Rabbit-Hole\n\nAlice was beginning to get tired.")
    assert [(b.kind, b.level) for b in loaded.blocks] == [("heading", 2), ("paragraph", 0)]
    assert block_texts(loaded)[0] == "CHAPTER I. Down the Rabbit-Hole"


def test_chapter_line_above_its_first_paragraph() -> None:
    loaded = load_text("CHAPTER I\nIt was a dark night and the rain\nfell on the roofs.")
    assert [(b.kind, b.level) for b in loaded.blocks] == [("heading", 2), ("paragraph", 0)]
    assert block_texts(loaded) == [
        "CHAPTER I",
        "It was a dark night and the rain fell on the roofs.",
    ]


def test_a_short_sentence_after_a_chapter_number_is_not_its_title() -> None:
    loaded = load_text("CHAPTER II\n\nWhat force moves the nations?\n\nNobody knows.")
    assert block_texts(loaded) == ["CHAPTER II", "What force moves the nations?", "Nobody knows."]
    assert [b.kind for b in loaded.blocks] == ["heading", "paragraph", "paragraph"]


def test_underlined_titles_are_headings() -> None:
    loaded = load_text("My Notes\n========\n\nFirst part\n----------\n\nSome text.")
    assert [(b.kind, b.level) for b in loaded.blocks] == [
        ("heading", 1),
        ("heading", 2),
        ("paragraph", 0),
    ]
    assert block_texts(loaded)[:2] == ["My Notes", "First part"]
    assert loaded.metadata.title == "My Notes"


def test_a_title_like_first_line_is_the_title() -> None:
    loaded = load_text("A Walk in the Park\n\nWe went out early and came back late.")
    assert loaded.metadata.title == "A Walk in the Park"
    assert (loaded.blocks[0].kind, loaded.blocks[0].level) == ("heading", 1)


@pytest.mark.parametrize(
    ("first", "kind"),
    [
        ("We went out early.", "paragraph"),
        ("castle", "paragraph"),
        ("Dear Anna,", "paragraph"),
        ("This first line goes on and on, well past what any title would need", "paragraph"),
        # A chapter heading is a heading, but not the document's title.
        ("CHAPTER I", "heading"),
    ],
)
def test_other_first_lines_are_no_title(first: str, kind: str) -> None:
    loaded = load_text(f"{first}\n\nAnd then the story.")
    assert loaded.metadata.title == ""
    assert loaded.blocks[0].kind == kind


def test_a_single_line_is_no_title() -> None:
    loaded = load_text("A Walk in the Park")
    assert loaded.metadata.title == ""
    assert only_block(loaded) == ("paragraph", "A Walk in the Park", 0)


def test_tabs_expand_to_eight_columns_in_text() -> None:
    loaded = load_text("Name:\tvalue\nAge:\t42\nCity:\tParis")
    assert "\t" not in loaded.text
    assert "Name:   value" in loaded.text


def test_crlf_and_cr_files() -> None:
    loaded = load_bytes(b"One line\r\nof prose.\r\n\r\nTwo\rlines.\r", "a.txt")
    assert block_texts(loaded) == ["One line of prose.", "Two lines."]


def test_control_characters_in_text_are_inert() -> None:
    loaded = load_text("Bell\x07 and \x1b[2J clear and \x9b C1 and \x7f.")
    assert loaded.text == "Bell␇ and ␛[2J clear and \ufffd C1 and ␡."


def test_naughty_strings_load() -> None:
    loaded, _ = load_path(FIXTURES / "blns.txt")
    check_invariants(loaded)
    assert "(｡◕ ∀ ◕｡)" in loaded.text
    assert "<script>alert(0)</script>" in loaded.text


def test_utf8_demo_keeps_its_drawings() -> None:
    loaded, _ = load_path(FIXTURES / "utf8_demo_excerpt.txt")
    assert loaded.metadata.title == "UTF-8 encoded sample plain-text file"
    box = next(q for q in block_texts(loaded, "quote") if q.startswith("╔"))
    assert box.split("\n")[0] == "╔══════════════════════════════════════════╗"
    assert all(line.endswith("║") or line.endswith("╝") for line in box.split("\n")[1:])


# --- Markdown ----------------------------------------------------------------------

FEATURES_MD = """\
# The Title

Some *emphasis*, **strong words**, `code()` and a [link](https://example.com).
Second line of the same paragraph.

## Lists

- first
- second with **bold**
  - nested one
    - deeper
- third

3. three
4. four

> A quote.
>
> > A nested quote.

```python
def f():
\treturn 1

    # after a blank line
```

    indented code

***

| Name | Qty |
|:-----|----:|
| apple | 3 |
| fig | 12 |

<div class="note">
raw html
</div>

<!-- an invisible comment -->

![A cat](cat.png) sits.\\
After a hard break.
"""


@pytest.fixture(scope="module")
def features() -> LoadedText:
    return load_text(FEATURES_MD, fmt="md")


def test_markdown_blocks(features: LoadedText) -> None:
    kinds = [(b.kind, b.level) for b in features.blocks]
    assert kinds == [
        ("heading", 1),
        ("paragraph", 0),
        ("heading", 2),
        ("list_item", 0),
        ("list_item", 0),
        ("list_item", 1),
        ("list_item", 2),
        ("list_item", 0),
        ("list_item", 0),
        ("list_item", 0),
        ("quote", 0),
        ("quote", 1),
        ("code", 0),
        ("code", 0),
        ("rule", 0),
        ("table", 0),
        ("code", 0),
        ("paragraph", 0),
    ]


def test_markdown_text(features: LoadedText) -> None:
    texts = block_texts(features)
    assert texts[1] == (
        "Some emphasis, strong words, code() and a link. Second line of the same paragraph."
    )
    assert texts[3:10] == [
        "• first",
        "• second with bold",
        "◦ nested one",
        "▪ deeper",
        "• third",
        "3. three",
        "4. four",
    ]
    assert texts[10:12] == ["A quote.", "A nested quote."]
    assert texts[12] == "def f():\n    return 1\n \n    # after a blank line"
    assert texts[13] == "indented code"
    assert texts[14] == "* * *"
    assert texts[15] == "Name  │ Qty\n──────┼────\napple │   3\nfig   │  12"
    assert texts[16] == '<div class="note">\nraw html\n</div>'
    assert texts[17] == "A cat sits.\nAfter a hard break."
    assert "invisible" not in features.text


def test_markdown_spans(features: LoadedText) -> None:
    assert span_texts(features, "em") == ["emphasis"]
    assert span_texts(features, "strong") == ["strong words", "bold"]
    assert span_texts(features, "code") == ["code()"]
    assert span_texts(features, "link") == ["link"]
    assert features.metadata.title == "The Title"


def test_spans_inside_a_table_follow_the_padding() -> None:
    loaded = load_text("| a | b |\n|---|--:|\n| **x** | `long value` |\n| y | *z* |\n", fmt="md")
    assert span_texts(loaded, "strong") == ["x"]
    assert span_texts(loaded, "code") == ["long value"]
    assert span_texts(loaded, "em") == ["z"]


def test_nested_spans() -> None:
    loaded = load_text("A [link with *em* inside](u) and ***both***.", fmt="md")
    assert loaded.text == "A link with em inside and both."
    assert span_texts(loaded, "link") == ["link with em inside"]
    assert span_texts(loaded, "em") == ["em", "both"]
    assert span_texts(loaded, "strong") == ["both"]


def test_list_item_with_several_paragraphs_and_code() -> None:
    loaded = load_text("1. First para.\n\n   Second para.\n\n2. ```\n   code\n   ```\n", fmt="md")
    assert [(b.kind, b.level) for b in loaded.blocks] == [
        ("list_item", 0),
        ("list_item", 0),
        ("list_item", 0),
        ("code", 0),
    ]
    assert block_texts(loaded) == ["1. First para.", "Second para.", "2.", "code"]


def test_yaml_front_matter() -> None:
    source = (
        "---\n"
        'title: "A \\"quoted\\" title"\n'
        "author:\n"
        "  - Ann Author\n"
        "  - 'Bob Writer'\n"
        "date: 2024-02-22\n"
        "tags: [python, terminals]\n"
        "description: >\n"
        "  Folded over\n"
        "  two lines.\n"
        "url: https://example.com/post  # the canonical address\n"
        "extra:\n"
        "  nested: ignored\n"
        "---\n"
        "Body text.\n"
    )
    loaded = load_text(source, fmt="md")
    meta = loaded.metadata
    assert meta.title == 'A "quoted" title'
    assert meta.authors == ["Ann Author", "Bob Writer"]
    assert meta.published == "2024-02-22"
    assert meta.tags == ["python", "terminals"]
    assert meta.description == "Folded over two lines."
    assert meta.url == "https://example.com/post"
    assert loaded.text == "Body text."
    assert loaded.notices == []


def test_tags_as_a_comma_string_and_a_single_author() -> None:
    loaded = load_text("---\nauthor: Ann\ntags: a, b ,c\n---\n# Heading\n", fmt="md")
    assert loaded.metadata.authors == ["Ann"]
    assert loaded.metadata.tags == ["a", "b", "c"]
    assert loaded.metadata.title == "Heading"


def test_toml_front_matter_fixture() -> None:
    loaded, _ = load_path(FIXTURES / "rust_blog_toml.md")
    assert loaded.metadata.title == "Changes to `u128`/`i128` layout in 1.77 and 1.78"
    assert loaded.metadata.authors == ["Trevor Gross"]
    assert "+++" not in loaded.text and "aliases" not in loaded.text
    assert block_texts(loaded)[0].startswith("Rust has long had an inconsistency with C")
    table = block_texts(loaded, "table")[0].split("\n")
    assert table[0] == "C type         │ Rust equivalent │ sizeof │ Alignment (bytes)"
    assert table[1] == "───────────────┼─────────────────┼────────┼──────────────────"
    assert table[3] == "unsigned char  │ u8              │ 1      │ 1"


def test_toml_dates_and_author_tables() -> None:
    source = '+++\ntitle = "T"\ndate = 2024-03-30\nauthors = [{name = "A"}, "B"]\n+++\nx\n'
    loaded = load_text(source, fmt="md")
    assert loaded.metadata.published == "2024-03-30"
    assert loaded.metadata.authors == ["A", "B"]


def test_yaml_front_matter_fixtures() -> None:
    go, _ = load_path(FIXTURES / "go_blog_yaml.md")
    assert go.metadata.title == "Robust generic functions on slices"
    assert go.metadata.authors == ["Valentin Deleplace"]
    assert go.metadata.published == "2024-02-22"
    assert go.metadata.description == "Avoiding memory leaks in the slices package."
    rust, _ = load_path(FIXTURES / "rust_blog_yaml.md")
    assert rust.metadata.title == (
        "Announcing `async fn` and return-position `impl Trait` in traits"
    )
    assert rust.metadata.authors == ["Tyler Mandry"]
    assert "layout: post" not in rust.text


@pytest.mark.parametrize(
    ("source", "name"),
    [
        ("+++\ntitle = \n+++\n# Real Title\n\nBody.\n", "TOML"),
        ("---\ntitle: x\nthis is not yaml\n---\n# Real Title\n\nBody.\n", "YAML"),
        ('---\ntitle: "unclosed\n---\n# Real Title\n\nBody.\n', "YAML"),
    ],
)
def test_broken_front_matter_is_skipped_with_a_notice(source: str, name: str) -> None:
    loaded = load_text(source, fmt="md")
    assert loaded.notices == [f"The {name} front matter could not be read; it was skipped."]
    assert block_texts(loaded) == ["Real Title", "Body."]
    assert loaded.metadata.title == "Real Title"


def test_a_leading_rule_is_not_front_matter() -> None:
    loaded = load_text("---\nNot a key\n---\n\nText.\n", fmt="md")
    assert loaded.notices == []
    assert "Not a key" in loaded.text


def test_front_matter_only() -> None:
    loaded = load_bytes(b"---\ntitle: Only\n---\n", fmt="md")
    assert loaded.text == ""
    assert loaded.metadata.title == "Only"
    assert loaded.notices == ["The file has no text to show."]


def test_markdown_control_characters_are_inert() -> None:
    loaded = load_text("Hi \x1b[31mred\x07\n\n```\n\x1b]52;c;x\x07\n```\n", fmt="md")
    assert block_texts(loaded) == ["Hi ␛[31mred␇", "␛]52;c;x␇"]


def test_markdown_html_is_shown_as_text() -> None:
    loaded = load_text("Press <kbd>q</kbd> to quit.\n\n<script>alert(1)</script>\n", fmt="md")
    assert block_texts(loaded) == ["Press <kbd>q</kbd> to quit.", "<script>alert(1)</script>"]


@pytest.mark.parametrize("source", [">" * 50 + " deep", "- " * 50 + "deep", "> - " * 20 + "deep"])
def test_markdown_nested_past_the_parser_limit_is_shown_as_source(source: str) -> None:
    loaded = load_text(source + "\n\nafter\n", fmt="md")
    assert "deep" in loaded.text
    assert loaded.text.endswith("after")
    assert loaded.notices == ["Some Markdown is nested too deeply and is shown as its source."]


# --- properties: never anything but LoadError, invariants always -----------------

FRAGMENTS = [
    "\n",
    "\n\n",
    "\r\n",
    " ",
    "    ",
    "\t",
    "word ",
    "Word",
    "CHAPTER I",
    "BOOK ONE: 1805",
    "Down the Rabbit-Hole",
    "* * *",
    "=====",
    "---",
    "+++",
    "title: x",
    "# ",
    "## ",
    "> ",
    "- ",
    "1. ",
    "```",
    "    code",
    "| a | b |",
    "|---|---|",
    "**",
    "*",
    "_",
    "`",
    "[link](u)",
    "![alt](i)",
    "<b>",
    "<!--",
    "\\",
    "-",
    "—",
    "\x1b[31m",
    "\x07",
    "\x85",
    "\x00",
    "\u2028",
    "é",
    "字",
    "x" * 90,
]

documents = st.lists(st.sampled_from(FRAGMENTS), max_size=60).map("".join)


@given(st.one_of(documents, st.text()), st.sampled_from(["txt", "md"]))
def test_any_text_loads_with_the_invariants(source: str, fmt: str) -> None:
    data = source.encode("utf-8")
    try:
        loaded = load_bytes(data, fmt=fmt)
    except LoadError as err:
        # The only refusal of well-formed UTF-8 is a NUL byte near the start.
        assert "\x00" in source and "binary" in str(err)
        return
    check_invariants(loaded)


@given(st.binary(), st.sampled_from(["txt", "md", None]))
def test_any_bytes_load_or_raise_load_error(data: bytes, fmt: str | None) -> None:
    try:
        loaded = load_bytes(data, fmt=fmt)
    except LoadError as err:
        message = str(err)
        assert "\n" not in message
        assert message.startswith("standard input: ")
        # A parser's own exception would read "could not be read (KeyError)": never for bytes.
        assert "could not be read (" not in message, message
        if not data.startswith((b"%PDF-", b"PK\x03\x04", b"<")):
            assert "binary" in message or "cannot be decoded" in message, message
        return
    check_invariants(loaded)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from([b"", b"%PDF-1.4\n", b"PK\x03\x04", b"<!DOCTYPE html><p>"]),
    st.binary(max_size=3000),
    st.sampled_from(["pdf", "epub", "html"]),
)
def test_any_bytes_as_a_book_or_page_load_or_raise_one_clear_line(
    head: bytes, data: bytes, fmt: str
) -> None:
    try:
        loaded = load_bytes(head + data, f"book.{fmt}")
    except LoadError as err:
        message = str(err)
        assert message.startswith(f"book.{fmt}: ") and "\n" not in message
        assert "could not be read (" not in message, message
        return
    check_invariants(loaded)


prose = st.lists(
    st.sampled_from(
        [
            "\n",
            "\n\n",
            " ",
            "    ",
            "\t",
            "word",
            "Word",
            "word-",
            "—",
            ",",
            ".",
            "é",
            "字",
            "x" * 90,
        ]
    ),
    max_size=80,
).map("".join)


@given(prose)
def test_txt_moves_whitespace_never_words(source: str) -> None:
    # (Rules, underlines and chapter titles do change characters on purpose;
    # this alphabet cannot make them.)
    loaded = load_text(source)
    assert "".join(loaded.text.split()) == "".join(make_inert(source).split())


def test_a_news_report_keeps_its_headline_apart_from_its_subtitle() -> None:
    loaded = load_bytes((FIXTURES / "news.txt").read_bytes(), "news.txt")
    assert loaded.metadata.title == "Britain to tighten asylum rules after record crossings"
    assert [(b.kind, b.level) for b in loaded.blocks[:3]] == [
        ("heading", 1),
        ("paragraph", 0),
        ("paragraph", 0),
    ]
    assert block_texts(loaded)[1] == "Government says new law will deter small-boat arrivals"
    assert block_texts(loaded)[2].startswith("LONDON, June 3 (Reuters) – Britain will tighten")
