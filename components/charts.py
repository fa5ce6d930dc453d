"""Plotly figures. Hover text is HTML-escaped because Plotly renders a subset of HTML in labels."""

from __future__ import annotations

import html
import textwrap
from collections.abc import Mapping

import plotly.graph_objects as go

from papertrail.models import Answer

PRIMARY = "#1f5fa8"
MUTED = "#a9bfd9"
_HOVER_CHARS = 240


def _short(text: str, width: int) -> str:
    return textwrap.shorten(" ".join(text.split()), width=width, placeholder="…")


def evidence_chart(answer: Answer, titles: Mapping[str, str], selected: int | None = None) -> go.Figure:
    """Horizontal bars, best first: which passages were retrieved, from which pages, how strongly."""
    several_papers = len({ev.paper_id for ev in answer.evidence}) > 1
    labels, hovers = [], []
    for number, evidence in enumerate(answer.evidence, start=1):
        title = titles.get(evidence.paper_id, evidence.paper_id)
        paper = f" · {_short(title, 22)}" if several_papers else ""
        labels.append(f"{number} · p. {evidence.page}{paper}")
        snippet = "<br>".join(textwrap.wrap(html.escape(_short(evidence.text, _HOVER_CHARS)), 60))
        hovers.append(f"<b>{html.escape(_short(title, 60))}</b>, page {evidence.page}<br>{snippet}")
    scores = [evidence.score for evidence in answer.evidence]
    figure = go.Figure(
        go.Bar(
            x=scores,
            y=labels,
            orientation="h",
            marker_color=[PRIMARY if index == selected else MUTED for index in range(len(scores))],
            text=[f"{score:.2f}" for score in scores],
            textposition="outside",
            cliponaxis=False,
            hovertext=hovers,
            hoverinfo="text",
        )
    )
    figure.update_layout(
        height=70 + 30 * len(scores),
        margin={"l": 10, "r": 40, "t": 10, "b": 40},
        # A fixed 0..1 axis (when scores allow) shows absolute strength: weak evidence looks weak.
        xaxis={
            "title": {"text": "evidence score", "font": {"size": 12}},
            "range": [0, max([1.0, *scores]) * 1.08],
            "showgrid": True,
        },
        yaxis={"autorange": "reversed", "type": "category"},
        showlegend=False,
        bargap=0.35,
    )
    return figure
