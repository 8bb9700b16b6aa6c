"""The article view: a line-API widget that draws only the visible lines.

Like toolong's log view, it keeps the wrapped layout (recomputed only when the width changes)
and a cache of rendered lines; a keystroke re-renders the handful of visible lines, so the cost
of a repaint does not grow with the article. Entities are tinted by label (pending suggestions
underlined, rejected ones struck through), claims get a bar in the gutter (solid when decided,
dashed while pending) and a faint tint, the focused claim's source and cue light up.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from itertools import pairwise
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import BindingType
from textual.color import Color
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from annotate.labels import LabelSet
from annotate.model import Claim, EntitySpan, Offsets, SpanStatus
from annotate.tokenizing.tokens import (
    Tokens,
    next_paragraph,
    next_sentence,
    previous_paragraph,
    previous_sentence,
)
from tui.keymap import READER
from tui.theme import CLAIM_TINT, claim_tint, legible_tint, on_theme_change, palette, readable
from tui.widgets.article_layout import Layout

GUTTER = 2
SELECTION = "#0178d4"
#: Where annotators disagree (adjudication); also underlined and marked ≠ in the margin.
CONFLICT_TINT = "#ff4f4f"
SEARCH_TINT = "#f0e442"


@dataclass(slots=True)
class Focus:
    """What the analyst is looking at: an entity span or a claim."""

    kind: str  # "entity" or "claim"
    id: int


@dataclass(slots=True)
class _Item:
    start: int
    end: int
    kind: str  # "entity", "claim", "source", "cue", "match"
    ref: int
    label: str = ""
    status: str = ""


def _table(item: _Item) -> str:
    return "spans" if item.kind == "entity" else "claims"


class ArticleView(ScrollView, can_focus=True):
    """Shows one article with its annotations; owns cursor and selection."""

    BINDINGS: ClassVar[list[BindingType]] = READER.bindings("article")

    char_mode: reactive[bool] = reactive(False)

    def __init__(self, labels: LabelSet, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.labels = labels
        self.text = ""
        self.tokens = Tokens.of("")
        self.text_layout = Layout("", 80)
        self.cursor = 0
        self.select_anchor: int | None = None
        self.focused: Focus | None = None
        self.focused_claim: Claim | None = None
        self.matches: list[Offsets] = []
        #: Stretches where annotators disagree and no decision was made yet (adjudication).
        self.conflicts: list[Offsets] = []
        self.show_rejected = True
        #: Claim kinds the analyst chose not to see (``T`` hides statistic claims).
        self.hidden_kinds: set[str] = set()
        #: Pending claims under this confidence are set aside (``>`` in the reader).
        self.confidence_floor = 0.0
        self._spans: list[EntitySpan] = []
        self._claims: list[Claim] = []
        self._span_by_id: dict[int, EntitySpan] = {}
        self._claim_by_id: dict[int, Claim] = {}
        self._line_items: list[list[_Item]] = []
        self._cache: dict[int, Strip] = {}
        self._style_cache: dict[tuple[object, ...], Style] = {}
        self._dragging = False
        #: Called (synchronously, so one key is one repaint) whenever the cursor moves.
        self.cursor_listener: Callable[[int], None] | None = None

    # Content -------------------------------------------------------------------------------------

    def load(self, text: str, spans: list[EntitySpan], claims: list[Claim]) -> None:
        self.text = text
        self.tokens = Tokens.of(text)
        self.cursor = self.tokens.starts[0] if len(self.tokens) else 0
        self.select_anchor = None
        self.matches = []
        self._relayout()
        self.set_annotations(spans, claims)

    def _take(self, spans: list[EntitySpan], claims: list[Claim]) -> None:
        self._spans = spans
        self._claims = claims
        self._span_by_id = {span.id: span for span in spans}
        self._claim_by_id = {claim.id: claim for claim in claims}

    def set_annotations(self, spans: list[EntitySpan], claims: list[Claim]) -> None:
        self._take(spans, claims)
        if self.focused is not None and self._focus_ranges(self.focused, None) == []:
            self.focused = None
        self._index_items()

    def apply_changes(
        self,
        spans: list[EntitySpan],
        claims: list[Claim],
        changed: AbstractSet[tuple[str, int]],
        before: list[Offsets],
    ) -> None:
        """Take edited annotations, re-indexing only the lines the changed ones touch(ed)."""
        self._take(spans, claims)
        fresh = [item for item in self._items() if (_table(item), item.ref) in changed]
        layout = self.text_layout
        lines: set[int] = set()
        for offsets in [*before, *(Offsets(i.start, i.end) for i in fresh)]:
            first = layout.line_of(offsets.start)
            lines.update(range(first, layout.line_of(max(offsets.start, offsets.end - 1)) + 1))
        for index in lines:
            line = layout.lines[index]
            kept = [i for i in self._line_items[index] if (_table(i), i.ref) not in changed]
            kept += [
                i for i in fresh if i.start < max(line.end, line.start + 1) and line.start < i.end
            ]
            self._line_items[index] = kept
            self._cache.pop(index, None)
        self.refresh()

    def set_focus_item(self, focus: Focus | None, claim: Claim | None) -> None:
        """Change what is focused; only the lines it touches are drawn again."""
        before = self._focus_ranges(self.focused, self.focused_claim)
        self.focused = focus
        self.focused_claim = claim
        self._invalidate(before + self._focus_ranges(focus, claim))

    def _focus_ranges(self, focus: Focus | None, claim: Claim | None) -> list[Offsets]:
        ranges: list[Offsets] = []
        if focus is not None and focus.kind == "entity" and focus.id in self._span_by_id:
            ranges.append(self._span_by_id[focus.id].offsets)
        if focus is not None and focus.kind == "claim" and focus.id in self._claim_by_id:
            ranges.append(self._claim_by_id[focus.id].content)
        if claim is not None:
            ranges += claim.parts()
        return ranges

    def set_matches(self, matches: list[Offsets]) -> None:
        self.matches = matches
        self._index_items()

    def set_conflicts(self, conflicts: list[Offsets]) -> None:
        self.conflicts = conflicts
        self._index_items()

    def _relayout(self) -> None:
        width = max(10, self.scrollable_content_region.width - GUTTER) if self.is_mounted else 80
        self.text_layout = Layout(self.text, width)
        self.virtual_size = Size(width + GUTTER, len(self.text_layout.lines))
        self._index_items()

    def on_resize(self, event: events.Resize) -> None:
        if self.text and self.text_layout.width != max(
            10, self.scrollable_content_region.width - GUTTER
        ):
            self._relayout()
            self.scroll_cursor_visible()

    def _items(self) -> Iterable[_Item]:
        for span in self._spans:
            if span.status == SpanStatus.REJECTED and not self.show_rejected:
                continue
            yield _Item(span.start, span.end, "entity", span.id, span.label, span.status.value)
        for claim in self._claims:
            if not self.claim_shown(claim):
                continue
            for part in claim.content_fragments():  # discontinuous content: its pieces only
                yield _Item(part.start, part.end, "claim", claim.id, "", claim.status.value)
        for match in self.matches:
            yield _Item(match.start, match.end, "match", 0)
        for conflict in self.conflicts:
            yield _Item(conflict.start, conflict.end, "conflict", 0)

    def claim_shown(self, claim: Claim) -> bool:
        """Whether the view draws ``claim``: not of a hidden kind, and not a pending suggestion
        under the confidence floor."""
        if claim.kind.value in self.hidden_kinds:
            return False
        return not (
            self.confidence_floor > 0
            and claim.status == SpanStatus.SUGGESTED
            and claim.confidence is not None
            and claim.confidence < self.confidence_floor
        )

    def _index_items(self) -> None:
        """Which items touch which display lines (work proportional to what they cover)."""
        lines = self.text_layout.lines
        per_line: list[list[_Item]] = [[] for _ in lines]
        starts = self.text_layout.line_starts
        for item in self._items():
            first = max(0, bisect_right(starts, item.start) - 1)
            for index in range(first, len(lines)):
                if lines[index].start >= item.end:
                    break
                per_line[index].append(item)
        self._line_items = per_line
        self._cache.clear()
        self.refresh()

    def _invalidate(self, ranges: Iterable[Offsets | None]) -> None:
        """Forget the drawn lines that ``ranges`` touch, then repaint (the rest is cached)."""
        layout = self.text_layout
        for offsets in ranges:
            if offsets is None:
                continue
            first = layout.line_of(offsets.start)
            last = layout.line_of(max(offsets.start, offsets.end - 1))
            for index in range(first, last + 1):
                self._cache.pop(index, None)
        self.refresh()

    # Rendering -----------------------------------------------------------------------------------

    def _palette(self) -> tuple[Color, Color, bool]:
        colours = palette(self.app)
        return colours.background, colours.foreground, colours.dark

    def _theme_changed(self) -> None:
        """Cached lines and styles hold the old theme's colours."""
        self._style_cache.clear()
        self._cache.clear()
        self.refresh()

    def _style(self, key: tuple[object, ...]) -> Style:
        cached = self._style_cache.get(key)
        if cached is None:
            cached = self._build_style(key)
            self._style_cache[key] = cached
        return cached

    def _build_style(self, key: tuple[object, ...]) -> Style:
        (
            entity_label,
            entity_status,
            focused_entity,
            in_claim,
            focused_claim,
            source,
            cue,
            selected,
            cursor,
            match,
            marker,
        ) = key
        background, foreground, _ = self._palette()
        bg = background
        fg: Color | None = None
        bold = underline = strike = italic = dim = False
        if in_claim:
            bg = claim_tint(bg, focused=bool(focused_claim))
        if entity_label:
            colour = Color.parse(self.labels.get(str(entity_label)).colour)
            if entity_status == SpanStatus.SUGGESTED.value:
                bg, fg = legible_tint(bg, colour, 0.35)
                underline = True
            elif entity_status == SpanStatus.REJECTED.value:
                strike = dim = True
                fg = readable(foreground, bg)
            else:
                bg, fg = legible_tint(bg, colour, 0.70)
            bold = bool(focused_entity)
        if source:
            bold = underline = True
            italic = False
        if cue:
            bold = italic = True
        if match == "search":
            bg, fg = legible_tint(bg, Color.parse(SEARCH_TINT), 0.6)
        elif match == "conflict":
            bg, fg = legible_tint(bg, Color.parse(CONFLICT_TINT), 0.45)
            underline = True
        if selected:
            bg, fg = legible_tint(bg, Color.parse(self.app.current_theme.primary or SELECTION), 1.0)
            bold = True
        if marker:
            dim = not (selected or cursor)
        style = Style(
            color=(fg or foreground).rich_color,
            bgcolor=bg.rich_color,
            bold=bold,
            underline=underline,
            strike=strike,
            italic=italic,
            dim=dim,
            reverse=bool(cursor) and self.has_focus,
        )
        if focused_entity:
            style += Style(underline=True, bold=True, overline=True)
        return style

    def render_line(self, y: int) -> Strip:
        index = y + int(self.scroll_offset.y)
        if index >= len(self.text_layout.lines):
            background, _, _ = self._palette()
            return Strip.blank(self.size.width, Style(bgcolor=background.rich_color))
        strip = self._cache.get(index)
        if strip is None:
            strip = self._render_display_line(index)
            self._cache[index] = strip
        return strip

    def _cursor_range(self) -> Offsets:
        if self.char_mode or not len(self.tokens):
            return Offsets(self.cursor, self.cursor + 1)
        token = self.tokens.index_at(self.cursor)
        span = self.tokens.span(token)
        return (
            span if span.start <= self.cursor < span.end else Offsets(self.cursor, self.cursor + 1)
        )

    @property
    def selection(self) -> Offsets | None:
        """The selected range (snapped to tokens unless in character mode)."""
        if self.select_anchor is None:
            return None
        low, high = sorted((self.select_anchor, self.cursor))
        if self.char_mode:
            return Offsets(low, high + 1) if high < len(self.text) else Offsets(low, high)
        end = self.tokens.span(self.tokens.index_at(high)).end if len(self.tokens) else high
        return self.tokens.snap(low, max(end, low + 1))

    def _render_display_line(self, index: int) -> Strip:
        line = self.text_layout.lines[index]
        items = self._line_items[index] if index < len(self._line_items) else []
        selection = self.selection
        cursor = self._cursor_range()
        background, foreground, _ = self._palette()
        segments = [self._gutter(items, background)]
        points = {line.start, line.end}
        for item in items:
            points.update((max(item.start, line.start), min(item.end, line.end)))
        overlays = [selection, cursor]
        if self.focused_claim is not None:
            overlays += [self.focused_claim.source, self.focused_claim.cue]
        for extra in overlays:
            if extra is not None and extra.start < line.end and line.start < extra.end:
                points.update((max(extra.start, line.start), min(extra.end, line.end)))
        boundaries = sorted(p for p in points if line.start <= p <= line.end)
        glyphs = self.text_layout.glyphs(index)
        width_used = GUTTER
        for run_start, run_end in pairwise(boundaries):
            if run_start >= run_end:
                continue
            run = glyphs[run_start - line.start : run_end - line.start]
            key = self._run_key(run_start, items, selection, cursor)
            buffer: list[str] = []
            buffer_marker = False
            for _, shown in run:
                if buffer and shown.marker != buffer_marker:
                    segments.append(Segment("".join(buffer), self._style((*key, buffer_marker))))
                    buffer = []
                buffer_marker = shown.marker
                buffer.append(shown.text)
                width_used += shown.width
            if buffer:
                segments.append(Segment("".join(buffer), self._style((*key, buffer_marker))))
        if cursor.start == line.end == cursor.end - 1 and cursor.start < len(self.text):
            segments.append(
                Segment(" ", self._style((*self._run_key(line.end, items, None, cursor), False)))
            )
            width_used += 1
        fill = max(0, self.size.width - width_used)
        segments.append(
            Segment(" " * fill, Style(bgcolor=background.rich_color, color=foreground.rich_color))
        )
        return Strip(segments, width_used + fill)

    def _drawn_over(self, item: _Item, other: _Item) -> bool:
        """Which of two overlapping spans a character shows: the focused one, else a live one
        before a rejected one (a rejection never punches a hole in an accepted span), else the
        shorter."""

        def rank(entity: _Item) -> tuple[int, int, int]:
            focused = self.focused is not None and self.focused == Focus("entity", entity.ref)
            rejected = entity.status == SpanStatus.REJECTED.value
            return (0 if focused else 1, int(rejected), entity.end - entity.start)

        return rank(item) < rank(other)

    def _run_key(
        self, offset: int, items: list[_Item], selection: Offsets | None, cursor: Offsets
    ) -> tuple[object, ...]:
        entity: _Item | None = None
        in_claim = focused_claim = source = cue = False
        match = ""
        for item in items:
            if not item.start <= offset < item.end:
                continue
            if item.kind == "entity":
                if entity is None or self._drawn_over(item, entity):
                    entity = item
            elif item.kind == "claim":
                in_claim = True
                if (
                    self.focused is not None
                    and self.focused.kind == "claim"
                    and self.focused.id == item.ref
                ):
                    focused_claim = True
            elif item.kind == "match":
                match = "search"
            elif item.kind == "conflict" and not match:
                match = "conflict"
        claim = self.focused_claim
        if claim is not None:
            source = claim.source is not None and claim.source.start <= offset < claim.source.end
            cue = claim.cue is not None and claim.cue.start <= offset < claim.cue.end
        focused_entity = (
            entity is not None
            and self.focused is not None
            and self.focused.kind == "entity"
            and self.focused.id == entity.ref
        )
        return (
            entity.label if entity else "",
            entity.status if entity else "",
            focused_entity,
            in_claim,
            focused_claim,
            source,
            cue,
            selection is not None and selection.start <= offset < selection.end,
            cursor.start <= offset < cursor.end,
            match,
        )

    def _gutter(self, items: list[_Item], background: Color) -> Segment:
        claims = [item for item in items if item.kind == "claim"]
        if not claims and any(item.kind == "conflict" for item in items):
            colour = readable(Color.parse(CONFLICT_TINT), background, 3.0)
            return Segment(
                "≠ ", Style(color=colour.rich_color, bgcolor=background.rich_color, bold=True)
            )
        if not claims:
            return Segment(" " * GUTTER, Style(bgcolor=background.rich_color))
        focused = any(
            self.focused is not None and self.focused.kind == "claim" and self.focused.id == c.ref
            for c in claims
        )
        pending = all(c.status == SpanStatus.SUGGESTED.value for c in claims)
        rejected = all(c.status == SpanStatus.REJECTED.value for c in claims)
        bar = "·" if rejected else "╏" if pending else "▌"
        colour = readable(Color.parse(CLAIM_TINT), background, 3.0)
        style = Style(color=colour.rich_color, bgcolor=background.rich_color, bold=focused)
        if focused:
            bar = "┃"
            accent = readable(
                Color.parse(self.app.current_theme.accent or "#ffa62b"), background, 3.0
            )
            style = Style(color=accent.rich_color, bgcolor=background.rich_color, bold=True)
        return Segment(bar + " ", style)

    # Cursor and selection -----------------------------------------------------------------------

    def watch_char_mode(self) -> None:
        self._cache.clear()
        self.refresh()

    class GranularityChanged(Message):
        """The cursor moves by character or by token now (``g``)."""

        def __init__(self, char_mode: bool) -> None:
            super().__init__()
            self.char_mode = char_mode

    def action_toggle_granularity(self) -> None:
        self.char_mode = not self.char_mode
        self.post_message(self.GranularityChanged(self.char_mode))

    def move_to(self, offset: int, *, extend: bool = False) -> None:
        offset = max(0, min(offset, max(0, len(self.text) - 1)))
        before = [self._cursor_range(), self.selection]
        if extend:
            if self.select_anchor is None:
                self.select_anchor = self.cursor
        else:
            self.select_anchor = None
        self.cursor = offset
        self._invalidate([*before, self._cursor_range(), self.selection])
        self.scroll_cursor_visible()
        if self.cursor_listener is not None:
            self.cursor_listener(offset)

    def select(self, offsets: Offsets) -> None:
        """Select ``offsets``; the cursor goes to its last character."""
        before = [self._cursor_range(), self.selection]
        self.select_anchor = offsets.start
        self.cursor = max(offsets.start, offsets.end - 1)
        self._invalidate([*before, self._cursor_range(), self.selection])
        self.scroll_cursor_visible()
        if self.cursor_listener is not None:
            self.cursor_listener(self.cursor)

    def clear_selection(self) -> bool:
        if self.select_anchor is None:
            return False
        selection = self.selection
        self.select_anchor = None
        self._invalidate([selection])
        return True

    def scroll_cursor_visible(self) -> None:
        line, _ = self.text_layout.column_of(self.cursor)
        self.scroll_to_region(Region(0, line, 1, 1), animate=False, immediate=True)

    def action_move(self, unit: str, direction: int, extend: bool = False) -> None:
        self.move_to(self._target(unit, direction), extend=extend)

    def _target(self, unit: str, direction: int) -> int:
        text, cursor, tokens = self.text, self.cursor, self.tokens
        if unit == "token":
            if self.char_mode:
                return cursor + direction
            return tokens.next_start(cursor) if direction > 0 else tokens.previous_start(cursor)
        if unit == "word":
            return tokens.next_word(cursor) if direction > 0 else tokens.previous_word(cursor)
        if unit == "sentence":
            return next_sentence(text, cursor) if direction > 0 else previous_sentence(text, cursor)
        if unit == "paragraph":
            return (
                next_paragraph(text, cursor) if direction > 0 else previous_paragraph(text, cursor)
            )
        line, column = self.text_layout.column_of(cursor)
        if unit in ("line", "page"):
            step = 1 if unit == "line" else max(1, self.size.height - 1)
            target = self.text_layout.offset_at(line + direction * step, column)
            return self._snap_to_token(target)
        if unit == "home":
            return self.text_layout.lines[line].start
        if unit == "end":
            return max(self.text_layout.lines[line].start, self.text_layout.lines[line].end - 1)
        if unit == "top":
            return 0
        return max(0, len(text) - 1)

    def _snap_to_token(self, offset: int) -> int:
        if self.char_mode or not len(self.tokens):
            return offset
        return self.tokens.span(self.tokens.index_at(offset)).start

    # Mouse ------------------------------------------------------------------------------------

    def _offset_at_mouse(self, event: events.MouseEvent) -> int:
        line = event.y + int(self.scroll_offset.y)
        return self.text_layout.offset_at(line, max(0, event.x - GUTTER))

    def on_mouse_down(self, event: events.MouseDown) -> None:
        self.focus()
        self._dragging = True
        self.capture_mouse()
        self.move_to(self._snap_to_token(self._offset_at_mouse(event)))

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self._dragging:
            offset = self._offset_at_mouse(event)
            if offset != self.cursor:
                self.move_to(offset, extend=True)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        self._dragging = False
        self.release_mouse()

    def on_mount(self) -> None:
        on_theme_change(self, self._theme_changed)

    def on_focus(self) -> None:
        self._cache.clear()
        self.refresh()

    def on_blur(self) -> None:
        self._cache.clear()
        self.refresh()
