"""The one tokenizer: the reader's tokens are spaCy's tokens, on every text we ship.

Bug 10 of issue #10: the reader used its own regex ("Biden's" one token, "Kabul.Next" one
token) while export used spaCy, so a span snapped in the reader was misaligned in export.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import spacy

from annotate.formats.tokentable import Tokenizer
from annotate.model import Offsets
from annotate.tokenizing import english
from annotate.tokenizing.rules import rules_from_spacy, shipped_rules
from annotate.tokenizing.tokens import Tokens

ROOT = Path(__file__).resolve().parent.parent
EDGE_CASES = [
    'Joe Biden\'s plan; the U.S. and U.K. (U.S.) said: "no" — Kabul.Next day',
    "don't can't gonna 'tis O'Neill's U.S.-led e.g. a.m. 5:30pm 3,500 $5.4bn 10km",
    ":) :-) (: <3 http://example.com/a?b=c, www.example.org. a@b.com.",
    "  leading and trailing  \n\n\tmixed \u00a0 whitespace\r\n",
    "“Quote,” he said. ‘Inner’ … dash—dash – “end.”",
    "\x1b[31mred\x07 zero\u200bwidth",
    "",
    " ",
]


def _spacy_tokens(nlp: spacy.language.Language, text: str) -> tuple[list[str], list[bool]]:
    doc = nlp.make_doc(text)
    return [token.text for token in doc], [bool(token.whitespace_) for token in doc]


def _shipped_texts() -> list[str]:
    texts = [path.read_text(encoding="utf-8") for path in sorted(ROOT.glob("corpora/**/*.txt"))]
    for gold in sorted((ROOT / "tests" / "data").glob("*.jsonl")):
        for line in gold.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if "text" in record:  # the coreference files hold offsets, not texts
                texts.append(record["text"])
    return texts


def test_the_shipped_rules_are_the_installed_spacys() -> None:
    """After a spaCy upgrade this fails until `make tokenizer-rules` refreshes en.json."""
    assert shipped_rules("en") == rules_from_spacy("en")


@pytest.mark.parametrize("source", ["shipped texts", "edge cases", "random strings"])
def test_tokens_and_spaces_equal_spacys(source: str) -> None:
    nlp = spacy.blank("en")
    if source == "shipped texts":
        texts = _shipped_texts()
        assert len(texts) > 40
    elif source == "edge cases":
        texts = EDGE_CASES
    else:
        pieces = [*"aZ9.,;:'\"!?()-–/$%&@#*+=[]<>“”‘’…\n\t  ", "U.S.", "'s", "n't", ":)"]
        pieces += list(nlp.tokenizer.rules)  # type: ignore[union-attr]
        generator = random.Random(7)
        texts = [
            "".join(generator.choice(pieces) for _ in range(generator.randint(1, 12)))
            for _ in range(3000)
        ]
    for text in texts:
        bounds = english()(text)
        assert (bounds.words(text), bounds.spaces) == _spacy_tokens(nlp, text), text[:80]


def test_reader_tokens_cut_where_export_does() -> None:
    text = "Joe Biden's visit to the U.S. ended in Kabul.Next day"
    reader = Tokens.of(text)
    words = [text[start:end] for start, end in zip(reader.starts, reader.ends, strict=True)]
    assert words[:4] == ["Joe", "Biden", "'s", "visit"]
    assert "U.S." in words
    assert words[-4:-1] == ["Kabul", ".", "Next"]
    # a snapped selection over "Biden" stops before the possessive, and export finds it aligned
    snapped = reader.snap(5, 8)
    assert snapped == Offsets(4, 9)
    table = Tokenizer().tokens(text)
    assert table.bounds(snapped)[2]
    doc = Tokenizer()(text)
    assert doc.char_span(snapped.start, snapped.end) is not None
    assert [token.text for token in doc] == _spacy_tokens(spacy.blank("en"), text)[0]
