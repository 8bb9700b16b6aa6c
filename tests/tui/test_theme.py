"""Review finding 6 (issue 19): every tint, text and message reads at 4.5:1 or better in the
dark and the light theme, computed from the colours the widgets draw with; claims' tint is
visible; the theme an analyst picks is remembered."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.style import Style
from textual.color import Color

from annotate.model import SpanStatus
from tests.tui.tui_support import article, open_first, running
from tui.theme import READABLE, VISIBLE_TINT, chip_style, claim_tint, contrast, warning_style

THEMES = ("textual-dark", "textual-light")


def ratio(style: Style) -> float:
    assert style.color is not None and style.bgcolor is not None
    fg, bg = style.color.get_truecolor(), style.bgcolor.get_truecolor()
    return contrast(Color(fg.red, fg.green, fg.blue), Color(bg.red, bg.green, bg.blue))


@pytest.mark.parametrize("theme", THEMES)
async def test_every_tint_and_message_reads_in_both_themes(tui_db: Path, theme: str) -> None:
    async with running(tui_db) as (app, pilot):
        app.theme = theme
        screen = await open_first(app, pilot)
        view = article(screen)
        statuses = [
            s.value for s in (SpanStatus.SUGGESTED, SpanStatus.ACCEPTED, SpanStatus.REJECTED)
        ]
        low = []
        for label in app.labels.labels:
            for status in statuses:
                for in_claim, focused_claim in ((False, False), (True, False), (True, True)):
                    for focused in (False, True):
                        key = (label.name, status, focused, in_claim, focused_claim)
                        style = view._build_style((*key, False, False, False, False, "", False))
                        if ratio(style) < READABLE:
                            low.append((key, round(ratio(style), 2)))
        for match in ("search", "conflict"):
            style = view._build_style(
                ("", "", False, False, False, False, False, False, False, match, False)
            )
            if ratio(style) < READABLE:
                low.append((match, round(ratio(style), 2)))
        assert low == []
        variables = app.get_css_variables()
        background = Color.parse(variables["background"])
        panel = Color.parse(variables["panel"])
        tint = claim_tint(background, focused=False)
        assert contrast(tint, background) >= VISIBLE_TINT
        assert contrast(claim_tint(background, focused=True), tint) >= VISIBLE_TINT
        warning = Color.parse(warning_style(app).split()[-1])
        assert contrast(warning, panel) >= READABLE
        footer = Color.parse(variables["footer-background"])
        for name in ("footer-key-foreground", "footer-description-foreground"):
            assert contrast(Color.parse(variables[name]), footer) >= READABLE, name
        for label in app.labels.labels:
            fg, _, bg = chip_style(label.colour).partition(" on ")
            assert contrast(Color.parse(fg), Color.parse(bg)) >= READABLE, label.name


async def test_the_theme_an_analyst_picks_is_remembered(tui_db: Path) -> None:
    async with running(tui_db) as (app, pilot):
        assert app.theme != "textual-light"
        app.theme = "textual-light"
        await pilot.pause()
    async with running(tui_db) as (app, pilot):
        assert app.theme == "textual-light"
