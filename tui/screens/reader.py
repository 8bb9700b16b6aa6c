"""The reader: one article, its entities and claims, a side panel, and every editing key.

All changes go through :class:`annotate.editing.Editor`, which makes each one durable (and
undoable) before the screen shows it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, TypeVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input

from annotate.claim_guess import cue_after, guess_source
from annotate.claims import lexicon
from annotate.editing import Editor
from annotate.model import (
    Claim,
    ClaimKind,
    Document,
    EntitySpan,
    Offsets,
    OriginKind,
    ReviewState,
    SpanStatus,
    Verdict,
)
from annotate.safetext import visible
from annotate.tokens import clause_at, sentence_at
from tui.keys import DIGITS, shown_keys
from tui.review_order import ORDERS
from tui.screens.dialogs import (
    GuidelinesScreen,
    HelpScreen,
    LabelPickerScreen,
    NoteScreen,
    PendingOnDoneScreen,
    VerdictScreen,
)
from tui.theme import CLAIM_TINT, chip_style, mark_colour, warning_style
from tui.widgets.article import ArticleView, Focus
from tui.widgets.safe import SafeInput, SafeStatic

if TYPE_CHECKING:
    from tui.app import ClaimscopeApp

KIND_ORDER = list(ClaimKind)
Annotation = TypeVar("Annotation", EntitySpan, Claim)
PANEL_TEXT_LIMIT = 300
#: Edits touching more records than this redraw the whole article instead.
INCREMENTAL_LIMIT = 64


@dataclass
class DocumentDone(Message):
    """The analyst marked ``doc_id`` done and wants the next document."""

    doc_id: str


class SearchInput(SafeInput):
    """The article search box; Escape closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "close search")]

    @dataclass
    class Closed(Message):
        """The analyst closed the search box."""

    def action_close(self) -> None:
        self.post_message(self.Closed())


#: At one offset an entity is visited before a claim (a claim usually holds the entity that
#: starts it: "Officials said …" — the source first, then what it said).
_KIND_ORDER = {"entity": 0, "claim": 1}


def _visit_key(offset: int, focus: Focus) -> tuple[int, int, int]:
    """Where an item stands in the order n / N / tab visit items."""
    return (offset, _KIND_ORDER.get(focus.kind, 2), focus.id)


_POSSESSIVE_NOTE = " (the possessive left out, as {name}'s guideline says)"


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


def _confidence_text(confidence: float) -> Text:
    """``0.73 ███████░░░``: the figure and a ten-step bar."""
    filled = round(confidence * 10)
    text = Text(f"{confidence:.2f} ")
    text.append("█" * filled, style="bold")
    text.append("░" * (10 - filled), style="dim")
    return text


def _origin_text(origin: str, kind: str) -> Text:
    """An origin on lines of its own, broken where it has parts (``name``, ``@version``,
    ``+claims.…``), so a narrow panel never splits a model's name."""
    first, *more = visible(origin).split("+")
    name, at, version = first.partition("@")
    lines = [name, *([f"@{version}"] if at else []), *(f"+{part}" for part in more), f"({kind})"]
    return Text("\n" + "\n".join(f" {line}" for line in lines))


def _clip(text: str, limit: int = 40) -> str:
    """One line of at most ``limit`` characters, for a message."""
    line = " ".join(text.split())
    return visible(line if len(line) <= limit else line[: limit - 1] + "…")


def plural(count: int, singular: str, many: str | None = None) -> str:
    """``1 claim``, ``2 claims``; ``many`` for irregular plurals (``entity``/``entities``)."""
    return f"{count} {singular if count == 1 else (many or singular + 's')}"


