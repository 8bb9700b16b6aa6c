"""Adjudication: annotators' versions of a document brought into one gold version.

The document is cut into *units*: stretches where an annotator accepted a span (or a claim),
or rejected a suggestion; overlapping ones make one unit. In each unit every annotator has a
*version*: the spans (claims) they accepted in it, possibly none. A unit where all versions
are equal is *agreed* and goes to gold as it is; one where they differ is a *conflict*, for
the adjudicator to settle by picking a version, keeping all of them, or dropping them.

Gold is an annotator like the others (``gold`` by default): what it settles are its own
records, made through the same editor as every edit, so undo works as everywhere and
``claimscope export --annotator gold`` exports the result. A unit is settled once gold has a
record in it; in gold's view the suggestions there are decided (accepted, edited or
rejected), so nothing of the unit is left pending.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from annotate.model import Claim, EntitySpan, Offsets, ReviewState, SpanStatus
from annotate.review.editing import Editor
from annotate.store import Store, Transaction
from annotate.team.views import view

DECIDED = (SpanStatus.ACCEPTED, SpanStatus.EDITED)
Kind = Literal["entity", "claim"]


@dataclass(frozen=True)
class Version:
    """What some annotators have in a unit (the records of the first of them)."""

    annotators: tuple[str, ...]
    records: tuple[EntitySpan | Claim, ...]
    #: What they rejected there (a version with no records may be a rejection).
    rejected: tuple[EntitySpan | Claim, ...] = ()

    def describe(self, text: str) -> str:
        if not self.records:
            if self.rejected:
                return "rejected " + "; ".join(_describe(r, text) for r in self.rejected)
            return "nothing marked"
        return "; ".join(_describe(record, text) for record in self.records)


@dataclass(frozen=True)
class Unit:
    """A stretch of the document and each version of it."""

    kind: Kind
    start: int
    end: int
    versions: tuple[Version, ...]

    @property
    def offsets(self) -> Offsets:
        return Offsets(self.start, self.end)

    @property
    def agreed(self) -> bool:
        return len(self.versions) == 1


def _describe(record: EntitySpan | Claim, text: str) -> str:
    if isinstance(record, EntitySpan):
        return f"{record.label} “{text[record.start : record.end]}” {record.start}–{record.end}"
    words = text[record.content.start : record.content.end].split()
    content = " ".join(words[:8]) + (" …" if len(words) > 8 else "")
    source = f" · source “{text[record.source.start : record.source.end]}”" if record.source else ""
    cue = f" · cue “{text[record.cue.start : record.cue.end]}”" if record.cue else ""
    note = f" · note: {record.note}" if record.note else ""
    return f"{record.kind.value} “{content}”{source}{cue} · {record.verdict.value}{note}"


def _where(record: EntitySpan | Claim) -> Offsets:
    return record.offsets if isinstance(record, EntitySpan) else record.content


def _key(record: EntitySpan | Claim) -> tuple[Any, ...]:
    if isinstance(record, EntitySpan):
        return (record.start, record.end, record.label)
    return (
        tuple((p.start, p.end) for p in record.content_fragments()),
        (record.source.start, record.source.end) if record.source else None,
        (record.cue.start, record.cue.end) if record.cue else None,
        record.kind.value,
        record.verdict.value,
    )


def _units(
    kind: Kind,
    views: dict[str, list[EntitySpan]] | dict[str, list[Claim]],
) -> list[Unit]:
    ranges: list[Offsets] = []
    for records in views.values():
        for record in records:
            if record.status in DECIDED or record.status == SpanStatus.REJECTED:
                ranges.append(_where(record))
    merged: list[list[int]] = []
    for where in sorted(ranges, key=lambda o: (o.start, o.end)):
        if merged and where.start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], where.end)
        else:
            merged.append([where.start, where.end])
    order = {name: index for index, name in enumerate(views)}
    units = []
    for start, end in merged:
        grouped: dict[tuple[Any, ...], list[tuple[str, list[Any]]]] = defaultdict(list)
        rejected: dict[tuple[Any, ...], dict[tuple[Any, ...], Any]] = defaultdict(dict)
        for name, records in views.items():
            inside = [r for r in records if start <= _where(r).start and _where(r).end <= end]
            mine = sorted((r for r in inside if r.status in DECIDED), key=_key)
            key = tuple(_key(r) for r in mine)
            grouped[key].append((name, mine))
            for record in inside:
                if record.status == SpanStatus.REJECTED:
                    rejected[key].setdefault(_key(record), record)
        # a version keeps its number from conflict to conflict: ordered by the first of its
        # annotators in the adjudication's order (alice's is 1, bob's 2, wherever they differ)
        versions = tuple(
            Version(
                tuple(name for name, _ in holders),
                tuple(holders[0][1]),
                tuple(rejected[key].values()),
            )
            for key, holders in sorted(
                grouped.items(), key=lambda item: min(order[name] for name, _ in item[1])
            )
        )
        units.append(Unit(kind, start, end, versions))
    return units


@dataclass
class Adjudication:
    """One document's adjudication between ``annotators`` into ``gold``."""

    store: Store
    doc_id: str
    annotators: tuple[str, ...]
    gold: str = "gold"

    @property
    def editor(self) -> Editor:
        return Editor(self.store, self.doc_id, self.gold)

    def participants(self) -> tuple[str, ...]:
        """The annotators who marked the document done (only their work is adjudicated)."""
        return tuple(
            name
            for name in self.annotators
            if self.store.review_state(self.doc_id, name) == ReviewState.DONE
        )

    def units(self) -> list[Unit]:
        names = self.participants()
        spans, claims = self.store.spans(self.doc_id), self.store.claims(self.doc_id)
        span_views = {name: view(spans, name) for name in names}
        claim_views = {name: view(claims, name) for name in names}
        return [*_units("entity", span_views), *_units("claim", claim_views)]

    def settled(self, unit: Unit) -> bool:
        """Whether gold has a record in the unit."""
        pool: Sequence[EntitySpan | Claim] = (
            self.store.spans(self.doc_id)
            if unit.kind == "entity"
            else self.store.claims(self.doc_id)
        )
        return any(r.annotator == self.gold and _overlaps(_where(r), unit.offsets) for r in pool)

    def conflicts(self) -> list[Unit]:
        """Conflicts gold has not settled yet, in document order."""
        return [u for u in self.units() if not u.agreed and not self.settled(u)]

    def adopt_agreed(self) -> int:
        """Give gold every agreed unit it has nothing in yet (one undoable edit)."""
        todo = [u for u in self.units() if u.agreed and not self.settled(u)]
        if not todo:
            return 0
        editor = self.editor
        with editor.edit(f"adopt agreed ({len(todo)})") as tx:
            for unit in todo:
                self._settle(editor, tx, unit, list(unit.versions[0].records))
        return len(todo)

    def pick(self, unit: Unit, index: int) -> None:
        """Gold takes version ``index`` of ``unit``."""
        version = unit.versions[index]
        editor = self.editor
        with editor.edit(f"adjudicate: {', '.join(version.annotators)}") as tx:
            self._settle(editor, tx, unit, list(version.records))

    def keep_all(self, unit: Unit) -> None:
        """Gold takes every version's records (each distinct one once)."""
        editor = self.editor
        with editor.edit("adjudicate: keep all") as tx:
            self._settle(editor, tx, unit, _distinct(unit))

    def drop(self, unit: Unit) -> None:
        """Gold takes none: every version's records are rejected."""
        editor = self.editor
        with editor.edit("adjudicate: drop") as tx:
            self._settle(editor, tx, unit, [], reject=_distinct(unit))

    def _settle(
        self,
        editor: Editor,
        tx: Transaction,
        unit: Unit,
        chosen: Sequence[EntitySpan | Claim],
        reject: Iterable[EntitySpan | Claim] = (),
    ) -> None:
        """Gold's records for ``unit``: ``chosen`` accepted, the suggestions gold sees there
        decided (taken as a chosen record, else rejected), ``reject`` added rejected."""
        entity = unit.kind == "entity"
        visible: list[EntitySpan | Claim] = (
            [*view(self.store.spans(self.doc_id), self.gold)]
            if entity
            else [*view(self.store.claims(self.doc_id), self.gold)]
        )
        seen = [
            r for r in visible if r.annotator != self.gold and _overlaps(_where(r), unit.offsets)
        ]
        used: set[int] = set()
        stamp = editor.stamp(tx)
        for record in chosen:
            match = next(
                (s for s in seen if s.id not in used and _where(s) == _where(record)), None
            )
            if match is None:
                match = next(
                    (s for s in seen if s.id not in used and s.origin == record.origin), None
                )
            if match is not None:
                used.add(match.id)
                # a verdict or note is the analyst's, not a change to what was extracted
                same = _key(match)[:4] == _key(record)[:4]
                status = SpanStatus.ACCEPTED if same else SpanStatus.EDITED
                changes = {**_fields(record), "status": status.value, **stamp}
                if entity:
                    editor.change_span(tx, match.id, changes)
                else:
                    editor.change_claim(tx, match.id, changes)
            else:
                _add_copy(tx, record, self.gold, SpanStatus.ACCEPTED)
        for record in seen:
            if record.id not in used:
                changes = {"status": SpanStatus.REJECTED.value, **stamp}
                if entity:
                    editor.change_span(tx, record.id, changes)
                else:
                    editor.change_claim(tx, record.id, changes)
                used.add(record.id)
        for record in reject:
            if not any(_where(s) == _where(record) and s.id in used for s in seen):
                _add_copy(tx, record, self.gold, SpanStatus.REJECTED)


