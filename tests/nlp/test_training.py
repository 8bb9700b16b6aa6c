"""The loop closed: train on the GUM gold (a few steps), then pre-annotate and evaluate with
the trained pipeline; spaCy's own `debug data` accepts the exported corpus and config."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import CORPORA, GOLD, run_cli, spacy_debug_data


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("train")
    db = folder / "gold.json"
    run_cli("import", str(GOLD), db=db, check=True)
    run_cli("preannotate", db=db, check=True)  # adds claim suggestions to learn from
    out = folder / "run"
    result = run_cli(
        "train", str(out), "--max-steps", "6", "--eval-frequency", "3", "--origin", "all", db=db
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"trained on 24 document(s): {out / 'model-best'}" in result.stdout
    return db, out


def test_spacy_debug_data_accepts_the_corpus(trained: tuple[Path, Path]) -> None:
    _, out = trained
    result = spacy_debug_data(out)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "✘" not in result.stdout, result.stdout[-3000:]
    assert "spans_key 'sc'" in result.stdout or "Span Categorization" in result.stdout


def test_trained_pipeline_loads_and_predicts_entities(trained: tuple[Path, Path]) -> None:
    from annotate.nlp.pipeline import load_pipeline

    _, out = trained
    pipeline = load_pipeline(str(out / "model-best"))
    assert {"ner", "spancat"} <= set(pipeline.nlp.pipe_names)
    doc = pipeline.nlp("President Joe Biden met officials in Kabul on Tuesday, the ministry said.")
    assert {ent.label_ for ent in doc.ents} & {"PERSON", "GPE"}
    assert pipeline.origin == "run-model-best@0.0.0"  # no claim detector in it yet


def test_preannotate_and_evaluate_with_the_trained_pipeline(
    trained: tuple[Path, Path], tmp_path: Path
) -> None:
    _, out = trained
    model = str(out / "model-best")
    db = tmp_path / "fresh.json"
    run_cli("import", str(CORPORA / "gum-news"), db=db, check=True)
    result = run_cli("preannotate", "--model", model, "--json", db=db, check=True)
    summary = json.loads(result.stdout)
    assert summary["origin"].startswith("run-model-best@0.0.0+claims.")
    assert summary["documents"] == 24 and summary["spans"] > 500
    scores = json.loads(
        run_cli("evaluate", "--model", model, str(GOLD), "--json", check=True).stdout
    )
    assert scores["entities"]["overlap"]["overall"]["f1"] > 0.3
    from_db = json.loads(
        run_cli(
            "evaluate", str(GOLD), "--origin", summary["origin"], "--json", db=db, check=True
        ).stdout
    )
    assert from_db["entities"]["overlap"]["overall"]["predicted"] > 0


def test_training_needs_two_documents(tmp_path: Path) -> None:
    db = tmp_path / "one.json"
    run_cli("import", str(CORPORA / "ani-2021-05-30.txt"), db=db, check=True)
    result = run_cli("train", str(tmp_path / "out"), "--origin", "all", db=db)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "error: training needs at least 2 documents (one for dev), the export had 1"
    )


def test_training_without_human_annotations_says_what_is_missing(tmp_path: Path) -> None:
    """What `make run` leaves: pre-annotations nobody has decided yet."""
    db = tmp_path / "db.json"
    run_cli("import", str(CORPORA / "gum-news"), db=db, check=True)
    suggestions = tmp_path / "model.jsonl"
    text = (CORPORA / "ani-2021-05-30.txt").read_text(encoding="utf-8").split("\n", 1)[1]
    suggestions.write_text(
        json.dumps({"text": text, "spans": [{"start": 0, "end": 5, "label": "GPE"}]}) + "\n"
    )
    run_cli("import", "--as-suggestions", str(suggestions), db=db, check=True)
    result = run_cli("train", str(tmp_path / "out"), db=db)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "error: nothing to train on: the training split (20 of 25 exported document(s), "
        "--origin human, --state all) holds no entities and no claims. Accept, correct or add "
        "annotations in `claimscope tui` first (pre-annotations count once a person has "
        "decided them), or train on suggestions with --origin all"
    ]


def test_only_components_with_data_are_configured() -> None:
    from annotate.formats.selection import ExportFilter, ExportReport
    from annotate.nlp.training import (
        BLANK,
        SplitCounts,
        TrainSettings,
        build_config,
        trainable_components,
    )

    how = ExportFilter(origin="human")
    report = ExportReport(documents=3)
    assert trainable_components(SplitCounts(2, 4, 0), how, report) == ("ner",)
    assert report.problems == [
        "the training split holds no claims: spancat is not trained this time"
    ]
    assert trainable_components(SplitCounts(2, 0, 2), how, ExportReport()) == ("spancat",)
    config = build_config(TrainSettings(base=BLANK), BLANK, ("ner",))
    assert config["nlp"]["pipeline"] == ["tok2vec", "ner"]
    assert not any(key.startswith("spans_") for key in config["training"]["score_weights"])
