"""README.md tells the truth: its key table is the default bindings, its test command is CI's."""

from __future__ import annotations

import re
from pathlib import Path

from textual.binding import Binding

from tui.app import MarginApp
from tui.screens.editors import ConfirmScreen, NoteEditor, TagEditor
from tui.screens.help import HelpScreen
from tui.screens.reader import ReaderScreen
from tui.screens.toc import TocScreen
from tui.widgets.article import ArticleView
from tui.widgets.notes import HighlightList
from tui.widgets.searchbar import SearchBar

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")

#: Where a key name differs from what a reader types.
KEY_NAMES = {
    "right_curly_bracket": "}",
    "left_curly_bracket": "{",
    "right_parenthesis": ")",
    "left_parenthesis": "(",
    "right_square_bracket": "]",
    "left_square_bracket": "[",
    "slash": "/",
    "question_mark": "?",
}


def default_bindings() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for owner in (ArticleView, ReaderScreen, MarginApp):
        for binding in owner.BINDINGS:
            assert isinstance(binding, Binding)
            assert binding.id, f"{owner.__name__} binds {binding.key} without an id"
            keys = {KEY_NAMES.get(key, key) for key in binding.key.split(",")}
            found[binding.id] = keys
    return found


def readme_table() -> dict[str, set[str]]:
    rows = re.findall(r"^\| (.+?) \| .+? \| `([a-z0-9_.]+)` \|$", README, re.MULTILINE)
    return {ident: set(re.findall(r"`([^`]+)`", keys)) for keys, ident in rows}


def test_the_key_table_is_the_default_bindings():
    assert readme_table() == default_bindings()


def test_every_binding_everywhere_has_an_id():
    owners = (
        ArticleView,
        ReaderScreen,
        MarginApp,
        SearchBar,
        TocScreen,
        HelpScreen,
        HighlightList,
        NoteEditor,
        TagEditor,
        ConfirmScreen,
    )
    for owner in owners:
        for binding in owner.BINDINGS:
            assert isinstance(binding, Binding) and binding.id, (owner.__name__, binding)


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = re.findall(r"^(python3 -m venv \.venv .*pytest.*)$", README, re.MULTILINE)
    assert len(commands) == 1
    assert "sed -n 's/^\\(python3 -m venv .venv .*pytest.*\\)$/\\1/p' README.md" in ci
    assert 'eval "$test_command"' in ci
