"""config.toml: read, checked value by value, told about, applied; and `margin config`."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from db.config import Config, config_path, is_key_name, load_config, themes_dir, to_toml
from db.library import open_source
from db.store import Store
from tui.app import MarginApp
from tui.cli import _load_config, main
from tui.configuring import TEMPLATE, known_bindings
from tui.widgets.article import ArticleView

FIXTURES = Path(__file__).parent / "fixtures"

FULL = """\
theme = "paper"
citation_style = "mla"
export_dir = "~/notes"
export_format = "csv"
measure = 72
confirm_delete = false
plain = true

[notes]
side = "left"
width = 30
hidden = true

[keys]
"reader.highlight" = "h, space"
"""


def write(tmp_path: Path, text: str, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def no_user_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # The tests' own config, never the one of whoever runs them.
    monkeypatch.setenv("MARGIN_CONFIG", str(tmp_path / "absent" / "config.toml"))


def test_no_file_is_all_defaults_and_no_problem(tmp_path):
    config = load_config(tmp_path / "none.toml")
    assert config == Config(path=tmp_path / "none.toml")
    assert config.problems == []


def test_every_setting_is_read(tmp_path):
    config = load_config(write(tmp_path, FULL))
    assert config.problems == []
    assert (config.theme, config.citation_style, config.export_dir, config.export_format) == (
        "paper",
        "mla",
        "~/notes",
        "csv",
    )
    assert (config.measure, config.confirm_delete, config.plain) == (72, False, True)
    assert (config.notes_side, config.notes_width, config.notes_hidden) == ("left", 30, True)
    assert config.keys == {"reader.highlight": "h,space"}


@pytest.mark.parametrize(
    ("line", "problem", "field", "default"),
    [
        (
            'citation_style = "harvrd"',
            'citation_style: "harvrd" is not a style (apa, mla, chicago-author-date, '
            "chicago-notes, harvard, ieee)",
            "citation_style",
            None,
        ),
        (
            "citation_style = 3",
            'citation_style: 3 is not a name (a string like "paper")',
            "citation_style",
            None,
        ),
        (
            'export_format = "pdf"',
            'export_format: "pdf" is not a format (md, json, csv, html, bibtex, csl-json)',
            "export_format",
            None,
        ),
        (
            "export_dir = []",
            'export_dir: a list is not a name (a string like "paper")',
            "export_dir",
            None,
        ),
        ("theme = true", 'theme: true is not a name (a string like "paper")', "theme", None),
        ("measure = 19", "measure: 19 is not a number of columns from 20 to 200", "measure", None),
        (
            "measure = 201",
            "measure: 201 is not a number of columns from 20 to 200",
            "measure",
            None,
        ),
        (
            'measure = "80"',
            'measure: "80" is not a number of columns from 20 to 200',
            "measure",
            None,
        ),
        (
            "measure = 72.5",
            "measure: 72.5 is not a number of columns from 20 to 200",
            "measure",
            None,
        ),
        (
            "measure = true",
            "measure: true is not a number of columns from 20 to 200",
            "measure",
            None,
        ),
        (
            'confirm_delete = "no"',
            'confirm_delete: "no" is not true or false',
            "confirm_delete",
            True,
        ),
        ("plain = 1", "plain: 1 is not true or false", "plain", False),
        ("colour = 1", "colour: unknown setting", None, None),
        ("notes = 1", "notes: must be a table ([notes])", "notes_side", "right"),
        (
            '[notes]\nside = "top"',
            '[notes] side: "top" is not a side (right, left, bottom)',
            "notes_side",
            "right",
        ),
        (
            "[notes]\nwidth = 0",
            "[notes] width: 0 is not a number from 5 to 200",
            "notes_width",
            None,
        ),
        (
            '[notes]\nhidden = "yes"',
            '[notes] hidden: "yes" is not true or false',
            "notes_hidden",
            False,
        ),
        ("[notes]\nfloat = true", "[notes] float: unknown setting", None, None),
        (
            '[keys]\n"reader.highlight" = "ctrl+bogus, x"',
            '[keys] reader.highlight: "ctrl+bogus" is not a key name',
            "keys",
            {},
        ),
        (
            '[keys]\n"reader.highlight" = 7',
            '[keys] reader.highlight: 7 is not keys (a string like "h,x")',
            "keys",
            {},
        ),
        ('[keys]\nhighlight = ""', '[keys] highlight: "" is not a key name', "keys", {}),
    ],
)
def test_a_bad_value_is_told_with_file_line_and_key_and_its_default_used(
    tmp_path, line, problem, field, default
):
    # The bad value after a good one, which must still be read.
    good = "measure = 66" if line.startswith("plain") else "plain = true"
    config = load_config(write(tmp_path, f"# my settings\n{good}\n{line}\n", "margin.toml"))
    line_of_key = 4 if line.startswith("[") else 3
    assert config.problems == [f"margin.toml line {line_of_key}: {problem}"]
    if field is not None:
        assert getattr(config, field) == default
    assert config.plain if good.startswith("plain") else config.measure == 66


def test_a_syntax_error_gives_its_line_and_all_defaults(tmp_path):
    config = load_config(write(tmp_path, 'measure = 66\ntheme = "paper\nplain = true\n'))
    assert config.problems == [
        "config.toml line 2: not valid TOML (illegal character '\\n'); margin uses its defaults"
    ]
    assert config.measure is None and config.theme is None and not config.plain


def test_a_file_that_cannot_be_read_is_a_problem_not_a_crash(tmp_path):
    folder = tmp_path / "config.toml"
    folder.mkdir()
    assert load_config(folder).problems == ["config.toml: cannot be read: is a directory"]
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"theme = '\xff'\n")
    assert load_config(binary).problems == ["binary.toml: cannot be read: not utf-8"]


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_no_text_makes_loading_raise(text):
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "config.toml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        config = load_config(path)
    assert isinstance(config, Config)
    assert all(isinstance(problem, str) and "\n" not in problem for problem in config.problems)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["theme", "measure", "plain", "notes", "keys", "citation_style", "x"]),
        st.one_of(
            st.integers(),
            st.booleans(),
            st.text(max_size=8),
            st.lists(st.integers(), max_size=2),
            st.dictionaries(st.text(max_size=5), st.one_of(st.text(max_size=5), st.integers())),
        ),
    )
)
def test_no_toml_value_makes_loading_raise(values):
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "config.toml"
        path.write_text(
            "\n".join(f"{json.dumps(key)} = {inline(value)}" for key, value in values.items()),
            encoding="utf-8",
        )
        config = load_config(path)
    assert len(config.problems) <= sum(
        max(len(value), 1) if isinstance(value, dict) else 1 for value in values.values()
    )


def inline(value: object) -> str:
    """A value written as TOML (JSON's strings, numbers and arrays are TOML's)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {inline(v)}" for k, v in value.items()) + "}"
    return json.dumps(value)


