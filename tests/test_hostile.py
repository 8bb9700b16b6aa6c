"""Hostile article text displays literally, never reaches the terminal as control sequences,
and keeps cursor, selection and highlights aligned with the stored character offsets."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from rich.cells import cell_len

from annotate.importer import import_paths
from annotate.safetext import glyph, glyph_after
from annotate.store import Store
from tests.conftest import run_cli
from tui.app import ClaimscopeApp, make_app
from tui.article import GUTTER, ArticleView
from tui.layout import Layout
from tui.reader import ReaderScreen

HOSTILE = (
    "Markup [bold red]x[/] and [link=http://evil]click[/link].\n"
    "ANSI \x1b[31mred\x1b[0m, OSC \x1b]0;pwned\x07 and C1 \x9b2J here.\n"
    "Tab\there, NUL \x00, backspace \x08, DEL \x7f, CR \r inside.\n"
    "Zero\u200bwidth, joiner\u200d, BOM \ufeff, bidi \u202eevil\u202c, isolate \u2066x\u2069.\n"
    "Emoji 😀 and 👍🏽, flag 🇳🇿, CJK 中文报道, "
    "combining e\u0301 and \u0301alone, variation ❤\ufe0f.\n"
    "Target word: Kabul."
)


def all_segments_text(view: ArticleView) -> list[str]:
    out = []
    for y in range(len(view.text_layout.lines)):
        strip = view._render_display_line(y)
        out.append("".join(segment.text for segment in strip))
    return out


def is_dangerous(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Cf") and char != "\n"


@pytest.mark.parametrize(
    ("char", "shown"),
    [
        ("\x1b", "␛"),
        ("\x00", "␀"),
        ("\x07", "␇"),
        ("\x7f", "␡"),
        ("\x9b", "⍰"),
        ("\t", "→   "),
        ("\u200b", "·"),
        ("\u202e", "↔"),
        ("\u2028", "␤"),
    ],
)
def test_dangerous_characters_get_visible_stand_ins(char: str, shown: str) -> None:
    result = glyph(char)
    assert result.text == shown and result.marker
    assert result.width == cell_len(shown)


def test_every_character_keeps_its_own_cells() -> None:
    layout = Layout(HOSTILE, 40)
    for index, line in enumerate(layout.lines):
        glyphs = layout.glyphs(index)
        assert [offset for offset, _ in glyphs] == list(range(line.start, line.end))
        assert sum(g.width for _, g in glyphs) <= 40
        for offset, shown in glyphs:
            assert not any(is_dangerous(c) for c in shown.text.replace("\u0301", ""))
            if shown.width:
                line_no, column = layout.column_of(offset)
                assert line_no == index
                assert layout.offset_at(index, column) == offset


def test_wide_and_combining_characters() -> None:
    assert glyph("中").width == 2 and glyph("😀").width == 2
    assert glyph("\u0301").width == 0  # rides on the base character
    assert glyph_after(" ", "\u0301").text == "◌\u0301"
    assert glyph("\ufe0f").width == 0


@pytest.fixture
def hostile_db(tmp_path: Path) -> Path:
    path = tmp_path / "hostile.json"
    records = tmp_path / "hostile.jsonl"
    records.write_text(json.dumps({"text": HOSTILE, "meta": {"title": "[bold]not bold[/]"}}) + "\n")
    with Store.open(path) as store:
        report = import_paths(store, [str(records)])
        assert report.imported == 1
        assert store.get_document(store.document_ids()[0]).text == HOSTILE
    return path


async def test_reader_shows_hostile_text_literally_and_aligned(hostile_db: Path) -> None:
    app = make_app(hostile_db, annotator="tester")
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("enter")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ReaderScreen)
            view = screen.query_one(ArticleView)
            rendered = all_segments_text(view)
            joined = "\n".join(rendered)
            assert "[bold red]x[/]" in joined and "[link=http://evil]click[/link]" in joined
            assert "␛[31mred␛[0m" in joined and "␛]0;pwned␇" in joined
            assert not any(is_dangerous(c) for c in joined.replace("\u0301", ""))
            for line in rendered:
                assert cell_len(line) == view.size.width
            # select the last word by keyboard and label it: offsets must match the text
            await pilot.press("ctrl+end", "left", "shift+right")
            await pilot.press("left")  # collapse to "Kabul" then select just it
            await pilot.press("shift+left", "shift+right")
            selection = view.selection
            assert selection is not None
            await pilot.press("3")
            await pilot.pause()
            [span] = app.store.spans(screen.doc_id)
            assert HOSTILE[span.start : span.end] in ("Kabul", "Kabul.")
            assert span.start == HOSTILE.index("Kabul")
            # the highlight sits on exactly those cells
            line_index, column = view.text_layout.column_of(span.start)
            strip = view._render_display_line(line_index)
            cells = "".join(segment.text for segment in strip)
            assert cells[GUTTER + column : GUTTER + column + 5] == "Kabul"
            # and the title's markup was not interpreted
            title = screen.query_one("#reader-title").render()
            assert "[bold]not bold[/]" in str(title)
    finally:
        app.close_store()


async def test_cursor_walks_every_character_in_character_mode(hostile_db: Path) -> None:
    app = make_app(hostile_db, annotator="tester")
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("enter", "g")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ReaderScreen)
            view = screen.query_one(ArticleView)
            seen = [view.cursor]
            for _ in range(len(HOSTILE) - 1):
                view.action_move("token", 1)
                seen.append(view.cursor)
            assert seen == list(range(len(HOSTILE)))
    finally:
        app.close_store()


# Terminal injection: every screen and every command --------------------------------------------

CONTROLS = (
    "\x1b]0;TITLE\x07 \x1b[31mred\x1b[0m back\x08space \x9b2J \u202eevil\u202c "
    "\x1b]52;c;SGVsbG8=\x07"
)


def dangerous_in(text: str) -> list[str]:
    return sorted({repr(c) for c in text if is_dangerous(c)})


@pytest.fixture
def injection_db(tmp_path: Path) -> Path:
    """Articles whose title, text, file name, meta, labels and notes carry control sequences."""
    folder = tmp_path / f"in{CONTROLS[:9]}put"
    folder.mkdir()
    article = folder / f"wire{CONTROLS[:14]}.txt"
    article.write_text(f"date 2021-05-30\nHeadline {CONTROLS}\n\nKabul officials {CONTROLS} said.")
    text = f"Kabul officials said {CONTROLS} on Monday that talks would resume."
    record = {
        "text": text,
        "meta": {"title": f"T {CONTROLS}", "agency": "A\x1b[5m", "place": "P\x07"},
        "spans": [{"start": 0, "end": 5, "label": "GPE\x1b[31m"}],
        "claims": [
            {
                "content": {"start": 22, "end": len(text) - 1},
                "source": {"start": 6, "end": 15},
                "cue": {"start": 16, "end": 20},
                "kind": "reported",
                "note": f"note {CONTROLS}",
            }
        ],
        "_annotator_id": f"ann{CONTROLS[:9]}",
    }
    (folder / "records.jsonl").write_text(json.dumps(record) + "\n")
    db = tmp_path / "injection.json"
    result = run_cli("import", str(folder), db=db, check=True)
    assert not dangerous_in(result.stdout + result.stderr)
    return db


def test_no_command_writes_a_control_character(injection_db: Path, tmp_path: Path) -> None:
    bad = tmp_path / f"bad{CONTROLS[:14]}.jsonl"
    bad.write_text('{"text": "x", "spans": [{"start": 0, "end": 9, "label": "L\\u001b[31m"}]}\n')
    gold = tmp_path / f"gold{CONTROLS[:9]}.jsonl"
    gold.write_text(json.dumps({"text": "unrelated", "spans": []}) + "\n")
    commands = [
        ("import", str(bad)),
        ("import", "--skip-invalid", str(bad)),
        ("import", str(tmp_path / f"missing{CONTROLS[:9]}")),
        ("preannotate", "--labels", f"GPE,X{CONTROLS[:9]}"),
        ("stats",),
        ("stats", "--json"),
        ("db", "check"),
        ("db", "check", "--json"),
        ("agree",),
        ("agree", "--json"),
        ("evaluate", str(gold)),
        ("evaluate", str(gold), "--origin", f"o{CONTROLS[:9]}"),
        ("train", str(tmp_path / "run")),
        *(
            ("export", str(tmp_path / f"out{CONTROLS[:9]}.{fmt}"), "--format", fmt)
            for fmt in ("jsonl", "spacy", "conll", "brat", "doccano")
        ),
        ("export", str(tmp_path / "x"), "--format", f"x{CONTROLS[:9]}"),
    ]
    for command in commands:
        result = run_cli(*command, db=injection_db)
        assert not dangerous_in(result.stdout + result.stderr), (command, result.stderr)
        assert "internal error" not in result.stderr, (command, result.stderr)


def screen_text(app: ClaimscopeApp) -> str:
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


async def test_no_screen_draws_a_control_character(injection_db: Path, tmp_path: Path) -> None:
    labels = tmp_path / "labels.json"
    labels.write_text(
        json.dumps(
            {
                "labels": [
                    {"name": "GPE", "key": "1", "colour": "#e69f00", "guideline": f"g {CONTROLS}"},
                    {"name": f"EVIL{CONTROLS[:9]}", "key": "2", "colour": "#56b4e9"},
                ]
            }
        )
    )
    app = make_app(injection_db, annotator=f"ann{CONTROLS[:9]}", labels_path=labels)
    seen: list[str] = []
    dialogs: set[str] = set()

    async def look(what: str) -> None:
        await pilot.pause()
        shown = screen_text(app)
        seen.append(what)
        assert not dangerous_in(shown), (what, dangerous_in(shown))

    try:
        async with app.run_test(size=(110, 36)) as pilot:
            await look("document list")
            await pilot.press("slash", *"Kabul", "enter")
            await look("list, filtered")
            await pilot.press("escape", "question_mark")
            await look("list help")
            await pilot.press("escape")
            for row in range(2):
                await pilot.press("home", *["down"] * row, "enter")
                await look(f"reader {row}")
                title = str(app.screen.query_one("#reader-title").render())
                assert "␛]0;TITLE␇" in title  # shown as stand-ins, not dropped
                await pilot.press("n")
                await look(f"entity panel {row}")
                await pilot.press("tab")
                await look(f"claim panel {row}")
                for key in ("e", "V", "h", "question_mark", "ctrl+p", "l"):
                    await pilot.press(key)
                    await look(f"{key} in reader {row}")
                    dialogs.add(type(app.screen).__name__)
                    while not isinstance(app.screen, ReaderScreen):
                        await pilot.press("escape")
                        await pilot.pause()
                screen = app.screen
                assert isinstance(screen, ReaderScreen)
                screen._say(f"status {CONTROLS}", warning=True)
                await look(f"status line {row}")
                await pilot.press("escape")
                await pilot.pause()
    finally:
        app.close_store()
    assert len(seen) == 3 + 2 * 10
    assert {
        "NoteScreen",
        "VerdictScreen",
        "GuidelinesScreen",
        "HelpScreen",
        "LabelPickerScreen",
    } <= dialogs
    assert any("Palette" in name for name in dialogs)
