"""Benchmark: what a terminal user waits for, through a real pseudo-terminal.

``bench/tui.py`` times the headless compositor; this one runs the real ``claimscope tui``
command in a pty (160×45, ``TERM=xterm-256color``), as an analyst's terminal runs it, and
measures:

- **first paint**: from launching the process to the document list's first frame written to
  the terminal, on a 10,000-document database (``--docs``; the median of ``--launches``);
- **key latency**: from writing a key to the pty to the last byte of the frame it caused
  (the output then stays quiet for ``--quiet`` ms, which is not counted), over a realistic
  mix of reader keys (token and line moves, next span, page down, accept, undo) on an
  8,000-character article with 135 spans; p50 / p95 / p99 and the worst.

Usage::

    python bench/tui_pty.py [--keys 200] [--docs 10000] [--launches 3] [--quiet 40]

Ends with ``RESULT key_p50_ms=… key_p95_ms=… key_p99_ms=… key_max_ms=… first_paint_s_10k=…``
(targets: key p95 ≤ 50 ms, first paint ≤ 1.0 s at 10k documents).
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import random
import select
import statistics
import struct
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotate.store import Store  # noqa: E402
from bench.store import build_database, migrate  # noqa: E402
from bench.tui import add_article  # noqa: E402

COLUMNS, ROWS = 160, 45
#: Reader keys as a terminal sends them, in the proportions an analyst presses them.
KEYS = {
    "right": b"\x1b[C",
    "down": b"\x1b[B",
    "n": b"n",
    "pagedown": b"\x1b[6~",
    "a": b"a",
    "u": b"u",
}
MIX = ["right"] * 4 + ["down"] * 2 + ["n"] * 2 + ["pagedown", "a", "u"]


class Terminal:
    """``claimscope --db DB tui`` in a pseudo-terminal of a fixed size."""

    def __init__(self, db: Path) -> None:
        self.launched = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:  # the child: the real command, as a user starts it
            os.environ.update(TERM="xterm-256color", COLUMNS=str(COLUMNS), LINES=str(ROWS))
            os.environ.pop("CI", None)
            os.chdir(ROOT)
            os.execv(sys.executable, [sys.executable, "-m", "annotate", "--db", str(db), "tui"])
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        self.seen = b""

    def read_until(self, marker: bytes, timeout: float = 60.0) -> float:
        """Read until ``marker`` has been written; returns when (perf_counter)."""
        deadline = time.perf_counter() + timeout
        while marker not in self.seen:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"no {marker!r} on the terminal within {timeout} s")
            ready, _, _ = select.select([self.fd], [], [], 0.05)
            if ready:
                self.seen += os.read(self.fd, 65536)
        return time.perf_counter()

    def settle(self, quiet: float) -> float:
        """Read until the output has been quiet for ``quiet`` seconds; returns the time of
        the last byte read (or now, when nothing came)."""
        last = time.perf_counter()
        while True:
            ready, _, _ = select.select([self.fd], [], [], quiet)
            if not ready:
                return last
            chunk = os.read(self.fd, 65536)
            if not chunk:
                return last
            last = time.perf_counter()
            self.seen = (self.seen + chunk)[-200_000:]

    def press(self, key: bytes, quiet: float) -> float:
        """Write ``key`` and return the milliseconds to the last byte of its frame."""
        sent = time.perf_counter()
        os.write(self.fd, key)
        return (self.settle(quiet) - sent) * 1000

    def close(self) -> None:
        try:
            os.write(self.fd, b"q")
            self.settle(0.3)
        except OSError:
            pass
        try:
            os.kill(self.pid, 9)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(self.fd)


def first_paint(db: Path) -> float:
    """Seconds from launch to the list's first frame on the terminal."""
    terminal = Terminal(db)
    try:
        painted = terminal.read_until(b"documents done")
        return painted - terminal.launched
    finally:
        terminal.close()


def key_latencies(db: Path, keys: int, quiet: float) -> list[float]:
    terminal = Terminal(db)
    rng = random.Random(5)
    try:
        terminal.read_until(b"documents done")
        terminal.settle(0.5)
        os.write(terminal.fd, b"\r")  # open the article
        terminal.read_until(b"pending")
        terminal.settle(0.5)
        return [terminal.press(KEYS[rng.choice(MIX)], quiet) for _ in range(keys)]
    finally:
        terminal.close()


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=200)
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--launches", type=int, default=3)
    parser.add_argument("--quiet", type=float, default=40.0, help="ms of silence ending a frame")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="claimscope-pty-bench-"))
    article = folder / "article.json"
    with Store.open(article) as store:
        add_article(store, 8_000, random.Random(3))
    latencies = key_latencies(article, args.keys, args.quiet / 1000)
    print(
        f"key → last byte through a pty ({len(latencies)} keys, 8,000-character article): "
        f"p50 {statistics.median(latencies):.1f} ms, p95 {percentile(latencies, 0.95):.1f} ms, "
        f"p99 {percentile(latencies, 0.99):.1f} ms, max {max(latencies):.1f} ms"
    )
    big = folder / "documents.json"
    build_database(big, args.docs)
    migrate(big)
    paints = sorted(first_paint(big) for _ in range(args.launches))
    median = paints[len(paints) // 2]
    print(
        f"launch → first list frame on {args.docs:,} documents: median {median:.2f} s of "
        + ", ".join(f"{p:.2f}" for p in paints)
    )
    print(
        f"RESULT key_p50_ms={statistics.median(latencies):.1f} "
        f"key_p95_ms={percentile(latencies, 0.95):.1f} "
        f"key_p99_ms={percentile(latencies, 0.99):.1f} key_max_ms={max(latencies):.1f} "
        f"first_paint_s_10k={median:.2f}"
    )


if __name__ == "__main__":
    main()
