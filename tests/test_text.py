"""Tests for db.text: sentence and word boundaries on the canonical text."""

from __future__ import annotations

import bisect
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db import text as boundaries
from db.models import BLOCK_KINDS, Block
from db.text import (
    block_index_at,
    block_sentences,
    next_sentence_start,
    prev_sentence_start,
    sentence_at,
    sentences,
    word_at,
)


def split(s: str, kind: str = "paragraph") -> list[str]:
    """The sentences of ``s`` taken as one block, as strings."""
    return [s[a:b] for a, b in sentences(s, 0, len(s), kind=kind)]


def document(*parts: str | tuple[str, str]) -> tuple[str, list[Block]]:
    """A canonical text and its blocks from block texts (or (kind, text) pairs)."""
    blocks: list[Block] = []
    pieces: list[str] = []
    pos = 0
    for part in parts:
        kind, body = ("paragraph", part) if isinstance(part, str) else part
        blocks.append(Block(kind, pos, pos + len(body)))
        pieces.append(body)
        pos += len(body) + 2
    return "\n\n".join(pieces), blocks


@contextmanager
def windowed(window: int) -> Iterator[None]:
    """Force the huge-block path (segmenting in a window) on every prose block."""
    with (
        mock.patch.object(boundaries, "_LARGE_BLOCK", 0),
        mock.patch.object(boundaries, "_WINDOW", window),
    ):
        yield


# --- real prose ---------------------------------------------------------------

# War and Peace (Maude translation, Project Gutenberg #2600), hard-wrapped as in the source.
WAR_AND_PEACE_OPENING = """\
“Well, Prince, so Genoa and Lucca are now just family estates of the
Buonapartes. But I warn you, if you don’t tell me that this means war,
if you still try to defend the infamies and horrors perpetrated by that
Antichrist—I really believe he is Antichrist—I will have nothing
more to do with you and you are no longer my friend, no longer my
‘faithful slave,’ as you call yourself! But how do you do? I see I
have frightened you—sit down and tell me all the news.”"""

WAR_AND_PEACE_ANNA = """\
It was in July, 1805, and the speaker was the well-known Anna Pávlovna
Schérer, maid of honor and favorite of the Empress Márya Fëdorovna.
With these words she greeted Prince Vasíli Kurágin, a man of high
rank and importance, who was the first to arrive at her reception. Anna
Pávlovna had had a cough for some days. She was, as she said, suffering
from la grippe; grippe being then a new word in St. Petersburg, used
only by the elite."""

WAR_AND_PEACE_HEAVENS = """\
“Heavens! what a virulent attack!” replied the prince, not in the
least disconcerted by this reception. He had just entered, wearing an
embroidered court uniform, knee breeches, and shoes, and had stars on
his breast and a serene expression on his flat face."""

WAR_AND_PEACE_MORALLY = """\
“Can one be well while suffering morally? Can one be calm in times
like these if one has any feeling?” said Anna Pávlovna. “You are
staying the whole evening, I hope?”"""

WAR_AND_PEACE_LORRAIN = """\
“He is very much altered now,” said Anna Mikháylovna. “Well, as
I was saying, Prince Vasíli is the next heir through his wife, but the
count is very fond of Pierre, looked after his education, and wrote to
the Emperor about him; so that in the case of his death—and he is
so ill that he may die at any moment, and Dr. Lorrain has come from
Petersburg—no one knows who will inherit his immense fortune, Pierre
or Prince Vasíli. Forty thousand serfs and millions of rubles! I know
it all very well for Prince Vasíli told me himself."""

WAR_AND_PEACE_MESSRS = """\
“There, you see, mon cher! I expect you know that Messrs. Speránski and
Magnítski have been deported to their proper place. Mr. Klyucharëv has
been treated in the same way, and so have others who on the plea of
building up the temple of Solomon have tried to destroy the temple of
their fatherland."""

# King James Bible, one verse per line as in the Canterbury corpus bible.txt.
GENESIS = """\
And God said, Let there be light: and there was light.
And God saw the light, that it was good: and God divided the light from the darkness.
And God called the light Day, and the darkness he called Night. And the evening and the morning were the first day.
And God said, Let there be lights in the firmament of the heaven to divide the day from the night; and let them be for signs, and for seasons, and for days, and years:
And let them be for lights in the firmament of the heaven to give light upon the earth: and it was so.
And the LORD God called unto Adam, and said unto him, Where art thou?
And he said, Who told thee that thou wast naked? Hast thou eaten of the tree, whereof I commanded thee that thou shouldest not eat?"""  # noqa: E501


