"""Themes: user theme files, the high-contrast theme, the previewing chooser, and NO_COLOR."""

from __future__ import annotations

from pathlib import Path

from textual.color import Color
from textual.command import CommandList

from db.config import Config
from db.library import open_source
from tui.app import MarginApp
from tui.palette import ThemePalette
from tui.themes import VARIABLE_DEFAULTS, builtin_themes, colourless, user_themes
from tui.widgets.article import ArticleView

GOOD = """
name = "my-theme"
dark = true
primary = "#88aaff"
background = "#101010"
foreground = "#eeeeee"

[variables]
margin-highlight-1 = "#553300"
"""

BAD = {
    "broken.toml": 'name = "x"\nprimary = "#ffffff\n',
    "nameless.toml": 'primary = "#ffffff"\n',
    "badcolour.toml": (
        'name = "bad-colour"\nprimary = "#ffffff"\n[variables]\nmargin-cursor = "sky"\n'
    ),
    "spaces.toml": 'name = "two words"\nprimary = "#ffffff"\n',
    "notbool.toml": 'name = "not-bool"\nprimary = "#ffffff"\ndark = "yes"\n',
}


def make(store, tmp_path: Path, config: Config | None = None) -> MarginApp:
    path = tmp_path / "doc.txt"
    path.write_text(
        "First sentence here. Second sentence there.\n\n"
        "Another paragraph with a word apple in it, and one more apple after.\n",
        encoding="utf-8",
    )
    document, loaded = open_source(store, path.read_bytes(), path=str(path), name=path.name)
    return MarginApp(store, document, loaded, config=config)


def config_with_themes(tmp_path: Path, files: dict[str, str]) -> Config:
    folder = tmp_path / "config" / "themes"
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return Config(path=tmp_path / "config" / "config.toml")


def test_a_user_theme_is_registered_and_missing_variables_fall_back(store, tmp_path):
    app = make(store, tmp_path, config_with_themes(tmp_path, {"mine.toml": GOOD}))
    assert "my-theme" in app.available_themes
    app.theme = "my-theme"
    variables = app.get_css_variables()
    assert variables["margin-highlight-1"] == "#553300"
    # Not in the file: margin's defaults.
    assert variables["margin-cursor"] == VARIABLE_DEFAULTS["margin-cursor"]
    assert variables["margin-search-match"] == VARIABLE_DEFAULTS["margin-search-match"]


def test_bad_theme_files_are_each_reported_and_skipped(tmp_path):
    config = config_with_themes(tmp_path, {**BAD, "mine.toml": GOOD, "readme.txt": "not a theme"})
    themes, problems = user_themes(config.path.parent / "themes")
    assert [theme.name for theme in themes] == ["my-theme"]
    assert len(problems) == len(BAD)
    for name in BAD:
        (line,) = [p for p in problems if f"{name}:" in p]
        assert "\n" not in line and line.endswith("theme skipped")
    by_file = {name: next(p for p in problems if name in p) for name in BAD}
    assert "not valid TOML" in by_file["broken.toml"]
    assert "needs a name" in by_file["nameless.toml"]
    assert "margin-cursor = 'sky' is not a colour" in by_file["badcolour.toml"]
    assert "letters, digits" in by_file["spaces.toml"]
    assert "true or false" in by_file["notbool.toml"]


async def test_the_app_starts_despite_bad_themes_and_tells_them(store, tmp_path):
    app = make(store, tmp_path, config_with_themes(tmp_path, {**BAD, "mine.toml": GOOD}))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "my-theme" in app.available_themes
        assert "bad-colour" not in app.available_themes
        told = "\n".join(n.message for n in app._notifications)
    for name in BAD:
        assert name in told


def test_no_themes_folder_is_no_problem(tmp_path):
    assert user_themes(tmp_path / "nowhere") == ([], [])


def _luminance(value: str) -> float:
    def channel(c: int) -> float:
        c8 = c / 255
        return c8 / 12.92 if c8 <= 0.03928 else ((c8 + 0.055) / 1.055) ** 2.4

    color = Color.parse(value)
    return 0.2126 * channel(color.r) + 0.7152 * channel(color.g) + 0.0722 * channel(color.b)


def _contrast(a: str, b: str) -> float:
    low, high = sorted((_luminance(a), _luminance(b)))
    return (high + 0.05) / (low + 0.05)


def test_every_built_in_theme_defines_every_margin_variable():
    themes = {theme.name: theme for theme in builtin_themes()}
    assert {"margin-dark", "margin-light", "margin-paper", "margin-contrast"} <= set(themes)
    for theme in themes.values():
        assert set(VARIABLE_DEFAULTS) <= set(theme.variables), theme.name


