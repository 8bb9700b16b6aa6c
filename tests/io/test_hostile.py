"""Hostile article text displays literally, never reaches the terminal as control sequences,
and keeps cursor, selection and highlights aligned with the stored character offsets."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len

from annotate.io.importing import import_paths
from annotate.safetext import glyph, glyph_after
from annotate.store import Store
from tests.conftest import run_cli
from tui.app import ClaimscopeApp, make_app
from tui.screens.reader import ReaderScreen
from tui.widgets.article import GUTTER, ArticleView
from tui.widgets.article_layout import Layout

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
        ("sources",),
        ("sources", "--json"),
        ("sources", "merge", f"x{CONTROLS[:9]}", "y"),
        ("sources", "rename", f"x{CONTROLS[:9]}", f"n{CONTROLS[:9]}"),
        ("claim-groups", "--min-documents", "1"),
        ("claim-groups", "--json"),
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


# Markup in data: Rich must never read a label, a name or a path as markup ----------------

LINK = "[link=https://evil.example/x]LINKLAB[/link]"
BLINK = "[blink red on white]ANN[/]"
BROKEN = "[/oops]"


def every_command() -> list[tuple[str, ...]]:
    """Every command of the CLI, as the typer app defines them (so a new one is covered)."""
    import typer.main

    from annotate.cli import app

    def walk(command: Any, prefix: tuple[str, ...]) -> list[tuple[str, ...]]:
        subcommands = getattr(command, "commands", None)
        if subcommands:
            return [n for name, sub in subcommands.items() for n in walk(sub, (*prefix, name))]
        return [prefix]

    return walk(typer.main.get_command(app), ())


@pytest.fixture
def markup_db(tmp_path: Path) -> Path:
    """A database under a folder named like markup, whose labels, annotators, origins,
    titles and notes are markup."""
    folder = tmp_path / "a[/x]"  # two folders, "a[" and "x]"
    folder.mkdir(parents=True)
    text = "Kabul officials said on Monday that talks would resume soon."
    record = {
        "text": text,
        "meta": {"title": f"T {LINK}"},
        "spans": [
            {"start": 0, "end": 5, "label": LINK},
            {"start": 6, "end": 15, "label": BROKEN},
        ],
        "claims": [
            {
                "content": {"start": 36, "end": len(text) - 1},
                "source": {"start": 6, "end": 15},
                "cue": {"start": 16, "end": 20},
                "kind": "reported",
                "note": BLINK,
            }
        ],
        "_annotator_id": BLINK,
    }
    source = folder / "wire[oops].jsonl"
    source.write_text(json.dumps(record) + "\n")
    db = folder / "db.json"
    run_cli("import", "--origin", BROKEN, "--as-suggestions", str(source), db=db, check=True)
    run_cli("import", str(source), db=db, check=True)
    return db


def _arguments(command: tuple[str, ...], db: Path, tmp: Path) -> list[tuple[str, ...]]:
    folder = db.parent
    gold = folder / "gold.jsonl"
    if not gold.exists():
        gold.write_text(json.dumps({"text": "unrelated", "spans": []}) + "\n")
    return {
        ("import",): [("import", str(next(folder.glob("wire*"))))],
        ("stats",): [("stats",), ("stats", "--json")],
        ("export",): [("export", str(folder / "out.jsonl"), "--force")],
        ("preannotate",): [("preannotate", "--labels", f"GPE,{LINK}")],
        ("preannotate-batch",): [
            ("preannotate-batch", str(next(folder.glob("wire*"))), "--out", str(folder / "sh"))
        ],
        ("evaluate",): [("evaluate", str(gold)), ("evaluate", str(gold), "--json")],
        ("train",): [("train", str(folder / "run[/x]"))],
        ("train-claims",): [
            ("train-claims", str(folder / "claims[/x]"), "--gold", str(gold), "--dev", str(gold))
        ],
        ("calibrate-claims",): [
            ("calibrate-claims", str(folder / "claims[/x]"), "--gold", str(gold))
        ],
        ("tui",): [("tui",)],
        ("assign",): [("assign", "--annotators", f"{BLINK},{BROKEN}")],
        ("merge",): [("merge", str(db))],
        ("agree",): [("agree",), ("agree", "--json")],
        ("sources", "merge"): [
            ("sources",),
            ("sources", "--json"),
            ("sources", "merge", LINK, BLINK),
        ],
        ("sources", "split"): [("sources", "split", LINK, "--claim", f"{BLINK}:1", "--name", LINK)],
        ("sources", "rename"): [("sources", "rename", LINK, BLINK)],
        ("sources", "undo"): [("sources", "undo", "--annotator", BLINK)],
        ("claim-groups",): [
            ("claim-groups", "--min-documents", "1"),
            ("claim-groups", "--json"),
        ],
        ("db", "check"): [("db", "check"), ("db", "check", "--json")],
        ("db", "recover"): [("db", "recover")],
    }[command]


def test_no_command_reads_data_as_markup(markup_db: Path, tmp_path: Path) -> None:
    """Each command of the CLI runs against the markup database with colour forced on, as on
    a terminal: no hyperlink or blink reaches the output, no command fails on markup, and
    the data shows as it was typed."""
    for command in every_command():
        for arguments in _arguments(command, markup_db, tmp_path):
            result = run_cli(*arguments, db=markup_db, env={"NO_COLOR": None, "FORCE_COLOR": "1"})
            shown = result.stdout + result.stderr
            assert result.returncode != 2, (arguments, shown)
            assert "MarkupError" not in shown and "internal error" not in shown, arguments
            assert "\x1b]8;" not in shown, (arguments, "a hyperlink")
            assert "\x1b[5m" not in shown and ";5m" not in shown, (arguments, "blink")
    stats = run_cli("stats", db=markup_db).stdout
    assert LINK in stats and BROKEN in stats
    agree = run_cli("assign", "--annotators", f"{BLINK},bob", db=markup_db)
    assert agree.returncode == 0, agree.stderr
    assert BLINK in agree.stdout
    exported = run_cli("export", str(markup_db.parent / "o.jsonl"), db=markup_db)
    assert exported.returncode == 0 and "a[/x]" in exported.stdout


def test_json_output_escapes_c1_and_bidi_controls(tmp_path: Path) -> None:
    text = "Kabul officials said on Monday that talks would resume soon."
    evil = "L\x9b2J\u202eR\x85"
    record = {"text": text, "spans": [{"start": 0, "end": 5, "label": evil}]}
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(record) + "\n")
    db = tmp_path / "db.json"
    run_cli("import", str(source), db=db, check=True)
    for command in (
        ("stats", "--json"),
        ("db", "check", "--json"),
        ("evaluate", str(source), "--json"),
    ):
        result = run_cli(*command, db=db, check=True)
        assert not any(c in result.stdout for c in "\x9b\u202e\x85"), command
        loaded = json.loads(result.stdout)
        if command[0] == "stats":
            assert "\\u009b" in result.stdout and evil in json.dumps(loaded, ensure_ascii=False)


def test_output_to_a_pipe_is_not_wrapped_and_shows_bel_and_bs(tmp_path: Path) -> None:
    long_name = "a-very-long-wire-story-name-" + "x" * 90 + ".txt"
    article = tmp_path / long_name
    article.write_text("date 2021-05-30\nKabul officials said on Monday that talks resume.\n")
    db = tmp_path / "db.json"
    result = run_cli("import", str(article), db=db, env={"COLUMNS": None})
    assert result.returncode == 0
    assert len(result.stdout.strip().splitlines()) == 1, result.stdout
    label = "LABEL-" + "Y" * 100 + "\x07\x08"
    text = "Kabul officials said on Monday that talks would resume soon."
    source = tmp_path / "labels.jsonl"
    source.write_text(json.dumps({"text": text, "spans": [{"start": 0, "end": 5, "label": label}]}))
    run_cli("import", str(source), db=db, check=True)
    stats = run_cli("stats", db=db, env={"COLUMNS": None}).stdout
    row = next(line for line in stats.splitlines() if "LABEL-" in line)
    assert "Y" * 100 + "␇␈" in row  # shown, not dropped, and the count after it on its line
    assert row.rstrip().rstrip("│┃| ").endswith("1")
