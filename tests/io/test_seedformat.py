"""The seed-format parser: header, dateline, stored text."""

from __future__ import annotations

import pytest

from annotate.errors import InputError
from annotate.io.seed import find_dateline, parse_article
from tests.conftest import CORPORA, SEED


def test_seed_article_meta_and_text() -> None:
    raw = SEED.read_text(encoding="utf-8")
    article = parse_article(raw, str(SEED))
    assert article.meta.date == "2021-05-30"
    assert article.meta.place == "Kabul"
    assert article.meta.country == "Afghanistan"
    assert article.meta.agency == "ANI"
    assert article.text.startswith("Kabul [Afghanistan], May 29 (ANI): As the United States")
    assert article.text.endswith("since the start of the year. (ANI)")
    # the story is stored exactly: the same characters as the file after the header
    assert article.text in raw
    dateline = article.meta.dateline
    assert dateline is not None
    assert article.text[dateline.start : dateline.end] == "Kabul [Afghanistan], May 29 (ANI):"


def test_newlines_normalised_and_nothing_else_changes() -> None:
    article = parse_article("date 2020-01-02\r\nFirst line.\r\n\r\nSecond\rthird  \t", "x.txt")
    assert article.text == "First line.\n\nSecond\nthird"
    assert article.meta.date == "2020-01-02"


def test_plain_text_without_header_imports_with_unknown_date() -> None:
    article = parse_article("Just a story about Paris.\n", "plain.txt")
    assert article.meta.date is None
    assert article.text == "Just a story about Paris."


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "x.txt: empty (no text)"),
        ("  \n\n ", "x.txt: empty (no text)"),
        ("date 2021-05-30\n\n", "x.txt: no story after the date header"),
        ("date 2021-13-40 Story.", "x.txt:1: date header '2021-13-40' is not a real date"),
        ("date 30/05/2021 Story.", "x.txt:1: date header '30/05/2021' is not YYYY-MM-DD"),
    ],
)
def test_bad_articles_are_named(raw: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_article(raw, "x.txt")
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("KABUL, May 29 (Reuters) - Fighting rose.", ("KABUL", None, "Reuters")),
        ("WASHINGTON (AP) — The Senate voted.", ("WASHINGTON", None, "AP")),
        ("New Delhi [India], June 3 (ANI): Cases fell.", ("New Delhi", "India", "ANI")),
    ],
)
def test_dateline_variants(text: str, expected: tuple[str, str | None, str]) -> None:
    found = find_dateline(text)
    assert found is not None
    assert found[:3] == expected


def test_no_dateline_in_ordinary_prose() -> None:
    assert find_dateline("May (the month) was warm in Paris, officials said.") is None


def test_gum_headline_becomes_title() -> None:
    path = CORPORA / "gum-news" / "GUM_news_crane.txt"
    article = parse_article(path.read_text(encoding="utf-8"), str(path))
    assert article.meta.title == "At least 107 killed in Mecca crane collapse"
    assert article.meta.date == "2015-09-12"


@pytest.mark.parametrize(
    "text",
    [
        "Apple (AAPL): shares rose four percent on Monday.",
        "Acme Corp (ACME) - results beat expectations.",
        "Berlin (Germany): a city of four million.",
    ],
)
def test_a_name_with_a_parenthesis_is_not_a_dateline(text: str) -> None:
    assert find_dateline(text) is None


@pytest.mark.parametrize(
    ("text", "place", "agency"),
    [
        ("Kabul [Afghanistan], May 29 (ANI): As the United States", "Kabul", "ANI"),
        ("KABUL, May 29 (Reuters) - Officials said", "KABUL", "Reuters"),
        ("WASHINGTON (XYZ News) — The Senate", "WASHINGTON", "XYZ News"),
        ("Paris (AFP) - Ministers met", "Paris", "AFP"),
    ],
)
def test_real_datelines_are_still_found(text: str, place: str, agency: str) -> None:
    found = find_dateline(text)
    assert found is not None and (found[0], found[2]) == (place, agency)
