"""``claimscope import`` of brat attribution standoff (PARC/PolNeAR events, and Claimscope's
own brat export): the claims it holds, the layouts it finds, and hostile ``.ann`` lines.

Every text here is invented to show a construction; no line of PolNeAR is used."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotate.store import Store
from tests.conftest import run_cli

TEXT = (
    "\n"
    "Senator Ann Lee said on Monday that the bill would pass.\n"
    "The plan, critics warned, would cost billions.\n"
    "According to the Treasury, revenue rose 4 percent.\n"
    "Rates will fall, many believe.\n"
)


def at(phrase: str, after: str = "") -> str:
    """brat offsets of ``phrase`` in TEXT (the first after ``after``)."""
    start = TEXT.index(phrase, TEXT.index(after) if after else 0)
    return f"{start} {start + len(phrase)}"


#: Attribution events over TEXT: a plain one, discontinuous content, according-to, one with no
#: source, and an entity that belongs to no claim.
ANN = f"""\
T1\tSource {at("Senator Ann Lee")}\tSenator Ann Lee
T2\tCue {at("said")}\tsaid
T3\tContent {at("the bill would pass.")}\tthe bill would pass.
T4\tAttribution {at("said")}\tsaid
E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1
T5\tContent {at("The plan")};{at("would cost billions.")}\tThe plan would cost billions.
T6\tSource {at("critics")}\tcritics
T7\tCue {at("warned")}\twarned
T8\tAttribution {at("warned")}\twarned
E2\tAttribution:T8 Content:T5 Cue:T7 Source:T6
T9\tCue {at("According to")}\tAccording to
T10\tSource {at("the Treasury")}\tthe Treasury
T11\tContent {at("revenue rose 4 percent.")}\trevenue rose 4 percent.
T12\tAttribution {at("According to")}\tAccording to
E3\tAttribution:T12 Cue:T9 Source:T10 Content:T11
T13\tContent {at("Rates will fall")}\tRates will fall
T14\tCue {at("believe")}\tbelieve
T15\tAttribution-no-source {at("believe")}\tbelieve
E4\tAttribution-no-source:T15 Content:T13 Cue:T14
T16\tORG {at("Treasury")}\tTreasury
#1\tAnnotatorNotes T16\tan entity, not part of any claim
"""


def write_pair(folder: Path, name: str = "story", ann: str = ANN, text: str = TEXT) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    (folder / f"{name}.ann").write_text(ann, encoding="utf-8")
    return folder


def claims_of(db: Path) -> list[tuple[str, str | None, str, str]]:
    with Store.open(db, readonly=True) as store:
        (doc_id,) = store.document_ids()
        text = store.get_document(doc_id).text
        return [
            (
                " ".join(text[p.start : p.end] for p in claim.content_fragments()),
                text[claim.source.start : claim.source.end] if claim.source else None,
                text[claim.cue.start : claim.cue.end] if claim.cue else "",
                claim.kind.value,
            )
            for claim in store.claims(doc_id)
        ]


EXPECTED = [
    ("the bill would pass.", "Senator Ann Lee", "said", "reported"),
    ("The plan would cost billions.", "critics", "warned", "reported"),
    ("revenue rose 4 percent.", "the Treasury", "According to", "according-to"),
    ("Rates will fall", None, "believe", "unattributed"),
]


def test_attribution_events_become_claims_with_their_parts(tmp_path: Path) -> None:
    folder = write_pair(tmp_path / "in")
    db = tmp_path / "db.json"
    result = run_cli("import", str(folder), db=db, check=True)
    assert "imported 1 document(s) (1 spans, 4 claims)" in result.stdout
    assert sorted(claims_of(db)) == sorted(EXPECTED)
    with Store.open(db, readonly=True) as store:
        (doc_id,) = store.document_ids()
        text = store.get_document(doc_id).text
        assert text == TEXT.strip()
        (entity,) = store.spans(doc_id)
        assert (text[entity.start : entity.end], entity.label) == ("Treasury", "ORG")
        plan = next(c for c in store.claims(doc_id) if c.content_parts)
        assert [text[p.start : p.end] for p in plan.content_parts or []] == [
            "The plan",
            "would cost billions.",
        ]


def test_the_polnear_layout_and_an_ann_named_directly(tmp_path: Path) -> None:
    corpus = tmp_path / "split"
    (corpus / "text").mkdir(parents=True)
    (corpus / "attributions").mkdir()
    (corpus / "text" / "story.txt").write_text(TEXT, encoding="utf-8")
    (corpus / "attributions" / "story_ab12.ann").write_text(ANN, encoding="utf-8")
    db = tmp_path / "db.json"
    run_cli("import", str(corpus / "text"), db=db, check=True)
    assert sorted(claims_of(db)) == sorted(EXPECTED)
    other = tmp_path / "other.json"
    run_cli("import", str(corpus / "attributions" / "story_ab12.ann"), db=other, check=True)
    assert sorted(claims_of(other)) == sorted(EXPECTED)


def test_two_annotation_files_for_one_text_ask_which(tmp_path: Path) -> None:
    corpus = tmp_path / "split"
    (corpus / "text").mkdir(parents=True)
    (corpus / "attributions").mkdir()
    (corpus / "text" / "story.txt").write_text(TEXT, encoding="utf-8")
    for annotator in ("ab12", "cd34"):
        (corpus / "attributions" / f"story_{annotator}.ann").write_text(ANN, encoding="utf-8")
    db = tmp_path / "db.json"
    result = run_cli("import", str(corpus / "text"), db=db)
    assert result.returncode == 1
    assert "several annotation files could be its own" in result.stderr
    assert "import the one you want by its .ann path" in result.stderr
    assert not db.exists()


def test_claimscopes_own_brat_export_imports_back(tmp_path: Path) -> None:
    source = tmp_path / "source.json"
    run_cli("import", str(write_pair(tmp_path / "in")), db=source, check=True)
    brat = tmp_path / "brat"
    run_cli("export", str(brat), "--format", "brat", db=source, check=True)
    again = tmp_path / "again.json"
    run_cli("import", str(brat), db=again, check=True)
    assert sorted(claims_of(again)) == sorted(claims_of(source))


HOSTILE = [
    ("T1\tSource x 16\tSenator Ann Lee\n", "expected 'TYPE START END[;START END…]'"),
    ("T1\tSource 16 1\tSenator Ann Lee\n", "start 16 is not before end 1"),
    ("T1\tSource 1 9999\tSenator\n", "offsets 1-9999 are outside the text (length"),
    ("T1\tSource 0 1\t\n", "cover only white space around the text"),
    ("T1\tSource 1 16\tSenator Bob Lee\n", "does not match the text at 1 16"),
    (
        f"T2\tCue {at('said')}\tsaid\nT4\tAttribution {at('said')}\tsaid\n"
        "E1\tAttribution:T4 Cue:T2\n",
        "attribution E1 has no Content",
    ),
    (
        f"T3\tContent {at('the bill would pass.')}\tthe bill would pass.\n"
        f"T4\tAttribution {at('said')}\tsaid\nE1\tAttribution:T4 Content:T3\n",
        "attribution E1 has no Cue",
    ),
    (
        f"T3\tContent {at('the bill would pass.')}\tthe bill would pass.\n"
        f"T4\tAttribution {at('said')}\tsaid\nE1\tAttribution:T4 Content:T3 Cue:T9\n",
        "Cue:T9 is not defined",
    ),
    (
        f"T3\tContent {at('the bill would pass.')}\tthe bill would pass.\n"
        f"T4\tAttribution {at('said')}\tsaid\nT16\tORG {at('Treasury')}\tTreasury\n"
        "E1\tAttribution:T4 Content:T3 Cue:T16\n",
        "Cue:T16 is a ORG annotation, not a Cue",
    ),
    (f"T1\tSource 1 16\tSenator Ann Lee\nT1\tCue {at('said')}\tsaid\n", "T1 is defined twice"),
    ("a line that is not brat\n", "not a brat annotation line"),
]


@pytest.mark.parametrize(("ann", "message"), HOSTILE)
def test_a_hostile_ann_line_is_named_and_nothing_is_imported(
    tmp_path: Path, ann: str, message: str
) -> None:
    db = tmp_path / "db.json"
    run_cli("import", str(write_pair(tmp_path / "good", "good")), db=db, check=True)
    before = claims_of(db)
    bad = write_pair(tmp_path / "bad", "bad", ann=ann)
    result = run_cli("import", str(bad), db=db)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert f"{bad / 'bad.ann'}:" in errors[0] and message in errors[0], errors[0]
    last = ann.rstrip("\n").count("\n") + 1  # every bad line here is the file's last
    assert f"bad.ann:{last}:" in errors[0], errors[0]
    assert "Traceback" not in result.stderr and "nothing imported" in result.stderr
    assert claims_of(db) == before
