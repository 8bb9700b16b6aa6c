"""The reader's legend: the label keys and every mark, packed into rows of the screen's
width and never split inside an entry."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import App

from annotate.labels import LabelSet
from tui.theme import CLAIM_TINT, chip_style, mark_colour


def pack(pieces: Sequence[Text], width: int) -> Text:
    """``pieces`` one space apart, a new row wherever the next one would not fit."""
    packed, row = Text(), 0
    for piece in pieces:
        if row and row + 1 + piece.cell_len > width:
            packed.append("\n")
            row = 0
        elif row:
            packed.append(" ")
            row += 1
        packed.append_text(piece)
        row += piece.cell_len
    return packed


def legend_pieces(app: App[object], labels: LabelSet) -> list[Text]:
    """One piece per label key, the pending and rejected styles, and the margin's marks."""
    claim_mark = mark_colour(app, CLAIM_TINT, on="panel")
    pieces = []
    for label in labels.keyed:
        piece = Text(label.key, style="bold")
        piece.append(f" {label.name} ", style=chip_style(label.colour))
        pieces.append(piece)
    pieces.append(Text("pending", style="underline"))
    pieces.append(Text("rejected", style="strike dim"))
    margin = Text(" margin ")
    for mark, meaning, style in (
        ("▌", "decided", f"bold {claim_mark}"),
        ("╏", "pending", f"bold {claim_mark}"),
        ("·", "rejected", f"bold {claim_mark}"),
        ("┃", "focused", "bold"),
    ):
        margin.append(mark, style=style)
        margin.append(f"{meaning} ")
    margin.rstrip()
    pieces.append(margin)
    return pieces