class ReaderScreen(Screen[None]):
    """Read and annotate one document."""

    # The footer shows the bindings with show=True in this order: help, back and quit come
    # first so that they stay visible at 80 columns.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "help"),
        Binding("escape", "back", "back"),
        Binding("q", "app.quit", "quit"),
        Binding("a", "accept", "accept"),
        Binding("x", "reject", "reject"),
        Binding("space", "ignore", "ignore"),
        Binding("u", "undo", "undo"),
        Binding("D", "done_next", "done+next"),
        Binding("N", "next_pending(1)", "next pending"),
        Binding("n", "next_entity(1)", "next span", show=False),
        Binding("p", "next_entity(-1)", "prev span", show=False),
        Binding("P", "next_pending(-1)", "prev pending", show=False),
        Binding("tab", "next_claim(1)", "next claim", show=False, priority=True),
        Binding("shift+tab", "next_claim(-1)", "prev claim", show=False, priority=True),
        *(Binding(str(n), f"label('{n}')", f"label {n}", show=False) for n in range(1, 10)),
        Binding("l", "pick_label", "pick a label", show=False),
        Binding("enter", "accept", "accept", show=False),
        Binding("A", "accept_all", "accept all", show=False),
        Binding("d", "delete", "delete", show=False),
        Binding("left_square_bracket", "bounds('start', -1)", "start ← (grow)", show=False),
        Binding("left_curly_bracket", "bounds('start', 1)", "start → (shrink)", show=False),
        Binding("right_square_bracket", "bounds('end', 1)", "end → (grow)", show=False),
        Binding("right_curly_bracket", "bounds('end', -1)", "end ← (shrink)", show=False),
        Binding("S", "select_clause", "select clause/sentence", show=False),
        Binding("c", "claim", "claim", show=False),
        Binding("s", "source", "source", show=False),
        Binding("v", "cue", "cue", show=False),
        Binding("V", "verdict", "verdict", show=False),
        Binding("k", "cycle_kind(1)", "claim kind", show=False),
        Binding("K", "cycle_kind(-1)", "claim kind back", show=False),
        Binding("e", "note", "note", show=False),
        Binding("shift+pagedown", "scroll_panel(1)", "panel ↓", show=False),
        Binding("shift+pageup", "scroll_panel(-1)", "panel ↑", show=False),
        Binding("ctrl+r", "redo", "redo", show=False),
        Binding("slash", "search", "search", show=False),
        Binding("R", "toggle_rejected", "show/hide rejected", show=False),
        Binding("T", "toggle_statistics", "show/hide statistic claims", show=False),
        Binding("o", "review_order", "review order", show=False),
        Binding("greater_than_sign", "confidence_floor(1)", "raise confidence floor", show=False),
        Binding("less_than_sign", "confidence_floor(-1)", "lower confidence floor", show=False),
        Binding("h", "guidelines", "guidelines", show=False),
    ]

    def __init__(self, doc_id: str, *, following: bool = False) -> None:
        super().__init__()
        self.doc_id = doc_id
        #: Opened by D after the previous document, not chosen: it is taken up (◐) by its
        #: first edit, not by being shown, and its first pending suggestion is focused.
        self.following = following
        self.document: Document | None = None
        self.spans: list[EntitySpan] = []
        self.claims: list[Claim] = []
        self.focus_item: Focus | None = None
        self.active_claim: int | None = None
        self.search_query = ""
        self.status = ""
        self._shown_focus: tuple[Focus | None, Claim | None] | None = None
        self._cue_forms: frozenset[str] | None = None

    @property
    def cs_app(self) -> ClaimscopeApp:
        from tui.app import ClaimscopeApp

        assert isinstance(self.app, ClaimscopeApp)
        return self.app

    @property
    def editor(self) -> Editor:
        return Editor(self.cs_app.store, self.doc_id, self.cs_app.annotator)

    def compose(self) -> ComposeResult:
        yield SafeStatic(id="reader-title")
        with Horizontal(id="reader-body"):
            yield ArticleView(self.cs_app.labels, id="article")
            with VerticalScroll(id="side-panel", can_focus=False):
                yield SafeStatic(id="panel")
        yield SafeStatic(id="legend")
        yield SearchInput(
            placeholder="search the article — Enter: next match, Escape: close", id="search"
        )
        yield Footer()

    def on_mount(self) -> None:
        store = self.cs_app.store
        self.document = store.get_document(self.doc_id)
        self.spans = self.editor.spans()
        self.claims = self.editor.claims()
        article = self.query_one(ArticleView)
        article.confidence_floor = self.cs_app.review.floor
        article.load(self.document.text, self.spans, self.claims)
        article.cursor_listener = self._cursor_moved
        article.focus()
        self.query_one("#search", Input).display = False
        # opening a document to read it takes it up again, also one that was skipped
        if not self.following:
            self._take_up()
        self.cs_app.remember_document(self.doc_id)
        others = self._other_annotators()
        if others:
            self.status = (
                f"✓ {', '.join(sorted(others))} annotated this too; their work stays theirs "
                "(tui --annotator NAME shows it)"
            )
        if self.cs_app.read_only_reason is not None:
            self.status = f"⚠ read-only: {self.cs_app.read_only_reason}"
        self._update_focus_from_cursor()
        if self.following and self.focus_item is None:  # the first decision to make
            pending = sorted(self._pending(), key=self._review_key)
            if pending:
                self._set_focus(pending[0][1], pending[0][0])
        self._render_legend()
        self._render_chrome()

    def _other_annotators(self) -> set[str]:
        """Annotators whose own work on this document is not in this view."""
        store, me = self.cs_app.store, self.cs_app.annotator
        records: list[EntitySpan | Claim] = [*store.spans(self.doc_id), *store.claims(self.doc_id)]
        return {
            r.annotator
            for r in records
            if r.annotator not in (None, me)
            and (r.origin_kind == OriginKind.HUMAN or r.parent is not None or r.original)
        }

    def on_resize(self, event: events.Resize) -> None:
        """The title line is cut to the width, the legend packed into it: fit them again."""
        if self.document is not None:
            self._render_chrome()
            self._render_legend()

    # Data refresh --------------------------------------------------------------------------------

    def _reload(self) -> None:
        editor = self.editor
        self.spans = editor.spans()
        self.claims = editor.claims()
        self.query_one(ArticleView).set_annotations(self.spans, self.claims)
        self._after_change()

    def _exists(self, focus: Focus) -> bool:
        pool = self.spans if focus.kind == "entity" else self.claims
        return any(item.id == focus.id for item in pool)

    def _take_up(self) -> None:
        """Mark the document in progress unless it is done."""
        state = self.cs_app.store.review_state(self.doc_id, self.cs_app.annotator)
        if state in (ReviewState.TODO, ReviewState.SKIPPED):
            self._write(lambda: self.editor.set_state(ReviewState.IN_PROGRESS))

    def _write(self, change: Callable[[], object]) -> bool:
        """Run a store write; True when it is durable. Errors are shown, never raised."""
        if self.following:  # the first edit of a document D opened takes it up (first, so
            self.following = False  # the edit's own changes are the last the screen sees)
            self._take_up()
        problem = self.cs_app.try_write(change)
        if problem is not None:
            self._say(problem, warning=True)
        return problem is None

    def _edit(self, change: Callable[[], object], message: str | None = None) -> bool:
        """Run an edit and show it; it is durable when this returns True."""
        if not self._write(change):
            return False
        self.status = f"✓ {message}" if message else ""
        self._refresh_changed()
        return True

    def _refresh_changed(self) -> list[Offsets]:
        """Bring the screen up to date with the last commit: only what it touched. Returns
        the ranges the changed records had before."""
        changed = self.cs_app.last_changes
        if len(changed) > INCREMENTAL_LIMIT or self._changes_another_version(changed):
            self._reload()
            return []
        store = self.cs_app.store
        before: list[Offsets] = []
        spans = self._patched(self.spans, changed, "spans", store.find_span, before)
        claims = self._patched(self.claims, changed, "claims", store.find_claim, before)
        self.spans = sorted(spans, key=lambda s: (s.start, s.end, s.id))
        self.claims = sorted(claims, key=lambda c: (c.content.start, c.content.end, c.id))
        self.query_one(ArticleView).apply_changes(self.spans, self.claims, changed, before)
        self._after_change()
        return before

    def _changes_another_version(self, changed: AbstractSet[tuple[str, int]]) -> bool:
        """Whether the last commit made or removed a version of another record (several
        annotators): the view must then be computed again, not patched."""
        store = self.cs_app.store
        for table, record_id in changed:
            old: EntitySpan | Claim | None
            new: EntitySpan | Claim | None
            if table == "spans":
                old, new = self._entity(record_id), store.find_span(record_id)
            elif table == "claims":
                old, new = self._claim(record_id), store.find_claim(record_id)
            else:
                continue
            for record in (old, new):
                if record is not None and (
                    record.parent is not None
                    or record.annotator not in (None, self.cs_app.annotator)
                ):
                    return True
        return False

    def _patched(
        self,
        current: Sequence[Annotation],
        changed: AbstractSet[tuple[str, int]],
        table: str,
        find: Callable[[int], Annotation | None],
        before: list[Offsets],
    ) -> list[Annotation]:
        """``current`` with the changed records of ``table`` re-read; their old ranges are
        added to ``before`` (those lines must be redrawn)."""
        by_id = {item.id: item for item in current}
        for name, record_id in changed:
            if name != table:
                continue
            old = by_id.pop(record_id, None)
            if old is not None:
                before.append(_range(old))
            new = find(record_id)
            if new is not None and new.doc_id == self.doc_id:
                by_id[record_id] = new
        return list(by_id.values())

    def _after_change(self) -> None:
        if self.focus_item is not None and not self._exists(self.focus_item):
            self.focus_item = None
        if self.active_claim is not None and self._claim(self.active_claim) is None:
            self.active_claim = None
        self._apply_focus(force=True)
        self._render_chrome()

    # Focus ---------------------------------------------------------------------------------------

    def _cursor_moved(self, offset: int) -> None:
        self._update_focus_from_cursor()

    def _update_focus_from_cursor(self) -> None:
        cursor = self.query_one(ArticleView).cursor
        entities = [s for s in self.spans if s.start <= cursor < s.end]
        if entities:
            entity = min(entities, key=lambda s: s.end - s.start)
            self.focus_item = Focus("entity", entity.id)
        inside = self._claim_at(cursor)
        if not entities:
            self.focus_item = Focus("claim", inside.id) if inside is not None else None
        if inside is not None:
            self.active_claim = inside.id
        self._apply_focus()

    def _claim_at(self, offset: int) -> Claim | None:
        """The innermost claim whose content holds ``offset``."""
        holding = [c for c in self._visible_claims() if c.content.start <= offset < c.content.end]
        return min(holding, key=lambda c: c.content.end - c.content.start, default=None)

    def _set_focus(self, focus: Focus, offset: int) -> None:
        article = self.query_one(ArticleView)
        article.move_to(offset)
        self.focus_item = focus
        if focus.kind == "claim":
            self.active_claim = focus.id
        self._apply_focus()

    def _apply_focus(self, *, force: bool = False) -> None:
        """Show the focus in the article and the side panel (redrawn only when it changed)."""
        claim = self._claim(self.active_claim) if self.active_claim is not None else None
        if self.focus_item is not None and self.focus_item.kind == "claim":
            claim = self._claim(self.focus_item.id)
        shown = (self.focus_item, claim)
        if not force and shown == self._shown_focus:
            return
        self._shown_focus = shown
        self.query_one(ArticleView).set_focus_item(self.focus_item, claim)
        self._render_panel()

    def _entity(self, span_id: int) -> EntitySpan | None:
        return next((s for s in self.spans if s.id == span_id), None)

    def _claim(self, claim_id: int | None) -> Claim | None:
        return next((c for c in self.claims if c.id == claim_id), None)

    def _focused_entity(self) -> EntitySpan | None:
        if self.focus_item is None or self.focus_item.kind != "entity":
            return None
        return self._entity(self.focus_item.id)

    def _focused_claim(self) -> Claim | None:
        if self.focus_item is None or self.focus_item.kind != "claim":
            return None
        return self._claim(self.focus_item.id)

    # Chrome ----------------------------------------------------------------------------------

    def _render_legend(self) -> None:
        self.query_one("#legend", SafeStatic).update(self._legend_text())

    def _legend_text(self) -> Text:
        """The legend's pieces packed into rows of the legend's width, never split inside a
        piece: one row at 160 columns, two at 80."""
        width = self.query_one("#legend", SafeStatic).content_region.width or 80
        return pack(self._legend_pieces(), width)

    def _legend_pieces(self) -> list[Text]:
        claim_mark = mark_colour(self.app, CLAIM_TINT, on="panel")
        pieces = []
        for label in self.cs_app.labels.keyed:
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

    def _say(self, message: str, *, warning: bool = False) -> None:
        """Feedback in the title's status slot: no pop-ups, no re-layout, no flicker."""
        self.status = f"{'⚠' if warning else '✓'} {message}"
        self._render_chrome()

    def _progress_note(self) -> str:
        """More progress for the counts line (the adjudication screen's conflicts)."""
        return ""

    def _render_chrome(self) -> None:
        assert self.document is not None
        meta = self.document.meta
        state = self.cs_app.store.review_state(self.doc_id, self.cs_app.annotator)
        pending = sum(1 for s in self.spans if s.status == SpanStatus.SUGGESTED) + sum(
            1 for c in self.claims if c.status == SpanStatus.SUGGESTED
        )
        width = max(20, self.size.width - 2)
        # visible() before Text(): Rich would silently drop BEL, BS, VT, FF and CR
        title = Text(visible(self.document.display_title), style="bold", no_wrap=True)
        parts = (meta.date or "date unknown", meta.agency, meta.place)
        title.append(f"  {visible(' · '.join(part for part in parts if part))}", style="dim")
        title.truncate(width, overflow="ellipsis")
        # The counts come first on the second line and the status message only gets the
        # room they leave, so a long message never pushes them off.
        # counted as the document list counts them: what is not rejected
        entities = sum(1 for s in self.spans if s.status != SpanStatus.REJECTED)
        claims = sum(1 for c in self.claims if c.status != SpanStatus.REJECTED)
        counts = Text(
            f"{state.value} · {plural(entities, 'entity', 'entities')} · "
            f"{plural(claims, 'claim')} · {pending} pending{self._progress_note()}",
            style="dim",
        )
        counts.truncate(width, overflow="ellipsis")
        if self.status:
            warning = self.status.startswith("⚠")
            style = warning_style(self.app) if warning else "bold"
            message = Text(f"   {visible(self.status)}", style=style)
            room = width - counts.cell_len
            if room > 8:
                message.truncate(room, overflow="ellipsis")
                counts.append_text(message)
        title.append("\n")
        title.append_text(counts)
        self.query_one("#reader-title", SafeStatic).update(title, layout=False)

    def _quote(self, offsets: Offsets | None) -> Text:
        if offsets is None or self.document is None:
            return Text("—", style="dim")
        piece = self.document.text[offsets.start : offsets.end]
        if len(piece) > PANEL_TEXT_LIMIT:
            piece = piece[: PANEL_TEXT_LIMIT - 1] + "…"
        return Text(f"“{visible(piece, keep_newlines=True)}”")

    def _render_panel(self) -> None:
        self._show_panel(self._panel_text())

    def _panel_text(self) -> Text:
        """What the side panel says about the focused entity or claim."""
        panel = Text()

        def row(name: str, value: Text | str) -> None:
            panel.append(f"{name:<9} ", style="bold")
            panel.append_text(value if isinstance(value, Text) else Text(visible(value)))
            panel.append("\n")

        entity = self._focused_entity()
        claim = self._focused_claim()
        if entity is not None:
            label = self.cs_app.labels.get(entity.label)
            panel.append("ENTITY  ", style="bold reverse")
            panel.append(f" {label.name} ", style=f"bold black on {label.colour}")
            if label.key:
                panel.append(f"  key {label.key}", style="dim")
            panel.append("\n\n")
            row("text", self._quote(entity.offsets))
            row("status", _status_text(entity.status))
            row("origin", _origin_text(entity.origin, entity.origin_kind.value))
            row("by", entity.annotator or "—")
            row("offsets", f"{entity.start}–{entity.end}")
            if entity.updated_at:
                row("changed", entity.updated_at[:19].replace("T", " "))
            panel.append("\n")
            panel.append(Text(label.guideline, style="italic dim"))
        elif claim is not None:
            self._claim_panel(panel, claim, row)
        else:
            panel.append("Nothing focused\n\n", style="bold")
            panel.append(
                "Move with ←/→, n/p for entities, tab for claims, N/P for pending suggestions. "
                "Select with shift+arrows, then 1–9 to label or c to make a claim. "
                "? shows all keys.",
                style="dim",
            )
        return panel

    def _show_panel(self, panel: Text) -> None:
        # The panel is as tall as its content and scrolls when that is taller than the room.
        # Laying the screen out again costs more than a keystroke may, so only when the
        # content needs more lines than the panel has, or the panel overflows the room and
        # could be shorter (blank lines below a shorter content cost nothing).
        widget = self.query_one("#panel", SafeStatic)
        room = self.query_one("#side-panel", VerticalScroll).scrollable_content_region.height
        height = len(panel.wrap(self.app.console, max(1, widget.content_region.width)))
        current = widget.size.height
        widget.update(panel, layout=height > current or (current > room and height < current))

    def _claim_panel(
        self, panel: Text, claim: Claim, row: Callable[[str, Text | str], None]
    ) -> None:
        panel.append("CLAIM  ", style="bold reverse")
        panel.append(f" {claim.kind.value} ", style="bold")
        panel.append_text(_status_text(claim.status))
        panel.append("\n\n")
        content = Text(" … ").join(self._quote(part) for part in claim.content_fragments())
        row("content", content)
        source = self._quote(claim.source)
        if claim.source_resolved is not None:
            source.append(" → ")
            source.append_text(self._quote(claim.source_resolved))
            source.append(" (resolved)", style="dim")
        linked = self._entity(claim.source_entity) if claim.source_entity else None
        if linked is not None:
            source.append(f" [{linked.label}]", style="bold")
        row("source", source)
        row("cue", self._quote(claim.cue))
        row("verdict", Text(claim.verdict.value, style="bold"))
        if claim.quantities:
            quantities = ", ".join(
                f"{q.text} ({q.label}{', ' + q.modifier if q.modifier else ''})"
                for q in claim.quantities
            )
            row("numbers", quantities)
        row("note", claim.note or "—")
        row("origin", _origin_text(claim.origin, claim.origin_kind.value))
        if claim.confidence is not None:
            row("confidence", _confidence_text(claim.confidence))
        if claim.rule:
            row("rule", claim.rule)
        if claim.explanation:
            row("why", Text(claim.explanation, style="italic"))

    # Navigation ------------------------------------------------------------------------------

    def action_next_entity(self, direction: int) -> None:
        self._jump([(s.start, Focus("entity", s.id)) for s in self.spans], direction, "entity")

    def action_next_pending(self, direction: int) -> None:
        self._jump(self._pending(), direction, "pending suggestion")

    def action_next_claim(self, direction: int) -> None:
        self._jump(
            [(c.content.start, Focus("claim", c.id)) for c in self._visible_claims()],
            direction,
            "claim",
        )

    def _jump(self, items: list[tuple[int, Focus]], direction: int, what: str) -> None:
        if not items:
            hidden = self._hidden_note() if what == "pending suggestion" else ""
            self._say(f"no {what} in view; {hidden}" if hidden else f"no {what} in this document")
            return
        by_confidence = what == "pending suggestion" and self.cs_app.review.order != ORDERS[0]
        order: Callable[[tuple[int, Focus]], tuple[float, ...]] = (
            self._review_key if by_confidence else lambda item: _visit_key(*item)
        )
        here = self._confidence_position() if by_confidence else self._position_key()
        items.sort(key=order)
        keys = [order(item) for item in items]
        # The next item after where we are, in the visiting order. "Where we are" is the
        # focused item even when it left the list (an accepted suggestion is no longer
        # pending, and keeps its place by its confidence), so an entity starting where that
        # claim starts is still visited next.
        if here is None:
            index = 0 if direction > 0 else len(keys) - 1
        elif direction > 0:
            index = next((i for i, key in enumerate(keys) if key > here), 0)
        else:
            index = next((i for i in reversed(range(len(keys))) if keys[i] < here), len(keys) - 1)
        offset, focus = items[index]
        self._set_focus(focus, offset)

    def _review_key(self, item: tuple[int, Focus]) -> tuple[float, int, int, int]:
        """Where a pending item comes in the review order (``o``)."""
        offset, focus = item
        claim = self._claim(focus.id) if focus.kind == "claim" else None
        confidence = claim.confidence if claim is not None else None
        return (self.cs_app.review.rank(confidence), *_visit_key(offset, focus))

    def _confidence_position(self) -> tuple[float, int, int, int] | None:
        """Where the focused item stands in the review order, or None with nothing focused."""
        focus = self.focus_item
        if focus is None:
            return None
        item = self._entity(focus.id) if focus.kind == "entity" else self._claim(focus.id)
        return self._review_key((_range(item).start, focus)) if item is not None else None

    def _position_key(self) -> tuple[int, int, int]:
        """Where the analyst is, in the order items are visited: the focused item, else the
        cursor (before anything that starts there). A cursor moved on inside the focused item
        (a long claim) is where the analyst is: n / p count from there."""
        cursor = self.query_one(ArticleView).cursor
        focus = self.focus_item
        if focus is not None:
            item: EntitySpan | Claim | None = (
                self._entity(focus.id) if focus.kind == "entity" else self._claim(focus.id)
            )
            if item is not None and cursor <= _range(item).start:
                return _visit_key(_range(item).start, focus)
        return (cursor, -1, -1)

    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        search.display = True
        search.value = self.search_query
        search.focus()

    def on_article_view_granularity_changed(self, event: ArticleView.GranularityChanged) -> None:
        by = "character" if event.char_mode else "token"
        other = "token" if event.char_mode else "character"
        self._say(f"the cursor and selections move by {by} (g: by {other})")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "search" or self.document is None:
            return
        query = event.value
        self.search_query = query
        article = self.query_one(ArticleView)
        if not query:
            article.set_matches([])
            return
        pattern = re.compile(re.escape(query), re.IGNORECASE)
        matches = [Offsets(m.start(), m.end()) for m in pattern.finditer(self.document.text)]
        article.set_matches(matches)
        if not matches:
            self._say(f"no match for “{query}”", warning=True)
            return
        following = [m for m in matches if m.start > article.cursor]
        target = (following or matches)[0]
        article.move_to(target.start)
        self._say(f"match {matches.index(target) + 1} of {len(matches)}")

    def on_search_input_closed(self, event: SearchInput.Closed) -> None:
        self.query_one("#search", Input).display = False
        self.query_one(ArticleView).focus()

    def action_back(self) -> None:
        if self.query_one(ArticleView).clear_selection():
            return
        self.dismiss(None)

    # Entities ------------------------------------------------------------------------------------

    def _selection_or_token(self) -> Offsets | None:
        article = self.query_one(ArticleView)
        if article.selection is not None:
            return article.selection
        if not len(article.tokens):
            return None
        return article.tokens.span(article.tokens.index_at(article.cursor))

    def action_label(self, key: str) -> None:
        label = self.cs_app.labels.by_key(key)
        if label is None:
            self._say(f"no label on key {key}: l picks any label by name", warning=True)
            return
        self.apply_label(label.name)

    def action_pick_label(self) -> None:
        """Any label by name: for the selection, else the focused span, else the token."""
        article = self.query_one(ArticleView)
        entity = self._focused_entity()
        if article.selection is not None:
            target = "the selection"
        elif entity is not None:
            target = f"the focused {entity.label}"
        else:
            target = "the token at the cursor"

        def picked(name: str | None) -> None:
            if name is not None:
                self.apply_label(name)

        current = entity.label if entity is not None and article.selection is None else None
        self.app.push_screen(LabelPickerScreen(self.cs_app.labels, target, current), picked)

    def apply_label(self, name: str) -> None:
        """Label the selection, else relabel the focused span, else label the token; the
        range is fitted to the label's guideline (PERSON leaves a possessive out)."""
        article = self.query_one(ArticleView)
        entity = self._focused_entity()
        label = self.cs_app.labels.get(name)
        text = self.document.text if self.document is not None else ""
        if article.selection is None and entity is not None:
            bounds = label.fitted(text, entity.start, entity.end)
            fits = (bounds.start, bounds.end) == (entity.start, entity.end)
            if entity.label == name and entity.status != SpanStatus.REJECTED and fits:
                self._say(f"it is {name} already")
                return
            done = f"accepted {name}" if entity.label == name else f"{entity.label} → {name}"
            done += "" if fits else _POSSESSIVE_NOTE.format(name=name)
            self._edit(lambda: self.editor.set_label(entity.id, name, bounds), done)
            return
        target = self._selection_or_token()
        if target is None:
            return
        fitted = label.fitted(text, target.start, target.end)
        note = "" if fitted == target else _POSSESSIVE_NOTE.format(name=name)

        done = ""

        def add() -> None:
            nonlocal done
            span, done = self.editor.label_range(fitted.start, fitted.end, name)
            self.focus_item = Focus("entity", span.id)

        article.clear_selection()
        self._edit(add)
        if done:
            self._say(done + note)

    def action_accept(self) -> None:
        self._decide(SpanStatus.ACCEPTED)

    def action_reject(self) -> None:
        self._decide(SpanStatus.REJECTED)

    def action_ignore(self) -> None:
        """Leave the focused suggestion undecided and move on to the next pending one."""
        self._advance()

    def _decide(self, status: SpanStatus) -> None:
        """Every decision is one key: decide the focused item, then go to the next pending."""
        entity, claim = self._focused_entity(), self._focused_claim()
        if entity is not None:
            decided = self._edit(
                lambda: self.editor.set_status(entity.id, status), f"{status.value} {entity.label}"
            )
        elif claim is not None:
            decided = self._edit(
                lambda: self.editor.set_claim_status(claim.id, status), f"{status.value} claim"
            )
        else:
            self._say("nothing focused: N goes to the next pending suggestion")
            return
        if decided:
            self._advance()

    def _pending(self) -> list[tuple[int, Focus]]:
        items = [
            (s.start, Focus("entity", s.id)) for s in self.spans if s.status == SpanStatus.SUGGESTED
        ]
        items += [
            (c.content.start, Focus("claim", c.id))
            for c in self._visible_claims()
            if c.status == SpanStatus.SUGGESTED
        ]
        return items

    def _hidden_claims(self) -> list[Claim]:
        """Pending claims the view hides (statistic claims after ``T``, claims under the
        confidence floor): still undecided."""
        article = self.query_one(ArticleView)
        return [
            c
            for c in self.claims
            if c.status == SpanStatus.SUGGESTED and not article.claim_shown(c)
        ]

    def _hidden_pending(self) -> int:
        return len(self._hidden_claims())

    def _hidden_note(self) -> str:
        """What the view hides that is still pending, and the key that shows it ("" when
        nothing is)."""
        article = self.query_one(ArticleView)
        hidden = self._hidden_claims()
        statistics = sum(1 for c in hidden if c.kind.value in article.hidden_kinds)
        floor = len(hidden) - statistics
        notes = []
        if statistics:
            notes.append(f"{statistics} hidden statistic claim(s) pending (T shows them)")
        if floor:
            notes.append(
                f"{floor} pending under confidence {article.confidence_floor:.1f} "
                "(< lowers the floor)"
            )
        return "; ".join(notes)

    def _advance(self) -> None:
        """To the next pending suggestion after the focused item (wrapping round)."""
        items = self._pending()
        if not items:
            done = self.status.removeprefix("✓ ") if self.status.startswith("✓") else ""
            hidden = self._hidden_note()
            rest = (
                f"nothing pending in view; {hidden}"
                if hidden
                else "nothing pending: D marks the document done"
            )
            self._say(f"{done + ' · ' if done else ''}{rest}")
            return
        self._jump(items, 1, "pending suggestion")

    def action_accept_all(self) -> None:
        count = 0

        def accept() -> None:
            nonlocal count
            count = self.editor.accept_all_pending()

        self._edit(accept)
        self._say(f"accepted {count} pending suggestion(s)")

    def action_delete(self) -> None:
        entity, claim = self._focused_entity(), self._focused_claim()
        # a model's suggestion is rejected, not deleted: others may still review it
        if entity is not None:
            verb = "rejected" if entity.origin_kind == OriginKind.MODEL else "deleted"
            self._edit(lambda: self.editor.delete_span(entity.id), f"{verb} {entity.label}")
        elif claim is not None:
            verb = "rejected" if claim.origin_kind == OriginKind.MODEL else "deleted"
            self._edit(lambda: self.editor.delete_claim(claim.id), f"{verb} claim")
        else:
            self._say("focus a span or claim to delete it (n / p, tab)")

    def action_bounds(self, edge: str, direction: int) -> None:
        tokens = self.query_one(ArticleView).tokens
        entity, claim = self._focused_entity(), self._focused_claim()
        current = entity.offsets if entity else claim.content if claim else None
        if current is None or not len(tokens):
            self._say("focus a span or claim to adjust its bounds")
            return
        start, end = current.start, current.end
        if edge == "start":
            start = tokens.previous_start(start) if direction < 0 else tokens.next_start(start)
        else:
            index = tokens.index_at(end - 1)
            if direction > 0 and index + 1 < len(tokens):
                end = tokens.ends[index + 1]
            elif direction < 0 and index > 0:
                end = tokens.ends[index - 1]
        if start >= end:
            self._say("a span needs at least one token", warning=True)
            return
        moved = (
            f"now {start}–{end}: “{_clip(self.document.text[start:end] if self.document else '')}”"
        )
        if entity is not None:
            self._edit(lambda: self.editor.move_bounds(entity.id, start, end), moved)
        elif claim is not None:
            self._edit(lambda: self.editor.set_claim_content(claim.id, Offsets(start, end)), moved)

    # Claims ----------------------------------------------------------------------------------

    def _target_claim(self, *, nearby: bool = False) -> Claim | None:
        """The claim a claim key acts on: the focused claim, else the one under the cursor.
        With ``nearby`` (setting a source or cue, whose words often stand outside the
        content) also the claim last focused, when the cursor is in its paragraph."""
        cursor = self.query_one(ArticleView).cursor
        claim = self._focused_claim() or self._claim_at(cursor)
        last = self._claim(self.active_claim)
        if claim is None and nearby and last is not None and self.document is not None:
            low, high = sorted((cursor, last.content.start))
            if "\n\n" not in self.document.text[low:high]:
                claim = last
        if claim is None:
            self._say(
                "no claim under the cursor: tab to one, or select its content and press c",
                warning=True,
            )
        return claim

    def _claim_name(self, claim: Claim) -> str:
        """A claim as the status line and dialogs name it: its content's first words."""
        assert self.document is not None
        words = self.document.text[claim.content.start : claim.content.end].split()
        shown = " ".join(words[:6]) + (" …" if len(words) > 6 else "")
        return f"“{shown}”"

    def action_claim(self) -> None:
        article = self.query_one(ArticleView)
        selection = article.selection
        if selection is None:
            self._say("select the claim's content first (shift+arrows)")
            return

        def add() -> None:
            claim = self.editor.add_claim(selection)
            self.focus_item = Focus("claim", claim.id)
            self.active_claim = claim.id

        article.clear_selection()
        # from the content's start, p and n reach the entities before and inside it
        article.move_to(selection.start)
        self._edit(add, "claim added: p/n to its source's entity, then s")

    def action_source(self) -> None:
        claim = self._target_claim(nearby=True)
        if claim is None:
            return
        article = self.query_one(ArticleView)
        entity = self._focused_entity()
        source = article.selection or (entity.offsets if entity else None)
        how = ""
        cue: Offsets | None = None
        text = self.document.text if self.document is not None else ""
        if source is None:
            named = lexicon.active().named_labels
            names = [
                s.offsets
                for s in self.spans
                if s.label in named and s.status != SpanStatus.REJECTED
            ]
            guess = guess_source(text, claim.content, names, self._cue_words())
            if guess.source is None:
                self._say("select the source, or focus its entity, then press s")
                return
            source, cue = guess.source, guess.cue
            how = (
                f" (the subject of '{visible(text[cue.start : cue.end])}': select another and "
                "s to change)"
                if cue is not None
                else " (the nearest name outside the content: select another and s to change)"
            )
        article.clear_selection()
        if self._edit(
            lambda: self.editor.set_claim_source(claim.id, source),
            f"source set on {self._claim_name(claim)}{how}; v takes the cue at the cursor",
        ):
            # put the cursor on the cue (a cue verb after the source, else the next word) for v
            cue = cue or cue_after(text, source, claim.content, self._cue_words())
            if cue is not None:
                article.move_to(cue.start)
            # the claim being built stays focused (its panel shows what is set), so the next
            # claim key acts on it even with the cursor beside it
            self._set_focus(Focus("claim", claim.id), self.query_one(ArticleView).cursor)

    def _cue_words(self) -> frozenset[str]:
        """Every form of every cue verb in the claim lexicon."""
        if self._cue_forms is None:
            self._cue_forms = lexicon.active().verb_forms()
        return self._cue_forms

    def action_cue(self) -> None:
        claim = self._target_claim(nearby=True)
        if claim is None:
            return
        cue = self._selection_or_token()
        article = self.query_one(ArticleView)
        article.clear_selection()
        if self._edit(
            lambda: self.editor.set_claim_cue(claim.id, cue),
            f"cue set on {self._claim_name(claim)}",
        ):
            self._set_focus(Focus("claim", claim.id), article.cursor)

    def action_cycle_kind(self, direction: int) -> None:
        claim = self._target_claim()
        if claim is None:
            return
        kind = KIND_ORDER[(KIND_ORDER.index(claim.kind) + direction) % len(KIND_ORDER)]
        self._edit(
            lambda: self.editor.set_claim_kind(claim.id, kind),
            f"kind of {self._claim_name(claim)}: {kind.value}",
        )

    def action_select_clause(self) -> None:
        """Select the clause under the cursor; pressed again, its sentence (and back)."""
        if self.document is None:
            return
        article = self.query_one(ArticleView)
        text, cursor = self.document.text, article.cursor
        clause = clause_at(text, cursor, self._cue_words())
        sentence = sentence_at(text, cursor)
        current = article.selection
        chosen = sentence if current == clause and clause != sentence else clause
        if chosen.start >= chosen.end:
            self._say("no sentence under the cursor", warning=True)
            return
        article.select(chosen)
        unit, other = ("sentence", "clause") if chosen == sentence else ("clause", "sentence")
        again = "" if clause == sentence else f" · S again: the {other}"
        self._say(f"{unit} selected: c makes it a claim, 1–9 or l labels it{again}")

    def action_verdict(self) -> None:
        claim = self._target_claim()
        if claim is None:
            return

        def chosen(verdict: Verdict | None) -> None:
            if verdict is not None:
                self._edit(
                    lambda: self.editor.set_verdict(claim.id, verdict), f"verdict: {verdict.value}"
                )

        self.app.push_screen(VerdictScreen(self._claim_name(claim)), chosen)

    def action_note(self) -> None:
        claim = self._target_claim()
        if claim is None:
            return

        def saved(note: str | None) -> None:
            if note is not None:
                self._edit(lambda: self.editor.set_note(claim.id, note), "note saved")

        self.app.push_screen(NoteScreen(claim.note, self._claim_name(claim)), saved)

    # History, progress, help -----------------------------------------------------------------

    def action_scroll_panel(self, direction: int) -> None:
        """Page the side panel (a long claim's rule and explanation at 80×24)."""
        panel = self.query_one("#side-panel", VerticalScroll)
        panel.scroll_relative(y=direction * max(1, panel.size.height - 1), animate=False)

    def action_undo(self) -> None:
        self._history_step(self.editor.undo, "undid", "nothing to undo")

    def action_redo(self) -> None:
        self._history_step(self.editor.redo, "redid", "nothing to redo")

    def _history_step(self, step: Callable[[], str | None], verb: str, nothing: str) -> None:
        outcome: list[str | None] = []
        if not self._write(lambda: outcome.append(step())):
            return
        if outcome[0]:
            changed = set(self.cs_app.last_changes)
            before = self._refresh_changed()
            self._show_change(changed, before)
        self._say(f"{verb}: {outcome[0]}" if outcome[0] else nothing)

    def _show_change(self, changed: AbstractSet[tuple[str, int]], before: list[Offsets]) -> None:
        """Put the cursor on what an undo or redo changed (scrolled into view): the first
        record it touched that still exists, else where a removed one was."""
        touched: list[tuple[int, Focus]] = [
            (s.start, Focus("entity", s.id)) for s in self.spans if ("spans", s.id) in changed
        ]
        touched += [
            (c.content.start, Focus("claim", c.id))
            for c in self.claims
            if ("claims", c.id) in changed
        ]
        if touched:
            offset, focus = min(touched, key=lambda item: _visit_key(*item))
            self._set_focus(focus, offset)
        elif before:
            self.query_one(ArticleView).move_to(min(r.start for r in before))

    def action_done_next(self) -> None:
        if self.cs_app.read_only_reason is not None:  # no question that cannot be acted on
            self._say(f"read-only: {self.cs_app.read_only_reason}", warning=True)
            return
        pending = len(self._pending()) + self._hidden_pending()  # hidden ones are undecided too
        if not pending:
            self._finish()
            return

        def chosen(choice: str | None) -> None:
            if choice == "a":
                self._finish(SpanStatus.ACCEPTED)
            elif choice == "x":
                self._finish(SpanStatus.REJECTED)
            elif choice == "l":
                self._finish()

        self.app.push_screen(PendingOnDoneScreen(pending), chosen)

    def _finish(self, decide: SpanStatus | None = None) -> None:
        """Mark the document done (deciding what is pending first) and open the next one."""
        if decide is not None and not self._write(lambda: self.editor.decide_all_pending(decide)):
            return
        if self._write(lambda: self.editor.set_state(ReviewState.DONE)):
            self.post_message(DocumentDone(self.doc_id))

    def action_toggle_statistics(self) -> None:
        """Statistic claims (a number with no source) are not attributions: hide or show them;
        hidden ones are skipped by tab, N and every decision's move to the next."""
        article = self.query_one(ArticleView)
        kind = ClaimKind.STATISTIC.value
        article.hidden_kinds ^= {kind}
        article.set_annotations(self.spans, self.claims)
        hidden = kind in article.hidden_kinds
        claim = self._focused_claim()
        if hidden and claim is not None and claim.kind == ClaimKind.STATISTIC:
            self.focus_item = None
            self._apply_focus(force=True)
        self._say("statistic claims " + ("hidden (T shows them)" if hidden else "shown"))

    def _visible_claims(self) -> list[Claim]:
        article = self.query_one(ArticleView)
        return [c for c in self.claims if article.claim_shown(c)]

    def action_review_order(self) -> None:
        """Review pending suggestions in document order, least or most confident first."""
        order = self.cs_app.review.next_order()
        self._say(f"review order: {order} (N, P and every decision follow it)")

    def action_confidence_floor(self, direction: int) -> None:
        """Set aside pending claims under a confidence floor (decided ones stay shown)."""
        floor = self.cs_app.review.step_floor(direction)
        article = self.query_one(ArticleView)
        article.confidence_floor = floor
        article.set_annotations(self.spans, self.claims)
        claim = self._focused_claim()
        if claim is not None and not article.claim_shown(claim):
            self.focus_item = None
            self._apply_focus(force=True)
        hidden = self._hidden_pending()
        self._say(
            f"confidence floor {floor:.1f}: {hidden} pending claim(s) set aside (< lowers it)"
            if floor
            else "confidence floor off: every suggestion shown"
        )

    def action_toggle_rejected(self) -> None:
        article = self.query_one(ArticleView)
        article.show_rejected = not article.show_rejected
        article.set_annotations(self.spans, self.claims)
        self._say("rejected suggestions " + ("shown" if article.show_rejected else "hidden"))

    def action_guidelines(self) -> None:
        self.app.push_screen(GuidelinesScreen(self.cs_app.labels))

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen("Reader keys", reader_key_groups()))


