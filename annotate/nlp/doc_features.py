"""What the attribution model may read besides the words: the base pipeline's own token vectors
and the roles the claim rules give each token.

- ``claimscope_rule_roles`` (a pipeline component, before the model) runs the claim rules and
  marks each token as part of a rule claim's cue, source or content, in
  ``doc.user_data["claimscope_rule_roles"]`` (one byte per token). The claims themselves are
  kept beside them, so the claim detector at the end of the pipeline does not run the rules a
  second time (:func:`rule_claims_on`).
- ``claimscope.AttributionEmbed.v1`` (an architecture, like spaCy's ``MultiHashEmbed``) embeds
  the token attributes and adds, per token, the base pipeline's vector (``doc.tensor``, what
  its tagger, parser and entity recogniser were trained to read) and the rule roles; with
  ``syntax``, also the clause each token stands in (:func:`clause_features`), which a window
  of a few tokens cannot see: a word deep in a reported clause learns that the clause hangs
  off ``say`` as its complement.

This is how the published PARC systems work: the rules' output as features of a learnt model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import numpy
from spacy.language import Language
from spacy.ml.featureextractor import FeatureExtractor
from spacy.symbols import VERB  # type: ignore[import-not-found]  # a compiled module
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import Maxout, Model, chain, concatenate, list2ragged, ragged2list, with_array
from thinc.layers import HashEmbed
from thinc.types import Floats2d, Ints1d, Ints2d, Ragged

from annotate.claims.detected import DetectedClaim
from annotate.claims.detector import detect_claims

RULE_ROLES = "claimscope_rule_roles"
_ROLES_KEY = "claimscope_rule_roles"
_CLAIMS_KEY = "claimscope_rule_claims"
#: The base pipeline's token vector width (``en_core_web_sm``'s tok2vec).
TENSOR_WIDTH = 96
ROLE_NAMES = ("cue", "source", "content")
FEATURE_WIDTH = TENSOR_WIDTH + len(ROLE_NAMES)


@Language.component(RULE_ROLES)
def rule_roles(doc: Doc) -> Doc:
    """Mark every token with the role a rule claim gives it (0 none, 1 cue, 2 source,
    3 content; a cue or source inside a content keeps its own role)."""
    claims = detect_claims(doc)
    roles = numpy.zeros(len(doc), dtype="uint8")
    starts = doc.to_array("IDX") if len(doc) else numpy.zeros(0, dtype="int64")
    for claim in claims:
        parts = [(3, part) for part in claim.content_parts or [claim.content]]
        parts += [(2, claim.source)] if claim.source is not None else []
        parts += [(1, claim.cue)] if claim.cue is not None else []
        for role, offsets in parts:
            first = int(numpy.searchsorted(starts, offsets.start, side="right")) - 1
            last = int(numpy.searchsorted(starts, offsets.end, side="left"))
            window = roles[max(first, 0) : last]
            if role == 3:
                window[window == 0] = 3
            else:
                window[:] = role
    doc.user_data[_ROLES_KEY] = roles.tobytes()
    doc.user_data[_CLAIMS_KEY] = [claim.to_dict() for claim in claims]
    return doc


def rule_claims_on(doc: Doc) -> list[DetectedClaim] | None:
    """The rules' claims :func:`rule_roles` found on ``doc`` (built-in lexicon, every rule
    family), or None when it did not run."""
    found = doc.user_data.get(_CLAIMS_KEY)
    if found is None:
        return None
    return [DetectedClaim.from_dict(item) for item in found]


def doc_features(doc: Doc) -> numpy.ndarray[Any, Any]:
    """One row per token: the base pipeline's vector and the rule roles, one-hot (zeros for
    what the pipeline does not give: the roles without ``claimscope_rule_roles``)."""
    rows = numpy.zeros((len(doc), FEATURE_WIDTH), dtype="float32")
    tensor = doc.tensor
    if tensor is not None and getattr(tensor, "shape", None) == (len(doc), TENSOR_WIDTH):
        rows[:, :TENSOR_WIDTH] = tensor
    packed = doc.user_data.get(_ROLES_KEY)
    if packed is not None and len(packed) == len(doc):
        roles = numpy.frombuffer(packed, dtype="uint8")
        marked = numpy.nonzero(roles)[0]
        rows[marked, TENSOR_WIDTH + roles[marked] - 1] = 1.0
    return rows


#: Dependency labels that open a clause of their own (besides a verb and the root).
CLAUSE_DEPS = (
    "ccomp",
    "xcomp",
    "advcl",
    "relcl",
    "acl",
    "csubj",
    "csubjpass",
    "parataxis",
    "pcomp",
)
#: The number of hashed columns :func:`clause_features` gives each token.
CLAUSE_COLUMNS = 3
#: The governor column of a token in a main clause (a symbol id, never a lemma's hash).
NO_GOVERNOR = 1


def clause_features(doc: Doc) -> numpy.ndarray[Any, Any]:
    """Per token, three ids (string hashes) that tell which clause it stands in: the
    dependency label of the clause's head (its verb, or what opens it), that head's lemma, and
    the lemma of the word the clause hangs off (a main clause has none). In "Officials said
    the plan will fail" every token of "the plan will fail" reads (ccomp, fail, say)."""
    if not len(doc):
        return numpy.zeros((0, CLAUSE_COLUMNS), dtype="uint64")
    table = doc.to_array(["HEAD", "DEP", "LEMMA", "POS"])
    index = numpy.arange(len(doc))
    heads = index + table[:, 0].astype("int64")
    clause_dep_ids = numpy.array([doc.vocab.strings[name] for name in CLAUSE_DEPS], "uint64")
    opens = (table[:, 3] == VERB) | (heads == index) | numpy.isin(table[:, 1], clause_dep_ids)
    clause = numpy.where(opens, index, heads)
    for _ in range(len(doc).bit_length()):  # pointer jumping: each pass doubles the reach
        climbed = numpy.where(opens[clause], clause, clause[clause])
        if numpy.array_equal(climbed, clause):
            break
        clause = climbed
    governor = heads[clause]
    columns = numpy.empty((len(doc), CLAUSE_COLUMNS), dtype="uint64")
    columns[:, 0] = table[clause, 1]
    columns[:, 1] = table[clause, 2]
    columns[:, 2] = numpy.where(governor == clause, NO_GOVERNOR, table[governor, 2])
    return columns


