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

from annotate.labels import Label, LabelSet
from annotate.model import Verdict
from annotate.safetext import visible
from tui.widgets.safe import SafeInput, SafeStatic

SCROLL_HINT = "↑/↓, pgup/pgdn or the mouse wheel scroll; escape closes"
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
            heading = Text(self.title_text, style="bold")
            heading.append(f"   {SCROLL_HINT}", style="dim")
            yield SafeStatic(heading, classes="dialog-title")
            for name, rows in self.groups:
                table = Table(show_header=False, box=None, pad_edge=False, expand=True)
                table.add_column(width=16, style="bold")
                table.add_column(ratio=1)
                for key, description in rows:
                    table.add_row(Text(key), Text(description))
                yield SafeStatic(Text(name, style="underline"), classes="help-group")
                yield SafeStatic(table)
            yield SafeStatic(Text(SCROLL_HINT, style="dim"))

    def on_mount(self) -> None:
        self.query_one("#help-body", VerticalScroll).focus()

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


class PromptScreen(ModalScreen[str | None]):
    """One line of text; Enter gives it, Escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, question: str, value: str = "", *, input_id: str = "prompt-input") -> None:
        super().__init__()
        self.question = question
        self.value = value
        self.input_id = input_id

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog small"):
            yield SafeStatic(Text(f"{self.question} (Enter saves, Escape cancels)"))
            yield SafeInput(value=self.value, id=self.input_id)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class NoteScreen(PromptScreen):
    """Edit a claim's free note."""

    def __init__(self, note: str, claim: str) -> None:
        super().__init__(f"Note on the claim {claim}", note, input_id="note-input")


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


class PendingOnDoneScreen(ModalScreen[str | None]):
    """``D`` with suggestions still pending: decide them, leave them, or go back."""

    CHOICES: ClassVar[dict[str, str]] = {
        "a": "accept them all, then mark the document done",
        "x": "reject them all, then mark the document done",
        "l": "leave them pending and mark the document done anyway",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(key, f"choose('{key}')", key) for key in CHOICES),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, pending: int) -> None:
        super().__init__()
        self.pending = pending

    def compose(self) -> ComposeResult:
        lines = Text(f"{self.pending} suggestion(s) still pending\n\n", style="bold")
        lines.append(
            "A document marked done is exported as answer: accept. Its pending suggestions go "
            "out as if checked (export --origin all) or are missing (--origin human): either "
            "way a model learns from something nobody decided.\n\n"
        )
        for key, meaning in self.CHOICES.items():
            lines.append(f"  {key}  ", style="bold reverse")
            lines.append(f"  {meaning}\n")
        lines.append("\nescape goes back to the document", style="dim")
        with Vertical(classes="dialog small"):
            yield SafeStatic(lines)

    def action_choose(self, key: str) -> None:
        self.dismiss(key)

    def action_cancel(self) -> None:
        self.dismiss(None)


class LabelPickerScreen(ModalScreen[str | None]):
    """Every label, found by typing part of its name; Enter picks the highlighted one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("down", "move(1)", "next", show=False, priority=True),
        Binding("up", "move(-1)", "previous", show=False, priority=True),
    ]

    def __init__(self, labels: LabelSet, target: str, current: str | None = None) -> None:
        super().__init__()
        self.labels = labels
        self.target = target
        #: The label of the span being relabelled: the one least likely wanted, ranked last.
        self.current = current
        self.shown: list[Label] = self._ranked(list(labels.labels))
        self.highlight = 0

    def _ranked(self, found: list[Label]) -> list[Label]:
        return [label for label in found if label.name != self.current] + [
            label for label in found if label.name == self.current
        ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog small", id="label-picker"):
            yield SafeStatic(
                Text(f"Label {self.target}: type to filter, ↑/↓, Enter picks", style="bold")
            )
            yield SafeInput(placeholder="label name", id="label-filter")
            yield SafeStatic(id="label-choices")

    def on_mount(self) -> None:
        self._show()

    def on_input_changed(self, event: Input.Changed) -> None:
        query = event.value.strip().casefold()
        labels = self.labels.labels
        starting = [label for label in labels if label.name.casefold().startswith(query)]
        inside = [
            label
            for label in self.labels.labels
            if query in label.name.casefold() and label not in starting
        ]
        described = [
            label
            for label in self.labels.labels
            if len(query) >= 3
            and query in label.guideline.casefold()
            and label not in starting + inside
        ]
        self.shown = self._ranked(starting + inside + described)
        self.highlight = 0
        self._show()

    def _show(self) -> None:
        lines = Text()
        if not self.shown:
            lines.append("no label matches", style="dim")
        for index, label in enumerate(self.shown):
            marker = "▸ " if index == self.highlight else "  "
            lines.append(marker, style="bold")
            lines.append(f" {visible(label.name)} ", style=f"bold black on {label.colour}")
            lines.append(f"  {label.key or ' '}  ", style="dim")
            summary = visible(label.guideline).split(". ")[0]
            lines.append(summary[:60] + ("…" if len(summary) > 60 else ""), style="dim")
            lines.append("\n")
        self.query_one("#label-choices", SafeStatic).update(lines)

    def action_move(self, step: int) -> None:
        if self.shown:
            self.highlight = (self.highlight + step) % len(self.shown)
            self._show()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if self.shown:
            self.dismiss(self.shown[self.highlight].name)

    def action_cancel(self) -> None:
        self.dismiss(None)
