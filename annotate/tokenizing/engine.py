"""spaCy's tokenizer algorithm in pure Python (``spacy/tokenizer.pyx``, 3.8).

A text is cut at whitespace; each piece is a special case, or loses prefixes and suffixes
until none match (stopping early at a special case or a ``token_match``), and what is left
is split at infixes. Finally special cases that span several of those tokens (":)" after
affix splitting, for instance) are merged back. A single space after a token is that
token's trailing space; any other whitespace becomes a token of its own, as in spaCy.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from annotate.tokenizing.rules import TokenizerRules, shipped_rules

_NEVER = re.compile(r"a^")
#: Pieces tokenized once are remembered (news repeats its words); bounded like spaCy's cache.
CACHE_SIZE = 100_000


@dataclass(slots=True)
class TokenBounds:
    """Token starts, ends and trailing-space flags of one text (whitespace tokens included)."""

    starts: list[int]
    ends: list[int]
    spaces: list[bool]

    def __len__(self) -> int:
        return len(self.starts)

    def words(self, text: str) -> list[str]:
        return [text[start:end] for start, end in zip(self.starts, self.ends, strict=True)]


class RuleTokenizer:
    """Cuts texts exactly where spaCy's tokenizer with the same rules does."""

    def __init__(self, rules: TokenizerRules) -> None:
        self.rules = rules
        self._prefix = (rules.compiled("prefix") or _NEVER).search
        self._suffix = (rules.compiled("suffix") or _NEVER).search
        self._infix = (rules.compiled("infix") or _NEVER).finditer
        token_match = rules.compiled("token_match")
        url_match = rules.compiled("url_match")
        self._token_match: Callable[[str], object] | None = (
            token_match.match if token_match is not None else None
        )
        self._url_match: Callable[[str], object] | None = (
            url_match.match if url_match is not None else None
        )
        self._specials = {
            key: [len(piece) for piece in pieces] for key, pieces in rules.special_cases.items()
        }
        self._cache: dict[str, tuple[int, ...]] = {}
        self._patterns = self._special_patterns()

    # Whole texts ---------------------------------------------------------------------------

    def __call__(self, text: str) -> TokenBounds:
        bounds = self._affix_tokens(text, with_specials=True)
        if self._patterns:
            bounds = self._merge_special_cases(text, bounds)
        return bounds

    def _affix_tokens(self, text: str, *, with_specials: bool) -> TokenBounds:
        starts: list[int] = []
        ends: list[int] = []
        spaces: list[bool] = []
        if not text:
            return TokenBounds(starts, ends, spaces)
        start = 0
        in_space = text[0].isspace()
        for index, char in enumerate(text):
            if char.isspace() == in_space:
                continue
            if start < index:
                self._piece(text, start, index, starts, ends, with_specials)
                spaces.extend([False] * (len(starts) - len(spaces)))
            if char == " ":
                spaces[-1] = True
                start = index + 1
            else:
                start = index
            in_space = not in_space
        if start < len(text):
            self._piece(text, start, len(text), starts, ends, with_specials)
            spaces.extend([False] * (len(starts) - len(spaces)))
            spaces[-1] = text[-1] == " " and not in_space
        return TokenBounds(starts, ends, spaces)

    def _piece(
        self,
        text: str,
        start: int,
        end: int,
        starts: list[int],
        ends: list[int],
        with_specials: bool,
    ) -> None:
        """Append the tokens of ``text[start:end]`` (no inner whitespace change)."""
        piece = text[start:end]
        lengths = self._lengths(piece, with_specials)
        position = start
        for length in lengths:
            starts.append(position)
            position += length
            ends.append(position)

    def _lengths(self, piece: str, with_specials: bool) -> tuple[int, ...]:
        if with_specials:
            special = self._specials.get(piece)
            if special is not None:
                return tuple(special)
            cached = self._cache.get(piece)
            if cached is not None:
                return cached
        lengths, used_special = self._tokenize(piece, with_specials)
        # spaCy does not cache pieces that met a special case either
        if with_specials and not used_special and len(self._cache) < CACHE_SIZE:
            self._cache[piece] = lengths
        return lengths

    # One whitespace-free piece ---------------------------------------------------------------

    def _tokenize(self, string: str, with_specials: bool) -> tuple[tuple[int, ...], bool]:
        prefixes: list[int] = []
        suffixes: list[int] = []
        used_special = False
        last_size = 0
        while string and len(string) != last_size:
            if self._token_match is not None and self._token_match(string):
                break
            if with_specials and string in self._specials:
                break
            last_size = len(string)
            pre_len = self._find(self._prefix, string)
            minus_pre = string[pre_len:]
            if pre_len and minus_pre and with_specials and minus_pre in self._specials:
                string = minus_pre
                prefixes.append(pre_len)
                break
            suf_len = self._find(self._suffix, string[pre_len:])
            minus_suf = string[:-suf_len] if suf_len else string
            if suf_len and minus_suf and with_specials and minus_suf in self._specials:
                string = minus_suf
                suffixes.append(suf_len)
                break
            if pre_len and suf_len and pre_len + suf_len <= len(string):
                string = string[pre_len:-suf_len]
                prefixes.append(pre_len)
                suffixes.append(suf_len)
            elif pre_len:
                string = minus_pre
                prefixes.append(pre_len)
            elif suf_len:
                string = minus_suf
                suffixes.append(suf_len)
        middle: list[int] = []
        if string:
            special = self._specials.get(string) if with_specials else None
            cached = self._cache.get(string) if with_specials else None
            if special is not None:
                middle = list(special)
                used_special = True
            elif cached is not None:
                middle = list(cached)
            elif (self._token_match is not None and self._token_match(string)) or (
                self._url_match is not None and self._url_match(string)
            ):
                middle = [len(string)]
            else:
                middle = self._infix_split(string)
        if with_specials and (prefixes or suffixes) and string in self._specials:
            used_special = True
        return (*prefixes, *middle, *reversed(suffixes)), used_special

    @staticmethod
    def _find(search: Callable[[str], re.Match[str] | None], string: str) -> int:
        match = search(string)
        return match.end() - match.start() if match is not None else 0

    def _infix_split(self, string: str) -> list[int]:
        lengths: list[int] = []
        start = 0
        for match in self._infix(string):
            infix_start, infix_end = match.start(), match.end()
            if infix_start == 0:
                continue
            if infix_start != start:
                lengths.append(infix_start - start)
            if infix_start != infix_end:
                lengths.append(infix_end - infix_start)
            start = infix_end
        if start < len(string):
            lengths.append(len(string) - start)
        return lengths

    # Special cases across tokens -------------------------------------------------------------

    def _special_patterns(self) -> dict[tuple[str, ...], str]:
        """Special cases that affix splitting would cut, as the token sequences it makes."""
        patterns: dict[tuple[str, ...], str] = {}
        for key in self._specials:
            if self.rules.faster_heuristics and not (
                self._find(self._prefix, key)
                or any(True for _ in self._infix(key))
                or self._find(self._suffix, key)
                or " " in key
            ):
                continue
            bounds = self._affix_tokens(key, with_specials=False)
            patterns[tuple(bounds.words(key))] = key
        return patterns

    def _merge_special_cases(self, text: str, bounds: TokenBounds) -> TokenBounds:
        words = bounds.words(text)
        lengths = {len(pattern) for pattern in self._patterns}
        matches: list[tuple[int, int, str]] = []
        for size in lengths:
            for first in range(len(words) - size + 1):
                key = self._patterns.get(tuple(words[first : first + size]))
                if key is not None:
                    matches.append((first, first + size, key))
        if not matches:
            return bounds
        # spaCy keeps the longest matches first, then the earliest, skipping overlaps
        matches.sort(key=lambda m: (m[1] - m[0], -m[0]))
        seen: set[int] = set()
        chosen: list[tuple[int, int, str]] = []
        for first, last, key in reversed(matches):
            if first not in seen and last - 1 not in seen:
                chosen.append((first, last, key))
            seen.update(range(first, last))
        chosen.sort()
        starts: list[int] = []
        ends: list[int] = []
        spaces: list[bool] = []
        index = 0
        for first, last, key in chosen:
            starts.extend(bounds.starts[index:first])
            ends.extend(bounds.ends[index:first])
            spaces.extend(bounds.spaces[index:first])
            span_text = text[bounds.starts[first] : bounds.ends[last - 1]]
            if span_text != key:  # the match crossed whitespace the rule does not have
                starts.extend(bounds.starts[first:last])
                ends.extend(bounds.ends[first:last])
                spaces.extend(bounds.spaces[first:last])
            else:
                position = bounds.starts[first]
                for length in self._specials[key]:
                    starts.append(position)
                    position += length
                    ends.append(position)
                    spaces.append(False)
                spaces[-1] = bounds.spaces[last - 1]
            index = last
        starts.extend(bounds.starts[index:])
        ends.extend(bounds.ends[index:])
        spaces.extend(bounds.spaces[index:])
        return TokenBounds(starts, ends, spaces)


@cache
def english() -> RuleTokenizer:
    """The tokenizer of ``spacy.blank("en")``, from the shipped rules."""
    return RuleTokenizer(shipped_rules("en"))
