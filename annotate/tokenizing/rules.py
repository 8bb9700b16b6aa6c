"""Tokenizer rules as data: read the shipped file, or take them from an installed spaCy."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

RULES_DIR = Path(__file__).parent
#: The patterns spaCy's tokenizer keeps as compiled regular expressions.
PATTERN_NAMES = ("prefix", "suffix", "infix", "token_match", "url_match")


@dataclass(frozen=True)
class TokenizerRules:
    """Everything that decides where spaCy's rule-based tokenizer cuts a text."""

    patterns: dict[str, tuple[str, int] | None]
    special_cases: dict[str, list[str]]
    faster_heuristics: bool
    spacy_version: str

    def compiled(self, name: str) -> re.Pattern[str] | None:
        entry = self.patterns[name]
        return None if entry is None else re.compile(entry[0], entry[1])

    def to_json(self) -> dict[str, Any]:
        return {
            "spacy_version": self.spacy_version,
            "faster_heuristics": self.faster_heuristics,
            "patterns": {
                name: None if entry is None else {"pattern": entry[0], "flags": entry[1]}
                for name, entry in self.patterns.items()
            },
            "special_cases": self.special_cases,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TokenizerRules:
        patterns: dict[str, tuple[str, int] | None] = {}
        for name in PATTERN_NAMES:
            entry = data["patterns"].get(name)
            patterns[name] = None if entry is None else (entry["pattern"], int(entry["flags"]))
        return cls(
            patterns=patterns,
            special_cases={key: list(value) for key, value in data["special_cases"].items()},
            faster_heuristics=bool(data["faster_heuristics"]),
            spacy_version=str(data["spacy_version"]),
        )


@cache
def shipped_rules(lang: str = "en") -> TokenizerRules:
    """The rules shipped with the package for ``lang``."""
    path = RULES_DIR / f"{lang}.json"
    return TokenizerRules.from_json(json.loads(path.read_text(encoding="utf-8")))


def rules_from_spacy(lang: str = "en") -> TokenizerRules:
    """The rules of the installed spaCy's blank ``lang`` pipeline (imports spaCy)."""
    import spacy
    from spacy.about import __version__ as spacy_version
    from spacy.attrs import ORTH

    tokenizer: Any = spacy.blank(lang).tokenizer
    sources = {
        "prefix": tokenizer.prefix_search,
        "suffix": tokenizer.suffix_search,
        "infix": tokenizer.infix_finditer,
        "token_match": tokenizer.token_match,
        "url_match": tokenizer.url_match,
    }
    patterns: dict[str, tuple[str, int] | None] = {}
    for name, method in sources.items():
        pattern = getattr(method, "__self__", None)
        patterns[name] = None if pattern is None else (pattern.pattern, pattern.flags)
    special_cases = {
        key: [str(piece[ORTH]) for piece in pieces]
        for key, pieces in sorted(tokenizer.rules.items())
    }
    return TokenizerRules(
        patterns=patterns,
        special_cases=special_cases,
        faster_heuristics=bool(tokenizer.faster_heuristics),
        spacy_version=spacy_version,
    )


def write_rules(lang: str = "en") -> Path:
    """Refresh the shipped rules from the installed spaCy (after upgrading it)."""
    path = RULES_DIR / f"{lang}.json"
    data = rules_from_spacy(lang).to_json()
    path.write_text(json.dumps(data, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    return path
