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
