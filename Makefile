# The two commands a user needs: `make serve` (build + serve the site on 127.0.0.1)
# and `make test` (the whole suite, browser tests included). Each installs what it
# needs: a virtualenv with pinned pip packages, Pyodide from npm (`npm ci`), and
# Debian's chromium for the browser tests.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000

.PHONY: setup dist serve test oracle conformance bench chromium clean

$(VENV)/.stamp: requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

node_modules/.stamp: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }

setup: $(VENV)/.stamp node_modules/.stamp

dist: setup
	$(PY) build.py --out dist

serve: dist
	@echo "Serving the calculator on http://127.0.0.1:$(PORT)/"
	$(PY) -m http.server --bind 127.0.0.1 --directory dist $(PORT)

test: setup chromium
	$(PY) -m pytest

# Slow, optional: compiles llama.cpp (CPU) through llama-cpp-python and records its
# own allocations as test data under tests/data/. Not part of `make test`.
oracle:
	$(PYTHON) -m venv .venv-oracle
	.venv-oracle/bin/pip install -q llama-cpp-python==0.3.36 gguf==0.19.0 numpy
	.venv-oracle/bin/python benchmarks/llamacpp_oracle.py
	.venv-oracle/bin/python benchmarks/oracle_quant_check.py

# llama.cpp's own converter on tiny random-weight checkpoints of every catalog architecture
# (benchmarks/convert_check.py -> tests/data/conformance/). torch 2.13.0 is the CPU build on
# this disk; the converter comes from the llama-cpp-python 0.3.36 sdist (vendor/llama.cpp, b11312).
ORACLE_SDIST := .oracle-work/llama_cpp_python-0.3.36
conformance:
	test -x .venv-oracle/bin/python || $(PYTHON) -m venv .venv-oracle
	.venv-oracle/bin/pip install -q llama-cpp-python==0.3.36 gguf==0.19.0 numpy torch==2.13.0 \
		transformers==5.23.0 safetensors
	test -f $(ORACLE_SDIST)/vendor/llama.cpp/convert_hf_to_gguf.py || ( mkdir -p .oracle-work && \
		.venv-oracle/bin/pip download -q --no-binary :all: --no-deps llama-cpp-python==0.3.36 -d .oracle-work && \
		tar xzf .oracle-work/llama_cpp_python-0.3.36.tar.gz -C .oracle-work )
	.venv-oracle/bin/python benchmarks/convert_check.py --sdist $(ORACLE_SDIST)/vendor/llama.cpp

bench: setup
	$(PY) benchmarks/accuracy.py
	$(PY) benchmarks/page.py

clean:
	rm -rf dist build *.egg-info
