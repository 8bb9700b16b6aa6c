"""The labels config: each entity label's name, shortcut key, colour and guideline text.

A sensible default ships with Claimscope (``annotate/labels.json``, OntoNotes labels in a
palette after Okabe & Ito that stays apart for colour-blind readers). A project can supply its
own file of the same shape with ``--labels PATH``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import orjson

from annotate.errors import InputError
from annotate.model import Offsets

_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
#: A possessive closing a span: "Wayne's", "Wayne’s", "Jones'" (searched up to the span's end).
_POSSESSIVE = re.compile(r"\s*(?:['’][sS]|(?<=[sS])['’])\s*$")
FALLBACK_COLOUR = "#999999"


@dataclass(frozen=True, slots=True)
class Label:
    """One entity label as the reader shows it."""

    name: str
    key: str
    colour: str
    guideline: str
    #: The guideline leaves a possessive out ("Bruce Wayne's" → "Bruce Wayne").
    drop_possessive: bool = False

    def fitted(self, text: str, start: int, end: int) -> Offsets:
        """``[start, end)`` as this label's guideline marks it: without a closing possessive
        ('s, ’s, or the apostrophe after an s) when the guideline says so."""
        if self.drop_possessive:
            found = _POSSESSIVE.search(text, start, end)
            if found is not None and found.start() > start:
                return Offsets(start, found.start())
        return Offsets(start, end)


@dataclass(frozen=True, slots=True)
class LabelSet:
    """Labels in display order, with lookups by name and by shortcut key."""

    labels: tuple[Label, ...]

    def by_key(self, key: str) -> Label | None:
        return next((label for label in self.labels if label.key == key), None)

    def get(self, name: str) -> Label:
        """The label called ``name``; unknown labels (from a model or an import) get a
        neutral colour and no key, so they still display."""
        found = next((label for label in self.labels if label.name == name), None)
        return found or Label(name, "", FALLBACK_COLOUR, "(not in the labels config)")

    @property
    def keyed(self) -> list[Label]:
        return [label for label in self.labels if label.key]


def parse_labels(raw: bytes, where: str) -> LabelSet:
    """Validate a labels file: names unique, keys single digits 1–9 and unique, colours #rrggbb."""
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise InputError(where, f"invalid JSON ({error})") from None
    items = data.get("labels") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise InputError(where, 'expected {"labels": [{"name", "key", "colour", "guideline"}, …]}')
    labels: list[Label] = []
    for index, item in enumerate(items):
        field = f"labels[{index}]"
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"]:
            raise InputError(where, f"{field}: 'name' must be a non-empty string")
        key = str(item.get("key") or "")
        if key and (len(key) != 1 or key not in "123456789"):
            raise InputError(where, f"{field}: 'key' must be one digit 1-9 or empty, got {key!r}")
        colour = str(item.get("colour") or FALLBACK_COLOUR)
        if not _COLOUR.fullmatch(colour):
            raise InputError(where, f"{field}: 'colour' must look like #rrggbb, got {colour!r}")
        drop = item.get("drop_possessive", False)
        if not isinstance(drop, bool):
            raise InputError(where, f"{field}: 'drop_possessive' must be true or false")
        labels.append(
            Label(item["name"], key, colour, str(item.get("guideline") or ""), drop_possessive=drop)
        )
    names = [label.name for label in labels]
    keys = [label.key for label in labels if label.key]
    for kind, values in (("name", names), ("key", keys)):
        duplicate = next((v for v in values if values.count(v) > 1), None)
        if duplicate is not None:
            raise InputError(where, f"{kind} {duplicate!r} is used twice")
    return LabelSet(tuple(labels))


def load_labels(path: Path | None = None) -> LabelSet:
    """The labels config at ``path``, or the one that ships with Claimscope."""
    if path is None:
        raw = resources.files("annotate").joinpath("labels.json").read_bytes()
        return parse_labels(raw, "annotate/labels.json")
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise InputError(str(path), f"cannot read ({error.strerror})") from None
    return parse_labels(raw, str(path))