def test_margin_config_names_the_file(monkeypatch, tmp_path):
    monkeypatch.setenv("MARGIN_CONFIG", str(tmp_path / "elsewhere.toml"))
    assert config_path() == tmp_path / "elsewhere.toml"
    assert themes_dir() == tmp_path / "themes"
    write(tmp_path, "measure = 50\n", "elsewhere.toml")
    assert load_config().measure == 50
    monkeypatch.delenv("MARGIN_CONFIG")
    assert config_path().parts[-2:] == ("margin", "config.toml")


def test_key_names_are_checked_loosely():
    for key in ("h", "H", "?", "space", "ctrl+s", "shift+down", "question_mark", "f1", "slash"):
        assert is_key_name(key), key
    for key in ("", "ctrl+", "hyper+", "f25", "harvrd", "ctrl+bogus", " ", "Space"):
        assert not is_key_name(key), key
    # Every key margin binds by default passes.
    for bounds in known_bindings().values():
        for bound in bounds:
            assert all(is_key_name(key) for key in bound.keys), bound


def test_the_template_is_valid_and_sets_nothing(tmp_path):
    config = load_config(write(tmp_path, TEMPLATE))
    assert config.problems == []
    assert config == Config(path=tmp_path / "config.toml", lines=config.lines)


def test_the_effective_settings_read_back_as_the_same(tmp_path):
    config = load_config(write(tmp_path, FULL))
    again = load_config(write(tmp_path, to_toml(config), "again.toml"))
    assert again.problems == []
    for name in ("theme", "citation_style", "export_dir", "export_format", "measure", "plain"):
        assert getattr(again, name) == getattr(config, name)
    assert (again.notes_side, again.notes_width, again.keys) == ("left", 30, config.keys)


