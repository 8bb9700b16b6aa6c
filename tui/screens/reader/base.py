"""The reader's state and what every family of its keys shares: the document and its
records, writing through the editor, the focus, the title line, legend and side panel, and
the order in which items are visited.

All changes go through :class:`annotate.review.editing.Editor`, which makes each one durable (and
undoable) before the screen shows it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from functools import cached_property
from typing import TypeVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Input

from annotate.model import (
    Claim,
    Document,
    EntitySpan,
    Offsets,
    OriginKind,
    ReviewState,
    SpanStatus,
)
from annotate.review.editing import Editor
from annotate.safetext import visible
from tui.messages import DocumentShown
from tui.review_order import ORDERS
from tui.theme import warning_style
from tui.widgets.article import ArticleView, Focus
from tui.widgets.legend import legend_pieces, pack
from tui.widgets.safe import SafeStatic
from tui.widgets.search import SearchInput
from tui.widgets.side_panel import claim_panel, entity_panel, nothing_panel
from tui.workspace import Workspace, workspace_of

Annotation = TypeVar("Annotation", EntitySpan, Claim)
#: Edits touching more records than this redraw the whole article instead.
INCREMENTAL_LIMIT = 64

#: At one offset an entity is visited before a claim (a claim usually holds the entity that
#: starts it: "Officials said …" — the source first, then what it said).
_KIND_ORDER = {"entity": 0, "claim": 1}


def visit_key(offset: int, focus: Focus) -> tuple[int, int, int]:
    """Where an item stands in the order n / N / tab visit items."""
    return (offset, _KIND_ORDER.get(focus.kind, 2), focus.id)


def extent(item: EntitySpan | Claim) -> Offsets:
    """An entity's offsets, a claim's content."""
    return item.offsets if isinstance(item, EntitySpan) else item.content


def plural(count: int, singular: str, many: str | None = None) -> str:
    """``1 claim``, ``2 claims``; ``many`` for irregular plurals (``entity``/``entities``)."""
    return f"{count} {singular if count == 1 else (many or singular + 's')}"


def clip(text: str, limit: int = 40) -> str:
    """One line of at most ``limit`` characters, for a message."""
    line = " ".join(text.split())
    return visible(line if len(line) <= limit else line[: limit - 1] + "…")


class ReaderBase(Screen[None]):
    """One article, its entities and claims, and a side panel; the key families
    (:mod:`.navigation`, :mod:`.review`, :mod:`.spans`, :mod:`.claims`) build on this."""

    def __init__(
        self, doc_id: str, *, following: bool = False, claim_id: int | None = None
    ) -> None:
        super().__init__()
        self.doc_id = doc_id
        #: The claim to open on (chosen in the Sources screen), if any.
        self.claim_id = claim_id
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

    @cached_property
    def workspace(self) -> Workspace:
        """The app, as far as a screen may use it."""
        return workspace_of(self.app)

    @property
    def editor(self) -> Editor:
        return Editor(self.workspace.store, self.doc_id, self.workspace.annotator)

    def compose(self) -> ComposeResult:
        yield SafeStatic(id="reader-title")
        with Horizontal(id="reader-body"):
            yield ArticleView(self.workspace.labels, id="article")
            with VerticalScroll(id="side-panel", can_focus=False):
                yield SafeStatic(id="panel")
        yield SafeStatic(id="legend")
        yield SearchInput(
            placeholder="search the article — Enter: next match, Escape: close", id="search"
        )
        yield Footer()

    def on_mount(self) -> None:
        store = self.workspace.store
        self.document = store.get_document(self.doc_id)
        self.spans = self.editor.spans()
        self.claims = self.editor.claims()
        article = self.query_one(ArticleView)
        article.confidence_floor = self.workspace.review.floor
        article.load(self.document.text, self.spans, self.claims)
        article.cursor_listener = self._cursor_moved
        article.focus()
        self.query_one("#search", Input).display = False
        # opening a document to read it takes it up again, also one that was skipped
        if not self.following:
            self._take_up()
        self.post_message(DocumentShown(self.doc_id))
        others = self._other_annotators()
        if others:
            self.status = (
                f"✓ {', '.join(sorted(others))} annotated this too; their work stays theirs "
                "(tui --annotator NAME shows it)"
            )
        if self.workspace.read_only_reason is not None:
            self.status = f"⚠ read-only: {self.workspace.read_only_reason}"
        self._update_focus_from_cursor()
        chosen = self._claim(self.claim_id) if self.claim_id is not None else None
        if chosen is not None:
            self._set_focus(Focus("claim", chosen.id), chosen.content.start)
        if self.following and self.focus_item is None:  # the first decision to make
            pending = sorted(self._pending(), key=self._review_key)
            if pending:
                self._set_focus(pending[0][1], pending[0][0])
        self._render_legend()
        self._render_chrome()

    def _other_annotators(self) -> set[str]:
        """Annotators whose own work on this document is not in this view."""
        store, me = self.workspace.store, self.workspace.annotator
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
        state = self.workspace.store.review_state(self.doc_id, self.workspace.annotator)
        if state in (ReviewState.TODO, ReviewState.SKIPPED):
            self._write(lambda: self.editor.set_state(ReviewState.IN_PROGRESS))

    def _write(self, change: Callable[[], object]) -> bool:
        """Run a store write; True when it is durable. Errors are shown, never raised."""
        if self.following:  # the first edit of a document D opened takes it up (first, so
            self.following = False  # the edit's own changes are the last the screen sees)
            self._take_up()
        problem = self.workspace.try_write(change)
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
        changed = self.workspace.last_changes
        if len(changed) > INCREMENTAL_LIMIT or self._changes_another_version(changed):
            self._reload()
            return []
        store = self.workspace.store
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
        store = self.workspace.store
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
                    or record.annotator not in (None, self.workspace.annotator)
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
                before.append(extent(old))
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
        return legend_pieces(self.app, self.workspace.labels)

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
        state = self.workspace.store.review_state(self.doc_id, self.workspace.annotator)
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

    def _render_panel(self) -> None:
        self._show_panel(self._panel_text())

    def _panel_text(self) -> Text:
        """What the side panel says about the focused entity or claim."""
        text = self.document.text if self.document is not None else ""
        entity, claim = self._focused_entity(), self._focused_claim()
        if entity is not None:
            return entity_panel(text, entity, self.workspace.labels.get(entity.label))
        if claim is not None:
            linked = self._entity(claim.source_entity) if claim.source_entity else None
            return claim_panel(text, claim, linked)
        return nothing_panel()

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

    # Visiting order ---------------------------------------------------------------------------

    def _jump(self, items: list[tuple[int, Focus]], direction: int, what: str) -> None:
        if not items:
            hidden = self._hidden_note() if what == "pending suggestion" else ""
            self._say(f"no {what} in view; {hidden}" if hidden else f"no {what} in this document")
            return
        by_confidence = what == "pending suggestion" and self.workspace.review.order != ORDERS[0]
        order: Callable[[tuple[int, Focus]], tuple[float, ...]] = (
            self._review_key if by_confidence else lambda item: visit_key(*item)
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
        return (self.workspace.review.rank(confidence), *visit_key(offset, focus))

    def _confidence_position(self) -> tuple[float, int, int, int] | None:
        """Where the focused item stands in the review order, or None with nothing focused."""
        focus = self.focus_item
        if focus is None:
            return None
        item = self._entity(focus.id) if focus.kind == "entity" else self._claim(focus.id)
        return self._review_key((extent(item).start, focus)) if item is not None else None

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
            if item is not None and cursor <= extent(item).start:
                return visit_key(extent(item).start, focus)
        return (cursor, -1, -1)

    def _selection_or_token(self) -> Offsets | None:
        article = self.query_one(ArticleView)
        if article.selection is not None:
            return article.selection
        if not len(article.tokens):
            return None
        return article.tokens.span(article.tokens.index_at(article.cursor))

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

    def _visible_claims(self) -> list[Claim]:
        article = self.query_one(ArticleView)
        return [c for c in self.claims if article.claim_shown(c)]
