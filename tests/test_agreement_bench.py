"""``bench/agreement.py``: PolNeAR's annotators scored against each other, on an invented
snapshot in PolNeAR's layout (a bare git repository; the real one is never in the tests)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from annotate.nlp.pipeline import load_pipeline
from bench.agreement import agreement, several_annotations

TEXT = "The mayor said the fares would stay unchanged. Critics argued the plan would fail.\n"


def _ann(cue_end: int = 14, second: bool = True) -> str:
    lines = [
        "T1\tSource 0 9\tThe mayor",
        f"T2\tCue 10 {cue_end}\t{TEXT[10:cue_end]}",
        "T3\tContent 15 45\tthe fares would stay unchanged",
        "T4\tAttribution 10 14\tsaid",
        "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1",
    ]
    if second:
        lines += [
            "T5\tSource 47 54\tCritics",
            "T6\tCue 55 61\targued",
            "T7\tContent 62 81\tthe plan would fail",
            "T8\tAttribution 55 61\targued",
            "E2\tAttribution:T8 Content:T7 Cue:T6 Source:T5",
        ]
    return "\n".join(lines) + "\n"


def _snapshot(tmp_path: Path, files: dict[str, str]) -> str:
    work = tmp_path / "work"
    for name, content in files.items():
        path = work / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    run = ["git", "-C", str(work)]
    subprocess.run([*run, "init", "-q"], check=True)
    subprocess.run([*run, "add", "."], check=True)
    subprocess.run(
        [*run, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "snapshot"],
        check=True,
    )
    return str(work)


def test_annotators_are_scored_against_each_other_on_train_and_dev_only(tmp_path: Path) -> None:
    """Two annotators of one article: the same claims agree fully; one leaving a claim out
    and marking a cue longer ("said the fares" against "said") costs exactly
    those. An article one annotator alone marked is no pair, and ``test`` is never listed:
    its files here are not even valid."""
    gitdir = _snapshot(
        tmp_path,
        {
            "data/dev/text/a.txt": TEXT,
            "data/dev/attributions/a_x1.ann": _ann(),
            "data/dev/attributions/a_x2.ann": _ann(cue_end=24, second=False),
            "data/dev/text/b.txt": TEXT,
            "data/dev/attributions/b_x1.ann": _ann(),
            "data/train/text/c.txt": TEXT,
            "data/train/attributions/c_x1.ann": _ann(),
            "data/train/attributions/c_x2.ann": _ann(),
            "data/test/attributions/d_x1.ann": "not brat at all\n",
            "data/test/attributions/d_x2.ann": "not brat at all\n",
        },
    )
    assert several_annotations(gitdir, "dev") == {
        "a": ["data/dev/attributions/a_x1.ann", "data/dev/attributions/a_x2.ann"]
    }
    with pytest.raises(SystemExit, match="test"):
        several_annotations(gitdir, "test")

    articles, pairs, scores, _ = agreement(gitdir, "train")
    assert (articles, pairs) == (1, 2)
    humans = scores.overall
    assert {key: score.f1 for key, score in humans.items()} == dict.fromkeys(humans, 1.0)

    articles, pairs, scores, _ = agreement(gitdir, "dev")
    humans = scores.overall
    assert (articles, pairs) == (1, 2)
    # contents: x2's one matches one of x1's two, both ways round
    content = humans["content_overlap"]
    assert (content.matched_predicted, content.predicted) == (2, 3)
    assert (content.matched_gold, content.gold) == (2, 3)
    assert content.f1 == pytest.approx(2 / 3)
    # cues: x2's "said the fares" is not x1's "said" (Jaccard 4 / 14)
    cue = humans["cue_overlap"]
    assert (cue.matched_predicted, cue.predicted, cue.matched_gold, cue.gold) == (0, 3, 0, 3)
    assert humans["source_exact"].f1 == pytest.approx(2 / 3)


def test_a_pipelines_claims_are_scored_against_each_annotator(tmp_path: Path) -> None:
    """What ``bench/agreement.py`` scores of a pipeline (the rules alone here): its claims on
    each article, once, against every annotator's version of it — "The mayor said the fares
    would stay unchanged" found by the rules matches both versions' first claim."""
    gitdir = _snapshot(
        tmp_path,
        {
            "data/dev/text/a.txt": TEXT,
            "data/dev/attributions/a_x1.ann": _ann(),
            "data/dev/attributions/a_x2.ann": _ann(second=False),
        },
    )
    articles, pairs, _, scores = agreement(gitdir, "dev", load_pipeline(None, attribution=False))
    assert (articles, pairs) == (1, 2)
    source = scores.overall["source_exact"]
    assert source.gold == 3  # x1's two sources and x2's one, each version scored in turn
    assert source.matched_gold >= 2  # "The mayor" in both versions
