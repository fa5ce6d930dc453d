"""Retrieve -> answer (extractive default or an LLM) -> the engine's own verdict."""

from papertrail.answering.engine import Answerer

__all__ = ["Answerer"]