# --- at start -------------------------------------------------------------------------------


def test_each_problem_is_one_line_on_stderr_before_the_app(monkeypatch, tmp_path, capsys):
    path = write(tmp_path, 'measure = 5\n[keys]\n"reader.nothing" = "x"\n')
    monkeypatch.setenv("MARGIN_CONFIG", str(path))
    config = _load_config()
    assert capsys.readouterr().err == (
        "margin: config.toml line 1: measure: 5 is not a number of columns from 20 to 200\n"
        "margin: config.toml line 3: [keys] reader.nothing: no binding has this id "
        "(see the Keys table in the README)\n"
    )
    assert config.measure is None and len(config.problems) == 2


def app_on_news(store: Store, config: Config) -> MarginApp:
    path = FIXTURES / "news.txt"
    document, loaded = open_source(store, path.read_bytes(), path=str(path), name=path.name)
    return MarginApp(store, document, loaded, config=config)


async def test_the_measure_and_theme_apply_and_problems_are_shown(store, tmp_path):
    store.set_setting("theme", "margin-light")
    config = load_config(write(tmp_path, 'theme = "paper"\nmeasure = 40\nplain = 3\n'))
    app = app_on_news(store, config)
    assert app.theme == "margin-paper"
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        article = app.screen.query_one(ArticleView)
        assert article.measure == 40
        assert article.layout.width == 40
        [notice] = list(app._notifications)
        assert "plain: 3 is not true or false" in notice.message
        # Chosen in the palette, a theme lasts the session.
        app.theme = "margin-dark"
        await pilot.pause()
        assert app.theme == "margin-dark"


async def test_an_unknown_theme_is_a_problem_and_the_saved_one_is_used(store, tmp_path):
    store.set_setting("theme", "margin-light")
    config = load_config(write(tmp_path, '\ntheme = "neon"\n'))
    app = app_on_news(store, config)
    assert app.theme == "margin-light"
    [problem] = config.problems
    assert problem.startswith('config.toml line 2: theme: "neon" is not a theme (')


async def test_the_export_dialog_starts_from_the_config(store, tmp_path):
    from textual.widgets import Input

    from tui.screens.export import ExportDialog

    config = Config(export_format="csv", export_dir=str(tmp_path / "out"))
    app = app_on_news(store, config)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        assert dialog.fmt == "csv"
        path = Path(dialog.query_one("#export-path", Input).value)
        assert path.parent == tmp_path / "out" and path.suffix == ".csv"


