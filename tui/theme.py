"""The colours the line-API widgets draw with, taken from the app's theme as Textual computes
it (``theme_variables``), so every theme — light ones too — gives readable text; and a hook to
redraw them when the theme changes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual.app import App
from textual.color import Color
from textual.theme import Theme
from textual.widget import Widget


@dataclass(frozen=True, slots=True)
class Palette:
    """Background, foreground and accent colours of the current theme."""

    background: Color
    foreground: Color
    primary: Color
    dark: bool


def palette(app: App[object]) -> Palette:
    theme = app.current_theme
    variables = app.theme_variables or app.get_css_variables()

    def colour(name: str, fallback: str | None, dark: str, light: str) -> Color:
        value = variables.get(name) or fallback or (dark if theme.dark else light)
        return Color.parse(value)

    return Palette(
        background=colour("background", theme.background, "#1e1e1e", "#ffffff"),
        foreground=colour("foreground", theme.foreground, "#e0e0e0", "#202020"),
        primary=colour("primary", theme.primary, "#0178d4", "#0178d4"),
        dark=theme.dark,
    )


def on_theme_change(widget: Widget, redraw: Callable[[], object]) -> None:
    """Call ``redraw`` whenever the app switches theme (cached lines hold old colours)."""

    def changed(theme: Theme) -> None:
        redraw()

    widget.app.theme_changed_signal.subscribe(widget, changed)


# Contrast -------------------------------------------------------------------------------------

#: Claims' colour: the gutter bar and the text's tint.
CLAIM_TINT = "#8f7fd6"
#: WCAG AA for text.
READABLE = 4.5
#: A tint must be told from the plain background: its luminance ratio to it at least this.
VISIBLE_TINT = 1.15
_BLACK, _WHITE = Color(0, 0, 0), Color(255, 255, 255)


def contrast(a: Color, b: Color) -> float:
    """The WCAG contrast ratio of two colours (1 to 21)."""

    def luminance(colour: Color) -> float:
        def channel(value: int) -> float:
            v = value / 255
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

        return 0.2126 * channel(colour.r) + 0.7152 * channel(colour.g) + 0.0722 * channel(colour.b)

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def text_on(background: Color) -> Color:
    """Black or white, whichever reads better on ``background``."""
    return _BLACK if contrast(_BLACK, background) >= contrast(_WHITE, background) else _WHITE


def readable(colour: Color, background: Color, minimum: float = READABLE) -> Color:
    """``colour``, moved toward black (on a light background) or white (on a dark one) just
    far enough to read at ``minimum`` on ``background``."""
    target = text_on(background)
    for step in range(11):
        moved = colour.blend(target, step / 10)
        if contrast(moved, background) >= minimum:
            return moved
    return target


def legible_tint(
    background: Color, colour: Color, alpha: float, minimum: float = READABLE
) -> tuple[Color, Color]:
    """A tint of ``colour`` over ``background`` and the text drawn on it: the tint is moved
    away from the text's colour until the two read at ``minimum``."""
    tint = background.blend(colour, alpha)
    text = text_on(tint)
    away = _WHITE if text == _BLACK else _BLACK
    for step in range(11):
        moved = tint.blend(away, step / 20)
        if contrast(text, moved) >= minimum:
            return moved, text
    return tint.blend(away, 0.5), text


def visible_tint(background: Color, colour: Color, alpha: float) -> Color:
    """A tint of ``colour`` over ``background``, at least ``alpha`` strong and strong enough
    to be told from the background (:data:`VISIBLE_TINT`)."""
    for step in range(20):
        tint = background.blend(colour, min(1.0, alpha + step * 0.03))
        if contrast(tint, background) >= VISIBLE_TINT:
            return tint
    return background.blend(colour, 0.6)


def claim_tint(background: Color, *, focused: bool) -> Color:
    """A claim's tint over ``background``: visible, and the focused claim's visible over the
    others'."""
    tint = visible_tint(background, Color.parse(CLAIM_TINT), 0.10)
    return visible_tint(tint, Color.parse(CLAIM_TINT), 0.14) if focused else tint


def _variable(app: App[object], name: str, fallback: str) -> Color:
    variables = app.theme_variables or app.get_css_variables()
    return Color.parse(variables.get(name) or fallback)


def warning_style(app: App[object]) -> str:
    """Bold warning text that reads on the title bars (``$panel``) of the current theme."""
    colour = readable(_variable(app, "warning", "#ffa62b"), _variable(app, "panel", "#242f38"))
    return f"bold {colour.hex}"


def chip_style(colour: str) -> str:
    """A label's name on its own colour: black or white, whichever reads."""
    background = Color.parse(colour)
    return f"{text_on(background).hex} on {background.hex}"


def mark_colour(app: App[object], colour: str, on: str = "background") -> str:
    """A mark's colour (a gutter bar, a legend glyph) seen at 3:1 on the theme's ``on``
    colour, as WCAG asks of graphics."""
    return readable(Color.parse(colour), _variable(app, on, "#121212"), 3.0).hex
