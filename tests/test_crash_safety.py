"""margin killed while annotating: nothing confirmed on screen is lost, the database stays sound.

Each test runs the installed ``margin`` in a pseudo-terminal, presses a seeded
random mix of annotation keys and SIGKILLs it at a random moment (right after
a key, a few milliseconds later, or once all is quiet). Then ``PRAGMA
integrity_check`` must say "ok", and the highlights must be those of the last
change whose status-line message ("Highlighted (…)", "Colour 3.", "Note
saved.", …) was read off the screen, give or take the one action the kill
interrupted; the database is also read as each message appears, and must
already hold the change it tells. Between actions ``y`` (copy) puts a message
no change gives on the status line, so two equal confirmations in a row are
told apart.
"""

from __future__ import annotations

import os
import random
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import pytest
from killing import PtyApp, Screen, margin_command

from db.store import Store
from tui.app import MarginApp
from tui.screens.editors import NoteEditor
from tui.widgets.article import ArticleView

pytestmark = pytest.mark.slow

COLUMNS, ROWS = 100, 30
#: The status line is the row above the footer.
STATUS_ROW = ROWS - 2
SEEDS = range(10)
KILLS_PER_SEED = 5
#: Seconds to wait for something the app should draw at once (generous for a loaded CI box).
PATIENCE = 20.0

WORDS = [
    *("the", "river", "ran", "past", "old", "mills", "and", "quiet", "fields", "while", "a"),
    *("heron", "stood", "in", "the", "reeds", "watching", "for", "fish", "under", "grey"),
    *("skies", "as", "boats", "drifted", "slowly", "toward", "harbour", "lights"),
]

# What the status line says, as tui/screens/reader.py and tui/clipboard.py word it.
SEPARATOR = re.compile(
    r"Sent to the terminal's clipboard \(OSC 52\)\.|Copied to the system clipboard\."
    r"|Could not copy: no clipboard is reachable\.|Nothing to copy here\."
)
HIGHLIGHTED = re.compile(r"Highlighted \((\d+) characters\)\. a: note, t: tags, u: undo")
COLOURED = re.compile(r"Colour ([1-5])\.")
DELETED = re.compile(r"Highlight deleted; u brings it back\.")
UNDONE = re.compile(r"Undid ([a-z0-9 -]+)\.")
NOTE_SAVED = re.compile(r"Note saved\.")
TAGS_SAVED = re.compile(r"Tags saved\.")
#: Answers to a key that had nothing to act on: no change.
NOTHING = re.compile(
    r"No highlight here(?:: h makes one)?\.|Nothing to undo\.|Nothing to highlight there\."
)
MESSAGES = (HIGHLIGHTED, COLOURED, DELETED, UNDONE, NOTE_SAVED, TAGS_SAVED, NOTHING, SEPARATOR)
NOTE_EDITOR = "ctrl+s: save   escape: cancel"
TAG_EDITOR = "enter: save   right arrow: complete"


def status_message(screen: Screen) -> tuple[re.Pattern[str], re.Match[str]] | None:
    row = screen.line(STATUS_ROW)
    for pattern in MESSAGES:
        found = pattern.search(row)
        if found:
            return pattern, found
    return None


def new_message(screen: Screen) -> tuple[re.Pattern[str], re.Match[str]] | None:
    """The status line's message, unless it is still the separator's (or none)."""
    message = status_message(screen)
    return None if message is None or message[0] is SEPARATOR else message


# --- the database's highlights, compared ----------------------------------------------------


class Row(NamedTuple):
    """What a highlight holds that a change could lose (not ``updated``, which undo rewrites)."""

    start: int
    end: int
    quote: str
    prefix: str
    suffix: str
    color: int
    note: str
    tags: tuple[str, ...]
    status: str
    text_hash: str


State = dict[str, Row]


def read_state(db_path: Path, doc_id: int) -> State:
    with Store.open(db_path, create=False) as store:
        return {
            h.id: Row(
                h.start,
                h.end,
                h.quote,
                h.prefix,
                h.suffix,
                h.color,
                h.note,
                tuple(h.tags),
                h.status,
                h.text_hash,
            )
            for h in store.highlights(doc_id)
        }


