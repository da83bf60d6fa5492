"""Keys rebound in the config: they work, help shows them, clashes and unknown ids are told."""

from __future__ import annotations

from pathlib import Path

from db.config import Config, load_config
from db.library import open_source
from tui.app import MarginApp
from tui.configuring import known_bindings, resolve_keymap
from tui.screens.help import HelpScreen

FIXTURES = Path(__file__).parent / "fixtures"


def config_from(tmp_path: Path, text: str) -> Config:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def app_with(store, config: Config) -> MarginApp:
    path = FIXTURES / "news.txt"
    document, loaded = open_source(store, path.read_bytes(), path=str(path), name=path.name)
    return MarginApp(store, document, loaded, config=config)


def help_rows(app: MarginApp) -> dict[str, dict[str, str]]:
    assert isinstance(app.screen, HelpScreen)
    return {title: {does: keys for keys, does in rows} for title, rows in app.screen.sections}


async def test_a_rebound_key_highlights_and_the_old_one_does_not(store, tmp_path):
    config = config_from(tmp_path, '[keys]\nhighlight = "x"\n')
    assert config.problems == []
    app = app_with(store, config)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        document_id = app.screen.document.id
        await pilot.press("h")
        await pilot.pause()
        assert store.highlights(document_id) == []
        await pilot.press("x")
        await pilot.pause()
        [highlight] = store.highlights(document_id)
        assert highlight.quote
        await pilot.press("question_mark")
        rows = help_rows(app)
        assert rows["Reading"]["Highlight"] == "x"


async def test_help_lists_every_context_with_its_live_keys(store, tmp_path):
    config = config_from(
        tmp_path, '[keys]\n"library.sort" = "S"\n"notes.jump" = "o,enter"\n"note.save" = "f2"\n'
    )
    assert config.problems == []
    app = app_with(store, config)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        rows = help_rows(app)
        assert next(iter(rows)) == "Reading"
        assert rows["Library (o)"]["Sort"] == "S"
        assert rows["Library (o)"]["Delete"] == "d"
        assert rows["Notes pane (tab to it)"]["Jump to it"] == "o ⏎"
        assert rows["Dialogs"]["Note editor: Save"] == "f2"
        assert rows["Search"]["Next result"] == "↓"
        assert rows["Everywhere"]["Quit"] == "q"


async def test_the_rebound_library_key_works_there(store, tmp_path):
    from tui.screens.library import LibraryScreen

    config = config_from(tmp_path, '[keys]\n"reader.library" = "L"\n')
    app = app_with(store, config)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        assert not isinstance(app.screen, LibraryScreen)
        await pilot.press("L")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)


def test_a_clash_in_one_context_names_both_ids_and_the_line(tmp_path):
    config = config_from(tmp_path, 'theme = "dark"\n\n[keys]\n"reader.highlight" = "d"\n')
    keymap, problems = resolve_keymap(config)
    assert keymap == {"reader.highlight": "d"}
    assert problems == [
        'config.toml line 4: [keys] "d" is both reader.delete and reader.highlight in the reader'
    ]


def test_a_clash_with_a_punctuation_key_shows_the_character(tmp_path):
    config = config_from(tmp_path, '[keys]\n"reader.highlight" = "/"\n')
    _, problems = resolve_keymap(config)
    assert problems == [
        'config.toml line 2: [keys] "/" is both reader.highlight and reader.search in the reader'
    ]


def test_the_same_key_in_different_contexts_is_no_clash(tmp_path):
    # The library's d and the reader's x never act at once.
    config = config_from(tmp_path, '[keys]\n"reader.delete" = "x"\n"library.delete" = "x"\n')
    assert resolve_keymap(config)[1] == []


def test_space_for_highlight_clashes_with_the_page_key(tmp_path):
    config = config_from(tmp_path, '[keys]\nhighlight = "h,space"\n')
    assert resolve_keymap(config)[1] == [
        'config.toml line 2: [keys] "space" is both reader.highlight and reader.page_down '
        "in the reader"
    ]


def test_a_swap_of_two_keys_is_no_clash(tmp_path):
    config = config_from(tmp_path, '[keys]\n"reader.highlight" = "d"\n"reader.delete" = "h"\n')
    assert resolve_keymap(config) == ({"reader.highlight": "d", "reader.delete": "h"}, [])


def test_the_defaults_have_no_clash():
    assert resolve_keymap(Config())[1] == []
    assert resolve_keymap(Config(keys={"reader.highlight": "h"}))[1] == []


def test_an_unknown_binding_id_is_a_problem(tmp_path):
    config = config_from(tmp_path, '[keys]\nhighlight = "x"\n"reader.hilite" = "y"\n')
    keymap, problems = resolve_keymap(config)
    assert keymap == {"reader.highlight": "x"}
    assert problems == [
        "config.toml line 3: [keys] reader.hilite: no binding has this id "
        "(see the Keys table in the README)"
    ]


def test_a_name_alone_rebinds_it_in_every_context(tmp_path):
    config = config_from(tmp_path, '[keys]\ndelete = "x"\n')
    keymap, problems = resolve_keymap(config)
    assert keymap == {"library.delete": "x", "reader.delete": "x"}
    assert problems == []


def test_a_keys_subtable_names_the_context(tmp_path):
    config = config_from(tmp_path, '[keys.reader]\nhighlight = "x"\n')
    assert config.keys == {"reader.highlight": "x"}
    assert resolve_keymap(config) == ({"reader.highlight": "x"}, [])


def test_every_binding_id_is_known():
    known = known_bindings()
    assert {"reader.highlight", "notes.jump", "library.delete", "search.open", "app.quit"} <= set(
        known
    )
    assert known["reader.page_down"][0].keys == ("space", "pagedown")
