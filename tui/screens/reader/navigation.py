"""The reader's moves: to the next entity, pending suggestion or claim, searching the
article, scrolling the side panel, and back to the list."""

from __future__ import annotations

import re

from textual.containers import VerticalScroll
from textual.widgets import Input

from annotate.model import Offsets
from tui.screens.reader.base import ReaderBase
from tui.widgets.article import ArticleView, Focus
from tui.widgets.search import SearchInput


class NavigationActions(ReaderBase):
    """Keys that move the cursor or the view and change nothing."""

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

    def action_scroll_panel(self, direction: int) -> None:
        """Page the side panel (a long claim's rule and explanation at 80×24)."""
        panel = self.query_one("#side-panel", VerticalScroll)
        panel.scroll_relative(y=direction * max(1, panel.size.height - 1), animate=False)
