"""The reader's article search box."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message

from tui.widgets.safe import SafeInput


class SearchInput(SafeInput):
    """The article search box; Escape closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "close search")]

    @dataclass
    class Closed(Message):
        """The analyst closed the search box."""

    def action_close(self) -> None:
        self.post_message(self.Closed())
