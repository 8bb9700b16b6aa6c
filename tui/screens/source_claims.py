"""A source's claims in date order, and, opened from a claim in the reader, the same claim in
other documents; Enter on a claim opens the reader on it. Corrections: space marks claims, x
splits them off into a new source, u undoes."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer

from annotate.ledger.corpus import (
    claim_lines,
    corpus_groups,
    corpus_ledger,
    entry_of_claim,
    group_of_claim,
)
from annotate.ledger.corrections import Correction, split, undo_last
from annotate.ledger.groups import ClaimGroup
from annotate.ledger.sources import Entry
from annotate.safetext import visible
from tui.keymap import SOURCE_CLAIMS
from tui.messages import OpenClaim
from tui.screens.dialogs import HelpScreen, PromptScreen
from tui.theme import warning_style
from tui.widgets.safe import SafeStatic, cell
from tui.workspace import Workspace, workspace_of

#: A source's claims screen lists this many, earliest first.
CLAIMS_SHOWN = 1000


def undo_correction(workspace: Workspace) -> tuple[str, bool]:
    """Undo the annotator's last correction of the ledger: what to say, and whether
    anything was undone."""
    undone: list[str | None] = []
    store, annotator = workspace.store, workspace.annotator
    problem = workspace.try_write(lambda: undone.append(undo_last(store, annotator)))
    if problem is not None:
        return f"⚠ {problem}", False
    if undone[0] is None:
        return "nothing to undo: no correction of yours", False
    return f"✓ undid: {undone[0]}", True


@dataclass(frozen=True)
class ClaimRow:
    """One row of a source's claims or of a claim group: the claim and where it is."""

    doc_id: str
    claim_id: int


