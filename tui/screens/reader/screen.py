"""The reader: one article, its entities and claims, a side panel, and every editing key.

Its keys come in families, one module each (moves, decisions, entities, claims), over
:class:`~tui.screens.reader.base.ReaderBase`; which key runs which action is
:data:`tui.keymap.READER`.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import BindingType

from tui.keymap import READER
from tui.screens.reader.claims import ClaimActions
from tui.screens.reader.navigation import NavigationActions
from tui.screens.reader.review import ReviewActions
from tui.screens.reader.spans import SpanActions


class ReaderScreen(NavigationActions, ReviewActions, SpanActions, ClaimActions):
    """Read and annotate one document."""

    BINDINGS: ClassVar[list[BindingType]] = READER.bindings()