def test_the_contrast_theme_keeps_text_readable_on_every_mark():
    theme = next(t for t in builtin_themes() if t.name == "margin-contrast")
    assert theme.foreground is not None and theme.background is not None
    assert _contrast(theme.foreground, theme.background) >= 15
    for n in range(1, 6):
        assert _contrast(theme.foreground, theme.variables[f"margin-highlight-{n}"]) >= 7
    for name in ("margin-search-match", "margin-selection", "margin-cursor-line"):
        assert _contrast(theme.foreground, theme.variables[name]) >= 7
    # The cursor draws the background colour on the cursor colour.
    assert _contrast(theme.background, theme.variables["margin-cursor"]) >= 7


async def test_the_chooser_previews_and_remembers_only_the_choice(store, tmp_path):
    app = make(store, tmp_path, config_with_themes(tmp_path, {"mine.toml": GOOD}))
    async with app.run_test(size=(100, 40)) as pilot:
        app.search_themes()
        await pilot.pause(0.2)
        assert isinstance(app.screen, ThemePalette)
        commands = app.screen.query_one(CommandList)
        names = [
            str(commands.get_option_at_index(i).prompt).split()[0]
            for i in range(commands.option_count)
        ]
        # The theme in use first, then margin's, the user's, then Textual's.
        assert names[:5] == [
            "margin-dark",
            "margin-contrast",
            "margin-light",
            "margin-paper",
            "my-theme",
        ]
        assert "textual-dark" in names
        await pilot.press("down")
        await pilot.pause(0.1)
        assert app.theme == "margin-contrast"
        await pilot.press("down")
        await pilot.pause(0.1)
        assert app.theme == "margin-light"
        assert store.get_setting("theme") is None  # shown, not chosen
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert app.theme == "margin-dark"
        assert store.get_setting("theme") is None
        app.search_themes()
        await pilot.pause(0.2)
        await pilot.press("down", "down", "down", "down")
        await pilot.pause(0.1)
        assert app.theme == "my-theme"
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert not isinstance(app.screen, ThemePalette)
        assert app.theme == "my-theme"
    assert store.get_setting("theme") == "my-theme"


# -- without colour ----------------------------------------------------------------


def _styled(strip, text: str):
    return next(segment.style for segment in strip if segment.text == text)


async def _marked_rows(app: MarginApp, pilot):
    """Highlight the first sentence, search "apple", and move the cursor off the match."""
    await pilot.press("h")
    await pilot.press("slash", *"apple", "enter")
    await pilot.press("w", "w")
    await pilot.pause()
    article = app.screen.query_one(ArticleView)
    return article.render_line(0), article.render_line(2)


async def test_no_color_tells_highlight_cursor_and_matches_apart(store, tmp_path, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make(store, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.no_color
        first, third = await _marked_rows(app, pilot)
    highlight = _styled(first, "First sentence here.")
    current_match = _styled(third, "apple")
    cursor = _styled(third, "i")  # the cursor went on by two words: on "in"
    assert highlight.underline and not highlight.reverse and not highlight.bold
    assert current_match.reverse and current_match.bold and not current_match.underline
    assert cursor.reverse and cursor.underline
    assert len({highlight, current_match, cursor}) == 3
    # The gutter says which of the five colours the highlight is.
    assert list(first)[1].text == "1 "


def test_when_margin_draws_without_colour():
    assert colourless({"NO_COLOR": "1"}, "truecolor", tty=True)
    assert colourless({"NO_COLOR": "yes"}, "256", tty=False)
    # Empty is not set (no-color.org).
    assert not colourless({"NO_COLOR": ""}, "truecolor", tty=True)
    # A terminal with no colours (TERM=dumb gives no colour system) counts only for real.
    assert colourless({}, None, tty=True)
    assert not colourless({}, None, tty=False)
    assert not colourless({}, "standard", tty=True)


def test_an_empty_no_color_is_not_set(store, tmp_path, monkeypatch):
    from textual.filter import Monochrome, NoColor

    monkeypatch.setenv("NO_COLOR", "")
    app = make(store, tmp_path)
    assert not app.no_color
    assert not [f for f in app._filters if isinstance(f, NoColor | Monochrome)]
    monkeypatch.setenv("NO_COLOR", "1")
    app = make(store, tmp_path)
    assert app.no_color
    assert [f for f in app._filters if isinstance(f, NoColor | Monochrome)]


def test_no_color_at_80_by_24(snap_compare, store, tmp_path, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make(store, tmp_path)
    keys = ["h", "a", *"why", "ctrl+s", "slash", *"apple", "enter", "w", "w"]
    assert snap_compare(app, terminal_size=(80, 24), press=keys)
