"""Taking text out: the clipboard (system, else OSC 52), y in the reader, the metadata form."""

from __future__ import annotations

import sys
import types

import pytest

from tui import clipboard
from tui.screens.metadata import MetadataForm
from tui.widgets.article import ArticleView


class FakeTerminal:
    def __init__(self, fails: bool = False) -> None:
        self.sent: list[str] = []
        self.fails = fails

    def copy_to_clipboard(self, text: str) -> None:
        if self.fails:
            raise OSError("no terminal")
        self.sent.append(text)


@pytest.fixture
def fake_pyperclip(monkeypatch):
    module = types.SimpleNamespace(copied=[], broken=False)

    def copy(text):
        if module.broken:
            raise RuntimeError("Pyperclip could not find a copy/paste mechanism")
        module.copied.append(text)

    module.copy = copy
    monkeypatch.setitem(sys.modules, "pyperclip", module)
    monkeypatch.delenv("SSH_CONNECTION", raising=False)
    monkeypatch.delenv("SSH_TTY", raising=False)
    return module


def test_the_system_clipboard_first(fake_pyperclip):
    terminal = FakeTerminal()
    assert clipboard.copy(terminal, "quote") == clipboard.SYSTEM
    assert fake_pyperclip.copied == ["quote"] and terminal.sent == []


def test_osc52_when_the_system_clipboard_fails(fake_pyperclip):
    fake_pyperclip.broken = True
    terminal = FakeTerminal()
    assert clipboard.copy(terminal, "quote") == clipboard.TERMINAL
    assert terminal.sent == ["quote"]


def test_osc52_first_over_ssh(fake_pyperclip, monkeypatch):
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.1 22 10.0.0.2 22")
    terminal = FakeTerminal()
    assert clipboard.copy(terminal, "quote") == clipboard.TERMINAL
    assert fake_pyperclip.copied == []


def test_a_failing_clipboard_never_raises(fake_pyperclip):
    fake_pyperclip.broken = True
    assert clipboard.copy(FakeTerminal(fails=True), "quote") == clipboard.FAILED


async def test_y_copies_the_sentence_then_the_highlight(make_app, fake_pyperclip):
    app = make_app(fixture="news.txt")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"Critics said", "enter", "escape")
        await pilot.press("y")
        assert fake_pyperclip.copied[-1] == "Critics said the plan would not work."
        assert app.screen.status.message == clipboard.SYSTEM
        await pilot.press("v", "w", "h", "y")
        assert fake_pyperclip.copied[-1] == "Critics said"


async def test_the_metadata_form_saves_and_the_title_follows(make_app, store):
    app = make_app(fixture="news.txt")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("m")
        assert isinstance(app.screen, MetadataForm)
        form = app.screen
        form.query_one("#meta-author").value = "Doe, Jane"
        form.query_one("#meta-date").value = "2024-06-03"
        form.query_one("#meta-title").value = "Asylum rules"
        await pilot.press("ctrl+s")
        assert not isinstance(app.screen, MetadataForm)
        document = store.get_document(app.screen.document.id)
        assert document.metadata.authors == ["Doe, Jane"]
        assert document.metadata.published == "2024-06-03"
        assert app.screen.status.title == "Asylum rules"
        await pilot.press("m")
        app.screen.query_one("#meta-date").value = "June 3"
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, MetadataForm)  # a bad date keeps the form open
        assert "a date is" in str(app.screen.query_one("#form-error").content)
        await pilot.press("escape")
        assert app.screen.query_one(ArticleView) is not None


async def test_c_copies_the_quote_with_its_citation(make_app, store, fake_pyperclip):
    app = make_app(fixture="news.txt")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        document = app.screen.document
        store.update_metadata(
            document.id,
            type(document.metadata)(
                title="Britain to tighten asylum rules after record crossings",
                authors=["Doe, Jane"],
                published="2024-06-03",
                publisher="Reuters",
                kind="webpage",
            ),
        )
        app.screen.document = store.get_document(document.id)
        await pilot.press("slash", *"Critics said", "enter", "escape", "h", "c")
        await app.workers.wait_for_complete()
        await pilot.pause()
        copied = fake_pyperclip.copied[-1]
        assert copied.startswith("“Critics said the plan would not work.” (Doe, 2024, para. 5)")
        assert "Reuters" in copied.split("\n", 1)[1]


async def test_the_citation_chooser_previews_and_copies(make_app, fake_pyperclip):
    from tui.screens.cite import CitationChooser

    app = make_app(fixture="news.txt")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("C")
        assert isinstance(app.screen, CitationChooser)
        chooser = app.screen
        # The dateline gave "June 3": the year is still to be filled in.
        assert "No year yet" in str(chooser.query_one("#cite-missing").render())
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Doe, J. (n.d.)" in chooser.preview
        await pilot.press("down")  # MLA
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, CitationChooser)
        assert "n.d." not in fake_pyperclip.copied[-1]  # MLA leaves an unknown date out
        assert app.screen.store.get_setting("citation_style") == "mla"


async def test_e_exports_the_document_and_remembers_the_choice(make_app, store, tmp_path):
    from tui.screens.export import ExportDialog

    app = make_app(fixture="news.txt")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("h", "e")
        assert isinstance(app.screen, ExportDialog)
        dialog = app.screen
        await pilot.press("down")  # JSON
        target = tmp_path / "out" / "news.json"
        dialog.query_one("#export-path").value = str(target)
        dialog.query_one("#export-path").focus()
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert f"Wrote {target}" in app.screen.status.message
    from db.export.w3c import parse

    [parsed] = parse(target.read_text(encoding="utf-8"))
    assert len(parsed.highlights) == 1
    assert store.get_setting("export_format") == "json"
    assert store.get_setting("export_dir") == str(target.parent)