async def test_the_citation_style_chosen_in_the_reader_wins_over_the_config(store):
    app = app_on_news(store, Config(citation_style="ieee"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.screen.citation_style == "ieee"
        store.set_setting("citation_style", "mla")
        assert app.screen.citation_style == "mla"


# --- margin config, and the commands that use it ---------------------------------------------


def test_config_path_prints_the_path(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("MARGIN_CONFIG", str(tmp_path / "c.toml"))
    assert main(["config", "path"]) == 0
    assert capsys.readouterr().out == f"{tmp_path / 'c.toml'}\n"


def test_config_show_prints_toml_and_problems_on_stderr(monkeypatch, tmp_path, capsys):
    path = write(tmp_path, 'measure = 70\ncitation_style = "harvrd"\n[keys]\nhighlight = "x"\n')
    monkeypatch.setenv("MARGIN_CONFIG", str(path))
    assert main(["config", "show"]) == 1
    out, err = capsys.readouterr()
    assert "measure = 70\n" in out and '"highlight" = "x"\n' in out
    assert "# citation_style = (default)\n" in out
    assert err == (
        'margin: config.toml line 2: citation_style: "harvrd" is not a style '
        "(apa, mla, chicago-author-date, chicago-notes, harvard, ieee)\n"
    )
    path.write_text("measure = 70\n", encoding="utf-8")
    assert main(["config", "show"]) == 0
    assert capsys.readouterr().err == ""


def test_config_edit_makes_the_file_from_the_template_and_opens_it(monkeypatch, tmp_path):
    target = tmp_path / "deep" / "config.toml"
    seen = tmp_path / "seen"
    editor = tmp_path / "editor.sh"
    editor.write_text(f'#!/bin/sh\necho "$1" > {seen}\n', encoding="utf-8")
    editor.chmod(editor.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("MARGIN_CONFIG", str(target))
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", str(editor))
    assert main(["config", "edit"]) == 0
    assert target.read_text(encoding="utf-8") == TEMPLATE
    assert seen.read_text(encoding="utf-8") == f"{target}\n"
    # An existing file is opened as it is; $VISUAL comes first.
    target.write_text("measure = 60\n", encoding="utf-8")
    monkeypatch.setenv("VISUAL", "true")
    monkeypatch.setenv("EDITOR", "false")
    assert main(["config", "edit"]) == 0
    assert target.read_text(encoding="utf-8") == "measure = 60\n"


def test_config_edit_without_an_editor_says_so(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("MARGIN_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    assert main(["config", "edit"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "set $VISUAL or $EDITOR" in err
    assert not (tmp_path / "config.toml").exists()


@pytest.fixture
def one_document(tmp_path: Path) -> Path:
    db = tmp_path / "m.db"
    with Store.open(db) as store:
        path = FIXTURES / "news.txt"
        open_source(store, path.read_bytes(), path=str(path), name=path.name)
    return db


def test_cite_and_export_take_their_defaults_from_the_config(
    monkeypatch, tmp_path, capsys, one_document
):
    db = str(one_document)
    assert main(["cite", "1", "--style", "ieee", "--db", db]) == 0
    ieee = capsys.readouterr().out
    assert main(["export", "1", "-f", "csv", "--db", db]) == 0
    csv = capsys.readouterr().out
    monkeypatch.setenv("MARGIN_CONFIG", str(write(tmp_path, 'citation_style = "ieee"\n')))
    assert main(["cite", "1", "--db", db]) == 0
    assert capsys.readouterr().out == ieee
    monkeypatch.setenv("MARGIN_CONFIG", str(write(tmp_path, 'export_format = "csv"\n')))
    assert main(["export", "1", "--db", db]) == 0
    assert capsys.readouterr().out == csv
    assert csv != ieee


def test_the_config_command_is_in_the_help(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "config path|show|edit" in out and "config ACTION" in out


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_an_unreadable_file_is_a_problem(tmp_path):
    path = write(tmp_path, "measure = 50\n")
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running as a user who reads every file")
        assert load_config(path).problems == ["config.toml: cannot be read: permission denied"]
    finally:
        path.chmod(0o600)


async def test_confirm_delete_false_deletes_in_the_library_at_once(store, tmp_path):
    from tui.screens.editors import ConfirmScreen
    from tui.screens.library import LibraryScreen

    other = tmp_path / "other.txt"
    other.write_text("Another document, to be deleted.\n", encoding="utf-8")
    kept, _ = open_source(store, other.read_bytes(), path=str(other), name=other.name)
    app = app_on_news(store, Config(confirm_delete=False))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        before = {document.id for document in store.documents()}
        assert kept.id in before and len(before) == 2
        await pilot.press("end", "d")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert len(store.documents()) == 1


def test_the_readme_example_config_is_valid(tmp_path):
    import re

    from tui.configuring import resolve_keymap

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```toml\n(.*?)^```$", readme, re.MULTILINE | re.DOTALL)
    # The config example, not a theme file's.
    [example] = [block for block in blocks if "\n[keys]\n" in block]
    config = load_config(write(tmp_path, example))
    assert config.problems == []
    keymap, problems = resolve_keymap(config)
    assert problems == []
    assert keymap["reader.highlight"] == "h,x" and keymap["library.tags"] == "T"
