"""Modal screens: key help, label guidelines, the claim note editor and the verdict chooser."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input

from annotate.labels import LabelSet
from annotate.model import Verdict
from annotate.safetext import visible
from tui.safe import SafeInput, SafeStatic

VERDICT_KEYS = {
    "s": Verdict.SUPPORTED,
    "d": Verdict.DISPUTED,
    "f": Verdict.FALSE,
    "u": Verdict.UNVERIFIABLE,
    "r": Verdict.UNREVIEWED,
}


class HelpScreen(ModalScreen[None]):
    """Every key binding of the screen it was opened from, grouped."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close"),
    ]

    def __init__(self, title: str, groups: Iterable[tuple[str, list[tuple[str, str]]]]) -> None:
        super().__init__()
        self.title_text = title
        self.groups = list(groups)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body", classes="dialog"):
            yield SafeStatic(Text(self.title_text, style="bold"), classes="dialog-title")
            for name, rows in self.groups:
                table = Table(show_header=False, box=None, pad_edge=False, expand=True)
                table.add_column(width=16, style="bold")
                table.add_column(ratio=1)
                for key, description in rows:
                    table.add_row(Text(key), Text(description))
                yield SafeStatic(Text(name, style="underline"), classes="help-group")
                yield SafeStatic(table)
            yield SafeStatic(Text("escape closes", style="dim"))

    def action_dismiss(self, result: None = None) -> None:  # type: ignore[override]
        self.dismiss(None)


class GuidelinesScreen(ModalScreen[None]):
    """The labels config: each label's key, colour and guideline."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,h", "dismiss", "Close")]

    def __init__(self, labels: LabelSet) -> None:
        super().__init__()
        self.labels = labels

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="guidelines-body", classes="dialog"):
            yield SafeStatic(Text("Label guidelines", style="bold"), classes="dialog-title")
            table = Table(show_header=True, box=None, expand=True, header_style="bold")
            table.add_column("key", width=3)
            table.add_column("label", width=12)
            table.add_column("guideline", ratio=1)
            for label in self.labels.labels:
                swatch = Text("██ ", style=label.colour)
                table.add_row(
                    label.key or "·",
                    swatch + Text(visible(label.name)),
                    Text(visible(label.guideline, keep_newlines=True)),
                )
            yield SafeStatic(table)
            yield SafeStatic(Text("escape closes", style="dim"))

    def action_dismiss(self, result: None = None) -> None:  # type: ignore[override]
        self.dismiss(None)


class NoteScreen(ModalScreen[str | None]):
    """Edit a claim's free note; Enter saves, Escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, note: str, claim: str) -> None:
        super().__init__()
        self.note = note
        self.claim = claim

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog small"):
            yield SafeStatic(Text(f"Note on the claim {self.claim} (Enter saves, Escape cancels)"))
            yield SafeInput(value=self.note, id="note-input")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class VerdictScreen(ModalScreen[Verdict | None]):
    """Choose a verdict with one key."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(key, f"choose('{key}')", verdict.value) for key, verdict in VERDICT_KEYS.items()),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, claim: str) -> None:
        super().__init__()
        self.claim = claim

    def compose(self) -> ComposeResult:
        lines = Text(f"Verdict for the claim {self.claim}\n\n", style="bold")
        for key, verdict in VERDICT_KEYS.items():
            lines.append(f"  {key}  ", style="bold reverse")
            lines.append(f"  {verdict.value}\n")
        lines.append("\nescape cancels", style="dim")
        with Vertical(classes="dialog small"):
            yield SafeStatic(lines)

    def action_choose(self, key: str) -> None:
        self.dismiss(VERDICT_KEYS[key])

    def action_cancel(self) -> None:
        self.dismiss(None)
