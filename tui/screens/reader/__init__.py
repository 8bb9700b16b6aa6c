"""The reader screen, one module per family of keys (see :mod:`.screen`)."""

from tui.screens.reader.base import plural
from tui.screens.reader.screen import ReaderScreen

__all__ = ["ReaderScreen", "plural"]
