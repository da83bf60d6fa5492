"""Tests for the `margin` command as a user meets it: one-line errors, and a real terminal.

The error cases call ``tui.cli.main`` in-process; one run of the installed
console script proves that no traceback reaches a real stderr. The interactive
cases run margin in a pseudo-terminal, wait for words of the document to be
drawn, press ``q`` and check the exit status and the database.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import shutil
import sqlite3
import struct
import subprocess
import sys
import sysconfig
import termios
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path

import pytest

from db.library import open_source
from db.models import LoadedText
from db.store import Store
from tui.cli import UsageError, main

#: A short document whose marker words are drawn unbroken at any width used here.
DOC_TEXT = (
    "A first paragraph, short enough for one row.\n\nThe second one names periwinkle saxophones.\n"
)
#: How long a pseudo-terminal test waits for margin to draw or to exit (it takes < 1 s).
PTY_TIMEOUT_S = 20.0


# --- helpers ---------------------------------------------------------------------------------


@pytest.fixture
def db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where $MARGIN_DB points: no test may fall back to the user's real database."""
    path = tmp_path / "data" / "margin.db"
    monkeypatch.setenv("MARGIN_DB", str(path))
    return path


@pytest.fixture
def doc(tmp_path: Path) -> Path:
    path = tmp_path / "doc.txt"
    path.write_text(DOC_TEXT, encoding="utf-8")
    return path


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file and folder under ``folder`` with its bytes (None for a folder)."""
    return {
        str(path.relative_to(folder)): None if path.is_dir() else path.read_bytes()
        for path in sorted(folder.rglob("*"))
    }


def fails(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Run margin in-process; assert it failed as promised and return its one line of stderr."""
    status = main(argv)
    out, err = capsys.readouterr()
    assert status == 2
    assert out == ""
    assert err.startswith("margin: ")
    assert err.endswith("\n")
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


def make_real_db(path: Path, text: str = DOC_TEXT) -> None:
    """A margin database holding one document, closed as margin leaves it."""
    store = Store.open(path)
    try:
        open_source(store, text.encode(), path="/elsewhere/known.txt", name="known.txt")
    finally:
        store.close()


def margin_command() -> list[str]:
    """The installed `margin` console script of this interpreter, else the module."""
    script = Path(sysconfig.get_path("scripts")) / "margin"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    found = shutil.which("margin")
    if found is not None:
        return [found]
    return [sys.executable, "-m", "tui.cli"]


