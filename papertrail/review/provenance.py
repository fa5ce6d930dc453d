"""What produced a cell, so a run can be reproduced and a rerun explained.

Versions are content hashes of the code and fitted weights that decide an answer: any change to the
answering engine (or its weights.json) or to extraction gives a new version, with no release step
to forget. The settings fingerprint covers the settings that change answers, not paths or limits.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

import pymupdf

from papertrail.settings import Settings

PACKAGE_DIR = Path(__file__).resolve().parent.parent
# Settings that change which answer a cell gets (paths, limits and secrets do not).
ANSWER_SETTINGS = ("chunk_words", "retrieval_depth", "answerer", "llm_url", "llm_model")


@lru_cache(maxsize=4)
def _tree_hash(folder: str) -> str:
    digest = hashlib.sha256()
    for path in sorted(Path(folder).rglob("*")):
        if path.suffix in (".py", ".json") and "__pycache__" not in path.parts:
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:10]


def engine_version() -> str:
    return f"answering-{_tree_hash(str(PACKAGE_DIR / 'answering'))}"


def extraction_version() -> str:
    return f"pdf-{_tree_hash(str(PACKAGE_DIR / 'pdf'))}+pymupdf-{pymupdf.VersionBind}"


def answer_settings(settings: Settings) -> dict[str, object]:
    return {name: getattr(settings, name) for name in ANSWER_SETTINGS}


def settings_fingerprint(settings: Settings) -> str:
    canonical = json.dumps(answer_settings(settings), sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]


def backend_name(settings: Settings) -> str:
    return settings.answerer if settings.answerer == "extractive" else f"{settings.answerer}:{settings.llm_model}"


@dataclass(frozen=True, slots=True)
class Provenance:
    engine: str
    extraction: str
    backend: str  # answering backend and model
    settings: str  # fingerprint of answer_settings
    run: str  # the run that answered the cell (UTC start time)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, raw: str) -> Provenance:
        data = json.loads(raw or "{}")
        return cls(**{name: str(data.get(name, "")) for name in cls.__dataclass_fields__})


def provenance(settings: Settings, run: str) -> Provenance:
    return Provenance(
        engine_version(), extraction_version(), backend_name(settings), settings_fingerprint(settings), run
    )