def _clause_forward(
    model: Model[list[Doc], list[Ints2d]], docs: list[Doc], is_train: bool
) -> tuple[list[Ints2d], Callable[[list[Ints2d]], list[Doc]]]:
    return [
        model.ops.asarray2i(cast(Ints2d, clause_features(doc)), dtype="uint64") for doc in docs
    ], (lambda d_features: [])


def _features_forward(
    model: Model[list[Doc], Ragged], docs: list[Doc], is_train: bool
) -> tuple[Ragged, Callable[[Ragged], list[Doc]]]:
    arrays = [doc_features(doc) for doc in docs]
    data = numpy.concatenate(arrays) if arrays else numpy.zeros((0, FEATURE_WIDTH), "float32")
    lengths = numpy.array([len(doc) for doc in docs], dtype="int32")
    ragged = Ragged(
        model.ops.asarray2f(cast(Floats2d, data)), model.ops.asarray1i(cast(Ints1d, lengths))
    )
    return ragged, lambda d_ragged: []  # read, not learnt: nothing to pass back


@registry.architectures("claimscope.AttributionEmbed.v1")  # type: ignore[untyped-decorator]
def attribution_embed(
    width: int, attrs: list[str], rows: list[int], syntax: bool = False
) -> Model[list[Doc], list[Floats2d]]:
    """``spacy.MultiHashEmbed.v2`` (without static vectors) with :func:`doc_features` beside
    the hashed attributes (and, with ``syntax``, the hashed :func:`clause_features`), mixed
    down to ``width`` by one maxout layer."""
    embeddings: list[Model[Ints2d, Floats2d]] = [
        HashEmbed(width, rows[index], column=index, seed=8 + index, dropout=0.0)
        for index in range(len(attrs))
    ]
    hashed: Model[list[Doc], Ragged] = chain(
        FeatureExtractor(attrs),
        cast(Model[list[Ints2d], Ragged], list2ragged()),
        with_array(concatenate(*embeddings)),
    )
    features: Model[list[Doc], Ragged] = Model("doc_features", _features_forward)
    parts = [hashed, features]
    if syntax:
        clause_rows = (200, 2500, 2500)
        clause_embeddings: list[Model[Ints2d, Floats2d]] = [
            HashEmbed(width, clause_rows[index], column=index, seed=32 + index, dropout=0.0)
            for index in range(CLAUSE_COLUMNS)
        ]
        parts.append(
            chain(
                Model("clause_features", _clause_forward),
                cast(Model[list[Ints2d], Ragged], list2ragged()),
                with_array(concatenate(*clause_embeddings)),
            )
        )
    hashed_width = width * (len(attrs) + (CLAUSE_COLUMNS if syntax else 0))
    mixed = Maxout(width, hashed_width + FEATURE_WIDTH, nP=3, dropout=0.0, normalize=True)
    model: Model[list[Doc], list[Floats2d]] = chain(
        concatenate(*parts),
        with_array(mixed),
        ragged2list(),
    )
    return model