@dataclass(frozen=True)
class Effect:
    """One action that changes highlights, and what it may change.

    ``kind`` is "highlight" (a new one, or a merge into one of the same colour),
    "color", "delete", "note" (``text`` appended), "tags" (``text`` appended)
    or "undo" (back to ``target``, the state before the change undone). Tags typed
    may also replace the old ones: the tag editor opens with them selected.
    """

    kind: str
    color: int = 1
    text: str = ""
    target: State | None = None


def _fields(a: Row, b: Row) -> set[str]:
    return {name for name in Row._fields if getattr(a, name) != getattr(b, name)}


def _folded(tags: tuple[str, ...]) -> set[str]:
    return {t.casefold() for t in tags}


def unexplained(before: State, after: State, effect: Effect | None, *, done: bool) -> list[str]:
    """How ``after`` differs from ``before`` in ways ``effect`` cannot account for.

    With ``done`` the effect must have happened (its confirmation was on screen);
    otherwise it may also not have, or (a kill) have stopped between its writes.
    Each string names one change lost, or one that nothing asked for.
    """
    added = [i for i in after if i not in before]
    removed = [i for i in before if i not in after]
    changed = [i for i in before if i in after and before[i] != after[i]]
    problems: list[str] = []

    def stray(what: str) -> None:
        problems.append(f"{what} (effect {effect.kind if effect else 'none'})")

    if effect is None:
        for i in added:
            stray(f"highlight {i[:8]} appeared")
        for i in removed:
            stray(f"highlight {i[:8]} lost: {before[i].quote[:30]!r}")
        for i in changed:
            stray(f"highlight {i[:8]} changed {sorted(_fields(before[i], after[i]))}")
        return problems
    if effect.kind == "undo":
        assert effect.target is not None
        target = effect.target
        for i in sorted(set(before) | set(after) | set(target)):
            old, new, goal = before.get(i), after.get(i), target.get(i)
            if new == goal or (new == old and not done):
                continue
            if (
                not done
                and old is not None
                and new is not None
                and goal is not None
                # Undo puts the fields back, then the tags: a kill may fall in between.
                and all(getattr(new, f) in (getattr(old, f), getattr(goal, f)) for f in Row._fields)
            ):
                continue
            stray(f"highlight {i[:8]} is {new} after undo; it was {old}, undo gives {goal}")
        return problems
    if effect.kind == "highlight":
        return problems + _unexplained_highlight(before, after, effect, added, removed, changed)
    # colour, delete, note, tags: one highlight, one field
    for i in added:
        stray(f"highlight {i[:8]} appeared")
    if effect.kind == "delete":
        for i in changed:
            stray(f"highlight {i[:8]} changed {sorted(_fields(before[i], after[i]))}")
        if len(removed) > 1 or (done and len(removed) != 1):
            stray(f"{len(removed)} highlights deleted")
        return problems
    for i in removed:
        stray(f"highlight {i[:8]} lost: {before[i].quote[:30]!r}")
    if len(changed) > 1 or (done and effect.kind in ("note", "tags") and len(changed) != 1):
        stray(f"{len(changed)} highlights changed")
    for i in changed:
        old, new = before[i], after[i]
        if effect.kind == "color":
            ok = _fields(old, new) == {"color"} and new.color == effect.color
        elif effect.kind == "note":
            ok = _fields(old, new) == {"note"} and new.note == old.note + effect.text
        else:
            ok = _fields(old, new) == {"tags"} and new.tags in (
                (*old.tags, effect.text),
                (effect.text,),
            )
        if not ok:
            stray(f"{effect.kind} made {old} into {new}")
    return problems