def _distinct(unit: Unit) -> list[EntitySpan | Claim]:
    found: dict[tuple[Any, ...], EntitySpan | Claim] = {}
    for version in unit.versions:
        for record in version.records:
            found.setdefault(_key(record), record)
    return list(found.values())


def _fields(record: EntitySpan | Claim) -> dict[str, Any]:
    """What a version says, as changes for gold's record."""
    data = record.to_dict()
    if isinstance(record, EntitySpan):
        return {name: data[name] for name in ("start", "end", "label")}
    names = (
        "content",
        "content_parts",
        "source",
        "source_entity",
        "cue",
        "kind",
        "verdict",
        "note",
    )
    return {name: data.get(name) for name in names}


def _add_copy(tx: Transaction, record: EntitySpan | Claim, gold: str, status: SpanStatus) -> None:
    data = record.to_dict()
    for name in ("id", "parent", "original", "created_at", "updated_at"):
        data.pop(name, None)
    data.update(id=0, annotator=gold, status=status.value)
    if isinstance(record, EntitySpan):
        tx.add_span(EntitySpan.from_dict(data))
    else:
        data.pop("source_entity", None)
        tx.add_claim(Claim.from_dict(data))


def _overlaps(first: Offsets, second: Offsets) -> bool:
    return first.start < second.end and second.start < first.end


def adjudicable(store: Store, annotators: Sequence[str], gold: str) -> list[tuple[str, int]]:
    """Documents two or more of ``annotators`` marked done, with their conflicts left for
    ``gold``, the most first (then in import order)."""
    done: dict[str, int] = defaultdict(int)
    for review in store.reviews():
        if review.annotator in annotators and review.state == ReviewState.DONE:
            done[review.doc_id] += 1
    order = {doc_id: index for index, doc_id in enumerate(store.document_ids())}
    found = [
        (doc_id, len(Adjudication(store, doc_id, tuple(annotators), gold).conflicts()))
        for doc_id, count in done.items()
        if count >= 2
    ]
    return sorted(found, key=lambda item: (-item[1], order.get(item[0], 0)))
