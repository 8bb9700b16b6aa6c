"""Every key of every screen, in one place.

A screen's bindings (and so its footer and the command palette), its help screen and README's
key tables are all read from the keymaps here; nothing else lists keys. A row names what its
keys do and which widget binds them: the screen itself, the article view, the document table,
the reader (for a screen built on it) or the app (the command palette). ``python -m tui.keymap``
writes README's key tables from the keymaps, and a test checks that README holds what it would
write.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from textual.binding import Binding, BindingType

from tui.keys import DIGITS, shown_keys

Owner = Literal["screen", "article", "table", "reader", "app"]


@dataclass(frozen=True)
class Row:
    """One help row: what its keys do, and the bindings behind it (or, for keys another
    widget binds, just the keys)."""

    does: str
    bindings: tuple[Binding, ...] = ()
    owner: Owner = "screen"
    named: tuple[str, ...] = ()

    @property
    def keys(self) -> list[str]:
        """The keys in Textual's names, in the order the row shows them."""
        return [binding.key for binding in self.bindings] or list(self.named)

    @property
    def written(self) -> str:
        """The keys as the help screen writes them: ``a / enter``, ``1–9``."""
        return shown_keys(self.keys)


def row(does: str, *bindings: Binding, owner: Owner = "screen") -> Row:
    """A row whose keys ``owner`` binds with ``bindings``."""
    return Row(does, tuple(bindings), owner)


def bound_elsewhere(does: str, *keys: str, owner: Owner) -> Row:
    """A row for keys that ``owner`` binds itself (the app's command palette, or the reader
    under a screen built on it)."""
    return Row(does, (), owner, keys)


def bind(key: str, action: str, description: str, *, priority: bool = False) -> Binding:
    """A binding; the keymap's ``footer`` says whether the footer shows it."""
    return Binding(key, action, description, show=False, priority=priority)


