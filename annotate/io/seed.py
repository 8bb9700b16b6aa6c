"""Parse articles in the seed format: a ``date YYYY-MM-DD`` header, then the story.

The header may be followed by the story on the same line (``date 2021-05-30 Kabul ...``) or on
the next one. The stored text is the story exactly, with newlines normalised to ``\\n`` and the
surrounding whitespace trimmed; nothing inside it changes, so offsets stay true. A wire dateline
at the start (``Kabul [Afghanistan], May 29 (ANI):``) yields place, country and agency.
Plain text without the header is accepted too (date unknown).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import orjson

from annotate.errors import InputError
from annotate.model import DocMeta, Offsets

_HEADER = re.compile(r"\A[ \t]*date[ \t]+(?P<date>\S+)[ \t]*")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONTH = (
    r"Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?"
)
_DATELINE = re.compile(
    r"(?P<place>[A-Z][A-Za-z.'\- ]{0,40}?)"
    r"(?:\s*\[(?P<country>[A-Z][A-Za-z.'\- ]{0,40})\])?"
    rf"(?:,\s*(?:{_MONTH})\.?\s+\d{{1,2}})?"
    r"\s*\((?P<agency>[A-Z][A-Za-z&.\- ]{0,30})\)"
    r"\s*(?::|-{1,2}|–|—)"
)
_TITLE_MAX = 200


@dataclass(frozen=True, slots=True)
class ParsedArticle:
    """An article's stored text and what its header and dateline told."""

    text: str
    meta: DocMeta


def normalise_newlines(raw: str) -> str:
    """``\\r\\n`` and lone ``\\r`` become ``\\n``."""
    return raw.replace("\r\n", "\n").replace("\r", "\n")


def parse_article(raw: str, where: str) -> ParsedArticle:
    """Parse one article; ``where`` names it in errors (e.g. the file path)."""
    text = normalise_newlines(raw.removeprefix("\ufeff"))
    meta = DocMeta()
    header = _HEADER.match(text)
    if header:
        value = header.group("date")
        meta.date = _parse_date(value, where)
        text = text[header.end() :]
    text = text.strip()
    if not text:
        detail = "no story after the date header" if header else "empty (no text)"
        raise InputError(where, detail)
    meta.title = guess_title(text)
    dateline = find_dateline(text)
    if dateline is not None:
        meta.place, meta.country, meta.agency, meta.dateline = dateline
    return ParsedArticle(text=text, meta=meta)


def _parse_date(value: str, where: str) -> str:
    if not _ISO_DATE.fullmatch(value):
        raise InputError(f"{where}:1", f"date header '{value}' is not YYYY-MM-DD")
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise InputError(f"{where}:1", f"date header '{value}' is not a real date") from None


def guess_title(text: str) -> str | None:
    """A short first line standing alone as its own paragraph is a headline."""
    first, sep, rest = text.partition("\n")
    if not sep or not rest.startswith("\n"):
        return None
    first = first.strip()
    if not first or len(first) > _TITLE_MAX or first[-1] in ".!?:;,":
        return None
    if find_dateline(first) is not None:
        return None
    return first


@cache
def _known_agencies() -> frozenset[str]:
    data = orjson.loads(Path(__file__).with_name("datelines.json").read_bytes())
    return frozenset(name.lower() for name in data["agencies"])


def _is_wire_dateline(match: re.Match[str]) -> bool:
    """A real dateline, not any "Name (X):": a known wire agency, a date, a country in
    brackets, or a place in capitals ("WASHINGTON (AP) —")."""
    place = match.group("place").strip()
    dated = "," in match.group(0)[: match.start("agency") - match.start()]
    return (
        match.group("agency").strip().lower() in _known_agencies()
        or dated
        or match.group("country") is not None
        or (place.isupper() and len(place) > 1)
    )


def find_dateline(text: str) -> tuple[str, str | None, str, Offsets] | None:
    """Place, country, agency and offsets of a wire dateline opening the story.

    Looks at the start of the first two paragraphs (the first may be a headline).
    """
    starts = [0]
    blank = text.find("\n\n")
    if blank != -1:
        second = blank
        while second < len(text) and text[second] == "\n":
            second += 1
        starts.append(second)
    for start in starts:
        match = _DATELINE.match(text, start)
        if match and _is_wire_dateline(match):
            place = match.group("place").strip()
            country = match.group("country")
            return (
                place,
                country.strip() if country else None,
                match.group("agency").strip(),
                Offsets(match.start(), match.end()),
            )
    return None
