"""The command palette: every action by name with its live key, and running one does it."""

from __future__ import annotations

from pathlib import Path

from textual.command import CommandList, CommandPalette
from textual.widgets import Input

from tui.palette import PathPrompt, open_path

TEXT = "First sentence here. Second sentence there.\n\nAnother paragraph follows it.\n"


def prompts(app) -> list[str]:
    commands = app.screen.query_one(CommandList)
    return [str(commands.get_option_at_index(i).prompt) for i in range(commands.option_count)]


async def open_palette(pilot, query: str = "") -> list[str]:
    await pilot.press("ctrl+p")
    await pilot.pause(0.1)
    if query:
        await pilot.press(*query)
    await pilot.pause(0.2)
    assert isinstance(pilot.app.screen, CommandPalette)
    return prompts(pilot.app)


async def test_the_palette_lists_every_action_with_its_key(make_app):
    app = make_app(TEXT)
    async with app.run_test(size=(100, 40)) as pilot:
        listed = await open_palette(pilot)
    expected = [
        "Open a file or web page…",
        "Library  o",
        "Search this document  /",
        "Search everything  ^f",
        "Export highlights  e",
        "Cite  c",
        "Cite as… (choose a style)  C",
        "Copy the quote  y",
        "Metadata  m",
        "Theme… (previews as you move)",
        "Notes pane: go to it and back  tab",
        "Help: every key  ?",
        "Contents  ^o",
        "Quit  q/^q",
    ]
    # Listed first and in this order when nothing is typed; motions and the rest follow.
    # (Showing and hiding the pane has its own key where the layout allows it.)
    named = [p for p in listed if not p.startswith("Notes pane: show or hide")]
    assert named[: len(expected)] == expected
    assert "Highlight  h" in listed
    assert "Line down  ↓/j" in listed or "Line down  j/↓" in listed


async def test_a_rebound_key_is_the_key_shown(make_app):
    app = make_app(TEXT)
    async with app.run_test(size=(100, 40)) as pilot:
        app.set_keymap({"reader.export": "x", "app.help": "f1"})
        listed = await open_palette(pilot)
    assert "Export highlights  x" in listed
    assert "Export highlights  e" not in listed
    assert "Help: every key  f1" in listed


async def test_running_a_command_by_name_does_it(make_app):
    from tui.screens.metadata import MetadataForm

    app = make_app(TEXT)
    async with app.run_test(size=(100, 40)) as pilot:
        await open_palette(pilot, "meta")
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert isinstance(app.screen, MetadataForm)


async def test_open_asks_for_a_path_and_reads_that_file(make_app, tmp_path: Path):
    other = tmp_path / "other.txt"
    other.write_text("A different document altogether.\n", encoding="utf-8")
    app = make_app(TEXT)
    async with app.run_test(size=(100, 40)) as pilot:
        # A path that is not there is told; the document stays.
        open_path(app, str(tmp_path / "missing.txt"))
        await pilot.pause(0.1)
        assert any("no such file" in n.message for n in app._notifications)
        assert app.document.path != str(tmp_path / "missing.txt")
        await open_palette(pilot, "open")
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert isinstance(app.screen, PathPrompt)
        app.screen.query_one(Input).value = str(other)
        await pilot.press("enter")
        for _ in range(20):
            await pilot.pause(0.1)
            if app.document is not None and app.document.path == str(other):
                break
        assert app.document.path == str(other)
        assert app.loaded.text.startswith("A different document")