def flat(s: str) -> str:
    return " ".join(s.split())


def test_war_and_peace_opening() -> None:
    assert [flat(s) for s in split(WAR_AND_PEACE_OPENING)] == [
        "“Well, Prince, so Genoa and Lucca are now just family estates of the Buonapartes.",
        "But I warn you, if you don’t tell me that this means war, if you still try to defend"
        " the infamies and horrors perpetrated by that Antichrist—I really believe he is"
        " Antichrist—I will have nothing more to do with you and you are no longer my friend,"
        " no longer my ‘faithful slave,’ as you call yourself!",
        "But how do you do?",
        "I see I have frightened you—sit down and tell me all the news.”",
    ]


def test_war_and_peace_st_petersburg_does_not_split() -> None:
    assert [flat(s) for s in split(WAR_AND_PEACE_ANNA)] == [
        "It was in July, 1805, and the speaker was the well-known Anna Pávlovna Schérer,"
        " maid of honor and favorite of the Empress Márya Fëdorovna.",
        "With these words she greeted Prince Vasíli Kurágin, a man of high rank and importance,"
        " who was the first to arrive at her reception.",
        "Anna Pávlovna had had a cough for some days.",
        "She was, as she said, suffering from la grippe; grippe being then a new word in"
        " St. Petersburg, used only by the elite.",
    ]


def test_exclamation_then_lowercase_continues_the_sentence() -> None:
    first, second = split(WAR_AND_PEACE_HEAVENS)
    assert flat(first) == (
        "“Heavens! what a virulent attack!” replied the prince, not in the least"
        " disconcerted by this reception."
    )
    assert second.startswith("He had just entered")


def test_question_inside_quotation_then_speaker() -> None:
    assert [flat(s) for s in split(WAR_AND_PEACE_MORALLY)] == [
        "“Can one be well while suffering morally?",
        "Can one be calm in times like these if one has any feeling?” said Anna Pávlovna.",
        "“You are staying the whole evening, I hope?”",
    ]


def test_titles_in_war_and_peace() -> None:
    lorrain = [flat(s) for s in split(WAR_AND_PEACE_LORRAIN)]
    assert len(lorrain) == 4
    assert "Dr. Lorrain has come from Petersburg" in lorrain[1]
    assert lorrain[2] == "Forty thousand serfs and millions of rubles!"
    messrs = [flat(s) for s in split(WAR_AND_PEACE_MESSRS)]
    assert messrs[0] == "“There, you see, mon cher!"
    assert messrs[1].startswith("I expect you know that Messrs. Speránski and Magnítski")
    assert messrs[2].startswith("Mr. Klyucharëv has been treated")


def test_genesis_verses() -> None:
    assert split(GENESIS) == [
        "And God said, Let there be light: and there was light.",
        "And God saw the light, that it was good: and God divided the light from the darkness.",
        "And God called the light Day, and the darkness he called Night.",
        "And the evening and the morning were the first day.",
        # a verse ending in ":" runs on into the next line
        "And God said, Let there be lights in the firmament of the heaven to divide the day"
        " from the night; and let them be for signs, and for seasons, and for days, and years:\n"
        "And let them be for lights in the firmament of the heaven to give light upon the"
        " earth: and it was so.",
        "And the LORD God called unto Adam, and said unto him, Where art thou?",
        "And he said, Who told thee that thou wast naked?",
        "Hast thou eaten of the tree, whereof I commanded thee that thou shouldest not eat?",
    ]