def _unexplained_highlight(
    before: State,
    after: State,
    effect: Effect,
    added: list[str],
    removed: list[str],
    changed: list[str],
) -> list[str]:
    """A new highlight, or one of its colour grown over it and the others it touched."""
    problems = []
    if added:
        if len(added) > 1 or removed or changed:
            problems.append(f"h added {added}, deleted {removed} and changed {changed}")
        for i in added:
            if after[i].color != effect.color or after[i].status != "exact":
                problems.append(f"h made {after[i]}")
        return problems
    if len(changed) > 1:
        problems.append(f"h changed {len(changed)} highlights")
    for i in changed:
        old, new = before[i], after[i]
        if not (
            old.color == new.color == effect.color
            and new.start <= old.start
            and new.end >= old.end
            and old.note.strip() in new.note
            and _folded(old.tags) <= _folded(new.tags)
        ):
            problems.append(f"a merge lost part of {i[:8]}: {old} became {new}")
    for i in removed:
        gone = before[i]
        # Absorbed only into one of its colour over it that took its note and tags.
        if not any(
            after[k].start <= gone.start
            and after[k].end >= gone.end
            and gone.color == effect.color
            and gone.note.strip() in after[k].note
            and _folded(gone.tags) <= _folded(after[k].tags)
            for k in after
            if k != i
        ):
            problems.append(f"highlight {i[:8]} lost in a merge: {gone}")
    return problems


# --- one margin, driven and killed ----------------------------------------------------------


def write_document(path: Path, rng: random.Random) -> None:
    paragraphs = []
    for _ in range(30):
        sentences = []
        for _ in range(rng.randint(2, 5)):
            words = [rng.choice(WORDS) for _ in range(rng.randint(5, 14))]
            sentences.append(" ".join(words).capitalize() + ".")
        paragraphs.append(" ".join(sentences))
    path.write_text("A River Story\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")


@dataclass
class Tally:
    kills: int = 0
    survived: int = 0
    confirmed: int = 0
    lost: int = 0
    #: Kills that fell on an action not yet confirmed, and how many of those it had written.
    interrupted: int = 0
    written: int = 0
    #: Numbers the notes and tags typed, so each is new.
    serial: int = 0
    problems: list[str] = field(default_factory=list)


