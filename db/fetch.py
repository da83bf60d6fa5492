"""Fetching a document from the web: ``margin https://…`` reads a page, a PDF or an EPUB.

Uses the standard library only (urllib): a page is fetched once, then kept in
the store like any file, its URL standing where a path would. Every failure is
a ``LoadError`` of one line ("https://…: cannot fetch it (no network
connection)"), never a traceback.
"""

from __future__ import annotations

import os
import re
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from db import __version__
from db.documents import LoadError
from db.documents.inert import make_inert

#: Larger answers are refused: a page or a book is far smaller, a stream never ends.
MAX_BYTES = 64 * 1024 * 1024
TIMEOUT_SECONDS = 30.0
_URL = re.compile(r"https?://\S+", re.IGNORECASE)
#: Media types -> the file name suffix that picks the loader (db.documents.detect_format).
_SUFFIXES = {
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "application/pdf": ".pdf",
    "application/epub+zip": ".epub",
    "text/markdown": ".md",
    "text/x-markdown": ".md",
    "text/plain": ".txt",
}


@dataclass(frozen=True, slots=True)
class Fetched:
    """What a URL gave: its bytes, the URL after redirects, and a name that picks the loader."""

    data: bytes
    url: str
    name: str


def is_url(text: str) -> bool:
    """True for an http(s) URL, which margin fetches instead of reading a file."""
    return bool(_URL.fullmatch(text))


def fetch(url: str, *, timeout: float = TIMEOUT_SECONDS) -> Fetched:
    """Fetch ``url``; a LoadError of one line if it cannot be had."""
    label = make_inert(url).replace("\n", " ")
    request = urllib.request.Request(
        url,
        headers={
            "User-Agent": f"margin/{__version__} (terminal reader)",
            "Accept": "text/html,application/xhtml+xml,application/pdf,application/epub+zip,"
            "text/markdown;q=0.9,text/plain;q=0.8,*/*;q=0.5",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = response.read(MAX_BYTES + 1)
            final_url = response.geturl() or url
            media_type = response.headers.get_content_type()
    except urllib.error.HTTPError as error:
        raise LoadError(f"{label}: the server answered {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        raise LoadError(f"{label}: cannot fetch it ({_reason(error.reason)})") from None
    except TimeoutError:
        raise LoadError(f"{label}: cannot fetch it (no answer in {timeout:.0f} s)") from None
    except (OSError, ValueError) as error:
        raise LoadError(f"{label}: cannot fetch it ({_reason(error)})") from None
    if len(data) > MAX_BYTES:
        raise LoadError(f"{label}: is larger than {MAX_BYTES // (1024 * 1024)} MB")
    return Fetched(data=data, url=final_url, name=_name(final_url, media_type))


def _name(url: str, media_type: str) -> str:
    """A file name for the loader: the URL's own when it has a known suffix, else by media type."""
    path = urllib.parse.urlsplit(url).path
    base = os.path.basename(path.rstrip("/")) or "index"
    suffix = os.path.splitext(base)[1].lower()
    if suffix in (".html", ".htm", ".pdf", ".epub", ".md", ".txt", ".markdown", ".xhtml"):
        return base
    return base + _SUFFIXES.get(media_type, ".html")


def _reason(reason: object) -> str:
    if isinstance(reason, socket.gaierror):
        return "no network connection, or the host name is unknown"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, TimeoutError):
        return "no answer in time"
    text = str(getattr(reason, "strerror", None) or reason) or type(reason).__name__
    return make_inert(text).replace("\n", " ")