def _range(item: EntitySpan | Claim) -> Offsets:
    return item.offsets if isinstance(item, EntitySpan) else item.content


def _status_text(status: SpanStatus) -> Text:
    styles = {
        SpanStatus.SUGGESTED: ("pending suggestion", "underline"),
        SpanStatus.ACCEPTED: ("accepted", "bold"),
        SpanStatus.EDITED: ("edited", "bold"),
        SpanStatus.REJECTED: ("rejected", "strike"),
    }
    text, style = styles[status]
    return Text(text, style=style)


def reader_key_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """The help screen's rows: (keys as written, what they do), grouped."""
    groups: list[tuple[str, list[tuple[list[str], str]]]] = [
        (
            "Move",
            [
                (["left", "right"], "previous / next token (character in character mode)"),
                (["ctrl+left", "ctrl+right"], "previous / next word"),
                (["up", "down"], "line up / down"),
                (["(", ")"], "previous / next sentence"),
                (["ctrl+up", "ctrl+down"], "previous / next paragraph"),
                (["pageup", "pagedown"], "page up / down"),
                (["shift+pageup", "shift+pagedown"], "page the side panel up / down"),
                (["home", "end"], "start / end of the line"),
                (["ctrl+home", "ctrl+end"], "start / end of the article"),
                (["n", "p"], "next / previous entity span"),
                (["N", "P"], "next / previous pending suggestion (entity or claim)"),
                (["tab", "shift+tab"], "next / previous claim"),
                (["slash"], "search the article (Enter: next match, Escape: close)"),
            ],
        ),
        (
            "Select and label",
            [
                (["shift+left", "shift+right"], "extend the selection by token"),
                (["ctrl+shift+left", "ctrl+shift+right"], "extend the selection by word"),
                (["shift+up", "shift+down"], "extend the selection by line"),
                (["S"], "select the clause under the cursor; again: its sentence"),
                (["g"], "toggle character / token granularity"),
                (DIGITS, "label the selection, else relabel the focused span, else the token"),
                (["l"], "pick any label by name (type to filter) for the same target"),
                (["escape"], "clear the selection; without one, back to the list"),
            ],
        ),
        (
            "Review: every decision moves on to the next pending suggestion",
            [
                (["a", "enter"], "accept the focused suggestion (entity or claim)"),
                (["x"], "reject it"),
                (["space"], "ignore it: leave it undecided"),
                (["A"], "accept every pending suggestion in the document"),
                (["d"], "delete the focused span or claim"),
                (["[", "]"], "grow the focused span: start one token left / end one right"),
                (["{", "}"], "shrink it: start one token right / end one token left"),
                (["R"], "show / hide rejected suggestions"),
                (["T"], "show / hide statistic claims (numbers with no source)"),
                (["o"], "review order: document, least confident first, most confident first"),
                (["<", ">"], "lower / raise the confidence floor (pending claims under it hidden)"),
            ],
        ),
        (
            "Claims",
            [
                (["c"], "make the selection a new claim's content"),
                (["s"], "set its source from the selection or the focused entity"),
                (["v"], "set its cue from the selection or the token at the cursor"),
                (["k", "K"], "cycle the claim's kind forward / back"),
                (["V"], "verdict: s supported, d disputed, f false, u unverifiable, r unreviewed"),
                (["e"], "edit the claim's note"),
            ],
        ),
        (
            "Session",
            [
                (["u", "ctrl+r"], "undo / redo (unbounded, kept across restarts)"),
                (["D"], "mark the document done and open the next one"),
                (["h"], "label guidelines"),
                (["question_mark"], "this help"),
                (["ctrl+p"], "command palette: every action, and every label, by name"),
                (["q"], "quit — every edit is already saved"),
            ],
        ),
    ]
    return [
        (name, [(shown_keys(keys), description) for keys, description in rows])
        for name, rows in groups
    ]
