# Claimscope: `make run` to try it, `make test` to check it.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.claimscope-installed
DB     ?= claimscope.json

.PHONY: setup run test lint typecheck pytest bench clean constraints tokenizer-rules attribution-model shipped-model

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@test -n "$(PYTHON)" || { echo "error: no python3.11 (or python3) found; Claimscope needs Python 3.11"; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "error: $(PYTHON) is older than Python 3.11"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test,model,dask,encoder]'
	touch $(STAMP)

run: setup
	$(BIN)/claimscope --db $(DB) import corpora/
	$(BIN)/claimscope --db $(DB) preannotate
	$(BIN)/claimscope --db $(DB) tui

test: setup lint typecheck pytest

lint: setup
	$(BIN)/ruff check annotate tui tests bench
	$(BIN)/ruff format --check annotate tui tests bench

typecheck: setup
	$(BIN)/mypy

pytest: setup
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python bench/store.py
	$(BIN)/python bench/preannotate.py
	$(BIN)/python bench/tui.py
	$(BIN)/python bench/tui_pty.py
	$(BIN)/python bench/export.py
	$(BIN)/python bench/durability.py
	$(BIN)/python bench/source_linking.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache *.egg-info

# Re-pin every dependency to what is installed now (after a deliberate upgrade).
constraints: setup
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^claimscope' > constraints.txt

# Take the tokenizer rules from the installed spaCy again (after upgrading it; a test says when).
tokenizer-rules: setup
	$(BIN)/python -c "from annotate.tokenizing.rules import write_rules; print(write_rules())"

# Rebuild the shipped attribution models from a PolNeAR snapshot (fetch
# github:networkdynamics/PolNeAR; its test split is never read): the small one in about 10
# minutes on 2 cores, the encoder one (the default) in about 30.
POLNEAR_TOOL ?= ../shared/tools/polnear.py
attribution-model: setup
	$(MAKE) shipped-model MODEL_DIR=annotate/models/attribution TRAIN_OPTIONS=
	$(MAKE) shipped-model MODEL_DIR=annotate/models/attribution-encoder TRAIN_OPTIONS=--encoder

shipped-model:
	@test -n "$(POLNEAR)" || { echo "error: pass POLNEAR=GITDIR (a PolNeAR snapshot)"; exit 1; }
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(BIN)/python $(POLNEAR_TOOL) gold $(POLNEAR) train $$tmp/train.jsonl && \
	$(BIN)/python $(POLNEAR_TOOL) gold $(POLNEAR) dev $$tmp/dev.jsonl && \
	$(BIN)/claimscope train-claims $(MODEL_DIR) $(TRAIN_OPTIONS) --gold $$tmp/train.jsonl \
		--dev $$tmp/dev.jsonl --describe "PolNeAR train; dev chose the epoch and the calibration"
