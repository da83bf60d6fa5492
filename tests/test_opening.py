"""Opening documents that take a while: the loading screen, errors on the way, and URLs."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from db.documents import LoadError
from db.fetch import fetch, is_url
from db.library import open_source, open_url, resolve_document
from db.store import Store
from tui.app import MarginApp
from tui.screens.loading import ErrorScreen, LoadingScreen
from tui.screens.reader import ReaderScreen

PAGE = b"""<!DOCTYPE html><html lang="en"><head><title>Local news</title></head>
<body><article><h1>Local news</h1><p>The river rose by a metre overnight, and the
town council met at dawn to decide what to do about the bridge.</p>
<p>By the afternoon the water had fallen again.</p></article></body></html>"""


@pytest.fixture
def server() -> Iterator[str]:
    """A web server on localhost: /page.html answers PAGE, /notes.txt a text, anything else 404."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            bodies = {"/page.html": (PAGE, "text/html"), "/notes.txt": (b"Plain notes.", "")}
            if self.path not in bodies:
                self.send_error(404, "Not Found")
                return
            body, media_type = bodies[self.path]
            self.send_response(200)
            self.send_header("Content-Type", media_type or "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_urls_are_told_from_paths() -> None:
    assert is_url("https://example.org/a?b=c")
    assert is_url("HTTP://example.org")
    assert not is_url("notes.txt")
    assert not is_url("ftp://example.org/x")
    assert not is_url("https://exa mple.org")


def test_a_fetched_text_is_named_for_its_loader(server: str) -> None:
    fetched = fetch(server + "/notes.txt")
    assert fetched.data == b"Plain notes."
    assert fetched.name == "notes.txt"


def test_fetch_errors_are_one_line(server: str) -> None:
    with pytest.raises(LoadError, match=r"/missing: the server answered 404 Not Found$"):
        fetch(server + "/missing")
    # Nothing listens on port 1: as when offline, the reason is said in one line.
    with pytest.raises(LoadError, match=r"^http://127\.0\.0\.1:1/x: cannot fetch it \(") as info:
        fetch("http://127.0.0.1:1/x", timeout=5)
    assert "\n" not in str(info.value)


def test_a_fetched_page_is_a_document_found_again_by_its_url(store: Store, server: str) -> None:
    url = server + "/page.html"
    document, loaded = open_url(store, url)
    assert document.path == url
    assert loaded.format == "html"
    assert "The river rose" in loaded.text
    assert resolve_document(store, url).id == document.id
    again, _ = open_url(store, url)
    assert again.id == document.id


def _opener(store: Store, tmp_path: Path, *, fail: str | None = None):
    calls: list[tuple[int, int]] = []

    def opener(progress):
        for done in range(1, 4):
            progress(done, 3)
            calls.append((done, 3))
        if fail:
            raise LoadError(fail)
        path = tmp_path / "slow.txt"
        path.write_text("A slow book.\n\nIts second paragraph.", encoding="utf-8")
        return open_source(store, path.read_bytes(), path=str(path), name=path.name)

    return opener, calls


async def test_the_loading_screen_opens_the_reader_when_done(store: Store, tmp_path: Path) -> None:
    opener, calls = _opener(store, tmp_path)
    app = MarginApp(store, loading=LoadingScreen("slow.txt", opener))
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(20):
            await pilot.pause(0.05)
            if isinstance(app.screen, ReaderScreen):
                break
        assert isinstance(app.screen, ReaderScreen)
        assert calls == [(1, 3), (2, 3), (3, 3)]
        assert app.loaded is not None and app.loaded.text.startswith("A slow book.")
        assert app.document is not None and app.document.path.endswith("slow.txt")
        assert app.load_error is None


async def test_a_failed_load_at_start_exits_with_the_message(store: Store, tmp_path: Path) -> None:
    opener, _ = _opener(store, tmp_path, fail="book.epub: is not a whole EPUB")
    app = MarginApp(store, loading=LoadingScreen("book.epub", opener))
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(20):
            await pilot.pause(0.05)
            if app.return_code is not None:
                break
    assert app.return_code == 2
    assert app.load_error == "book.epub: is not a whole EPUB"


async def test_a_failed_load_from_the_reader_shows_the_error_then_goes_back(
    store: Store, tmp_path: Path, make_app
) -> None:
    app = make_app("The book already open.")
    opener, _ = _opener(store, tmp_path, fail="bad.pdf: is not a PDF file")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        reader = app.screen
        app.push_screen(LoadingScreen("bad.pdf", opener, can_go_back=True))
        for _ in range(20):
            await pilot.pause(0.05)
            if isinstance(app.screen, ErrorScreen):
                break
        assert isinstance(app.screen, ErrorScreen)
        assert app.screen.message == "bad.pdf: is not a PDF file"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is reader
        assert app.return_code is None


def test_a_url_that_cannot_be_fetched_exits_2_and_leaves_no_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tui.cli import main

    def run_headless(app: MarginApp) -> None:
        # What the loading screen does with a failed fetch, without a terminal.
        assert app._loading is not None
        try:
            app._loading._opener(lambda done, total: None)
        except LoadError as error:
            app._loading.error = str(error)

    monkeypatch.setattr(MarginApp, "run", run_headless)
    db_path = tmp_path / "new" / "margin.db"
    assert main(["--db", str(db_path), "http://127.0.0.1:1/article"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("margin: http://127.0.0.1:1/article: cannot fetch it (")
    assert err.count("\n") == 1
    assert not db_path.exists()


def test_books_and_pages_open_on_the_loading_screen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui.cli import main

    seen: list[object] = []
    monkeypatch.setattr(MarginApp, "run", lambda app: seen.append(app._loading))
    page = tmp_path / "page.html"
    page.write_bytes(PAGE)
    text = tmp_path / "notes.txt"
    text.write_text("Notes.", encoding="utf-8")
    db = str(tmp_path / "margin.db")
    assert main(["--db", db, str(page)]) == 0
    assert main(["--db", db, str(text)]) == 0
    assert isinstance(seen[0], LoadingScreen) and seen[0].what == "page.html"
    assert seen[1] is None  # text is parsed at once


def test_the_last_book_changed_since_is_parsed_on_the_loading_screen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui.cli import main

    seen: list[object] = []
    monkeypatch.setattr(MarginApp, "run", lambda app: seen.append(app._loading))
    page = tmp_path / "page.html"
    page.write_bytes(PAGE)
    db = tmp_path / "margin.db"
    with Store.open(db) as store:
        open_source(store, PAGE, path=str(page), name=page.name)
    assert main(["--db", str(db)]) == 0  # unchanged: straight from the store
    page.write_bytes(PAGE.replace(b"a metre", b"two metres"))
    assert main(["--db", str(db)]) == 0
    assert seen[0] is None
    assert isinstance(seen[1], LoadingScreen) and seen[1].what == "page.html"


async def test_another_document_opens_in_the_reader_at_an_offset(
    store: Store, tmp_path: Path, make_app
) -> None:
    other = tmp_path / "other.txt"
    other.write_text("First paragraph.\n\nThe place to land.", encoding="utf-8")
    document, _ = open_source(store, other.read_bytes(), path=str(other), name=other.name)
    app = make_app("The book already open.")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(ErrorScreen("something over the reader"))
        await pilot.pause()
        app.open_document(document, offset=18)
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.document.id == document.id
        assert app.screen.article.cursor == 18
        assert len(app.screen_stack) == 2
        other.unlink()  # gone: the stored text still opens
        app.open_document(document)
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.article.text.endswith("The place to land.")
        assert len(app.screen_stack) == 2


async def test_a_book_with_imported_highlights_anchors_them_as_it_opens(
    store: Store, tmp_path: Path
) -> None:
    from db.imports.importer import import_books
    from db.imports.records import ImportedBook, ImportedHighlight, ParsedImport

    book = ImportedBook(
        "A Walk",
        ["Mary Rose"],
        [
            ImportedHighlight("The path went down to the river.", note="lovely", order=10),
            ImportedHighlight("Words it never had.", order=40),
        ],
    )
    import_books(store, ParsedImport("kindle", [book]))
    path = tmp_path / "walk.md"
    path.write_text("# A Walk\n\nWe set out. The path went down to the river. Cold.\n")
    document, loaded = open_source(store, path.read_bytes(), path=str(path), name=path.name)
    app = MarginApp(store, document, loaded)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        highlights = {h.quote: h for h in store.highlights(document.id)}
        placed = highlights["The path went down to the river."]
        assert placed.status != "orphan" and placed.note == "lovely"
        assert loaded.text[placed.start : placed.end] == placed.quote
        assert highlights["Words it never had."].status == "orphan"
        assert "1 orphan" in app.screen.status.message
