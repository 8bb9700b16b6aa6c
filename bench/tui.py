"""Benchmark: key → repaint latency in the reader, and start-up time on a large database.

Headless with ``App.run_test``. For an 8k- and an 80k-character article (spans at the same
density: 135 and 1,350, plus claims) it presses a realistic mix of keys — token moves, next
span, page down, accept and undo — and measures, per key, the time from sending the key to the
end of the screen update it caused (Textual's frame pacing is lifted with TEXTUAL_FPS so the
figure is the work, not the wait for the next frame). Start-up: a fresh process runs the app on
a 10,000-document database (five launches) and on a 100,000-document one (three) and reports
the time from process start to the first painted list, and from Enter on the last document to
its reader painted.

    python bench/tui.py [--keys 300] [--docs 10000] [--large 100000 | --large 0]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TEXTUAL_FPS", "1000")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from textual import events  # noqa: E402
from textual.app import App  # noqa: E402
from textual.message import Message  # noqa: E402
from textual.screen import Screen  # noqa: E402

from annotate.io.seed import parse_article  # noqa: E402
from annotate.model import (  # noqa: E402
    Claim,
    ClaimKind,
    DocMeta,
    Document,
    EntitySpan,
    Offsets,
    OriginKind,
    SpanStatus,
    text_hash,
)
from annotate.store import Store  # noqa: E402
from annotate.store.files import database_files  # noqa: E402
from bench.store import build_database, migrate  # noqa: E402

LABELS = ("PERSON", "ORG", "GPE", "DATE", "CARDINAL", "NORP")
SPANS_PER_80K = 1_350


def article_text(characters: int) -> str:
    seed = parse_article((ROOT / "corpora" / "ani-2021-05-30.txt").read_text("utf-8"), "s").text
    paragraphs = [p for p in seed.split("\n\n") if p.strip()]
    out: list[str] = []
    total = 0
    number = 0
    while total < characters:
        paragraph = f"{paragraphs[number % len(paragraphs)]} ({number})"
        out.append(paragraph)
        total += len(paragraph) + 2
        number += 1
    return "\n\n".join(out)[:characters]


def add_article(store: Store, characters: int, rng: random.Random) -> str:
    text = article_text(characters)
    doc = Document(text_hash(text), text, DocMeta(title=f"{characters // 1000}k article"))
    spans = SPANS_PER_80K * characters // 80_000
    words = [(m.start(), m.end()) for m in __import__("re").finditer(r"\w+", text)]
    chosen = sorted(rng.sample(range(len(words)), spans))
    with store.transaction() as tx:
        tx.add_document(doc)
        for n, index in enumerate(chosen):
            start, end = words[index]
            tx.add_span(
                EntitySpan(
                    0,
                    doc.id,
                    start,
                    end,
                    LABELS[n % len(LABELS)],
                    "bench@1",
                    OriginKind.MODEL,
                    SpanStatus.SUGGESTED,
                )
            )
        for n in range(spans // 15):
            start = words[(n * 97) % len(words)][0]
            content = Offsets(start, min(len(text), start + 120))
            tx.add_claim(
                Claim(
                    0,
                    doc.id,
                    content,
                    ClaimKind.REPORTED,
                    "bench@1",
                    OriginKind.MODEL,
                    SpanStatus.SUGGESTED,
                )
            )
    return doc.id


KEYS = ["right"] * 6 + ["n", "pagedown", "right", "a", "u", "N", "left", "ctrl+right"]


async def key_latencies(db: Path, doc_id: str, presses: int) -> list[float]:
    from tui.app import make_app
    from tui.screens.reader import ReaderScreen

    finished: list[float] = []
    sent: list[float] = []
    original = Screen._compositor_refresh
    original_post = App.post_message

    def timed_refresh(self: Screen[object]) -> None:
        original(self)
        finished.append(time.perf_counter())

    def timed_post(self: App[object], message: Message) -> bool:
        if isinstance(message, events.Key):
            sent.append(time.perf_counter())
        return original_post(self, message)

    Screen._compositor_refresh = timed_refresh  # type: ignore[method-assign, assignment]
    App.post_message = timed_post  # type: ignore[method-assign, assignment]
    app = make_app(db, annotator="bench")
    latencies: list[float] = []
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            app.open_document(doc_id)
            await pilot.pause()
            assert isinstance(app.screen, ReaderScreen)
            for n in range(presses):
                key = KEYS[n % len(KEYS)]
                finished.clear()
                sent.clear()
                await pilot.press(key)
                await pilot.pause()
                if finished and sent:
                    latencies.append((finished[-1] - sent[0]) * 1000)
    finally:
        Screen._compositor_refresh = original  # type: ignore[method-assign]
        App.post_message = original_post  # type: ignore[method-assign]
        app.close_store()
    return latencies


STARTUP = """
import sys, time
import asyncio
from textual.screen import Screen
from tui.app import make_app
from tui.screens.documents import DocumentListScreen
from tui.screens.reader import ReaderScreen
painted = []
opened = []
original = Screen._compositor_refresh
def timed(self):
    original(self)
    if isinstance(self, DocumentListScreen) and self.rows and not painted:
        painted.append(time.time())
    if isinstance(self, ReaderScreen) and self.document is not None and not opened:
        opened.append(time.time())
