"""LLM backends through LlamaIndex: an OpenAI-compatible server or Ollama (settings.answerer).

The packages live in requirements-llm.txt and are imported only when a backend is chosen. The
model writes the answer from fenced evidence and cites evidence ids; the engine's verdict stands on
top, and every number or name in the model's answer is checked against the evidence it cites: an
unsupported claim is flagged in the verdict's reasons and lowers the confidence.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import replace

from papertrail.answering import prompts
from papertrail.answering.question import Question
from papertrail.answering.values import Kind, find, names, numbers
from papertrail.models import Answer, Evidence, Verdict
from papertrail.settings import Settings

UNSUPPORTED_PENALTY = 0.5
MAX_TOKENS = 256
CONTEXT_WINDOW = 4096


class LLMUnavailable(RuntimeError):
    """The backend's package is missing or its server cannot be reached; the message says which."""


def make_backend(settings: Settings) -> LLMBackend:
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
        return LLMBackend(llm, "openai")
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
        return LLMBackend(llm, "ollama")
    raise ValueError(f"unknown answerer {settings.answerer!r}")


def parse_reply(raw: str, n_evidence: int) -> tuple[str, list[int], bool]:
    """(answer, cited evidence indices, answerable) from the model's reply, JSON or not."""
    text = (raw or "").strip()
    data = None
    m = re.search(r"\{.*\}", text, re.S)
    if m:
        try:
            data = json.loads(m.group(0))
        except json.JSONDecodeError:
            data = None
    if isinstance(data, dict):
        answer = str(data.get("answer") or "").strip()
        cites = data.get("citations") or []
        if isinstance(cites, str):
            cites = [cites]
        answerable = data.get("answerable", True) not in (False, "false", "no", 0)
    else:
        answer, cites, answerable = text, [], True
    ids = re.findall(r"E(\d+)", " ".join(str(c) for c in cites) + " " + answer)
    cited = sorted({int(i) - 1 for i in ids if 0 < int(i) <= n_evidence})
    answer = re.sub(r"\s*\[?\(?E\d+\)?\]?", "", answer).strip() if ids else answer
    return answer, cited, answerable


def _norm(text: str) -> str:
    text = text.lower().replace("\u2212", "-")
    return re.sub(r"(?<=\d)[,\u202f\u2009 ](?=\d{3}\b)", "", text)


def unsupported_claims(answer: str, question: str, cited: Sequence[Evidence]) -> list[str]:
    """Numbers and names in the answer that neither the cited evidence nor the question contains."""
    source = _norm(" ".join(ev.text for ev in cited) + " " + question)
    claims = [v.text for v in numbers(answer)] + [v.text for v in names(answer)]
    claims += [v.text for kind in (Kind.GPU, Kind.URL, Kind.VERSION) for v in find(kind, answer)]
    missing = []
    for claim in claims:
        c = _norm(claim).strip(" .,;:%")
        if c in ("yes", "no") or not c:
            continue
        if c not in source:
            missing.append(claim)
    return list(dict.fromkeys(missing))


class LLMBackend:
    def __init__(self, llm, name: str) -> None:
        self.llm = llm
        self.name = name

    def complete(self, question: str, evidence: Sequence[Evidence]) -> str:
        from llama_index.core.llms import ChatMessage

        messages = [
            ChatMessage(role="system", content=prompts.SYSTEM),
            ChatMessage(role="user", content=prompts.user_message(question, evidence)),
        ]
        try:
            response = self.llm.chat(messages)
        except Exception as err:  # the server's own error types differ by backend
            raise LLMUnavailable(f"The {self.name} model could not be reached: {err}") from err
        return str(response.message.content or "")

    def answer(
        self,
        question: str,
        q: Question,
        verdict: Verdict,
        evidence: tuple[Evidence, ...],
        paper_ids: tuple[str, ...],
        extractive_text: str,
    ) -> Answer:
        """The model's answer under the engine's verdict (called only for answerable verdicts)."""
        try:
            raw = self.complete(question, evidence)
        except LLMUnavailable as err:
            reasons = (*verdict.reasons, f"{err}; showing the quoted evidence instead")
            return Answer(
                question, extractive_text, replace(verdict, reasons=reasons), evidence, "extractive", paper_ids
            )
        text, cited_idx, llm_answerable = parse_reply(raw, len(evidence))
        reasons = list(verdict.reasons)
        confidence = verdict.confidence
        if not text or not llm_answerable:
            reasons.append("the model found no answer in the evidence; showing the quoted evidence")
            return Answer(
                question,
                extractive_text,
                replace(verdict, confidence=round(confidence * 0.8, 4), reasons=tuple(reasons)),
                evidence,
                self.name,
                paper_ids,
            )
        if not cited_idx:
            reasons.append("the model cited no evidence")
            confidence *= UNSUPPORTED_PENALTY
            cited = list(evidence)
        else:
            cited = [evidence[i] for i in cited_idx]
        missing = unsupported_claims(text, question, cited)
        if missing:
            shown = ", ".join(f"'{m}'" for m in missing[:4])
            reasons.append(f"not supported by the cited evidence: {shown}")
            confidence *= UNSUPPORTED_PENALTY
        ordered = tuple(cited) + tuple(ev for ev in evidence if ev not in cited)
        new_verdict = replace(verdict, confidence=round(confidence, 4), reasons=tuple(reasons))
        return Answer(question, text, new_verdict, ordered, self.name, paper_ids)
