"""The labels config: a label's guideline may leave a possessive out, and a bad field in a
labels file is named."""

from __future__ import annotations

import pytest

from annotate.errors import InputError
from annotate.labels import load_labels, parse_labels
from annotate.model import Offsets


def at(text: str, phrase: str) -> Offsets:
    start = text.index(phrase)
    return Offsets(start, start + len(phrase))


def shown(text: str, offsets: Offsets) -> str:
    return text[offsets.start : offsets.end]


def test_a_labels_guideline_may_leave_a_possessive_out() -> None:
    person, org = load_labels().get("PERSON"), load_labels().get("ORG")
    text = "Bruce Wayne's car, Jones' dog, James's hat and Macy's."
    for name, kept in (("Bruce Wayne's", "Bruce Wayne"), ("Jones'", "Jones"), ("James's", "James")):
        span = at(text, name)
        assert shown(text, person.fitted(text, span.start, span.end)) == kept
    macys = at(text, "Macy's")
    assert shown(text, org.fitted(text, macys.start, macys.end)) == "Macy's"  # ORG keeps it
    only = at(text, "'s car")
    assert shown(text, person.fitted(text, only.start, only.start + 2)) == "'s"  # never empty
    with pytest.raises(InputError, match=r"labels\[0\]: 'drop_possessive' must be true or false"):
        parse_labels(b'{"labels": [{"name": "P", "drop_possessive": "yes"}]}', "x.json")
