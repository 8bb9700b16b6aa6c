"""How an encoder model's tuned weights are stored: differences from the installed encoder, a
matrix's changed rows only in 8 bits, new tensors whole; the first models' format (tuned tensors
whole, half precision) still loads; a damaged file is a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file

from annotate.errors import ClaimscopeError
from annotate.nlp.encoder.weights import FORMAT, load_tuned, packed, save_tuned


def _installed() -> dict[str, torch.Tensor]:
    generator = torch.Generator().manual_seed(1)
    return {
        "encoder.table": torch.randn(50, 16, generator=generator),
        "encoder.norm": torch.randn(16, generator=generator),
    }


def _tuned(installed: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    generator = torch.Generator().manual_seed(2)
    table = installed["encoder.table"].clone()
    table[[3, 17, 40]] += 0.01 * torch.randn(3, 16, generator=generator)
    return {
        "encoder.table": table,
        "encoder.norm": installed["encoder.norm"] + 0.001,
        "head.weight": torch.randn(7, 16, generator=generator),
    }


def test_only_the_changed_rows_are_stored_and_they_come_back_within_half_a_step(
    tmp_path: Path,
) -> None:
    installed = _installed()
    tuned = _tuned(installed)
    stored = packed(tuned, installed)
    assert stored["encoder.table#rows"].tolist() == [3, 17, 40]
    assert stored["encoder.table#difference"].dtype == torch.int8
    assert "encoder.table" not in stored

    save_tuned(tmp_path / "w.safetensors", tuned, installed)
    loaded = load_tuned(tmp_path / "w.safetensors", installed)
    assert set(loaded) == set(tuned)
    table = loaded["encoder.table"]
    unchanged = [row for row in range(50) if row not in (3, 17, 40)]
    assert torch.equal(table[unchanged], installed["encoder.table"][unchanged])
    step = stored["encoder.table#scale"][:, None]
    error = (table[[3, 17, 40]] - tuned["encoder.table"][[3, 17, 40]]).abs()
    assert bool((error <= step / 2 + 1e-7).all())
    assert torch.allclose(loaded["encoder.norm"], tuned["encoder.norm"], atol=1e-6)
    assert torch.allclose(loaded["head.weight"], tuned["head.weight"], atol=1e-3)


def test_the_first_format_tuned_tensors_whole_still_loads(tmp_path: Path) -> None:
    installed = _installed()
    tuned = _tuned(installed)
    save_file({k: v.to(torch.float16) for k, v in tuned.items()}, str(tmp_path / "w.safetensors"))
    loaded = load_tuned(tmp_path / "w.safetensors", installed)
    assert torch.allclose(loaded["encoder.table"], tuned["encoder.table"], atol=1e-2)


@pytest.mark.parametrize("missing", ["encoder.table#scale", "encoder.table#difference"])
def test_a_stored_tensor_missing_its_parts_is_a_clear_error(tmp_path: Path, missing: str) -> None:
    installed = _installed()
    stored = packed(_tuned(installed), installed)
    del stored[missing]
    path = tmp_path / "w.safetensors"
    save_file(stored, str(path), metadata={"format": FORMAT})
    with pytest.raises(ClaimscopeError, match=r"w\.safetensors: cannot load"):
        load_tuned(path, installed)


def test_rows_past_the_installed_table_are_a_clear_error(tmp_path: Path) -> None:
    installed = _installed()
    stored = packed(_tuned(installed), installed)
    stored["encoder.table#rows"] = torch.tensor([3, 17, 400], dtype=torch.int32)
    path = tmp_path / "w.safetensors"
    save_file(stored, str(path), metadata={"format": FORMAT})
    with pytest.raises(ClaimscopeError, match="cannot load"):
        load_tuned(path, installed)
