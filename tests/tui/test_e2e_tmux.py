"""End to end: the real `claimscope tui` in tmux, driven by send-keys, checked by the CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotate.io.seed import parse_article
from tests.conftest import ROOT, SEED, run_cli

CLAIMSCOPE = Path(sys.executable).parent / "claimscope"

# Skipped on a developer machine without tmux; in CI (.ci/run installs tmux) it must run.
pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None and not os.environ.get("CI"), reason="tmux is not installed"
)


class Tmux:
    """One detached tmux session running a command."""

    def __init__(self, command: list[str], width: int = 120, height: int = 36) -> None:
        self.name = f"claimscope-e2e-{uuid.uuid4().hex[:8]}"
        subprocess.run(
            [
                "tmux",
                "new-session",
                "-d",
                "-s",
                self.name,
                "-x",
                str(width),
                "-y",
                str(height),
                "-e",
                "TERM=xterm-256color",
                " ".join(command),
            ],
            check=True,
            cwd=ROOT,
        )

    def keys(self, *keys: str, literal: bool = False) -> None:
        args = ["tmux", "send-keys", "-t", self.name]
        if literal:
            args.append("-l")
        subprocess.run([*args, *keys], check=True)
        time.sleep(0.15)

    def screen(self) -> str:
        result = subprocess.run(
            ["tmux", "capture-pane", "-p", "-t", self.name],
            capture_output=True,
            text=True,
            check=False,
        )
        return result.stdout

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self.screen()
            if text in shown:
                return shown
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; the screen was:\n{self.screen()}")

    def alive(self) -> bool:
        return (
            subprocess.run(
                ["tmux", "has-session", "-t", self.name], capture_output=True, check=False
            ).returncode
            == 0
        )

    def kill(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True, check=False)


@pytest.fixture
def seeded_db(tmp_path: Path) -> Path:
    """The seed article with three model suggestions, loaded without spaCy."""
    text = parse_article(SEED.read_text(encoding="utf-8"), "seed").text
    spans = [
        {"start": 0, "end": 5, "label": "GPE"},
        {"start": text.index("Muhammed"), "end": text.index("Muhammed") + 21, "label": "PERSON"},
        {"start": text.index("Joe Biden"), "end": text.index("Joe Biden") + 9, "label": "ORG"},
    ]
    records = tmp_path / "suggestions.jsonl"
    records.write_text(json.dumps({"text": text, "spans": spans}) + "\n")
    db = tmp_path / "e2e.json"
    run_cli(
        "import", "--as-suggestions", "--origin", "other-ner@1", str(records), db=db, check=True
    )
    return db


@pytest.fixture
def session(seeded_db: Path) -> Iterator[Tmux]:
    tmux = Tmux([str(CLAIMSCOPE), "--db", str(seeded_db), "tui", "--annotator", "e2e"])
    try:
        yield tmux
    finally:
        tmux.kill()


def test_annotate_in_the_real_terminal_then_check_with_the_cli(
    session: Tmux, seeded_db: Path
) -> None:
    session.wait_for("documents done")
    session.keys("Enter")
    session.wait_for("3 pending")
    # add an entity: search "drawdown", select it and the next two tokens, label it EVENT (7)
    session.keys("/")
    session.keys("drawdown", literal=True)
    session.keys("Enter")
    session.keys("Escape")
    session.keys("S-Right", "S-Right")
    session.keys("7")
    session.wait_for("added EVENT")
    # change a label: the first suggestion ("Kabul", GPE) becomes LOC (4)
    session.keys("C-Home")
    session.keys("4")
    session.wait_for("GPE → LOC")
    # reject a suggestion: next pending is Muhammed Sarfraz Khan
    session.keys("N")
    session.wait_for("ENTITY   PERSON")
    session.keys("x")
    session.wait_for("rejected PERSON")
    # a decision moves on by itself: the last pending one; reject it too, then undo that
    session.wait_for("ENTITY   ORG")
    session.keys("x")
    # at 80 columns the message is cut, never the counts before it
    session.wait_for("0 pending   ✓ rejected ORG · nothing pe")
    session.keys("u")
    session.wait_for("undid: reject ORG")
    screen = session.screen()
    assert "\x1b" not in screen
    session.keys("q")
    deadline = time.monotonic() + 15
    while session.alive() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not session.alive(), session.screen()

    stats = json.loads(run_cli("stats", "--json", db=seeded_db, check=True).stdout)
    assert stats["spans_by_label"] == {
        "EVENT": {"accepted": 1},
        "LOC": {"edited": 1},
        "ORG": {"suggested": 1},
        "PERSON": {"rejected": 1},
    }
    assert stats["documents_by_state"]["e2e"]["in progress"] == 1
    assert run_cli("db", "check", db=seeded_db).returncode == 0
    assert not Path(f"{seeded_db}.journal").exists()  # a clean quit checkpointed
