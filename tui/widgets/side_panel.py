"""What the reader's side panel says about the focused entity or claim.

Pure functions from the document's text and the focused record to Rich text; the reader puts
the result in its panel.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text

from annotate.labels import Label
from annotate.model import Claim, EntitySpan, Offsets, SpanStatus
from annotate.safetext import visible

#: A quoted stretch longer than this is cut (a long claim's content).
PANEL_TEXT_LIMIT = 300

Row = Callable[[str, Text | str], None]


def confidence_text(confidence: float) -> Text:
    """``0.73 ███████░░░``: the figure and a ten-step bar."""
    filled = round(confidence * 10)
    text = Text(f"{confidence:.2f} ")
    text.append("█" * filled, style="bold")
    text.append("░" * (10 - filled), style="dim")
    return text


def origin_text(origin: str, kind: str) -> Text:
    """An origin on lines of its own, broken where it has parts (``name``, ``@version``,
    ``+claims.…``), so a narrow panel never splits a model's name."""
    first, *more = visible(origin).split("+")
    name, at, version = first.partition("@")
    lines = [name, *([f"@{version}"] if at else []), *(f"+{part}" for part in more), f"({kind})"]
    return Text("\n" + "\n".join(f" {line}" for line in lines))


def status_text(status: SpanStatus) -> Text:
    styles = {
        SpanStatus.SUGGESTED: ("pending suggestion", "underline"),
        SpanStatus.ACCEPTED: ("accepted", "bold"),
        SpanStatus.EDITED: ("edited", "bold"),
        SpanStatus.REJECTED: ("rejected", "strike"),
    }
    shown, style = styles[status]
    return Text(shown, style=style)


def quote(text: str, offsets: Offsets | None) -> Text:
    """``text[offsets]`` in quotation marks, cut at :data:`PANEL_TEXT_LIMIT`; a dash for none."""
    if offsets is None:
        return Text("—", style="dim")
    piece = text[offsets.start : offsets.end]
    if len(piece) > PANEL_TEXT_LIMIT:
        piece = piece[: PANEL_TEXT_LIMIT - 1] + "…"
    return Text(f"“{visible(piece, keep_newlines=True)}”")


def row_writer(panel: Text) -> Row:
    """A function that adds one ``name value`` row to ``panel``."""

    def row(name: str, value: Text | str) -> None:
        panel.append(f"{name:<9} ", style="bold")
        panel.append_text(value if isinstance(value, Text) else Text(visible(value)))
        panel.append("\n")

    return row


def entity_panel(text: str, entity: EntitySpan, label: Label) -> Text:
    """An entity: its label and key, text, status, origin, who changed it and when, and the
    label's guideline."""
    panel = Text()
    row = row_writer(panel)
    panel.append("ENTITY  ", style="bold reverse")
    panel.append(f" {label.name} ", style=f"bold black on {label.colour}")
    if label.key:
        panel.append(f"  key {label.key}", style="dim")
    panel.append("\n\n")
    row("text", quote(text, entity.offsets))
    row("status", status_text(entity.status))
    row("origin", origin_text(entity.origin, entity.origin_kind.value))
    row("by", entity.annotator or "—")
    row("offsets", f"{entity.start}–{entity.end}")
    if entity.updated_at:
        row("changed", entity.updated_at[:19].replace("T", " "))
    panel.append("\n")
    panel.append(Text(label.guideline, style="italic dim"))
    return panel


def claim_panel(text: str, claim: Claim, linked: EntitySpan | None) -> Text:
    """A claim: kind, status, content, source (its antecedent and linked entity), cue,
    verdict, numbers, note, origin, confidence, the rule and its explanation."""
    panel = Text()
    row = row_writer(panel)
    panel.append("CLAIM  ", style="bold reverse")
    panel.append(f" {claim.kind.value} ", style="bold")
    panel.append_text(status_text(claim.status))
    panel.append("\n\n")
    content = Text(" … ").join(quote(text, part) for part in claim.content_fragments())
    row("content", content)
    source = quote(text, claim.source)
    if claim.source_resolved is not None:
        source.append(" → ")
        source.append_text(quote(text, claim.source_resolved))
        source.append(" (resolved)", style="dim")
    if linked is not None:
        source.append(f" [{linked.label}]", style="bold")
    row("source", source)
    row("cue", quote(text, claim.cue))
    row("verdict", Text(claim.verdict.value, style="bold"))
    if claim.quantities:
        quantities = ", ".join(
            f"{q.text} ({q.label}{', ' + q.modifier if q.modifier else ''})"
            for q in claim.quantities
        )
        row("numbers", quantities)
    row("note", claim.note or "—")
    row("origin", origin_text(claim.origin, claim.origin_kind.value))
    if claim.confidence is not None:
        row("confidence", confidence_text(claim.confidence))
    if claim.rule:
        row("rule", claim.rule)
    if claim.explanation:
        row("why", Text(claim.explanation, style="italic"))
    return panel


def nothing_panel() -> Text:
    """With nothing focused: how to move and what to press."""
    panel = Text()
    panel.append("Nothing focused\n\n", style="bold")
    panel.append(
        "Move with ←/→, n/p for entities, tab for claims, N/P for pending suggestions. "
        "Select with shift+arrows, then 1–9 to label or c to make a claim. "
        "? shows all keys.",
        style="dim",
    )
    return panel
