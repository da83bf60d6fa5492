"""A program run in a pseudo-terminal, with the screen it draws, for tests that kill it.

:class:`PtyApp` starts a command on a pty of a fixed size, sends it keys and
keeps a :class:`Screen` up to date from what it writes, so that a test can wait
for text to appear and SIGKILL the process at a moment of its choosing. The
screen understands just what Textual writes (cursor moves, erasing, text) and
skips colours, modes and OSC strings: no terminal emulator package is needed.
"""

from __future__ import annotations

import codecs
import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import time
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def margin_command() -> list[str]:
    """The installed ``margin`` script beside this Python, else the module run by it."""
    script = Path(sys.executable).with_name("margin")
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-m", "tui.cli"]


def _width(char: str) -> int:
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


class Screen:
    """The cells of a terminal, as far as cursor moves, erases and text make them."""

    def __init__(self, columns: int, rows: int) -> None:
        self.columns = columns
        self.rows = rows
        self.cells = [[" "] * columns for _ in range(rows)]
        self.x = 0
        self.y = 0
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        # An escape sequence cut off at the end of one read, finished by the next.
        self._pending = ""

    def line(self, y: int) -> str:
        return "".join(self.cells[y])

    def text(self) -> str:
        return "\n".join(self.line(y) for y in range(self.rows))

    def feed(self, data: bytes) -> None:
        chunk = self._pending + self._decoder.decode(data)
        self._pending = ""
        i, n = 0, len(chunk)
        while i < n:
            char = chunk[i]
            if char == "\x1b":
                end = self._escape_end(chunk, i)
                if end is None:
                    self._pending = chunk[i:]
                    return
                self._escape(chunk[i:end])
                i = end
                continue
            if char == "\r":
                self.x = 0
            elif char == "\n":
                self.y = min(self.rows - 1, self.y + 1)
            elif char == "\b":
                self.x = max(0, self.x - 1)
            elif char >= " ":
                self._put(char)
            i += 1

    def _put(self, char: str) -> None:
        width = _width(char)
        if width == 0:
            return
        if 0 <= self.y < self.rows and 0 <= self.x < self.columns:
            self.cells[self.y][self.x] = char
            if width == 2 and self.x + 1 < self.columns:
                self.cells[self.y][self.x + 1] = ""
        self.x = min(self.columns, self.x + width)

    @staticmethod
    def _escape_end(chunk: str, i: int) -> int | None:
        """Where the escape sequence starting at ``i`` ends, or None if it is not all here."""
        if i + 1 >= len(chunk):
            return None
        kind = chunk[i + 1]
        if kind == "[":
            j = i + 2
            while j < len(chunk):
                if "\x40" <= chunk[j] <= "\x7e":
                    return j + 1
                j += 1
            return None
        if kind in "]P_^":
            # A string ended by BEL or ST (ESC \).
            j = i + 2
            while j < len(chunk):
                if chunk[j] == "\x07":
                    return j + 1
                if chunk[j] == "\x1b":
                    if j + 1 >= len(chunk):
                        return None
                    if chunk[j + 1] == "\\":
                        return j + 2
                j += 1
            return None
        if kind in "()*+#%":
            return i + 3 if i + 2 < len(chunk) else None
        return i + 2

    def _escape(self, sequence: str) -> None:
        if not sequence.startswith("\x1b[") or sequence[2:3] in "?<=>":
            return  # modes, queries, charsets, OSC: nothing drawn
        final, body = sequence[-1], sequence[2:-1]
        numbers = [int(p) if p.isdigit() else 0 for p in body.split(";")] if body else []

        def arg(index: int, default: int) -> int:
            value = numbers[index] if index < len(numbers) else 0
            return value or default

        if final in "Hf":
            self.y = min(self.rows - 1, arg(0, 1) - 1)
            self.x = min(self.columns - 1, arg(1, 1) - 1)
        elif final == "A":
            self.y = max(0, self.y - arg(0, 1))
        elif final == "B":
            self.y = min(self.rows - 1, self.y + arg(0, 1))
        elif final == "C":
            self.x = min(self.columns - 1, self.x + arg(0, 1))
        elif final == "D":
            self.x = max(0, self.x - arg(0, 1))
        elif final == "G":
            self.x = min(self.columns - 1, arg(0, 1) - 1)
        elif final == "d":
            self.y = min(self.rows - 1, arg(0, 1) - 1)
        elif final == "K":
            row, mode = self.cells[self.y], numbers[0] if numbers else 0
            span = {0: range(self.x, self.columns), 1: range(min(self.x + 1, self.columns))}
            for x in span.get(mode, range(self.columns)):
                row[x] = " "
        elif final == "J":
            mode = numbers[0] if numbers else 0
            if mode in (2, 3):
                self.cells = [[" "] * self.columns for _ in range(self.rows)]
            elif mode == 0:
                for x in range(self.x, self.columns):
                    self.cells[self.y][x] = " "
                for y in range(self.y + 1, self.rows):
                    self.cells[y] = [" "] * self.columns