@dataclass(frozen=True)
class Keymap:
    """A screen's keys, grouped as its help screen shows them."""

    title: str
    groups: tuple[tuple[str, tuple[Row, ...]], ...]
    #: The keys the footer shows, in this order (at 80 columns only the first few fit).
    footer: tuple[str, ...] = ()
    #: Help rows of another keymap this one replaces, by their written keys.
    replaces: frozenset[str] = field(default_factory=frozenset)

    def rows(self) -> Iterator[Row]:
        for _, rows in self.groups:
            yield from rows

    def bindings(self, owner: Owner = "screen") -> list[BindingType]:
        """The bindings ``owner`` declares (a widget's or screen's ``BINDINGS``): the footer's
        first, shown, in the footer's order."""
        own = [binding for row in self.rows() if row.owner == owner for binding in row.bindings]
        shown = [replace(b, show=True) for key in self.footer for b in own if b.key == key]
        return [*shown, *(b for b in own if b.key not in self.footer)]

    def help_groups(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """The help screen's rows: (keys as written, what they do), grouped."""
        return [(name, [(row.written, row.does) for row in rows]) for name, rows in self.groups]

    def over(self, base: Keymap) -> Keymap:
        """A help keymap: this one's groups first, then ``base``'s without the rows this one
        replaces (the adjudication screen is the reader with some keys given other meanings)."""
        rest = tuple(
            (name, tuple(r for r in rows if r.written not in self.replaces))
            for name, rows in base.groups
        )
        return Keymap(self.title, (*self.groups, *rest), self.footer)


def _article_move(key: str, unit: str, direction: int, description: str) -> Binding:
    return bind(key, f"move('{unit}', {direction})", description)


def _article_extend(key: str, unit: str, direction: int, description: str) -> Binding:
    return bind(key, f"move('{unit}', {direction}, True)", description)


PALETTE = bound_elsewhere(
    "command palette: every action, and every label, by name", "ctrl+p", owner="app"
)
QUIT = "quit — every edit is already saved"

READER = Keymap(
    "Reader keys",
    (
        (
            "Move",
            (
                row(
                    "previous / next token (character in character mode)",
                    _article_move("left", "token", -1, "← token"),
                    _article_move("right", "token", 1, "→ token"),
                    owner="article",
                ),
                row(
                    "previous / next word",
                    _article_move("ctrl+left", "word", -1, "← word"),
                    _article_move("ctrl+right", "word", 1, "→ word"),
                    owner="article",
                ),
                row(
                    "line up / down",
                    _article_move("up", "line", -1, "↑ line"),
                    _article_move("down", "line", 1, "↓ line"),
                    owner="article",
                ),
                row(
                    "previous / next sentence",
                    _article_move("(", "sentence", -1, "← sentence"),
                    _article_move(")", "sentence", 1, "→ sentence"),
                    owner="article",
                ),
                row(
                    "previous / next paragraph",
                    _article_move("ctrl+up", "paragraph", -1, "← paragraph"),
                    _article_move("ctrl+down", "paragraph", 1, "→ paragraph"),
                    owner="article",
                ),
                row(
                    "page up / down",
                    _article_move("pageup", "page", -1, "page up"),
                    _article_move("pagedown", "page", 1, "page down"),
                    owner="article",
                ),
                row(
                    "page the side panel up / down (it also scrolls with the mouse wheel)",
                    bind("shift+pageup", "scroll_panel(-1)", "panel ↑"),
                    bind("shift+pagedown", "scroll_panel(1)", "panel ↓"),
                ),
                row(
                    "start / end of the line",
                    _article_move("home", "home", -1, "line start"),
                    _article_move("end", "end", 1, "line end"),
                    owner="article",
                ),
                row(
                    "start / end of the article",
                    _article_move("ctrl+home", "top", -1, "article start"),
                    _article_move("ctrl+end", "bottom", 1, "article end"),
                    owner="article",
                ),
                row(
                    "next / previous entity span",
                    bind("n", "next_entity(1)", "next span"),
                    bind("p", "next_entity(-1)", "prev span"),
                ),
                row(
                    "next / previous pending suggestion (entity or claim), in the review order",
                    bind("N", "next_pending(1)", "next pending"),
                    bind("P", "next_pending(-1)", "prev pending"),
                ),
                row(
                    "next / previous claim",
                    bind("tab", "next_claim(1)", "next claim", priority=True),
                    bind("shift+tab", "next_claim(-1)", "prev claim", priority=True),
                ),
                row(
                    "search the article (Enter: next match, Escape: close)",
                    bind("slash", "search", "search"),
                ),
            ),
        ),
        (
            "Select and label",
            (
                row(
                    "extend the selection by token",
                    _article_extend("shift+left", "token", -1, "select ←"),
                    _article_extend("shift+right", "token", 1, "select →"),
                    owner="article",
                ),
                row(
                    "extend the selection by word",
                    _article_extend("ctrl+shift+left", "word", -1, "select ← word"),
                    _article_extend("ctrl+shift+right", "word", 1, "select → word"),
                    owner="article",
                ),
                row(
                    "extend the selection by line",
                    _article_extend("shift+up", "line", -1, "select ↑"),
                    _article_extend("shift+down", "line", 1, "select ↓"),
                    owner="article",
                ),
                row(
                    "select the clause under the cursor; again: its sentence",
                    bind("S", "select_clause", "select clause/sentence"),
                ),
                row(
                    "toggle character / token granularity",
                    bind("g", "toggle_granularity", "char/token"),
                    owner="article",
                ),
                row(
                    "label the selection, else relabel the focused span, else the token",
                    *(bind(digit, f"label('{digit}')", f"label {digit}") for digit in DIGITS),
                ),
                row(
                    "pick any label by name (type to filter, ↑/↓, Enter) for the same target",
                    bind("l", "pick_label", "pick a label"),
                ),
                row(
                    "clear the selection; without one, back to the list",
                    bind("escape", "back", "back"),
                ),
            ),
        ),
        (
            "Review: every decision moves on to the next pending suggestion",
            (
                row(
                    "accept the focused suggestion (entity or claim)",
                    bind("a", "accept", "accept"),
                    bind("enter", "accept", "accept"),
                ),
                row("reject it", bind("x", "reject", "reject")),
                row("ignore it: leave it undecided", bind("space", "ignore", "ignore")),
                row(
                    "accept every pending suggestion in the document",
                    bind("A", "accept_all", "accept all"),
                ),
                row("delete the focused span or claim", bind("d", "delete", "delete")),
                row(
                    "grow the focused span: start one token left / end one right",
                    bind("left_square_bracket", "bounds('start', -1)", "start ← (grow)"),
                    bind("right_square_bracket", "bounds('end', 1)", "end → (grow)"),
                ),
                row(
                    "shrink it: start one token right / end one token left",
                    bind("left_curly_bracket", "bounds('start', 1)", "start → (shrink)"),
                    bind("right_curly_bracket", "bounds('end', -1)", "end ← (shrink)"),
                ),
                row(
                    "show / hide rejected suggestions",
                    bind("R", "toggle_rejected", "show/hide rejected"),
                ),
                row(
                    "show / hide statistic claims (a number with no source): hidden ones are "
                    "skipped by tab, N and each decision's move, still counted as pending",
                    bind("T", "toggle_statistics", "show/hide statistic claims"),
                ),
                row(
                    "review order of N / P and of each decision's move: document order, least "
                    "confident first, most confident first",
                    bind("o", "review_order", "review order"),
                ),
                row(
                    "lower / raise the confidence floor (off, 0.3 … 0.9): pending claims under "
                    "it are set aside, still counted as pending",
                    bind("less_than_sign", "confidence_floor(-1)", "lower confidence floor"),
                    bind("greater_than_sign", "confidence_floor(1)", "raise confidence floor"),
                ),
            ),
        ),
        (
            "Claims",
            (
                row(
                    "make the selection a new claim's content; the cursor goes to its start",
                    bind("c", "claim", "claim"),
                ),
                row(
                    "set its source from the selection, the focused entity or a guess",
                    bind("s", "source", "source"),
                ),
                row(
                    "set its cue from the selection or the token at the cursor",
                    bind("v", "cue", "cue"),
                ),
                row(
                    "cycle the claim's kind forward / back",
                    bind("k", "cycle_kind(1)", "claim kind"),
                    bind("K", "cycle_kind(-1)", "claim kind back"),
                ),
                row(
                    "verdict: s supported, d disputed, f false, u unverifiable, r unreviewed",
                    bind("V", "verdict", "verdict"),
                ),
                row("edit the claim's note", bind("e", "note", "note")),
                row(
                    "who said it: the claim's source across the corpus, and the same claim in "
                    "other documents",
                    bind("w", "who_said", "who said it"),
                ),
            ),
        ),
        (
            "Session",
            (
                row(
                    "undo / redo (unbounded, kept across restarts; the cursor goes to the change)",
                    bind("u", "undo", "undo"),
                    bind("ctrl+r", "redo", "redo"),
                ),
                row(
                    "mark the document done and open the next one (asks first when "
                    "suggestions are pending)",
                    bind("D", "done_next", "done+next"),
                ),
                row("label guidelines", bind("h", "guidelines", "guidelines")),
                row("this help", bind("question_mark", "help", "help")),
                PALETTE,
                row(QUIT, bind("q", "app.quit", "quit")),
            ),
        ),
    ),
    footer=("question_mark", "escape", "q", "a", "x", "space", "u", "D", "N"),
)

ADJUDICATION = Keymap(
    "Adjudication keys",
    (
        (
            "Adjudication (in a conflict; outside one the keys work as in the reader)",
            (
                row(
                    "next / previous conflict",
                    bind("n", "next_conflict(1)", "next conflict"),
                    bind("p", "next_conflict(-1)", "prev conflict"),
                ),
                row(
                    "take that version (outside a conflict: label)",
                    *(bind(d, f"pick({int(d) - 1})", f"version {d}") for d in DIGITS),
                ),
                row("keep every version", bind("b", "keep_all", "keep all")),
                row(
                    "drop them all: gold rejects them (outside: reject)",
                    bind("x", "drop", "drop"),
                ),
                bound_elsewhere(
                    "mark the document done once no conflict is left", "D", owner="reader"
                ),
            ),
        ),
    ),
    footer=("n", "b", "x"),
    replaces=frozenset({"n / p", "1–9", "x", "D"}),
)

LIST = Keymap(
    "Document list keys",
    (
        (
            "Documents",
            (
                row(
                    "previous / next document",
                    bind("up", "move(-1)", "up"),
                    bind("down", "move(1)", "down"),
                    owner="table",
                ),
                row(
                    "page up / down",
                    bind("pageup", "page(-1)", "page up"),
                    bind("pagedown", "page(1)", "page down"),
                    owner="table",
                ),
                row(
                    "first / last document",
                    bind("home", "jump(0)", "first"),
                    bind("end", "jump(-1)", "last"),
                    owner="table",
                ),
                row(
                    "open the document in the reader",
                    bind("enter", "choose", "open"),
                    owner="table",
                ),
                row(
                    "mark the document skipped (again: take it back to the state it had)",
                    bind("x", "skip", "skip doc / unskip"),
                ),
                row(
                    "who said what: every source across the corpus (Sources)",
                    bind("w", "sources", "sources"),
                ),
                row("this help", bind("question_mark", "help", "help")),
                PALETTE,
                row(QUIT, bind("q", "app.quit", "quit")),
            ),
        ),
        (
            "Find and filter (each filter shows with its key; they combine)",
            (
                row(
                    "find by words in the text, title, file name or document id (any order; "
                    '"two words" in double quotes are a phrase)',
                    bind("slash", "search", "search"),
                ),
                row(
                    "cycle the review state: todo, in progress, done, skipped",
                    bind("s", "cycle('state')", "state"),
                ),
                row(
                    "cycle the entity label: documents with that label",
                    bind("l", "cycle('label')", "label"),
                ),
                row(
                    "cycle the claim kind: documents with such a claim",
                    bind("k", "cycle('kind')", "claim kind"),
                ),
                row("cycle the claim verdict", bind("v", "cycle('verdict')", "verdict")),
                row(
                    "cycle the annotator: documents they changed or took up",
                    bind("a", "cycle('annotator')", "annotator"),
                ),
                row(
                    "only documents with pending suggestions (again: all)",
                    bind("p", "toggle_pending", "pending"),
                ),
                row(
                    "only the documents assigned to you (claimscope assign)",
                    bind("m", "toggle_queue", "my queue"),
                ),
                row(
                    "drop the filter set last, keep the others",
                    bind("backspace", "drop_filter", "drop last filter"),
                ),
                row("clear every filter", bind("escape", "clear_filters", "clear filters")),
            ),
        ),
    ),
    footer=("question_mark", "q", "slash", "s", "l", "p"),
)

SOURCES = Keymap(
    "Sources keys",
    (
        (
            "Sources",
            (
                row(
                    "previous / next source (also from the filter)",
                    bind("up", "move(-1)", "up", priority=True),
                    bind("down", "move(1)", "down", priority=True),
                ),
                row(
                    "a page up / down",
                    bind("pageup", "move(-10)", "page up", priority=True),
                    bind("pagedown", "move(10)", "page down", priority=True),
                ),
                row(
                    "sort by the most claims, by name, by the latest claim (and back)",
                    bind("tab", "sort(1)", "sort", priority=True),
                    bind("shift+tab", "sort(-1)", "sort back", priority=True),
                ),
                row(
                    "the source's claims in date order",
                    bind("enter", "open", "claims", priority=True),
                ),
                row(
                    "filter the sources: words of a name or the kind (Enter or ↓ back to the list)",
                    bind("slash", "filter", "filter"),
                ),
                row(
                    "clear the filter; without one, back",
                    bind("escape", "back", "back", priority=True),
                ),
            ),
        ),
        (
            "Correct the ledger (each correction is an edit of yours: u takes it back)",
            (
                row("mark the source (again: unmark it)", bind("m", "mark", "mark")),
                row(
                    "merge the marked sources into the one under the cursor",
                    bind("M", "merge", "merge"),
                ),
                row("rename the source under the cursor", bind("r", "rename", "rename")),
                row(
                    "undo your last correction, in every document it changed",
                    bind("u", "undo", "undo"),
                ),
                row("this help", bind("question_mark", "help", "help")),
                row(QUIT, bind("q", "app.quit", "quit")),
            ),
        ),
    ),
    footer=("question_mark", "escape", "enter", "slash", "m", "M", "r", "u", "tab"),
)

SOURCE_CLAIMS = Keymap(
    "A source's claims keys",
    (
        (
            "A source's claims (and, from a claim in the reader, the same claim elsewhere)",
            (
                Row(
                    "previous / next claim; pgup / pgdn a page; home / end the first / last",
                    (),
                    "table",
                    ("up", "down"),
                ),
                bound_elsewhere("open the reader on the claim", "enter", owner="table"),
                row(
                    "from the source's claims to the same claim elsewhere, and back",
                    bind("tab", "other_table", "other list", priority=True),
                ),
                row(
                    "mark the claim (again: unmark it) to split it off",
                    bind("space", "mark", "mark"),
                ),
                row(
                    "split the marked claims (else the one under the cursor) into a new source",
                    bind("x", "split", "split"),
                ),
                row(
                    "undo your last correction, in every document it changed",
                    bind("u", "undo", "undo"),
                ),
                row("back", bind("escape", "back", "back")),
                row("this help", bind("question_mark", "help", "help")),
                row(QUIT, bind("q", "app.quit", "quit")),
            ),
        ),
    ),
    footer=("question_mark", "escape", "space", "x", "u", "tab"),
)

#: README's generated key tables: the marker name → the keymap.
README_TABLES = {
    "list": LIST,
    "reader": READER,
    "adjudication": ADJUDICATION,
    "sources": SOURCES,
    "source-claims": SOURCE_CLAIMS,
}


def markdown_table(keymap: Keymap) -> str:
    """A keymap as README writes it: one table, a bold row for each group."""
    lines = ["| keys | action |", "| --- | --- |"]
    for name, rows in keymap.groups:
        lines.append(f"| **{name}** | |")
        for item in rows:
            keys = " ".join(f"`{part}`" for part in item.written.split(" / "))
            does = item.does.replace("|", "\\|")
            lines.append(f"| {keys} | {does} |")
    return "\n".join(lines)


def _markers(name: str) -> tuple[str, str]:
    return (
        f"<!-- keys:{name} (python -m tui.keymap writes this table) -->",
        f"<!-- /keys:{name} -->",
    )


def readme_with_tables(readme: str) -> str:
    """``readme`` with every generated key table written anew between its markers."""
    for name, keymap in README_TABLES.items():
        start, end = _markers(name)
        if start not in readme or end not in readme:
            raise ValueError(f"README.md has no {start} … {end} block")
        before, rest = readme.split(start, 1)
        _, after = rest.split(end, 1)
        readme = f"{before}{start}\n{markdown_table(keymap)}\n{end}{after}"
    return readme


def main(argv: Sequence[str]) -> int:
    """Write README's key tables from the keymaps (``python -m tui.keymap [README.md]``)."""
    path = Path(argv[0] if argv else "README.md")
    text = path.read_text(encoding="utf-8")
    updated = readme_with_tables(text)
    if updated != text:
        path.write_text(updated, encoding="utf-8")
        print(f"{path}: key tables written")
    else:
        print(f"{path}: key tables up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