# --- abbreviations ------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "On Feb. 2 the talks resumed.",
        "Mr. and Mrs. Smith met Dr. Jones and Prof. Brown at St. Paul’s.",
        "Gen. Kutúzov and Capt. Túshin rode on.",
        "It happened in Jan. 1805 and again on Dec. 3.",
        "See No. 10 Downing Street and Vol. II of the report.",
        "Apples, pears, etc. are sold here.",
        "Some fruit (e.g. apples) and nuts, i.e. almonds.",
        "Roe v. Wade was decided then.",
        "It was Smith vs. Jones.",
        "Apple Inc. said on Tuesday that sales rose.",
        "Sammy Davis Jr. was born in Harlem.",
        "The U.S. Senate voted, and U.S. President Biden signed.",
        "Martin Luther King Jr. was born in Atlanta, Ga. in 1929.",
        "He lives in Sacramento, Calif. Gov. Newsom spoke.",
        "WASHINGTON (Reuters) – The U.S. economy grew.",
        "Er kam z.B. am 3. Oktober und vgl. S. 5 bzw. Nr. 3.",
        "Le Sr. García habló con la Sra. Pérez.",
        "M. Dupont et Mme Martin sont arrivés.",
        "MR. SMITH WENT TO ST. LOUIS.",
    ],
)
def test_abbreviations_inside_a_sentence(sentence: str) -> None:
    assert split(sentence) == [sentence]


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        # A known abbreviation that can close a sentence does so before a word
        # that usually opens one.
        (
            "He moved to the U.S. The next year he left.",
            ["He moved to the U.S.", "The next year he left."],
        ),
        (
            "They sold fruit, nuts, etc. But not bread.",
            ["They sold fruit, nuts, etc.", "But not bread."],
        ),
        ("He works at Apple Inc. He likes it.", ["He works at Apple Inc.", "He likes it."]),
        ("We met at 10 p.m. The police came.", ["We met at 10 p.m.", "The police came."]),
        ("He used Plan B. Then it failed.", ["He used Plan B.", "Then it failed."]),
        ("It ended with etc. “Enough,” she said.", ["It ended with etc.", "“Enough,” she said."]),
        # A number word ends a sentence when no number follows.
        ("“No. I won’t.”", ["“No.", "I won’t.”"]),
        ("I met Jan. He was kind.", ["I met Jan.", "He was kind."]),
        ("It came in Jan. The snow melted.", ["It came in Jan.", "The snow melted."]),
        # A quotation closed after an abbreviation ends the sentence.
        (
            "He said, “Move to the U.S.” Then he left.",
            ["He said, “Move to the U.S.”", "Then he left."],
        ),
    ],
)
def test_abbreviations_ending_a_sentence(paragraph: str, expected: list[str]) -> None:
    assert split(paragraph) == expected


def test_initials() -> None:
    assert split("J. R. R. Tolkien wrote it. George W. Bush read it.") == [
        "J. R. R. Tolkien wrote it.",
        "George W. Bush read it.",
    ]
    assert split("A. A. Milne wrote it. J.R.R. Tolkien too.") == [
        "A. A. Milne wrote it.",
        "J.R.R. Tolkien too.",
    ]


def test_the_pronoun_i_is_no_initial() -> None:
    assert split("So did I. Then we left.") == ["So did I.", "Then we left."]


# --- numbers -----------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "Growth was 3.5 percent this year.",
        "About 33, 000 people came.",
        "It cost $1.2 billion in total.",
        "Install version 2.0.1 first.",
        "We meet at 10 a.m. on Friday.",
        "The meeting ran from 9 a.m. to 5 p.m. on Monday.",
        "See example.com for details.",
    ],
)
def test_numbers_and_times_do_not_split(sentence: str) -> None:
    assert split(sentence) == [sentence]


def test_number_at_sentence_end() -> None:
    assert split("Install version 2.0.1. Then restart.") == [
        "Install version 2.0.1.",
        "Then restart.",
    ]
    assert split("He was born in 1805. The war came.") == ["He was born in 1805.", "The war came."]
    assert split("He was born in 1805. 1806 was worse.") == [
        "He was born in 1805.",
        "1806 was worse.",
    ]


def test_enumerators_at_block_start() -> None:
    assert split("1. Buy milk. Then eggs.") == ["1. Buy milk.", "Then eggs."]
    assert split("IV. The Return") == ["IV. The Return"]
    assert split("a. apples and pears") == ["a. apples and pears"]
    assert split("Steps:\n1. Mix.\n2. Bake.") == ["Steps:\n1. Mix.", "2. Bake."]


