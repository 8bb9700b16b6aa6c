"""brat standoff in: a ``.txt`` and its ``.ann``, as a record ``import`` stores.

Two ways of writing claims are read:

- **Attribution events** (PARC 3.0, PolNeAR): text-bound ``Source``, ``Cue`` and ``Content``
  annotations (``Content2``… add pieces to the content) linked by an event
  ``E1<TAB>Attribution:T4 Content:T3 Cue:T2 Source:T1`` (``Attribution-no-source`` has no
  source). A discontinuous content (``115 130;140 160``) keeps its pieces.
- **Claimscope's own brat export**: a ``CLAIM`` span with ``Source`` and ``Cue`` relations to
  ``SOURCE`` and ``CUE`` spans, its kind and verdict in an ``AnnotatorNotes`` line.

Every other text-bound annotation is an entity span with its type as label (a discontinuous
one gives one span per piece). Relations, attributes and notes beyond those are not read.

The text is taken as it is, less surrounding white space (offsets are shifted to match), and
every annotation is checked against it: offsets inside the text, the text field equal to the
text at those offsets (pieces joined by a space, as brat writes them), every role an event
names defined and of a role type, an attribution with its content and cue. The first problem
is an :class:`InputError` naming the ``.ann`` file and line, and the document is not imported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotate.errors import InputError
from annotate.formats.selection import CLAIM_LABEL, CUE_LABEL, SOURCE_LABEL

#: Role types of attribution events, and the event types that carry them.
SOURCE, CUE = "Source", "Cue"
_CONTENT = re.compile(r"^Content\d*$")
ATTRIBUTION_EVENTS = ("Attribution", "Attribution-no-source")
_TRIGGERS = frozenset(ATTRIBUTION_EVENTS)
_OFFSETS = re.compile(r"^\d+ \d+(;\d+ \d+)*$")
_QUOTES = "\"“‘'«"
_NOTE = re.compile(r"(kind|verdict)=(\S+)")


#: An attribution event: its line, its id and its roles (role → annotation ids).
Event = tuple[int, str, dict[str, list[str]]]


@dataclass(slots=True)
class _Bound:
    """One text-bound annotation: its type and pieces (document offsets), and its line."""

    kind: str
    pieces: list[tuple[int, int]]
    line: int


@dataclass(slots=True)
class _Parsed:
    bounds: dict[str, _Bound] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    relations: list[tuple[int, str, str, str]] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)


def annotation_file_for(text_path: Path) -> Path | None:
    """The ``.ann`` of a ``.txt``: beside it with the same name, or, in the PolNeAR layout
    (``…/text/NAME.txt``), ``…/attributions/NAME.ann`` or ``NAME_<suffix>.ann``; None when
    there is none. Several candidates are an :class:`InputError`."""
    beside = text_path.with_suffix(".ann")
    if beside.is_file():
        return beside
    if text_path.parent.name != "text":
        return None
    folder = text_path.parent.parent / "attributions"
    if not folder.is_dir():
        return None
    stem = text_path.stem
    found = sorted(
        p
        for p in folder.iterdir()
        if p.suffix == ".ann" and (p.stem == stem or p.stem.startswith(f"{stem}_"))
    )
    if len(found) > 1:
        names = ", ".join(p.name for p in found)
        raise InputError(
            str(text_path),
            f"several annotation files could be its own ({names}): import the one you want "
            "by its .ann path",
        )
    return found[0] if found else None


def text_file_for(ann_path: Path) -> Path | None:
    """The ``.txt`` an ``.ann`` annotates (the inverse of :func:`annotation_file_for`)."""
    beside = ann_path.with_suffix(".txt")
    if beside.is_file():
        return beside
    if ann_path.parent.name == "attributions":
        folder = ann_path.parent.parent / "text"
        for stem in (ann_path.stem, ann_path.stem.rsplit("_", 1)[0]):
            candidate = folder / f"{stem}.txt"
            if candidate.is_file():
                return candidate
    return None


def brat_record(text: str, ann: str, ann_name: str, source: str) -> dict[str, Any]:
    """The JSON record (as ``import`` reads JSONL) of a text and its standoff annotations."""
    lead = len(text) - len(text.lstrip())
    stripped = text.strip()
    parsed = _parse(ann, ann_name, text, lead, len(stripped))
    spans, claims = [], []
    claimed: set[str] = set()
    for _, _, roles in parsed.events:
        claims.append(_event_claim(parsed, roles, stripped))
        claimed.update(ident for idents in roles.values() for ident in idents)
    claims += _exported_claims(parsed, stripped, ann_name, claimed)
    for ident, bound in parsed.bounds.items():
        if ident in claimed or bound.kind in _TRIGGERS or _is_role(bound.kind):
            continue
        if bound.kind in (CLAIM_LABEL, SOURCE_LABEL, CUE_LABEL):
            continue
        spans += [{"start": a, "end": b, "label": bound.kind} for a, b in bound.pieces]
    return {"text": stripped, "meta": {"source": source}, "spans": spans, "claims": claims}


def _is_role(kind: str) -> bool:
    return kind in (SOURCE, CUE) or _CONTENT.match(kind) is not None


def _parse(ann: str, name: str, text: str, lead: int, length: int) -> _Parsed:
    parsed = _Parsed()
    for number, line in enumerate(ann.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{name}:{number}"
        ident, _, rest = line.partition("\t")
        if not rest or not re.match(r"^[TERAMN#*]\d*$", ident):
            raise InputError(where, "not a brat annotation line (expected an id, a tab, a body)")
        if ident in parsed.bounds or any(ident == e[1] for e in parsed.events):
            raise InputError(where, f"{ident} is defined twice")
        if ident.startswith("T"):
            parsed.bounds[ident] = _text_bound(rest, where, number, text, lead, length)
        elif ident.startswith("E"):
            parsed.events += _event(rest, where, number, ident)
        elif ident.startswith("R"):
            relation = rest.split("\t")[0].split()
            if len(relation) == 3:
                kind, first, second = relation
                parsed.relations.append(
                    (number, kind, first.partition(":")[2], second.partition(":")[2])
                )
        elif ident.startswith("#"):
            body = rest.split("\t")
            target = body[0].split()
            if len(target) == 2 and len(body) > 1:
                parsed.notes[target[1]] = body[1]
    for number, _, roles in parsed.events:
        for role, idents in roles.items():
            for ident in idents:
                bound = parsed.bounds.get(ident)
                if bound is None:
                    raise InputError(f"{name}:{number}", f"{role}:{ident} is not defined")
                if role not in _TRIGGERS and not _is_role(bound.kind):
                    raise InputError(
                        f"{name}:{number}",
                        f"{role}:{ident} is a {bound.kind} annotation, not a {role}",
                    )
    return parsed


def _text_bound(body: str, where: str, number: int, text: str, lead: int, length: int) -> _Bound:
    fields = body.split("\t")
    head = fields[0]
    kind, _, offsets = head.partition(" ")
    if not kind or not _OFFSETS.match(offsets):
        raise InputError(where, f"expected 'TYPE START END[;START END…]', got {head!r}")
    pieces = []
    for piece in offsets.split(";"):
        start, end = map(int, piece.split())
        if not start < end:
            raise InputError(where, f"start {start} is not before end {end}")
        if end > len(text):
            raise InputError(
                where, f"offsets {start}-{end} are outside the text (length {len(text)})"
            )
        if start < lead or end - lead > length:
            raise InputError(where, f"offsets {start}-{end} cover only white space around the text")
        pieces.append((start, end))
    if len(fields) > 1:
        expected = " ".join(text[a:b] for a, b in pieces)
        if _blank(fields[1]) != _blank(expected):
            shown = expected if len(expected) <= 60 else expected[:57] + "…"
            raise InputError(
                where, f"text {fields[1][:60]!r} does not match the text at {offsets} ({shown!r})"
            )
    return _Bound(kind, [(a - lead, b - lead) for a, b in sorted(pieces)], number)


def _blank(value: str) -> str:
    """brat writes line breaks and tabs inside a span's text as spaces."""
    return re.sub(r"\s", " ", value)


