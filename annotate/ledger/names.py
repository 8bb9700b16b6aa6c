"""How the source ledger reads names: folded for matching, a person's titles left out, an
organisation's national prefix and aliases resolved; the word lists are ``names.json``."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

_LEADING = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_NOT_WORD = re.compile(r"[^\w\s]")


@dataclass(frozen=True, slots=True)
class NameRules:
    """The word lists of ``names.json``."""

    titles: frozenset[str]
    organisation_prefixes: tuple[tuple[str, ...], ...]
    aliases: dict[str, str]
    organisation_heads: frozenset[str]
    not_head_after: frozenset[str]
    quantifiers: frozenset[str]
    #: A first name → "m" or "f": whom "he" and "she" can stand for.
    first_names: dict[str, str]


@cache
def name_rules() -> NameRules:
    data = json.loads(resources.files("annotate.ledger").joinpath("names.json").read_text())
    prefixes = sorted((tuple(p.split()) for p in data["organisation_prefixes"]), key=len)
    return NameRules(
        frozenset(data["titles"]),
        tuple(reversed(prefixes)),  # the longest first: "united states" before "us"
        dict(data["aliases"]),
        frozenset(data["organisation_heads"]),
        frozenset(data["not_head_after"]),
        frozenset(data["quantifiers"]),
        {name: sex for sex, names in data["first_names"].items() for name in names},
    )


def folded(name: str) -> str:
    """``name`` as entries are matched: case and diacritics folded, a leading article and a
    closing possessive left out, punctuation gone, spaces collapsed."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold().strip()
    text = _POSSESSIVE.sub("", _LEADING.sub("", text))
    return " ".join(_NOT_WORD.sub(" ", text).split())


def person_name(name: str) -> str:
    """A person's folded name without the titles before it ("president barack obama" →
    "barack obama"); the name itself when it is all titles."""
    words = folded(name).split()
    titles = name_rules().titles
    start = 0
    while start < len(words) - 1 and words[start] in titles:
        start += 1
    return " ".join(words[start:])


def first_name_gender(name: str) -> str | None:
    """ "m" or "f" for a person's folded name whose first word is a first name of one of the
    two (``names.json``), else None: "he" never stands for Ann Lee."""
    words = name.split()
    return name_rules().first_names.get(words[0]) if len(words) > 1 else None


def organisation_name(name: str) -> str:
    """An organisation's folded name as entries match it: an alias resolved, a national
    prefix dropped when two or more words are left ("u s state department" → the name of
    "department of state")."""
    rules = name_rules()
    words = folded(name).split()
    for prefix in rules.organisation_prefixes:
        if tuple(words[: len(prefix)]) == prefix and len(words) - len(prefix) >= 2:
            words = words[len(prefix) :]
            break
    joined = " ".join(words)
    return rules.aliases.get(joined, joined)
