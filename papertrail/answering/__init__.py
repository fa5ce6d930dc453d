"""Retrieve -> answer (extractive default or an LLM) -> the engine's own verdict."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from papertrail.answering.engine import Answerer

__all__ = ["Answerer"]


def __getattr__(name: str) -> Any:
    # Lazy, so that question analysis and the verdict can be used without loading the index stack.
    if name == "Answerer":
        from papertrail.answering.engine import Answerer

        return Answerer
    raise AttributeError(name)