def child_env(db: Path) -> dict[str, str]:
    """The environment of a margin child: this one, a known terminal and the test's database."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("COLUMNS", "LINES", "NO_COLOR") and not key.startswith("TEXTUAL")
    }
    env.update(TERM="xterm-256color", MARGIN_DB=str(db))
    return env


# --- errors a user can cause: one line, status 2, nothing created or changed -------------------


def test_missing_file(tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = fails([str(tmp_path / "missing.txt")], capsys)
    assert "missing.txt: no such file" in err
    assert not db_path.parent.exists()


def test_directory(tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    err = fails([str(folder)], capsys)
    assert "folder: is a directory" in err
    assert not db_path.parent.exists()


def test_binary_file_creates_no_database(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    binary = tmp_path / "program.bin"
    binary.write_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00\x00" + bytes(range(256)) * 4)
    before = snapshot(tmp_path)
    err = fails([str(binary)], capsys)
    assert "program.bin: looks like a binary file" in err
    assert snapshot(tmp_path) == before
    assert not db_path.parent.exists()


def test_binary_file_leaves_an_existing_database_as_it_was(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_real_db(db_path)
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64)
    before = snapshot(tmp_path)
    fails([str(binary)], capsys)
    # Byte for byte, and no -wal or -shm file left beside it.
    assert snapshot(tmp_path) == before


def test_binary_standard_input_creates_no_database(
    db_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The real _read_stdin puts the terminal on fd 0, which must not happen inside pytest;
    # test_standard_input_in_a_terminal runs it for real.
    monkeypatch.setattr("tui.cli._read_stdin", lambda: b"\x00\x01\x02 not text \x00")
    err = fails(["-"], capsys)
    assert "standard input: looks like a binary file" in err
    assert not db_path.parent.exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its mode says")
def test_unreadable_file(
    tmp_path: Path, db_path: Path, doc: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc.chmod(0)
    try:
        err = fails([str(doc)], capsys)
    finally:
        doc.chmod(0o644)
    assert "doc.txt: permission denied" in err
    assert not db_path.parent.exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--bogus"], "unrecognized arguments: --bogus (see margin --help)"),
        (["second.txt"], "unrecognized arguments: second.txt (see margin --help)"),
        (["--db"], "argument --db: expected one argument (see margin --help)"),
    ],
    ids=["unknown-option", "two-paths", "db-without-path"],
)
def test_command_line_mistakes(
    extra: list[str],
    message: str,
    tmp_path: Path,
    db_path: Path,
    doc: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = snapshot(tmp_path)
    assert fails([str(doc), *extra], capsys) == f"margin: {message}\n"
    assert snapshot(tmp_path) == before


def write_not_sqlite(path: Path) -> None:
    path.write_text("Dear diary, this is not a database.\n" * 200, encoding="utf-8")


def write_truncated(path: Path) -> None:
    make_real_db(path, "Some words for a text that fills a few pages of the file. " * 2000)
    data = path.read_bytes()
    assert len(data) > 4 * 4096
    path.write_bytes(data[: len(data) // 2])


def write_newer_schema(path: Path) -> None:
    make_real_db(path)
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA user_version = 99")
        conn.commit()
    finally:
        conn.close()


def write_other_programs(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        conn.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner TEXT)")
        conn.execute("INSERT INTO accounts (owner) VALUES ('someone')")
        conn.commit()
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (write_not_sqlite, "is not a margin database (not an SQLite file)"),
        (write_truncated, "is damaged or truncated"),
        (write_newer_schema, "was made by a newer margin (schema 99"),
        (write_other_programs, "is an SQLite database, but not margin's"),
    ],
    ids=["not-sqlite", "truncated", "newer-schema", "another-programs"],
)
@pytest.mark.parametrize("given_by", ["--db", "MARGIN_DB"])
def test_bad_database_is_left_byte_identical(
    make: Callable[[Path], None],
    message: str,
    given_by: str,
    tmp_path: Path,
    doc: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bad = tmp_path / "bad.db"
    make(bad)
    before = snapshot(tmp_path)
    if given_by == "--db":
        monkeypatch.setenv("MARGIN_DB", str(tmp_path / "unused.db"))
        argv = ["--db", str(bad), str(doc)]
    else:
        monkeypatch.setenv("MARGIN_DB", str(bad))
        argv = [str(doc)]
    err = fails(argv, capsys)
    assert f"{bad} {message}" in err
    assert snapshot(tmp_path) == before


def test_bad_database_without_a_document(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`margin` alone on a bad database is refused the same way (nothing to reopen)."""
    bad = tmp_path / "bad.db"
    write_newer_schema(bad)
    before = snapshot(tmp_path)
    assert "was made by a newer margin" in fails(["--db", str(bad)], capsys)
    assert snapshot(tmp_path) == before


