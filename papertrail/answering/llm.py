"""LLM backends through LlamaIndex (requirements-llm.txt, imported only when chosen): OpenAI-compatible or Ollama.

The model answers every question from fenced evidence, citing evidence ids, and every number or name in
its answer is checked against the evidence it cites. Its stance is one more signal of the engine's fitted
decision; it never decides alone.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from papertrail.answering import prompts
from papertrail.answering.text import comparable
from papertrail.answering.values import Kind, find, names, numbers
from papertrail.models import Evidence
from papertrail.settings import Settings

MAX_TOKENS = 256
CONTEXT_WINDOW = 4096


class LLMUnavailable(RuntimeError):
    """The backend's package is missing or its server cannot be reached; the message says which."""


def make_backend(settings: Settings, memo_path: Path | None = None) -> LLMBackend:
    if settings.answerer == "openai":
        if not settings.llm_url:  # configuration first: it is what the user can fix on the Settings page
            raise LLMUnavailable("Set PAPERTRAIL_LLM_URL to the server's OpenAI-compatible base URL (…/v1).")
        try:
            from llama_index.llms.openai_like import OpenAILike
        except ImportError as err:  # pragma: no cover - depends on the optional install
            raise LLMUnavailable("The openai backend needs `pip install -r requirements-llm.txt`.") from err
        llm = OpenAILike(
            model=settings.llm_model or "local-model",
            api_base=settings.llm_url,
            api_key=settings.llm_api_key.get_secret_value() or "not-needed",
            is_chat_model=True,
            is_function_calling_model=False,
            context_window=CONTEXT_WINDOW,
            max_tokens=MAX_TOKENS,
            temperature=0.0,
            timeout=settings.llm_timeout_s,
            max_retries=1,
            additional_kwargs={"response_format": {"type": "json_object"}},
        )
        return LLMBackend(llm, "openai", memo_path)
    if settings.answerer == "ollama":
        try:
            from llama_index.llms.ollama import Ollama
        except ImportError as err:  # pragma: no cover
            raise LLMUnavailable("The ollama backend needs `pip install -r requirements-llm.txt`.") from err
        llm = Ollama(
            model=settings.llm_model or "llama3.2",
            base_url=settings.llm_url or "http://localhost:11434",
            request_timeout=settings.llm_timeout_s,
            context_window=CONTEXT_WINDOW,  # without it the client asks the server at construction
            temperature=0.0,
            json_mode=True,
        )
        return LLMBackend(llm, "ollama", memo_path)
    raise ValueError(f"unknown answerer {settings.answerer!r}")


def parse_reply(raw: str, n_evidence: int) -> tuple[str, list[int], bool]:
    """(answer, cited evidence indices, answerable) from the model's reply, JSON or not."""
    text = (raw or "").strip()
    m = re.search(r"\{.*\}", text, re.S)
    try:
        data = json.loads(m.group(0)) if m else None
    except json.JSONDecodeError:
        data = None
    if isinstance(data, dict):
        answer = str(data.get("answer") or "").strip()
        cites = data.get("citations") or []
        answerable = data.get("answerable", True) not in (False, "false", "no", 0)
    else:
        answer, cites, answerable = text, [], True
    ids = re.findall(r"E(\d+)", f"{cites} {answer}")  # the cited ids, wherever the model wrote them
    cited = sorted({int(i) - 1 for i in ids if 0 < int(i) <= n_evidence})
    answer = re.sub(r"\s*\[?\(?E\d+\)?\]?", "", answer).strip() if ids else answer
    return answer, cited, answerable


def unsupported_claims(answer: str, question: str, cited: Sequence[Evidence]) -> list[str]:
    """Numbers and names in the answer that neither the cited evidence nor the question contains."""
    source = comparable(" ".join(ev.text for ev in cited) + " " + question)
    claims = [v.text for v in numbers(answer)] + [v.text for v in names(answer)]
    claims += [v.text for kind in (Kind.GPU, Kind.URL, Kind.VERSION) for v in find(kind, answer)]
    normalised = {claim: comparable(claim).strip(" .,;:%") for claim in claims}
    return [claim for claim, c in normalised.items() if c not in ("", "yes", "no") and c not in source]


class Stance(StrEnum):
    """What the model made of the evidence; the decision weighs each stance by its fitted log-odds."""

    ANSWERS = "answers"  # an answer whose every number and name is in the evidence it cites
    UNSUPPORTED = "unsupported"  # an answer, but with claims the cited evidence does not hold, or no citation
    DECLINES = "declines"  # the model says the evidence does not answer


@dataclass(frozen=True)
class Reply:
    text: str
    cited: tuple[int, ...]  # indices into the evidence shown
    stance: Stance
    note: str = ""  # why the stance is not ANSWERS, for the verdict's reasons


class LLMBackend:
    def __init__(self, llm, name: str, memo_path: Path | None = None) -> None:
        self.llm = llm
        self.name = name
        # Replies by prompt, so an evaluation rerun asks the model nothing twice (optional, on disk).
        self.memo_path = memo_path
        rows = memo_path.read_text().splitlines() if memo_path is not None and memo_path.is_file() else []
        self._memo: dict[str, str] = {row["key"]: row["reply"] for row in map(json.loads, rows)}

    def complete(self, question: str, evidence: Sequence[Evidence]) -> str:
        from llama_index.core.llms import ChatMessage

        user = prompts.user_message(question, evidence)
        key = hashlib.sha256(f"{self.name}\n{user}".encode()).hexdigest()
        if key in self._memo:
            return self._memo[key]
        messages = [ChatMessage(role="system", content=prompts.SYSTEM), ChatMessage(role="user", content=user)]
        try:
            response = self.llm.chat(messages)
        except Exception as err:  # the server's own error types differ by backend
            raise LLMUnavailable(f"The {self.name} model could not be reached: {err}") from err
        raw = str(response.message.content or "")
        self._memo[key] = raw
        if self.memo_path is not None:
            with self.memo_path.open("a") as fh:
                fh.write(json.dumps({"key": key, "reply": raw}) + "\n")
        return raw

    def consult(self, question: str, evidence: Sequence[Evidence]) -> Reply:
        """The model's answer from the fenced evidence, and its stance after checking every claim."""
        text, cited_idx, says_answerable = parse_reply(self.complete(question, evidence), len(evidence))
        if not text or not says_answerable:
            return Reply(text, tuple(cited_idx), Stance.DECLINES, "the model found no answer in the evidence")
        if not cited_idx:
            return Reply(text, (), Stance.UNSUPPORTED, "the model cited no evidence")
        missing = unsupported_claims(text, question, [evidence[i] for i in cited_idx])
        if missing:
            shown = ", ".join(f"'{m}'" for m in missing[:4])
            return Reply(text, tuple(cited_idx), Stance.UNSUPPORTED, f"not supported by the cited evidence: {shown}")
        return Reply(text, tuple(cited_idx), Stance.ANSWERS)