class KilledRun:
    """One margin process: random actions, each confirmed off the screen, then SIGKILL."""

    def __init__(
        self, app: PtyApp, db_path: Path, doc_id: int, rng: random.Random, tally: Tally
    ) -> None:
        self.app = app
        self.db_path = db_path
        self.doc_id = doc_id
        self.rng = rng
        self.tally = tally
        self.confirmed = read_state(db_path, doc_id)
        #: The states before each change this session, for what `u` goes back to.
        self.undo: list[State] = []
        #: The action sent but not yet confirmed, which a kill may interrupt.
        self.pending: Effect | None = None
        #: What was done so far, for a failure to tell.
        self.log: list[str] = []

    def fail(self, what: str) -> None:
        pytest.fail(f"{what}\nkeys: {' '.join(self.log)}\n--- screen ---\n{self.app.screen.text()}")

    def message(self) -> str:
        found = status_message(self.app.screen)
        return found[1].group(0) if found is not None else ""

    def await_message(self, shown: str) -> tuple[re.Pattern[str], re.Match[str]]:
        """The next message on the status line: neither the separator's nor ``shown``."""

        def news(screen: Screen) -> bool:
            found = status_message(screen)
            return found is not None and found[0] is not SEPARATOR and found[1].group(0) != shown

        if not self.app.wait_for(news, PATIENCE):
            self.fail(f"no message on the status line after {shown!r}")
        found = status_message(self.app.screen)
        assert found is not None
        return found

    def separate(self) -> None:
        """Make the status line say something no action says, so the next message is news."""
        found = status_message(self.app.screen)
        if found is not None and found[0] is SEPARATOR:
            return
        self.app.send("y")
        if not self.app.wait_for(
            lambda s: (m := status_message(s)) is not None and m[0] is SEPARATOR, PATIENCE
        ):
            self.fail("y gave no message")

    def confirm(self, pattern: re.Pattern[str], found: re.Match[str]) -> None:
        """A message is on screen: the database must show what it says (or no change)."""
        now = read_state(self.db_path, self.doc_id)
        effect = None if pattern is NOTHING else self.pending
        if pattern is UNDONE and (effect is None or effect.kind != "undo"):
            self.fail(f"{found.group(0)!r} with nothing to undo")
        problems = unexplained(self.confirmed, now, effect, done=effect is not None)
        if pattern is HIGHLIGHTED and not any(
            len(row.quote) == int(found.group(1)) for row in now.values()
        ):
            problems.append(f"no highlight of {found.group(1)} characters")
        if problems:
            self.fail(f"on screen {found.group(0)!r}, but in the database: {problems}")
        if effect is not None:
            if effect.kind == "undo":
                self.undo.pop()
            else:
                self.undo.append(self.confirmed)
            self.tally.confirmed += 1
        elif found.group(0) == "Nothing to undo." and self.undo:
            self.fail(f"nothing to undo after {len(self.undo)} changes")
        self.confirmed = now
        self.pending = None

    def drawn(self, typed: str) -> None:
        """Wait until ``typed`` shows in the editor: its keys were taken."""
        if not self.app.wait_for(lambda s: typed in s.text(), PATIENCE):
            self.fail(f"{typed!r} typed but not shown")

    # Each action yields right after each key it sends: where a kill may fall.

    def action(self, kind: str) -> Iterator[None]:
        if kind == "move":
            self.app.send(self.rng.choice("jjjjkk "))
            yield
            return
        self.separate()
        shown = self.message()
        if kind == "note":
            yield from self.note(shown)
            return
        if kind == "tags":
            yield from self.tags(shown)
            return
        if kind == "highlight":
            self.pending, key = Effect("highlight"), "h"
        elif kind == "color":
            color = self.rng.randint(1, 5)
            self.pending, key = Effect("color", color=color), str(color)
        elif kind == "delete":
            self.pending, key = Effect("delete"), "d"
        else:
            self.pending = Effect("undo", target=self.undo[-1]) if self.undo else None
            key = "u"
        self.app.send(key)
        yield
        self.confirm(*self.await_message(shown))

    def note(self, shown: str) -> Iterator[None]:
        # With no highlight under the cursor, `a` highlights the sentence first.
        self.pending = Effect("highlight")
        self.app.send("a")
        yield
        if not self.app.wait_for(
            lambda s: NOTE_EDITOR in s.text() or new_message(s) is not None, PATIENCE
        ):
            self.fail("a opened no note editor")
        if NOTE_EDITOR not in self.app.screen.text():
            # The message can be drawn a frame before the editor; with none, it was
            # "Nothing to highlight there.", or the cursor was on the space after the
            # sentence (see test_a_between_two_sentences_opens_the_note_editor).
            self.app.wait_for(lambda s: NOTE_EDITOR in s.text(), 1.0)
        self.app.settle()
        if NOTE_EDITOR not in self.app.screen.text():
            self.confirm(*self.await_message(shown))
            return
        if read_state(self.db_path, self.doc_id) != self.confirmed:
            self.confirm(*self.await_message(shown))  # the sentence it highlighted
        self.pending = None
        self.tally.serial += 1
        typed = f"n{self.tally.serial}."
        for at in range(0, len(typed), 2):
            self.app.send(typed[at : at + 2])
            yield
        # ctrl+s is a priority key: it would save before the note area took the keys
        # still queued for it (see test_keys_typed_just_before_ctrl_s_are_saved).
        self.drawn(typed)
        shown = self.message()
        self.pending = Effect("note", text=typed)
        self.app.send("\x13")  # ctrl+s
        yield
        pattern, found = self.await_message(shown)
        if pattern is not NOTE_SAVED:
            self.fail(f"ctrl+s gave {found.group(0)!r}")
        self.confirm(pattern, found)

    def tags(self, shown: str) -> Iterator[None]:
        self.app.send("t")
        yield
        if not self.app.wait_for(
            lambda s: TAG_EDITOR in s.text() or new_message(s) is not None, PATIENCE
        ):
            self.fail("t opened no tag editor")
        if TAG_EDITOR not in self.app.screen.text():
            self.confirm(*self.await_message(shown))  # "No highlight here: h makes one."
            return
        self.tally.serial += 1
        tag = f"tag{self.tally.serial}z"
        # The tags are selected once the field has focus, and typing would replace them:
        # `end` keeps them (mostly: a key that acts through a binding can come after
        # printable keys sent with it, so the comparison takes either).
        self.app.settle()
        self.app.send("\x1b[F")
        self.app.settle()
        self.app.send(" " + tag)
        yield
        self.drawn(tag)
        self.pending = Effect("tags", text=tag)
        self.app.send("\r")
        yield
        pattern, found = self.await_message(shown)
        if pattern is not TAGS_SAVED:
            self.fail(f"enter gave {found.group(0)!r}")
        self.confirm(pattern, found)

    def run(self) -> None:
        """Some actions, then the kill: at once after a key, a moment later, or all being quiet."""
        rng = self.rng
        kinds = ["move"] * 6 + ["highlight"] * 5 + ["color"] * 3 + ["note"] * 2
        kinds += ["tags"] * 2 + ["delete"] * 2 + ["undo"] * 3
        actions = [rng.choice(kinds) for _ in range(rng.randint(0, 9))]
        # The last one changes something, so that the kill may fall in its writes.
        actions.append(rng.choice([kind for kind in kinds if kind != "move"]))
        when = rng.choice(["at once", "soon", "soon", "quiet"])
        # After which key of the last action the kill comes: a note takes four or so (a,
        # the note in pieces, ctrl+s), tags three; past its last, the kill follows its
        # confirmation.
        kill_after = -1 if when == "quiet" else 0
        if actions[-1] in ("note", "tags") and kill_after == 0:
            kill_after = rng.randint(0, 4)
        for number, kind in enumerate(actions):
            last = number == len(actions) - 1
            self.log.append(kind)
            keys = self.action(kind)
            for sent, _ in enumerate(keys):
                if last and sent == kill_after:
                    keys.close()
                    break
        if when == "soon":
            self.app.wait(rng.uniform(0, 0.04))
        elif when == "quiet":
            self.app.settle()
            self.app.wait(rng.uniform(0, 0.3))


