"""The cue lexicon: reporting and cognition verbs, hedges, approximators, pronoun sources."""

from __future__ import annotations

SPEECH_VERBS = frozenset(
    [
        "say",
        "tell",
        "add",
        "report",
        "claim",
        "warn",
        "caution",
        "announce",
        "allege",
        "confirm",
        "deny",
        "insist",
        "accuse",
        "state",
        "explain",
        "note",
        "argue",
        "acknowledge",
        "admit",
        "assert",
        "predict",
        "reveal",
        "write",
        "declare",
        "maintain",
        "stress",
        "emphasize",
        "emphasise",
        "contend",
        "testify",
        "conclude",
        "indicate",
        "observe",
        "remark",
        "reply",
        "respond",
        "urge",
        "vow",
        "promise",
        "threaten",
        "concede",
        "disclose",
        "recall",
        "tweet",
        "post",
        "inform",
        "assure",
        "complain",
        "point",
        "suggest",
        "estimate",
    ]
)


COGNITION_VERBS = frozenset(
    [
        "believe",
        "think",
        "fear",
        "expect",
        "suspect",
        "doubt",
        "hope",
        "feel",
        "worry",
        "consider",
        "reckon",
    ]
)


REPORTING_VERBS = SPEECH_VERBS | COGNITION_VERBS


HEDGE_NOUNS = frozenset(
    [
        "concern",
        "fear",
        "worry",
        "speculation",
        "suspicion",
        "doubt",
        "rumour",
        "rumor",
        "indication",
        "sign",
        "hope",
        "expectation",
        "belief",
        "allegation",
        "claim",
        "report",
        "question",
    ]
)


HEDGE_ADVERBS = frozenset(["reportedly", "allegedly", "purportedly", "supposedly", "apparently"])


QUANTITY_LABELS = frozenset({"CARDINAL", "PERCENT", "MONEY", "QUANTITY"})


NAMED_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC"})


APPROXIMATORS = (
    "more than",
    "less than",
    "fewer than",
    "at least",
    "at most",
    "up to",
    "as many as",
    "as much as",
    "close to",
    "upwards of",
    "just over",
    "just under",
    "over",
    "nearly",
    "almost",
    "about",
    "around",
    "approximately",
    "roughly",
    "some",
    "under",
    "above",
    "below",
    "only",
)


PRONOUN_SOURCES = {"he": "person", "she": "person", "they": "any", "it": "organisation"}