# --- quotes, brackets and runs of terminators --------------------------------


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        ("He said, “Go.” Then he left.", ["He said, “Go.”", "Then he left."]),
        ('He said, "Go." Then he left.', ['He said, "Go."', "Then he left."]),
        ("(See above.) Next comes this.", ["(See above.)", "Next comes this."]),
        (
            "It was odd (he said so). Then it stopped.",
            ["It was odd (he said so).", "Then it stopped."],
        ),
        ("What?! No way!? Yes.", ["What?!", "No way!?", "Yes."]),
        ("Wait… The door opened.", ["Wait…", "The door opened."]),
        ("Wait... The door opened.", ["Wait...", "The door opened."]),
        ("Wait . . . The door opened.", ["Wait . . .", "The door opened."]),
        ("Wait… and then nothing.", ["Wait… and then nothing."]),
        ("Wait... and then nothing.", ["Wait... and then nothing."]),
        ("Count 1, 2, 3... 10 now.", ["Count 1, 2, 3... 10 now."]),
        ("“I… I don’t know.”", ["“I… I don’t know.”"]),
        ("“Go,” he said. “Now!”", ["“Go,” he said.", "“Now!”"]),
        ("“Where?” asked he.", ["“Where?” asked he."]),
        ("“Stop!”, he cried.", ["“Stop!”, he cried."]),
        ("¿Qué pasa? ¡Nada! Bien.", ["¿Qué pasa?", "¡Nada!", "Bien."]),
        ("Quoi ? Rien ! Bon.", ["Quoi ?", "Rien !", "Bon."]),
        ("Er sagte: »Geh.« Dann ging er.", ["Er sagte: »Geh.«", "Dann ging er."]),
        (
            "`Well!' thought Alice. `After such a fall!'",
            ["`Well!' thought Alice.", "`After such a fall!'"],
        ),
    ],
)
def test_quotes_brackets_and_terminator_runs(paragraph: str, expected: list[str]) -> None:
    assert split(paragraph) == expected


def test_no_break_without_a_following_space() -> None:
    assert split("Yahoo!Inc and e.g.,this.") == ["Yahoo!Inc and e.g.,this."]


# --- news -------------------------------------------------------------------


def test_news_report() -> None:
    lede = (
        "LONDON, June 3 (Reuters) – Britain’s economy grew 0.3 percent in the first quarter, "
        "the U.K. statistics office said on Friday. The figure, released at 7 a.m. in London, "
        "beat forecasts of 0.1 percent. Shares in Lloyds Banking Group Plc rose 2.1% to 51.2 pence."
    )
    assert split(lede) == [
        "LONDON, June 3 (Reuters) – Britain’s economy grew 0.3 percent in the first quarter, "
        "the U.K. statistics office said on Friday.",
        "The figure, released at 7 a.m. in London, beat forecasts of 0.1 percent.",
        "Shares in Lloyds Banking Group Plc rose 2.1% to 51.2 pence.",
    ]
    assert split("By Jane Doe, Reuters") == ["By Jane Doe, Reuters"]
    assert split(
        "WASHINGTON, Feb. 2 (AP) — Sen. Warren, D-Mass., said no. The vote was 51-49."
    ) == [
        "WASHINGTON, Feb. 2 (AP) — Sen. Warren, D-Mass., said no.",
        "The vote was 51-49.",
    ]


# --- other scripts ---------------------------------------------------------------


def test_cjk_terminators_need_no_space() -> None:
    assert split("我爱你。你好吗？很好！谢谢") == ["我爱你。", "你好吗？", "很好！", "谢谢"]
    assert split("今日は晴れです。明日は雨です｡") == ["今日は晴れです。", "明日は雨です｡"]


def test_cjk_quotation_the_sentence_goes_on_after() -> None:
    assert split("「すごい！」と彼は言った。次だ。") == ["「すごい！」と彼は言った。", "次だ。"]
    assert split("“你好！” 他说。") == ["“你好！”", "他说。"]
    assert split("他说：“你好！”“再见！”") == ["他说：“你好！”", "“再见！”"]


def test_arabic_hindi_and_others() -> None:
    assert split("هل أنت بخير؟ نعم أنا بخير.") == ["هل أنت بخير؟", "نعم أنا بخير."]
    assert split("यह एक वाक्य है। यह दूसरा है।") == ["यह एक वाक्य है।", "यह दूसरा है।"]
    assert split("Это первое предложение. Это второе.") == [
        "Это первое предложение.",
        "Это второе.",
    ]
    assert split("Αυτό είναι. Και αυτό.") == ["Αυτό είναι.", "Και αυτό."]


# --- block kinds --------------------------------------------------------------


def test_block_kinds() -> None:
    assert split("Chapter 1. The Beginning", kind="heading") == ["Chapter 1. The Beginning"]
    assert split("* * *", kind="rule") == ["* * *"]
    assert split("def f():\n    return 1.  \n\n   x = 2. Y = 3", kind="code") == [
        "def f():",
        "return 1.",
        "x = 2. Y = 3",
    ]
    assert split("| a | b. C |\n| --- | --- |\n| 1 | 2 |", kind="table") == [
        "| a | b. C |",
        "| --- | --- |",
        "| 1 | 2 |",
    ]
    # list items and quotes are prose: they split like paragraphs
    assert split("Buy milk. Then eggs.", kind="list_item") == ["Buy milk.", "Then eggs."]
    assert split("Buy milk. Then eggs.", kind="quote") == ["Buy milk.", "Then eggs."]
    text, blocks = document(("code", "a = 1\nb = 2"))
    assert block_sentences(text, blocks[0]) == [(0, 5), (6, 11)]