def integrity(db_path: Path) -> str:
    conn = sqlite3.connect(db_path)
    try:
        return "; ".join(row[0] for row in conn.execute("PRAGMA integrity_check"))
    finally:
        conn.close()


def start_margin(doc: Path, db_path: Path) -> tuple[PtyApp, int]:
    """margin reading ``doc`` in a pseudo-terminal, its first screen drawn, and the document id."""
    env = {
        **os.environ,
        "TERM": "xterm-256color",
        "MARGIN_DB": str(db_path),
        # Copies go to the terminal (OSC 52), never to the machine's clipboard.
        "SSH_CONNECTION": "127.0.0.1 1 127.0.0.1 2",
        "COLUMNS": str(COLUMNS),
        "LINES": str(ROWS),
    }
    app = PtyApp([*margin_command(), str(doc)], env, columns=COLUMNS, rows=ROWS, cwd=doc.parent)
    if not app.wait_for(
        lambda s: "¶" in s.line(STATUS_ROW) and "Wrapping" not in s.line(STATUS_ROW), PATIENCE
    ):
        app.kill()
        pytest.fail(f"margin did not start:\n{app.screen.text()}\n{bytes(app.output)!r}")
    with Store.open(db_path, create=False) as store:
        found = store.find_by_path(str(doc))
    assert found is not None
    return app, found.id


def kill_rounds(tmp_path: Path, seed: int, rounds: int) -> Tally:
    rng = random.Random(seed)
    doc = tmp_path / "river.txt"
    write_document(doc, rng)
    db_path = tmp_path / "margin.db"
    tally = Tally()
    for _ in range(rounds):
        app, doc_id = start_margin(doc, db_path)
        with app:
            run = KilledRun(app, db_path, doc_id, rng, tally)
            run.run()
            status = app.kill()
        tally.kills += 1
        assert status == -9, f"margin exited by itself ({status}) before the kill"
        checked = integrity(db_path)
        after = read_state(db_path, doc_id)
        lost = unexplained(run.confirmed, after, run.pending, done=False)
        tally.lost += len(lost)
        if run.pending is not None:
            tally.interrupted += 1
            tally.written += after != run.confirmed
        tally.problems += lost
        if checked != "ok":
            tally.problems.append(f"integrity_check: {checked}")
        else:
            tally.survived += not lost
    return tally


