"""All settings in one place: PAPERTRAIL_* environment variables, then .streamlit/secrets.toml for keys."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PAPERTRAIL_", extra="ignore")

    data_dir: Path = Field(default=PROJECT_ROOT / "data", description="Where the registry, vectors and PDFs live.")
    chroma_url: str = Field(default="", description="Use a Chroma server (http://host:port) instead of embedded.")
    collection: str = "papertrail"

    # Ingest limits: a file over these fails alone with a reason.
    max_file_mb: int = 200
    max_pages: int = 2000
    # Scanned pages are rendered at this resolution for OCR (slower above it, misreads below it).
    ocr_dpi: int = 150

    # Chunking and retrieval.
    chunk_words: int = 120
    embed_batch: int = 64
    retrieval_depth: int = 24  # passages taken from each of BM25 and vector search per question
    # A question asked of the whole library: the candidate papers (chosen by both indexes) the engine reads.
    library_papers_read: int = 4

    # Answering backend: the verdict is always the engine's own.
    answerer: Literal["extractive", "openai", "ollama"] = "extractive"
    llm_url: str = ""  # OpenAI-compatible base URL (llama.cpp server, vLLM, LM Studio, OpenAI) or Ollama URL
    llm_model: str = ""
    llm_api_key: SecretStr = SecretStr("")
    llm_timeout_s: float = 120.0

    @property
    def registry_path(self) -> Path:
        return self.data_dir / "registry.sqlite"

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def pdf_dir(self) -> Path:
        return self.data_dir / "pdfs"


def _secrets_file_key() -> str:
    """An API key may live in .streamlit/secrets.toml (never in the repo, never logged)."""
    path = PROJECT_ROOT / ".streamlit" / "secrets.toml"
    if not path.is_file():
        return ""
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    return str(data.get("PAPERTRAIL_LLM_API_KEY", data.get("llm_api_key", "")))


def load_settings(**overrides: object) -> Settings:
    settings = Settings(**overrides)  # type: ignore[arg-type]
    if not settings.llm_api_key.get_secret_value():
        key = _secrets_file_key()
        if key:
            settings = settings.model_copy(update={"llm_api_key": SecretStr(key)})
    return settings


@lru_cache(maxsize=1)
def default_settings() -> Settings:
    return load_settings()