def test_database_folder_that_cannot_be_made(
    tmp_path: Path, doc: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("in the way\n", encoding="utf-8")
    target = blocker / "sub" / "margin.db"
    before = snapshot(tmp_path)
    err = fails(["--db", str(target), str(doc)], capsys)
    assert f"cannot create {target}" in err
    assert snapshot(tmp_path) == before


def test_database_path_that_is_a_folder(
    tmp_path: Path, doc: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "folder.db"
    folder.mkdir()
    before = snapshot(tmp_path)
    assert "is a folder, not a margin database" in fails(["--db", str(folder), str(doc)], capsys)
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("flag", ["--debug", "--deb"], ids=["debug", "abbreviated"])
def test_debug_raises_with_the_cause(
    flag: str, tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from db.documents import LoadError

    with pytest.raises(UsageError, match="no such file") as raised:
        main([flag, str(tmp_path / "missing.txt")])
    assert isinstance(raised.value.__cause__, LoadError)
    assert capsys.readouterr().err == ""
    assert not db_path.parent.exists()


def test_version(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert out == "margin 0.1.0\n"
    assert out == f"margin {metadata.version('margin')}\n"
    assert not db_path.parent.exists()


def test_help(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    out, err = capsys.readouterr()
    assert out.startswith("usage: margin ")
    for word in ("--db", "--debug", "--version", "PATH"):
        assert word in out
    assert err == ""
    assert not db_path.parent.exists()


@pytest.mark.parametrize(("code", "status"), [(0, 0), (None, 0), (1, 1)])
def test_exit_status_is_the_apps(
    code: int | None,
    status: int,
    db_path: Path,
    doc: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A crash inside the app (Textual prints it and sets return_code 1) must not exit 0."""
    runs: list[str] = []

    class FakeApp:
        def __init__(
            self, store: Store, document: object, loaded: LoadedText, **options: object
        ) -> None:
            self.text = loaded.text
            self.return_code: int | None = None
            self.load_error: str | None = None

        def run(self) -> None:
            runs.append(self.text)
            self.return_code = code

    monkeypatch.setattr("tui.app.MarginApp", FakeApp)
    assert main([str(doc)]) == status
    assert len(runs) == 1
    assert "periwinkle saxophones" in runs[0]
    assert db_path.exists()


def test_console_script_prints_one_line_without_a_traceback(tmp_path: Path) -> None:
    """The real `margin` command, as a shell runs it: one line on a real stderr, status 2."""
    db = tmp_path / "margin.db"
    result = subprocess.run(
        [*margin_command(), str(tmp_path / "missing.txt")],
        env=child_env(db),
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == b""
    assert result.stderr == f"margin: {tmp_path / 'missing.txt'}: no such file\n".encode()
    assert not db.exists()


def test_standard_input_without_a_terminal(tmp_path: Path) -> None:
    """`margin -` with no terminal to read keys from (a cron job) says so and makes nothing."""
    db = tmp_path / "margin.db"
    result = subprocess.run(
        [*margin_command(), "-"],
        env=child_env(db),
        cwd=tmp_path,
        input=DOC_TEXT.encode(),
        capture_output=True,
        timeout=60,
        check=False,
        start_new_session=True,  # no controlling terminal: /dev/tty cannot be opened
    )
    assert result.returncode == 2
    assert result.stderr == b"margin: margin - needs a terminal to read keys from\n"
    assert not db.exists()


# --- in a terminal ----------------------------------------------------------------------------

_SGR = re.compile(r"\x1b\[[0-9;:]*m")


class Terminal:
    """margin running in a pseudo-terminal: what it has drawn, and keys to send it."""

    def __init__(self, process: subprocess.Popen[bytes], master: int) -> None:
        self.process = process
        self.master = master
        self.output = b""

    @property
    def screen_text(self) -> str:
        """Everything drawn so far, colours removed so that a styled word reads whole."""
        return _SGR.sub("", self.output.decode("utf-8", errors="replace"))

    def _read(self, wait: float) -> bool:
        """Read what is there within ``wait`` seconds; False once the terminal is closed."""
        ready, _, _ = select.select([self.master], [], [], wait)
        if ready:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # EIO: every process holding the terminal has gone
                return False
            if not chunk:
                return False
            self.output += chunk
        return True

    def wait_for(self, marker: str, timeout: float = PTY_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        while marker not in self.screen_text:
            if time.monotonic() > deadline or self.process.poll() is not None:
                # Read what is left for a moment, so the failure shows margin's last words.
                end = time.monotonic() + 1.0
                while time.monotonic() < end and self._read(0.05):
                    pass
                pytest.fail(
                    f"{marker!r} not drawn (exit status {self.process.poll()}); "
                    f"the terminal shows: {self.screen_text[-2000:]!r}"
                )
            self._read(0.1)

    def press(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def exit_status(self, timeout: float = PTY_TIMEOUT_S) -> int:
        """Wait for margin to exit, reading meanwhile (a terminal that fills up would block it)."""
        deadline = time.monotonic() + timeout
        while self.process.poll() is None:
            if time.monotonic() > deadline:
                pytest.fail(
                    f"margin did not exit; the terminal shows: {self.screen_text[-2000:]!r}"
                )
            if not self._read(0.05):
                break
        return self.process.wait(timeout=max(1.0, deadline - time.monotonic()))


def _take_terminal() -> None:
    """In the child, after setsid: make the pseudo-terminal on fd 1 the controlling terminal."""
    fcntl.ioctl(1, termios.TIOCSCTTY, 0)


@contextmanager
def terminal(
    args: list[str],
    db: Path,
    cwd: Path,
    *,
    stdin: bytes | None = None,
    rows: int = 30,
    cols: int = 120,
) -> Iterator[Terminal]:
    """Run margin in a new pseudo-terminal; ``stdin``, if given, is piped in (keys still type)."""
    master, slave = os.openpty()
    process: subprocess.Popen[bytes] | None = None
    try:
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        process = subprocess.Popen(
            [*margin_command(), *args],
            stdin=slave if stdin is None else subprocess.PIPE,
            stdout=slave,
            stderr=slave,
            env=child_env(db),
            cwd=cwd,
            start_new_session=True,
            preexec_fn=_take_terminal,
        )
        os.close(slave)
        slave = -1
        if stdin is not None:
            assert process.stdin is not None
            process.stdin.write(stdin)
            process.stdin.close()
        yield Terminal(process, master)
    finally:
        if process is not None:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)
            if process.stdin is not None and not process.stdin.closed:
                process.stdin.close()
        if slave >= 0:
            os.close(slave)
        os.close(master)


@pytest.mark.slow
def test_file_in_a_terminal(tmp_path: Path, doc: Path) -> None:
    db = tmp_path / "margin.db"
    with terminal([str(doc)], db, tmp_path) as term:
        term.wait_for("periwinkle saxophones")
        term.press("q")
        assert term.exit_status() == 0
    store = Store.open(db)
    try:
        last = store.last_opened()
        assert last is not None
        assert last.path == str(doc)
        assert "periwinkle saxophones" in store.load_document(last).text
    finally:
        store.close()


@pytest.mark.slow
def test_no_argument_opens_the_tutorial_then_the_last_document(tmp_path: Path, doc: Path) -> None:
    db = tmp_path / "margin.db"
    with terminal([], db, tmp_path) as term:
        term.wait_for("Welcome to margin")
        term.press("q")
        assert term.exit_status() == 0

    with terminal([str(doc)], db, tmp_path) as term:
        term.wait_for("periwinkle saxophones")
        term.press("q")
        assert term.exit_status() == 0

    with terminal([], db, tmp_path) as term:
        term.wait_for("periwinkle saxophones")
        term.press("q")
        assert term.exit_status() == 0
        assert "Welcome to margin" not in term.screen_text


@pytest.mark.slow
def test_standard_input_in_a_terminal(tmp_path: Path) -> None:
    """`cmd | margin -`: the document comes down the pipe, the keys from the terminal."""
    db = tmp_path / "margin.db"
    piped = "Piped in from a command: marmalade archipelago.\n\nAnd a second paragraph.\n"
    with terminal(["-"], db, tmp_path, stdin=piped.encode()) as term:
        term.wait_for("marmalade archipelago")
        term.press("q")
        assert term.exit_status() == 0
    store = Store.open(db)
    try:
        last = store.last_opened()
        assert last is not None
        assert last.path is None
        assert "marmalade archipelago" in store.load_document(last).text
    finally:
        store.close()