def _event(body: str, where: str, number: int, ident: str) -> list[Event]:
    arguments = body.split("\t", maxsplit=1)[0].split()
    if not arguments or ":" not in arguments[0]:
        raise InputError(where, f"{ident}: expected 'TYPE:TRIGGER ROLE:ID …'")
    kind = arguments[0].split(":", 1)[0]
    if kind not in _TRIGGERS:
        return []  # another kind of event: not a claim
    roles: dict[str, list[str]] = {}
    for argument in arguments:
        role, _, target = argument.partition(":")
        if not role or not target:
            raise InputError(where, f"{ident}: {argument!r} is not ROLE:ID")
        roles.setdefault(role, []).append(target)
    contents = [role for role in roles if _CONTENT.match(role)]
    for needed, present in (("Content", contents), (CUE, roles.get(CUE))):
        if not present:
            raise InputError(where, f"attribution {ident} has no {needed}")
    return [(number, ident, roles)]


def _claim(
    stripped: str,
    content: list[tuple[int, int]],
    source: list[tuple[int, int]] | None,
    cue: list[tuple[int, int]],
) -> dict[str, Any]:
    claim: dict[str, Any] = {
        "content": {"start": content[0][0], "end": content[-1][1]},
        "cue": {"start": cue[0][0], "end": cue[-1][1]},
    }
    if source:
        claim["source"] = {"start": source[0][0], "end": source[-1][1]}
    if len(content) > 1:
        claim["content_parts"] = [{"start": a, "end": b} for a, b in content]
    claim["kind"] = _guess_kind(stripped, content, source, cue)
    return claim


