"""The cue lexicon, as data: ``lexicon.json`` beside this file gives each cue lemma a class
(speech, cognition, intention, evidential, nominal, colon) with a one-line guideline per
class, and the hedge words, approximators and pronoun sources the rules use.

A user file of the same shape extends it (``claimscope preannotate --claim-lexicon FILE``):
its entries are added or replace the built-in class; a class of ``"none"`` removes a lemma.
The rules read the *active* lexicon (:func:`active`): the detector component makes its own
lexicon active while it runs (:func:`using`), so two pipelines with different lexicons in
one process never see each other's; :func:`use` sets the one for code outside a pipeline.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import orjson

from annotate.errors import ClaimscopeError

BUILT_IN = Path(__file__).with_name("lexicon.json")
CLASSES = ("speech", "cognition", "intention", "evidential", "nominal", "colon")
REMOVE = "none"


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Cue lemmas by class and the word lists the rules share."""

    verbs: dict[str, str]
    nouns: dict[str, str]
    adjectives: dict[str, str]
    guidelines: dict[str, str]
    hedge_nouns: frozenset[str]
    hedge_adverbs: frozenset[str]
    approximators: tuple[str, ...]
    pronoun_sources: dict[str, str]
    named_labels: frozenset[str]
    quantity_labels: frozenset[str]
    #: Subjects that are never a claim's source ("This means …", "which shows …").
    not_sources: frozenset[str]
    #: Cues only before a clause with a complementiser or a wh-word ("see that / whether / why
    #: …"), never a bare clause ("saw attendance reach 11,000" is no claim).
    marked_only: frozenset[str]
    #: Verbs that attribute only the quotation they introduce ("She continued: "…""), never a
    #: clause ("the company continued to grow").
    quote_only: frozenset[str] = frozenset()
    #: Cues whose object is whom they address ("told Reuters"), never who speaks.
    addressing: frozenset[str] = frozenset()
    #: Cues that attribute only with a person as the subject ("I mean …"; "it means …" and
    #: "paying people means …" are inferences, not attributions).
    personal_only: frozenset[str] = frozenset()
    #: Words that make "be" a cue of speech or thought: "I was like, let's do it".
    quotatives: frozenset[str] = frozenset()
    #: Connectives that, after a comma or dash, open a comment on the content rather than
    #: more of it ("…, so you'll commit new mistakes").
    content_stops: frozenset[str] = frozenset()
    #: Occasions of speaking: a preposition with one of them as its object ends a source ("two
    #: leaders [in a phone call to the BBC] said").
    source_ends: frozenset[str] = frozenset()
    #: Phrases that end a content wherever they open an adverbial ("in order to …").
    content_ends: tuple[tuple[str, ...], ...] = ()
    #: Phrases that work as "according to": "in the words of X, …".
    according_phrases: tuple[tuple[str, ...], ...] = ()
    #: Past forms of cue verbs that are not lemma + "ed" ("said", "told").
    irregular_forms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Cue verbs whose infinitive or gerund complement is an attribution ("vowed to repeal
    #: it"); another verb's ("agreed to serve", "expects to win") is no claim.
    infinitive_cues: frozenset[str] = frozenset()
    #: The verbs an adjective cue is attributed through ("they remain confident that …");
    #: "make sure that …" claims nothing.
    adjective_verbs: frozenset[str] = frozenset()
    #: Subjects whose adjective cue voices the speaker's own feeling ("I'm sure …"), no claim.
    adjective_self_reports: frozenset[str] = frozenset()

    def verb_forms(self) -> frozenset[str]:
        """Every written form of every cue verb (lemma, -s, -ed, -ing and irregular forms)."""
        forms: set[str] = set()
        vowels = "aeiou"
        for lemma in self.verbs:
            forms.update((lemma, *self.irregular_forms.get(lemma, ())))
            if lemma.endswith("e"):
                forms.update((lemma + "s", lemma + "d"))
                forms.add(lemma + "ing" if lemma.endswith("ee") else lemma[:-1] + "ing")
            elif lemma.endswith("y") and lemma[-2:-1] not in vowels:
                forms.update((lemma[:-1] + "ies", lemma[:-1] + "ied", lemma + "ing"))
            else:
                plural = "es" if lemma.endswith(("s", "sh", "ch", "x", "z")) else "s"
                forms.update((lemma + plural, lemma + "ed", lemma + "ing"))
                last, before, first = lemma[-1:], lemma[-2:-1], lemma[-3:-2]
                if last not in vowels + "wxy" and before in vowels and first not in vowels:
                    forms.update((lemma + last + "ed", lemma + last + "ing"))  # admitted
        return frozenset(forms)

    def verb_class(self, lemma: str) -> str | None:
        return self.verbs.get(lemma)

    def noun_class(self, lemma: str) -> str | None:
        return self.nouns.get(lemma)


def read_extension(path: Path) -> dict[str, Any]:
    """A user's lexicon file, checked (what :func:`load` extends the built-in with)."""
    data = _read(path)
    load_extension(data, path)
    return data


def _read(path: Path) -> dict[str, Any]:
    try:
        data = orjson.loads(path.read_bytes())
    except OSError as error:
        raise ClaimscopeError(f"{path}: cannot read the claim lexicon ({error.strerror})") from None
    except orjson.JSONDecodeError as error:
        raise ClaimscopeError(f"{path}: the claim lexicon is not valid JSON ({error})") from None
    if not isinstance(data, dict):
        raise ClaimscopeError(f"{path}: the claim lexicon must be a JSON object")
    return data


def _cues(data: dict[str, Any], field: str, path: Path) -> dict[str, str]:
    value = data.get(field, {})
    if not isinstance(value, dict):
        raise ClaimscopeError(f"{path}: {field}: must be an object of lemma: class")
    for lemma, kind in value.items():
        if kind not in (*CLASSES, REMOVE):
            raise ClaimscopeError(
                f"{path}: {field}.{lemma}: class {kind!r} is not one of "
                f"{', '.join((*CLASSES, REMOVE))}"
            )
    return {str(lemma).lower(): str(kind) for lemma, kind in value.items()}


def _words(data: dict[str, Any], field: str, path: Path) -> list[str]:
    value = data.get(field, [])
    if not isinstance(value, list) or not all(isinstance(word, str) for word in value):
        raise ClaimscopeError(f"{path}: {field}: must be a list of words")
    return [word.lower() for word in value]


def _check_phrases(phrases: list[str], path: Path) -> None:
    """An according-to phrase ends with its noun and a preposition ("in the words of")."""
    for phrase in phrases:
        if len(phrase.split()) < 2:
            raise ClaimscopeError(
                f"{path}: according_phrases: '{phrase}' must end with a noun and a preposition "
                "(as 'in the words of')"
            )


def load(extra: Path | None = None) -> Lexicon:
    """The built-in lexicon, extended by the file ``extra`` when given."""
    return load_extension(_read(extra), extra) if extra is not None else load_extension(None)


def load_extension(more: dict[str, Any] | None, extra: Path = Path("lexicon.json")) -> Lexicon:
    """The built-in lexicon, extended by ``more`` (the contents of a user's lexicon file,
    named ``extra`` in messages) when given."""
    base = _read(BUILT_IN)
    verbs, nouns = _cues(base, "verbs", BUILT_IN), _cues(base, "nouns", BUILT_IN)
    adjectives = _cues(base, "adjectives", BUILT_IN)
    lists = {
        name: _words(base, name, BUILT_IN)
        for name in (
            "hedge_nouns",
            "hedge_adverbs",
            "marked_only",
            "quote_only",
            "addressing",
            "personal_only",
            "quotatives",
            "content_stops",
            "source_ends",
            "content_ends",
            "according_phrases",
            "infinitive_cues",
            "adjective_verbs",
            "adjective_self_reports",
        )
    }
    approximators = _words(base, "approximators", BUILT_IN)
    if more is not None:
        verbs.update(_cues(more, "verbs", extra))
        nouns.update(_cues(more, "nouns", extra))
        adjectives.update(_cues(more, "adjectives", extra))
        for name in lists:
            lists[name] += _words(more, name, extra)
        _check_phrases(_words(more, "according_phrases", extra), extra)
        approximators += [a for a in _words(more, "approximators", extra) if a not in approximators]
    return Lexicon(
        verbs={lemma: kind for lemma, kind in verbs.items() if kind != REMOVE},
        nouns={lemma: kind for lemma, kind in nouns.items() if kind != REMOVE},
        adjectives={lemma: kind for lemma, kind in adjectives.items() if kind != REMOVE},
        guidelines=dict(base["classes"]),
        hedge_nouns=frozenset(lists["hedge_nouns"]),
        hedge_adverbs=frozenset(lists["hedge_adverbs"]),
        # longest first, so "more than" wins over "more"
        approximators=tuple(sorted(approximators, key=lambda a: (-len(a.split()), 0))),
        pronoun_sources=dict(base["pronoun_sources"]),
        named_labels=frozenset(base["named_labels"]),
        quantity_labels=frozenset(base["quantity_labels"]),
        not_sources=frozenset(_words(base, "not_sources", BUILT_IN)),
        marked_only=frozenset(lists["marked_only"]),
        quote_only=frozenset(lists["quote_only"]),
        addressing=frozenset(lists["addressing"]),
        personal_only=frozenset(lists["personal_only"]),
        quotatives=frozenset(lists["quotatives"]),
        content_stops=frozenset(lists["content_stops"]),
        source_ends=frozenset(lists["source_ends"]),
        content_ends=tuple(tuple(end.split()) for end in lists["content_ends"] if end.split()),
        according_phrases=tuple(tuple(phrase.split()) for phrase in lists["according_phrases"]),
        infinitive_cues=frozenset(lists["infinitive_cues"]),
        adjective_verbs=frozenset(lists["adjective_verbs"]),
        adjective_self_reports=frozenset(lists["adjective_self_reports"]),
        irregular_forms={
            lemma: tuple(forms)
            for lemma, forms in base.get("irregular_forms", {}).items()
            if not lemma.startswith("_")
        },
    )


@cache
def _built_in() -> Lexicon:
    return load()


_active: list[Lexicon] = []


def active() -> Lexicon:
    """The lexicon the rules use now."""
    return _active[-1] if _active else _built_in()


def use(extra: Path | None) -> Lexicon:
    """Make the built-in lexicon extended by ``extra`` the active one (None: built-in)."""
    chosen = load(extra) if extra is not None else _built_in()
    _active[:] = [chosen]
    return chosen


def built_in() -> Lexicon:
    return _built_in()


@contextmanager
def using(chosen: Lexicon) -> Iterator[Lexicon]:
    """``chosen`` is the active lexicon inside the block, whatever was active before."""
    _active.append(chosen)
    try:
        yield chosen
    finally:
        _active.pop()
