"""Team agreement: the coefficients against published worked examples, and entity and claim
agreement on small cases computed by hand."""

from __future__ import annotations

import pytest

from annotate.team.agreement import (
    EXACT,
    OVERLAP,
    ClaimMark,
    EntityMark,
    Version,
    claim_agreement,
    entity_agreement,
    entity_f1,
    token_labels,
)
from annotate.team.coefficients import cohen_kappa, krippendorff_alpha_nominal

N = None


def test_alpha_matches_krippendorffs_worked_example_with_missing_data() -> None:
    """Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", example C: four
    observers, twelve units, nominal values, missing data: α = 0.743."""
    observers = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
        [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
    ]
    alpha = krippendorff_alpha_nominal(list(zip(*observers, strict=True)))
    assert alpha == pytest.approx(0.743, abs=5e-4)


def test_alpha_matches_krippendorffs_two_observer_binary_example() -> None:
    """The same paper, example A: two observers, binary data, α = 0.095."""
    first = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    second = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    alpha = krippendorff_alpha_nominal(list(zip(first, second, strict=True)))
    assert alpha == pytest.approx(0.095, abs=5e-4)


def test_alpha_edge_cases() -> None:
    assert krippendorff_alpha_nominal([]) is None
    assert krippendorff_alpha_nominal([[1, N], [N, 2]]) is None  # nothing pairable
    assert krippendorff_alpha_nominal([["a", "a"], ["a", "a"]]) is None  # one value only
    assert krippendorff_alpha_nominal([["a", "a"], ["b", "b"]]) == 1.0


def test_kappa_matches_the_textbook_two_by_two_example() -> None:
    """20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no: p_o = 0.7, p_e = 0.5, κ = 0.4."""
    judged = [("y", "y")] * 20 + [("y", "n")] * 5 + [("n", "y")] * 10 + [("n", "n")] * 15
    assert cohen_kappa(judged) == pytest.approx(0.4)
    assert cohen_kappa([]) is None
    assert cohen_kappa([("a", "a")] * 3) == 1.0
    assert cohen_kappa([("a", "b"), ("b", "a")]) == pytest.approx(-1.0)


TEXT = "Alice met Bob in Paris."


def _version(annotator: str, marks: list[tuple[int, int, str]], doc: str = "d1") -> Version:
    text = TEXT if doc == "d1" else "Bob flew to Rome."
    return Version(doc, annotator, text, tuple(EntityMark(*mark) for mark in marks))


ALICE, BOB, PARIS = (0, 5), (10, 13), (17, 22)
VERSIONS = [
    _version("a", [(*ALICE, "PERSON"), (*BOB, "PERSON"), (*PARIS, "GPE")]),
    _version("b", [(*ALICE, "PERSON"), (*BOB, "ORG"), (*PARIS, "GPE")]),
    _version("c", [(*ALICE, "PERSON"), (*PARIS, "LOC")]),
]


def test_token_labels_follow_the_one_tokenizer() -> None:
    assert token_labels(TEXT, VERSIONS[0].entities) == [
        "PERSON",
        "O",
        "PERSON",
        "O",
        "GPE",
        "O",
    ]


def test_entity_agreement_of_three_annotators_by_hand() -> None:
    result = entity_agreement(VERSIONS)
    assert result.annotators == ["a", "b", "c"] and result.documents == 1
    # a and b: 5 of 6 tokens agree; p_e = (2·1 + 3·3 + 1·1) / 36 = 1/3; κ = 0.75
    assert result.kappa[("a", "b")]["*"] == pytest.approx(0.75)
    exact = result.f1[("a", "b")][EXACT]
    assert exact["*"].f1 == pytest.approx(2 / 3)
    assert exact["GPE"].f1 == 1.0 and exact["ORG"].f1 == 0.0
    assert result.confusion[("a", "b")] == {("PERSON", "ORG"): 1}
    # α by hand: n = 18, disagreeing pairs 5, Σ n_c² = 4² + 10² + 1 + 2² + 1 = 122
    assert result.alpha["*"] == pytest.approx(1 - 17 * 5 / (18 * 18 - 122))


def test_a_document_one_annotator_did_not_finish_is_missing_data() -> None:
    second = [
        _version("a", [(0, 3, "PERSON"), (12, 16, "GPE")], doc="d2"),
        _version("b", [(0, 3, "PERSON"), (12, 16, "GPE")], doc="d2"),
    ]
    with_missing = entity_agreement([*VERSIONS, *second])
    assert with_missing.documents == 2
    # c is missing on d2, so d2's units count only a's and b's values (they agree)
    assert with_missing.alpha["*"] is not None
    assert with_missing.alpha["*"] > entity_agreement(VERSIONS).alpha["*"]  # type: ignore[operator]
    assert ("a", "c") in with_missing.kappa  # c shares d1 with a


def test_overlap_f1_pairs_shifted_spans_of_the_same_label() -> None:
    first = _version("a", [(10, 22, "GPE")])
    second = _version("b", [(10, 21, "GPE"), (0, 5, "PERSON")])
    assert entity_f1([(first, second)], EXACT)["*"].f1 == 0.0
    overlap = entity_f1([(first, second)], OVERLAP)["*"]
    assert (overlap.precision, overlap.recall) == (0.5, 1.0)


def test_claim_agreement_pairs_by_content_and_compares_parts() -> None:
    def claim(content: tuple[int, int], cue: tuple[int, int], verdict: str) -> ClaimMark:
        return ClaimMark((content,), (20, 25), cue, "reported", verdict)

    first = Version("d", "a", "x" * 60, (), (claim((0, 10), (26, 30), "supported"),))
    second = Version(
        "d",
        "b",
        "x" * 60,
        (),
        (claim((0, 9), (40, 44), "disputed"), claim((45, 55), (56, 58), "supported")),
    )
    result = claim_agreement([(first, second)])
    assert result.paired == 1
    assert (result.content.precision, result.content.recall) == (0.5, 1.0)
    assert result.source_rate == 1.0 and result.cue_rate == 0.0
    assert result.kind_kappa == 1.0  # both always "reported"
    assert result.verdict_kappa == 0.0  # they never agree, and chance says they would not