@pytest.mark.parametrize("seed", SEEDS)
def test_a_killed_margin_loses_nothing_it_confirmed(tmp_path: Path, seed: int) -> None:
    started = time.monotonic()
    tally = kill_rounds(tmp_path, seed, KILLS_PER_SEED)
    print(
        f"\ncrash safety, seed {seed}: {tally.survived}/{tally.kills} kills survived, "
        f"{tally.confirmed} confirmed changes, {tally.lost} lost; {tally.interrupted} kills "
        f"during a change ({tally.written} of them written), "
        f"{time.monotonic() - started:.1f} s"
    )
    assert tally.problems == []
    assert tally.survived == tally.kills == KILLS_PER_SEED


def test_keys_typed_just_before_ctrl_s_are_saved(tmp_path: Path) -> None:
    # As a burst arrives over a slow SSH link, or while the app was busy for a moment.
    doc = tmp_path / "river.txt"
    write_document(doc, random.Random(0))
    db_path = tmp_path / "margin.db"
    app, doc_id = start_margin(doc, db_path)
    with app:
        app.send("a")
        assert app.wait_for(lambda s: NOTE_EDITOR in s.text(), PATIENCE)
        app.settle()
        app.send("Check the date\x13")
        assert app.wait_for(lambda s: NOTE_EDITOR not in s.text(), PATIENCE)
        app.settle()
        notes = [row.note for row in read_state(db_path, doc_id).values()]
    assert notes == ["Check the date"]


# --- found while driving margin ----------------------------------------------------------------


async def test_a_between_two_sentences_opens_the_note_editor(
    make_app: Callable[..., MarginApp],
) -> None:
    app = make_app("One sentence here. Two more words.\n")
    async with app.run_test(size=(COLUMNS, ROWS)) as pilot:
        await pilot.pause()
        app.screen.query_one(ArticleView).move_cursor(len("One sentence here."))
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, NoteEditor)


# --- the comparison itself --------------------------------------------------------------------


def _row(
    start: int, end: int, *, color: int = 1, note: str = "", tags: tuple[str, ...] = ()
) -> Row:
    return Row(start, end, "q" * (end - start), "", "", color, note, tags, "exact", "h")


def test_a_lost_change_is_told_and_an_interrupted_one_is_not() -> None:
    before = {"a": _row(0, 5, note="kept"), "b": _row(10, 20, color=2)}
    assert unexplained(before, before, None, done=False) == []
    # The kill fell before the delete was written, or after: both fine; losing both is not.
    assert unexplained(before, {"a": before["a"]}, Effect("delete"), done=False) == []
    assert unexplained(before, before, Effect("delete"), done=False) == []
    assert len(unexplained(before, {}, Effect("delete"), done=False)) == 1
    # A confirmed note that is gone is a lost change.
    assert unexplained(before, {**before, "a": _row(0, 5)}, None, done=False) != []
    # A merge may absorb a highlight of its colour only into one that keeps its note.
    merged = {"b": before["b"], "a": _row(0, 9, note="kept")}
    grown = {**before, "c": _row(6, 9)}
    assert unexplained(grown, merged, Effect("highlight"), done=False) == []
    dropped = {"b": before["b"], "a": _row(0, 9)}
    assert unexplained(grown, dropped, Effect("highlight"), done=False) != []
    # Undo goes back to its target, or (killed) stops at one of the two.
    undone = {"a": before["a"]}
    assert unexplained(before, undone, Effect("undo", target=undone), done=True) == []
    assert unexplained(before, before, Effect("undo", target=undone), done=False) == []
    assert unexplained(before, before, Effect("undo", target=undone), done=True) != []
    recoloured = {**before, "b": before["b"]._replace(color=4)}
    assert unexplained(before, recoloured, Effect("color", color=4), done=True) == []
    assert unexplained(before, recoloured, Effect("color", color=3), done=True) != []