# --- sentences(): shape -------------------------------------------------------------


def test_sentences_uses_absolute_offsets_and_trims() -> None:
    text = "Intro.\n\n  One. Two!  \n\nEnd."
    start = text.index("  One")
    end = text.index("\n\nEnd")
    assert sentences(text, start, end) == [(10, 14), (15, 19)]
    assert [text[a:b] for a, b in sentences(text, start, end)] == ["One.", "Two!"]


def test_sentences_of_nothing() -> None:
    assert sentences("", 0, 0) == []
    assert sentences("   \n  ", 0, 6) == []
    assert sentences("abc", 2, 1) == []
    assert sentences("abc", -5, 99) == [(0, 3)]


def test_sentences_returns_a_fresh_list() -> None:
    text = "One. Two."
    first = sentences(text, 0, len(text))
    first.clear()
    assert sentences(text, 0, len(text)) == [(0, 4), (5, 9)]


def test_cache_follows_the_text_not_its_identity() -> None:
    a = "One. Two."
    b = "Uno. Dos!"
    assert sentences(a, 0, 9) == sentences(b, 0, 9) == [(0, 4), (5, 9)]
    c = "One two. Three four."
    d = "".join(["One two", ". Three four."])  # equal text, another object
    assert c == d and c is not d
    assert sentences(c, 0, len(c)) == sentences(d, 0, len(d))
    e = "No split here at all"
    f = "No. Split here at all"
    for _ in range(2):
        assert len(sentences(e, 0, 20)) == 1
        assert len(sentences(f, 0, 21)) == 2


# --- block_index_at -------------------------------------------------------------


def test_block_index_at() -> None:
    text, blocks = document("One.", "Two.", "Three.")
    assert [block_index_at(blocks, o) for o in range(len(text) + 3)] == [
        *[0] * 4,  # "One."
        *[1] * 2,  # the gap
        *[1] * 4,  # "Two."
        *[2] * 2,  # the gap
        *[2] * 6,  # "Three."
        *[2] * 3,  # past the end: clamped
    ]
    assert block_index_at(blocks, -10) == 0
    with pytest.raises(ValueError):
        block_index_at([], 0)


# --- sentence_at ----------------------------------------------------------------


def test_sentence_at() -> None:
    text, blocks = document("One two.  Three four.  ", "# Title", "Last one.")
    one, three = (0, 8), (10, 21)
    title, last = (25, 32), (34, 43)
    assert text[slice(*three)] == "Three four." and text[slice(*title)] == "# Title"
    assert sentence_at(text, blocks, 0) == one
    assert sentence_at(text, blocks, 7) == one
    assert sentence_at(text, blocks, 8) == three  # whitespace between sentences: the next
    assert sentence_at(text, blocks, 9) == three
    assert sentence_at(text, blocks, 20) == three
    assert sentence_at(text, blocks, 22) == three  # trailing whitespace of a block: the previous
    assert sentence_at(text, blocks, 23) == title  # the gap between blocks: the next
    assert sentence_at(text, blocks, 24) == title
    assert sentence_at(text, blocks, 43) == last  # the end of the text
    assert sentence_at(text, blocks, 999) == last
    assert sentence_at(text, blocks, -5) == one


def test_sentence_at_skips_empty_blocks() -> None:
    text, blocks = document("One.", "   ", "Two.")
    assert sentence_at(text, blocks, 6) == (11, 15)  # inside the blank block: the next sentence
    text, blocks = document("One.", "   ")
    assert sentence_at(text, blocks, 7) == (0, 4)  # nothing after: the previous one
    text, blocks = document("   ")
    assert sentence_at(text, blocks, 1) == (1, 1)
    assert sentence_at("", [], 5) == (0, 0)