class SourceClaimsScreen(Screen[None]):
    """One source's claims in date order; opened from a claim, also the same claim in other
    documents."""

    BINDINGS: ClassVar[list[BindingType]] = SOURCE_CLAIMS.bindings()

    def __init__(self, entry: Entry | None = None, *, claim: ClaimRow | None = None) -> None:
        super().__init__()
        self.entry = entry
        #: The claim the screen was opened from (the reader's): its source's entry and its
        #: group are looked up when the screen opens.
        self.claim = claim
        self.rows: dict[str, list[ClaimRow]] = {"source-claims": [], "group-claims": []}
        #: The source's claims marked to split off.
        self.marked: set[ClaimRow] = set()
        self.status = ""

    @cached_property
    def workspace(self) -> Workspace:
        return workspace_of(self.app)

    def compose(self) -> ComposeResult:
        yield SafeStatic(id="source-title")
        yield DataTable(id="source-claims", cursor_type="row", zebra_stripes=True)
        yield SafeStatic(id="group-title")
        yield DataTable(id="group-claims", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        for table in self.query(DataTable):
            for heading in ("date", "claim", "cue", "status", "kind", "outlet", "document"):
                table.add_column(heading, key=heading)
        group_title = self.query_one("#group-title", SafeStatic)
        if self.claim is not None:  # from the reader: its source's entry and its group
            self.query_one("#source-title", SafeStatic).update(
                Text("Who said it: reading the corpus…", style="dim")
            )
            group_title.update(Text("The same claim elsewhere: looking…", style="dim"))
            self._find()
        else:
            self._show_entry()
            group_title.display = False
            self.query_one("#group-claims", DataTable).display = False
        self.query_one("#source-claims", DataTable).focus()

    @work(thread=True, exclusive=True, group="ledger")
    def _find(self) -> None:
        assert self.claim is not None
        store, annotator = self.workspace.store, self.workspace.annotator
        ledger = corpus_ledger(store, annotator)
        entry = entry_of_claim(ledger, self.claim.doc_id, self.claim.claim_id)
        groups = corpus_groups(store, annotator=annotator)
        self.app.call_from_thread(self._found, entry, groups)

    @work(thread=True, exclusive=True, group="ledger")
    def _reload_entry(self, entry_id: str) -> None:
        """The entry again after a correction (it is gone when all its claims left)."""
        ledger = corpus_ledger(self.workspace.store, self.workspace.annotator)
        entry = next((e for e in ledger if e.id == entry_id), None)
        self.app.call_from_thread(self._reloaded, entry)

    def _reloaded(self, entry: Entry | None) -> None:
        self.entry = entry
        self.marked.clear()
        self.query_one("#source-claims", DataTable).clear()
        self.rows["source-claims"] = []
        self._show_entry()

    def _found(self, entry: Entry | None, groups: list[ClaimGroup]) -> None:
        self.entry = entry
        self._show_entry()
        self._show_group(groups)

    def _show_entry(self) -> None:
        title = Text()
        entry = self.entry
        if entry is None:
            title.append("This claim has no source", style="bold")
            title.append(" (s in the reader sets one)", style="dim")
            self.query_one("#source-title", SafeStatic).update(title)
            self.query_one("#source-claims", DataTable).display = False
            return
        states = entry.states()
        title.append(visible(entry.name[:80]), style="bold")
        title.append(
            f" · {entry.kind} · {states.get('accepted', 0)} accepted, "
            f"{states.get('suggested', 0)} suggested, {states.get('rejected', 0)} rejected · "
            f"{len(entry.documents)} document(s)",
            style="dim",
        )
        if len(entry.refs) > CLAIMS_SHOWN:
            title.append(f" · the first {CLAIMS_SHOWN} by date", style="dim")
        others = sorted(name for name in entry.names if name != entry.name)
        if others:
            title.append("\nalso written: " + visible(", ".join(others))[:200], style="dim")
        if self.marked:
            title.append(f" · {len(self.marked)} marked (x splits them off)", style="bold")
        if self.status:
            warning = self.status.startswith("⚠")
            style = warning_style(self.app) if warning else "bold"
            title.append(f"\n{visible(self.status)}", style=style)
        self.query_one("#source-title", SafeStatic).update(title)
        self.query_one("#source-claims", DataTable).display = True
        table = self.query_one("#source-claims", DataTable)
        store, annotator = self.workspace.store, self.workspace.annotator
        for line in claim_lines(store, entry, annotator, CLAIMS_SHOWN):
            row = ClaimRow(line.doc_id, line.claim_id)
            self.rows["source-claims"].append(row)
            content = cell(line.content, self._room() - 2)
            if row in self.marked:
                content = Text("● ", style="bold").append_text(content)
            table.add_row(
                cell(line.date or "—"),
                content,
                cell(line.cue or "—", 16),
                cell(line.status),
                cell(line.kind),
                cell(line.outlet or "—", 14),
                cell(line.title, 40),
                key=f"{line.doc_id}:{line.claim_id}",
            )
            if self.claim == row:
                table.move_cursor(row=len(self.rows["source-claims"]) - 1)

    def _show_group(self, groups: list[ClaimGroup]) -> None:
        assert self.claim is not None
        found = group_of_claim(groups, self.claim.doc_id, self.claim.claim_id)
        title = self.query_one("#group-title", SafeStatic)
        table = self.query_one("#group-claims", DataTable)
        if found is None:
            title.update(Text("No other document carries this claim", style="dim"))
            table.display = False
            return
        here = (self.claim.doc_id, self.claim.claim_id)
        others = [m for m in found.members if (m.doc_id, m.claim_id) != here]
        title.update(
            Text(
                f"The same claim elsewhere: {len(found.documents)} document(s), first "
                f"{found.first.date or 'undated'} ({visible(found.first.outlet or '—')})",
                style="bold",
            )
        )
        store = self.workspace.store
        for member in others:
            document = store.get_document(member.doc_id)
            claim = store.find_claim(member.claim_id)
            if claim is None:
                continue
            cue = document.text[claim.cue.start : claim.cue.end] if claim.cue else "—"
            self.rows["group-claims"].append(ClaimRow(member.doc_id, member.claim_id))
            table.add_row(
                cell(member.date or "—"),
                cell(member.content, self._room()),
                cell(cue, 16),
                cell(claim.status.value),
                cell(claim.kind.value),
                cell(member.outlet or "—", 14),
                cell(document.display_title, 40),
                key=f"{member.doc_id}:{member.claim_id}",
            )

    def _room(self) -> int:
        """The claim's column takes the room the date, cue and status leave."""
        return max(24, (self.size.width or 80) - 42)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        table = event.data_table
        rows = self.rows.get(table.id or "", [])
        if 0 <= event.cursor_row < len(rows):
            chosen = rows[event.cursor_row]
            self.post_message(OpenClaim(chosen.doc_id, chosen.claim_id))

    def _say(self, message: str) -> None:
        self.status = message
        if self.entry is not None:
            self._redraw()
        else:
            self.query_one("#source-title", SafeStatic).update(Text(message))

    def _redraw(self) -> None:
        table = self.query_one("#source-claims", DataTable)
        current = table.cursor_row
        table.clear()
        self.rows["source-claims"] = []
        self._show_entry()
        if table.row_count:
            table.move_cursor(row=min(current, table.row_count - 1))

    def _claim_here(self) -> ClaimRow | None:
        table = self.query_one("#source-claims", DataTable)
        rows = self.rows["source-claims"]
        if not table.display or not rows:
            return None
        return rows[min(table.cursor_row, len(rows) - 1)]

    def action_mark(self) -> None:
        row = self._claim_here()
        if row is None:
            return
        self.marked ^= {row}
        table = self.query_one("#source-claims", DataTable)
        self._redraw()
        if table.cursor_row + 1 < table.row_count:
            table.move_cursor(row=table.cursor_row + 1)

    def action_split(self) -> None:
        entry, here = self.entry, self._claim_here()
        chosen = sorted(self.marked, key=lambda row: (row.doc_id, row.claim_id))
        if not chosen and here is not None:
            chosen = [here]
        if entry is None or not chosen:
            self._say("⚠ no claim to split off")
            return
        claims = [(row.doc_id, row.claim_id) for row in chosen]
        store, annotator = self.workspace.store, self.workspace.annotator

        def named(name: str | None) -> None:
            if name is None or not name.strip():
                return
            done: list[Correction] = []
            problem = self.workspace.try_write(
                lambda: done.append(split(store, annotator, entry, claims, name))
            )
            if problem is not None:
                self._say(f"⚠ {problem}")
                return
            self.status = f"✓ {len(claims)} claim(s) split off into {visible(name)} (u undoes it)"
            self._reload_entry(entry.id)

        self.app.push_screen(
            PromptScreen(f"Name of the source for {len(claims)} claim(s)", entry.name), named
        )

    def action_undo(self) -> None:
        message, undone = undo_correction(self.workspace)
        if undone and self.entry is not None:
            self.status = message
            self._reload_entry(self.entry.id)
        else:
            self._say(message)

    def action_other_table(self) -> None:
        tables = [t for t in self.query(DataTable) if t.display and t.row_count]
        if len(tables) > 1:
            current = next((i for i, t in enumerate(tables) if t.has_focus), 0)
            tables[(current + 1) % len(tables)].focus()

    def action_back(self) -> None:
        self.dismiss(None)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(SOURCE_CLAIMS.title, SOURCE_CLAIMS.help_groups()))
