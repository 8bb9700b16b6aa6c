"""The reader's guesses for a claim built by hand: the source is the subject of the cue verb
nearest the content (a run of coordinated names too), the cue where ``v`` looks for it."""

from __future__ import annotations

from annotate.claims import lexicon
from annotate.model import Offsets
from annotate.review.claim_guess import cue_after, guess_source

CUES = lexicon.built_in().verb_forms()


def at(text: str, phrase: str) -> Offsets:
    start = text.index(phrase)
    return Offsets(start, start + len(phrase))


def shown(text: str, offsets: Offsets | None) -> str | None:
    return text[offsets.start : offsets.end] if offsets is not None else None


def test_the_source_is_the_coordinated_subject_of_the_cue_not_the_nearest_name() -> None:
    text = (
        "The United States, Britain and Australia warned their citizens that an attack on "
        "the airport in Kabul was likely."
    )
    names = [at(text, n) for n in ("The United States", "Britain", "Australia", "Kabul")]
    content = at(text, "an attack on the airport in Kabul was likely")
    guess = guess_source(text, content, names, CUES)
    assert shown(text, guess.source) == "The United States, Britain and Australia"
    assert shown(text, guess.cue) == "warned"


def test_a_cue_after_the_content_takes_the_name_before_or_after_it() -> None:
    text = "Prices will fall next year, Carla Diaz, the bank's economist, said on Monday."
    content = at(text, "Prices will fall next year")
    guess = guess_source(text, content, [at(text, "Carla Diaz")], CUES)
    assert shown(text, guess.source) == "Carla Diaz" and shown(text, guess.cue) == "said"
    inverted = "Prices will fall next year, said Carla Diaz of the central bank."
    guess = guess_source(
        inverted, at(inverted, "Prices will fall next year"), [at(inverted, "Carla Diaz")], CUES
    )
    assert shown(inverted, guess.source) == "Carla Diaz" and shown(inverted, guess.cue) == "said"


def test_names_inside_the_content_or_before_the_subject_are_not_the_source() -> None:
    text = "In Lagos on Friday, Ann Lee said that Bo Chan had left Nigeria."
    names = [at(text, n) for n in ("Lagos", "Ann Lee", "Bo Chan", "Nigeria")]
    content = at(text, "Bo Chan had left Nigeria")
    guess = guess_source(text, content, names, CUES)
    assert shown(text, guess.source) == "Ann Lee" and shown(text, guess.cue) == "said"
    unnamed = "In Lagos on Friday, officials said that Bo Chan had left Nigeria."
    names = [at(unnamed, n) for n in ("Lagos", "Bo Chan", "Nigeria")]
    guess = guess_source(unnamed, at(unnamed, "Bo Chan had left Nigeria"), names, CUES)
    assert guess.source is None and shown(unnamed, guess.cue) == "said"  # not "Lagos"
    no_cue = "Ann Lee: the bridge reopens in May."
    guess = guess_source(
        no_cue, at(no_cue, "the bridge reopens in May"), [at(no_cue, "Ann Lee")], CUES
    )
    assert shown(no_cue, guess.source) == "Ann Lee" and guess.cue is None


def test_v_looks_for_the_cue_after_the_source_never_at_a_comma() -> None:
    text = "The talks failed, Ann Lee, a spokeswoman, told reporters."
    cue = cue_after(text, at(text, "Ann Lee"), at(text, "The talks failed"), CUES)
    assert shown(text, cue) == "told"
    plain = "The talks failed, Ann Lee insists."
    cue = cue_after(plain, at(plain, "The talks"), at(plain, "failed"), frozenset())
    assert shown(plain, cue) == "Ann"  # no cue verb known: the next word, not the comma