Screen._compositor_refresh = timed
async def main():
    app = make_app(sys.argv[1], annotator="bench")
    async with app.run_test(size=(120, 40)) as pilot:
        while not painted:
            await pilot.pause(0.01)
        await pilot.press("end")  # the last document: no cache helps it
        pressed = time.time()
        await pilot.press("enter")
        while not opened:
            await pilot.pause(0.005)
    app.close_store()
    print(repr(painted[0]))
    print(repr((opened[0] - pressed) * 1000))
asyncio.run(main())
"""


def startup_seconds(db: Path) -> tuple[float, float]:
    """Process launch → first painted document list, as `claimscope tui` would do it; and
    Enter on the last document → its reader painted (ms)."""
    launched = time.time()
    result = subprocess.run(
        [sys.executable, "-c", STARTUP, str(db)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    *_, painted, opened = result.stdout.strip().splitlines()
    return float(painted) - launched, float(opened)


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=300)
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument(
        "--large", type=int, default=100_000, help="the large database (0: skip it)"
    )
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="claimscope-tui-bench-"))
    rng = random.Random(3)
    results: dict[str, float] = {}
    for characters in (8_000, 80_000):
        db = folder / f"article-{characters}.json"
        with Store.open(db) as store:
            doc_id = add_article(store, characters, rng)
        latencies = asyncio.run(key_latencies(db, doc_id, args.keys))
        results[f"p95_{characters}"] = p95(latencies)
        print(
            f"{characters:>6} chars: key → repaint p50 {statistics.median(latencies):.2f} ms, "
            f"p95 {p95(latencies):.2f} ms, max {max(latencies):.2f} ms over {len(latencies)} keys"
        )
    for documents, launches in ((args.docs, 5), (args.large, 3)):
        if not documents:
            continue
        big = folder / f"startup-{documents}.json"
        build_database(big, documents)
        migrate(big)  # written in the layout before partitions: migrated once, not timed
        measured = [startup_seconds(big) for _ in range(launches)]
        runs = sorted(start for start, _ in measured)
        opens = sorted(opened for _, opened in measured)
        results[f"startup_{documents}"] = runs[len(runs) // 2]
        results[f"open_doc_{documents}"] = opens[len(opens) // 2]
        print(
            f"start-up to first paint on {documents:,} documents (20 spans each): median "
            f"{runs[len(runs) // 2]:.2f} s of {', '.join(f'{r:.2f}' for r in runs)}; opening "
            f"the last document: median {opens[len(opens) // 2]:.0f} ms"
        )
        for path in database_files(big):
            path.unlink()
    nan = float("nan")
    print(
        f"RESULT key_p95_ms_8k={results['p95_8000']:.2f} key_p95_ms_80k={results['p95_80000']:.2f} "
        f"ratio={results['p95_80000'] / results['p95_8000']:.2f} "
        f"startup_s_10k={results.get(f'startup_{args.docs}', nan):.2f} "
        f"startup_s_100k={results.get(f'startup_{args.large}', nan):.2f} "
        f"open_doc_ms_100k={results.get(f'open_doc_{args.large}', nan):.0f}"
    )


if __name__ == "__main__":
    main()