class PtyApp:
    """A command running in a pseudo-terminal of ``columns`` x ``rows``, and its screen."""

    def __init__(
        self,
        argv: Sequence[str],
        env: Mapping[str, str],
        *,
        columns: int = 100,
        rows: int = 30,
        cwd: Path | None = None,
    ) -> None:
        self.screen = Screen(columns, rows)
        master, slave = os.openpty()
        # The size is the slave's: the program reads it from its stdout.
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        try:
            self.process = subprocess.Popen(
                list(argv),
                stdin=slave,
                stdout=slave,
                stderr=slave,
                env=dict(env),
                cwd=cwd or REPO,
                # Its own session, so that the pty becomes its controlling terminal.
                start_new_session=True,
                close_fds=True,
            )
        except BaseException:
            os.close(master)
            raise
        finally:
            os.close(slave)
        self._master: int | None = master
        os.set_blocking(master, False)
        self.output = bytearray()

    @property
    def pid(self) -> int:
        return self.process.pid

    def pump(self, timeout: float = 0.0) -> bool:
        """Read what the program wrote, waiting up to ``timeout`` for the first of it.

        Returns at once when something was there; False once the program has gone.
        """
        if self._master is None:
            return False
        ready, _, _ = select.select([self._master], [], [], timeout)
        if not ready:
            return True
        while True:
            try:
                data = os.read(self._master, 65536)
            except BlockingIOError:
                return True
            except OSError:  # EIO: the program closed the terminal (it exited)
                return False
            if not data:
                return False
            self.output += data
            self.screen.feed(data)

    def wait(self, seconds: float) -> None:
        """Read what the program writes for ``seconds``."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if not self.pump(left):
                return

    def settle(self, quiet: float = 0.08, timeout: float = 10.0) -> bool:
        """Read until the program has written nothing for ``quiet`` seconds (False: it kept on)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            before = len(self.output)
            if not self.pump(quiet) or len(self.output) == before:
                return True
        return False

    def wait_for(self, found: Callable[[Screen], bool], timeout: float = 10.0) -> bool:
        """Read until ``found(screen)`` holds (True) or ``timeout`` passes (False)."""
        deadline = time.monotonic() + timeout
        while True:
            if found(self.screen):
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            if not self.pump(min(left, 0.05)) and not found(self.screen):
                # Gone: nothing more will be drawn.
                return found(self.screen)

    def send(self, keys: str | bytes) -> None:
        assert self._master is not None
        data = keys.encode("utf-8") if isinstance(keys, str) else keys
        while data:
            try:
                written = os.write(self._master, data)
            except BlockingIOError:
                # The program is not reading: drain its output so it can go on.
                self.pump(0.01)
                continue
            data = data[written:]

    def kill(self) -> int:
        """SIGKILL the program and reap it; its exit status (-9 when the kill did it)."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        status = self.process.wait(timeout=10)
        self.close()
        return status

    def close(self) -> None:
        if self._master is not None:
            os.close(self._master)
            self._master = None

    def __enter__(self) -> PtyApp:
        return self

    def __exit__(self, *_: object) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.close()