def test_sentence_at_heading_list_item_code_and_table() -> None:
    text, blocks = document(
        ("heading", "Part One. The Start"),
        ("list_item", "Buy milk. Then eggs."),
        ("code", "x = 1\ny = 2"),
        ("table", "| a | b |\n| 1 | 2 |"),
    )
    assert text[slice(*sentence_at(text, blocks, 3))] == "Part One. The Start"
    assert text[slice(*sentence_at(text, blocks, text.index("eggs")))] == "Then eggs."
    assert text[slice(*sentence_at(text, blocks, text.index("y =")))] == "y = 2"
    assert text[slice(*sentence_at(text, blocks, text.index("| 1")))] == "| 1 | 2 |"


# --- next / prev ---------------------------------------------------------------


def test_next_and_prev_walk_every_sentence_across_blocks() -> None:
    text, blocks = document(
        ("heading", "Chapter I"),
        WAR_AND_PEACE_OPENING,
        ("code", "a\nb"),
        "Last. Really last.",
    )
    starts = [s for b in blocks for s, _ in block_sentences(text, b)]
    walked: list[int] = []
    found = next_sentence_start(text, blocks, -1)
    while found is not None:
        walked.append(found)
        found = next_sentence_start(text, blocks, found)
    assert walked == starts
    back: list[int] = []
    found = prev_sentence_start(text, blocks, len(text))
    while found is not None:
        back.append(found)
        found = prev_sentence_start(text, blocks, found)
    assert back == starts[::-1]


def test_prev_is_vim_like() -> None:
    text, blocks = document("One two. Three four.")
    three = text.index("Three")
    assert prev_sentence_start(text, blocks, text.index("four")) == three  # inside: its start
    assert prev_sentence_start(text, blocks, three) == 0  # at its start: the previous one
    assert prev_sentence_start(text, blocks, 0) is None
    assert next_sentence_start(text, blocks, three) is None
    assert next_sentence_start(text, blocks, 0) == three
    assert next_sentence_start(text, blocks, text.index(" Three")) == three  # from the space


def test_next_and_prev_without_blocks() -> None:
    assert next_sentence_start("", [], 0) is None
    assert prev_sentence_start("", [], 0) is None


def test_motions_segment_only_the_blocks_they_touch() -> None:
    parts = [f"Sentence {i}. And another {i}." for i in range(500)]
    text, blocks = document(*parts)
    boundaries._cache.clear()
    seen: list[tuple[int, int]] = []
    real = boundaries._compute_units

    def spy(text: str, lo: int, hi: int, rule: str) -> tuple[tuple[int, int], ...]:
        seen.append((lo, hi))
        return real(text, lo, hi, rule)

    middle = blocks[250]
    with mock.patch.object(boundaries, "_compute_units", spy):
        end_of_middle = middle.end - 1
        assert next_sentence_start(text, blocks, end_of_middle) == blocks[251].start
        assert prev_sentence_start(text, blocks, middle.start) == blocks[249].start + 14
        sentence_at(text, blocks, middle.start + 3)
    assert set(seen) <= {(b.start, b.end) for b in blocks[249:252]}


def test_huge_block_is_segmented_in_a_window() -> None:
    verse = "And God saw the light, that it was good: and God divided the light. "
    body = (verse * 2_000).strip()  # ~136,000 characters in one block
    text, blocks = document("Intro.", body, "Outro.")
    start = blocks[1].start
    step = len(verse)
    offset = start + 1_000 * step + 5
    boundaries._cache.clear()
    seen: list[tuple[int, int]] = []
    real = boundaries._compute_units

    def spy(text: str, lo: int, hi: int, rule: str) -> tuple[tuple[int, int], ...]:
        seen.append((lo, hi))
        return real(text, lo, hi, rule)

    with mock.patch.object(boundaries, "_compute_units", spy):
        assert sentence_at(text, blocks, offset) == (start + 1_000 * step, start + 1_001 * step - 1)
        assert next_sentence_start(text, blocks, offset) == start + 1_001 * step
        assert prev_sentence_start(text, blocks, offset) == start + 1_000 * step
        assert prev_sentence_start(text, blocks, start + 1_000 * step) == start + 999 * step
        assert next_sentence_start(text, blocks, blocks[1].end - 3) == blocks[2].start
        assert prev_sentence_start(text, blocks, blocks[2].start) == start + 1_999 * step
        assert prev_sentence_start(text, blocks, start + 2) == start
        assert prev_sentence_start(text, blocks, start) == 0
    assert (blocks[1].start, blocks[1].end) not in seen


