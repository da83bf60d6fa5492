"""README.md tells the truth: its key table is the default bindings, its test command is CI's."""

from __future__ import annotations

import re
from pathlib import Path

from textual.binding import Binding

from tui.app import MarginApp
from tui.screens.reader import ReaderScreen
from tui.widgets.article import ArticleView

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


def _binding_owners() -> list[type]:
    """Every class in margin's tui package that declares bindings of its own."""
    import importlib
    import inspect
    import pkgutil

    import tui

    owners = []
    for module_info in pkgutil.walk_packages(tui.__path__, "tui."):
        module = importlib.import_module(module_info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and "BINDINGS" in vars(cls):
                owners.append(cls)
    return owners


def test_every_binding_everywhere_has_an_id():
    owners = _binding_owners()
    # The ones known to have keys: a change that stops finding them must not pass quietly.
    names = {owner.__name__ for owner in owners}
    assert {"ReaderScreen", "MarginApp", "LibraryScreen", "SearchScreen", "NoteEditor"} <= names
    for owner in owners:
        for binding in owner.BINDINGS:
            assert isinstance(binding, Binding) and binding.id, (owner.__name__, binding)


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = re.findall(r"^(python3 -m venv \.venv .*pytest.*)$", README, re.MULTILINE)
    assert len(commands) == 1
    assert "sed -n 's/^\\(python3 -m venv .venv .*pytest.*\\)$/\\1/p' README.md" in ci
    assert 'eval "$test_command"' in ci
