"""How an encoder model's tuned weights are stored: as what training changed in the installed
encoder, compactly.

A tuned tensor the installed encoder also has is stored as its difference from the installed
one. A matrix keeps only the rows training changed (of the word-piece embeddings, the pieces the
training text held), each row's difference in 8 bits with its own scale: a fine-tuning
difference is small and spread evenly, so 8 bits keep it to within half a step of
``largest / 127`` in its row. A vector's difference is kept in half precision. What the
installed encoder lacks (the tagging layer) is kept whole in half precision.

The file's metadata names the format; a file without it (the first encoder models) holds the
tuned tensors whole, in half precision.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import torch

from annotate.errors import ClaimscopeError

FORMAT = "claimscope-int8-difference/1"
#: Where a tuned tensor's parts go: ``name#rows`` (changed rows), ``name#difference``,
#: ``name#scale`` (one per row), or ``name`` alone for a tensor kept whole.
_PART = "#"
_STEPS = 127


def installed_weights(folder: Path) -> dict[str, torch.Tensor]:
    """The installed encoder's weights, named as in :class:`RoleTagger` (``encoder.…``)."""
    from safetensors.torch import load_file

    weights = load_file(folder / "model.safetensors")
    return {f"encoder.{name}": tensor for name, tensor in weights.items()}


def packed(
    tuned: Mapping[str, torch.Tensor], installed: dict[str, torch.Tensor]
) -> dict[str, torch.Tensor]:
    """The tensors to save for ``tuned``: differences from ``installed`` where it has them."""
    stored: dict[str, torch.Tensor] = {}
    for name, given in tuned.items():
        weights = given.detach().to(torch.float32)
        if name not in installed:
            stored[name] = weights.to(torch.float16).contiguous()
            continue
        difference = weights - installed[name].to(torch.float32)
        if difference.dim() != 2:
            stored[f"{name}{_PART}difference"] = difference.to(torch.float16).contiguous()
            continue
        rows = difference.abs().amax(dim=1).nonzero().squeeze(1)
        changed = difference[rows]
        scale = changed.abs().amax(dim=1) / _STEPS
        steps = torch.round(changed / scale[:, None]).clamp(-_STEPS, _STEPS)
        stored[f"{name}{_PART}rows"] = rows.to(torch.int32).contiguous()
        stored[f"{name}{_PART}difference"] = steps.to(torch.int8).contiguous()
        stored[f"{name}{_PART}scale"] = scale.contiguous()
    return stored


def unpacked(
    stored: dict[str, torch.Tensor], installed: dict[str, torch.Tensor]
) -> dict[str, torch.Tensor]:
    """The tuned tensors (float32) that :func:`packed` stored as ``stored``."""
    tuned: dict[str, torch.Tensor] = {}
    for key, tensor in stored.items():
        name = key.split(_PART, 1)[0]
        if name in tuned:
            continue
        if name == key:
            tuned[name] = tensor.to(torch.float32)
            continue
        if name not in installed:
            raise ValueError(f"{name} is not in the installed encoder")
        weights = installed[name].to(torch.float32).clone()
        difference = stored[f"{name}{_PART}difference"].to(torch.float32)
        rows = stored.get(f"{name}{_PART}rows")
        if rows is None:
            weights += difference
        else:
            scale = stored[f"{name}{_PART}scale"]
            weights[rows.long()] += difference * scale[:, None]
        tuned[name] = weights
    return tuned


def save_tuned(
    path: Path, tuned: Mapping[str, torch.Tensor], installed: dict[str, torch.Tensor]
) -> None:
    """Write ``tuned`` to ``path`` as differences from ``installed``."""
    from safetensors.torch import save_file

    save_file(packed(tuned, installed), str(path), metadata={"format": FORMAT})


def load_tuned(path: Path, installed: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The tuned tensors saved at ``path`` (either format); a clear error for a damaged file."""
    from safetensors import SafetensorError, safe_open

    try:
        with safe_open(str(path), "pt") as weights:
            metadata = weights.metadata() or {}
            stored = {key: weights.get_tensor(key) for key in weights.keys()}  # noqa: SIM118
        if metadata.get("format") == FORMAT:
            return unpacked(stored, installed)
        return {name: tensor.to(torch.float32) for name, tensor in stored.items()}
    except (OSError, ValueError, KeyError, IndexError, RuntimeError, SafetensorError) as error:
        raise ClaimscopeError(f"{path}: cannot load ({error})") from None