# --- word_at -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "offset", "word"),
    [
        ("the well-known Anna", 6, "well-known"),
        ("you don’t tell me", 6, "don’t"),
        ("you don't tell", 8, "don't"),
        ("Anna Pávlovna Schérer", 7, "Pávlovna"),
        ("grew 3.5 percent", 6, "3.5"),
        ("about 33,000 people", 8, "33,000"),
        ("cost $1.2 billion", 6, "1.2"),
        ("Это первое предложение", 5, "первое"),
        ("هل أنت بخير", 4, "أنت"),
        ("यह हिन्दी है", 5, "हिन्दी"),
        ("a snake_case name", 4, "snake_case"),
        ("Cafe\u0301 noir", 2, "Cafe\u0301"),
        ("l’entrée", 0, "l’entrée"),
        ("end. Next", 3, "end"),  # on the ".": the word just before it
        ("end. Next", 4, ""),  # on the space after "."
        ("the boys’ toys", 8, "boys"),  # a closing apostrophe is not part of the word
        ("dash — here", 5, ""),
        ("word", 4, "word"),  # the end of the text: the word before
        ("", 0, ""),
    ],
)
def test_word_at(text: str, offset: int, word: str) -> None:
    start, end = word_at(text, offset)
    assert text[start:end] == word
    assert start <= max(0, min(offset, len(text))) <= end


def test_word_at_clamps() -> None:
    assert word_at("hello", 99) == (0, 5)
    assert word_at("hello", -3) == (0, 5)


# --- properties -------------------------------------------------------------------

_PIECES = st.sampled_from(
    [
        "word", "Word", "the", "The", "He", "I", "a", "Mr.", "U.S.", "e.g.", "etc.", "No.",
        "Feb.", "J.", "3.5", "10", "a.m.", ".", "!", "?", "?!", "…", "...", ". . .", "“", "”",
        '"', "'", "’", "(", ")", "「", "」", "。", "！", "؟", "，", "—", "-", " ", " ", " ",
        "\n", "\t", "\u00a0", "é", "中文", "ß", "Ǆ", "\u0301", "`",
    ]
)  # fmt: skip
_PROSE_TEXT = st.lists(_PIECES, max_size=40).map("".join)
_ANY_TEXT = st.text(max_size=60)
_BLOCK_TEXT = st.one_of(_PROSE_TEXT, _ANY_TEXT).map(lambda s: s.replace("\n\n", "\n"))


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, list[Block]]:
    bodies = draw(st.lists(_BLOCK_TEXT, min_size=1, max_size=5))
    kinds = draw(st.lists(st.sampled_from(BLOCK_KINDS), min_size=len(bodies), max_size=len(bodies)))
    return document(*zip(kinds, bodies, strict=True))


def check_spans(text: str, lo: int, hi: int, spans: Sequence[tuple[int, int]]) -> None:
    previous_end = lo
    for s, e in spans:
        assert previous_end <= s < e <= hi
        assert not text[s].isspace() and not text[e - 1].isspace()
        assert text[previous_end:s].strip() == ""  # nothing but whitespace left out
        previous_end = e
    assert text[previous_end:hi].strip() == ""


@given(
    _BLOCK_TEXT | _ANY_TEXT, st.integers(-5, 70), st.integers(-5, 70), st.sampled_from(BLOCK_KINDS)
)
def test_sentences_property(text: str, start: int, end: int, kind: str) -> None:
    spans = sentences(text, start, end, kind=kind)
    lo = max(0, min(start, len(text)))
    hi = max(lo, min(end, len(text)))
    check_spans(text, lo, hi, spans)


def reference_starts(text: str, blocks: Sequence[Block]) -> list[int]:
    return [s for b in blocks for s, _ in block_sentences(text, b)]


def reference_sentence_at(text: str, blocks: Sequence[Block], offset: int) -> tuple[int, int]:
    units = [u for b in blocks for u in block_sentences(text, b)]
    if not units:
        o = max(0, min(offset, len(text)))
        return o, o
    for s, e in units:
        if s <= offset < e:
            return s, e
    # Not inside a sentence: the next one, unless the offset trails the last
    # sentence of its own block (then that one).
    index = block_index_at(blocks, offset)
    block = blocks[index]
    own = block_sentences(text, block)
    if own and block.start <= offset and offset >= own[-1][1]:
        return own[-1]
    later = [u for u in units if u[0] > offset]
    return later[0] if later else units[-1]


