"""What the reader looks like: SVG snapshots of its screen, compared pixel-free as text."""

from __future__ import annotations


def test_news_report_at_100_by_30(snap_compare, make_app):
    app = make_app(fixture="news.txt")
    assert snap_compare(app, terminal_size=(100, 30))


def test_markdown_blocks_with_a_search_in_paper(snap_compare, make_app, store):
    store.set_setting("theme", "margin-paper")
    app = make_app(fixture="typography.md")
    assert snap_compare(app, terminal_size=(110, 36), press=["slash", *"item", "enter", "j"])


def test_news_report_at_80_by_24_with_both_panes(snap_compare, make_app):
    app = make_app(fixture="news.txt")
    assert snap_compare(app, terminal_size=(80, 24), press=["}", "h"])


def test_news_report_at_80_by_24_in_plain_mode(snap_compare, store):
    from pathlib import Path

    from db.library import open_source
    from tui.app import MarginApp

    path = Path(__file__).parent / "fixtures" / "news.txt"
    document, loaded = open_source(store, path.read_bytes(), path=str(path), name=path.name)
    app = MarginApp(store, document, loaded, plain=True)
    keys = ["}", "h", "a", *"check", "ctrl+s", ")", ")", "h"]
    assert snap_compare(app, terminal_size=(80, 24), press=keys)