def _guess_kind(
    stripped: str,
    content: list[tuple[int, int]],
    source: list[tuple[int, int]] | None,
    cue: list[tuple[int, int]],
) -> str:
    """PARC has no kinds: no source is unattributed, 'according to' an according-to, a
    content opening with a quotation mark a quote, anything else reported."""
    if not source:
        return "unattributed"
    if stripped[cue[0][0] : cue[-1][1]].lower().startswith("according"):
        return "according-to"
    if stripped[content[0][0]] in _QUOTES:
        return "quote"
    return "reported"


def _event_claim(parsed: _Parsed, roles: dict[str, list[str]], stripped: str) -> dict[str, Any]:
    def pieces(names: list[str]) -> list[tuple[int, int]]:
        return sorted(piece for name in names for piece in parsed.bounds[name].pieces)

    content = _merged(
        pieces([i for role, ids in roles.items() if _CONTENT.match(role) for i in ids])
    )
    source = pieces(roles[SOURCE]) if SOURCE in roles else None
    return _claim(stripped, content, source, pieces(roles[CUE]))


def _merged(pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Pieces in order, touching or overlapping ones joined."""
    merged: list[tuple[int, int]] = []
    for start, end in pieces:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _exported_claims(
    parsed: _Parsed, stripped: str, name: str, claimed: set[str]
) -> list[dict[str, Any]]:
    """Claims in Claimscope's own brat export: CLAIM spans and their relations."""
    parts: dict[str, dict[str, str]] = {}
    for number, kind, first, second in parsed.relations:
        if kind not in (SOURCE, CUE):
            continue
        for ident in (first, second):
            if ident not in parsed.bounds:
                raise InputError(f"{name}:{number}", f"{kind} relation: {ident} is not defined")
        parts.setdefault(first, {})[kind] = second
    claims = []
    for ident, bound in parsed.bounds.items():
        if bound.kind != CLAIM_LABEL or ident in claimed:
            continue
        linked = parts.get(ident, {})
        if CUE not in linked:
            raise InputError(f"{name}:{bound.line}", f"claim {ident} has no Cue relation")
        source = parsed.bounds[linked[SOURCE]].pieces if SOURCE in linked else None
        claim = _claim(stripped, bound.pieces, source, parsed.bounds[linked[CUE]].pieces)
        claim.update(dict(_NOTE.findall(parsed.notes.get(ident, ""))))
        claims.append(claim)
    return claims