def check_motions(text: str, blocks: Sequence[Block], offset: int) -> None:
    starts = reference_starts(text, blocks)
    found = next_sentence_start(text, blocks, offset)
    i = bisect.bisect_right(starts, offset)
    assert found == (starts[i] if i < len(starts) else None)
    found = prev_sentence_start(text, blocks, offset)
    i = bisect.bisect_left(starts, offset)
    assert found == (starts[i - 1] if i else None)
    at = sentence_at(text, blocks, offset)
    assert at == reference_sentence_at(text, blocks, offset)
    if starts:
        s, e = at
        # it contains the offset, or only whitespace lies between them
        assert (
            s <= offset < e
            or text[min(offset, s) : max(offset, s)].strip() == ""
            or (text[e : max(e, offset)].strip() == "")
        )


@given(documents(), st.data())
def test_motion_properties(doc: tuple[str, list[Block]], data: st.DataObject) -> None:
    text, blocks = doc
    offset = data.draw(st.integers(-2, len(text) + 2))
    check_motions(text, blocks, offset)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(documents(), st.data(), st.integers(1, 12))
def test_windowed_segmentation_matches_the_whole(
    doc: tuple[str, list[Block]], data: st.DataObject, window: int
) -> None:
    text, blocks = doc
    offset = data.draw(st.integers(-2, len(text) + 2))
    starts = reference_starts(text, blocks)
    expected = (
        next_sentence_start(text, blocks, offset),
        prev_sentence_start(text, blocks, offset),
        sentence_at(text, blocks, offset),
    )
    with windowed(window):
        assert reference_starts(text, blocks) == starts  # sentences() never windows
        got = (
            next_sentence_start(text, blocks, offset),
            prev_sentence_start(text, blocks, offset),
            sentence_at(text, blocks, offset),
        )
    assert got == expected


@pytest.mark.parametrize(
    "paragraph",
    [
        "Go . . . . Hi!",
        "No. . . . Hi?!",
        "Wait . . . The end?! Yes… No. . . . Then. Mr. Smith. . . . Really?!” he said. Done.",
    ],
)
def test_windowed_segmentation_at_every_offset_and_width(paragraph: str) -> None:
    # A window must never start inside ". . . ." and see a shorter cluster there.
    text, blocks = document(paragraph)
    expected = [
        (
            next_sentence_start(text, blocks, o),
            prev_sentence_start(text, blocks, o),
            sentence_at(text, blocks, o),
        )
        for o in range(len(text) + 1)
    ]
    for window in range(1, 20):
        with windowed(window):
            got = [
                (
                    next_sentence_start(text, blocks, o),
                    prev_sentence_start(text, blocks, o),
                    sentence_at(text, blocks, o),
                )
                for o in range(len(text) + 1)
            ]
        assert got == expected, window


def test_windowed_segmentation_on_real_prose() -> None:
    text, blocks = document(
        WAR_AND_PEACE_OPENING, WAR_AND_PEACE_ANNA + " " + WAR_AND_PEACE_LORRAIN, GENESIS
    )
    expected = [
        (
            next_sentence_start(text, blocks, o),
            prev_sentence_start(text, blocks, o),
            sentence_at(text, blocks, o),
        )
        for o in range(len(text) + 1)
    ]
    for window in (1, 7, 64):
        with windowed(window):
            got = [
                (
                    next_sentence_start(text, blocks, o),
                    prev_sentence_start(text, blocks, o),
                    sentence_at(text, blocks, o),
                )
                for o in range(0, len(text) + 1, 5)
            ]
        assert got == expected[::5]


@given(st.text(max_size=40), st.integers(-3, 45))
def test_word_at_property(text: str, offset: int) -> None:
    start, end = word_at(text, offset)
    clamped = max(0, min(offset, len(text)))
    assert 0 <= start <= clamped <= end <= len(text)
    word = text[start:end]
    assert not any(ch.isspace() for ch in word)
    if word:
        # a word is maximal: word_at anywhere inside gives the same word
        assert all(word_at(text, i) == (start, end) for i in range(start, end))


# --- speed ---------------------------------------------------------------------------


def test_a_long_paragraph_segments_fast() -> None:
    paragraph = " ".join([WAR_AND_PEACE_ANNA, WAR_AND_PEACE_LORRAIN, WAR_AND_PEACE_OPENING])
    paragraph = (paragraph * 2)[:2_000]
    runs = 50
    began = time.perf_counter()
    for _ in range(runs):
        boundaries._compute_units(paragraph, 0, len(paragraph), "prose")
    per_call = (time.perf_counter() - began) / runs
    # Typically ~0.1 ms; the bound is loose so a busy CI machine does not flake.
    assert per_call < 0.005
