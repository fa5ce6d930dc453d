"""Reporting completeness: a heatmap of reported / not reported cells and coverage bars per question.

Labels and hover text come from papers, so they are HTML-escaped: Plotly renders a subset of HTML in them.
"""

from __future__ import annotations

import html
import math
import textwrap
from collections.abc import Sequence

import plotly.graph_objects as go

from components.charts import PRIMARY
from papertrail.review import NOT_REPORTED, Review, question_coverage
from papertrail.review.agreement import OVERALL, Agreement

_NOT_REPORTED_COLOR = "#d9736c"
_LABEL_CHARS = 45


def _paper_label(title: str) -> str:
    return html.escape(textwrap.shorten(title, _LABEL_CHARS, placeholder="…"))


def completeness_heatmap(review: Review) -> go.Figure:
    """One row per paper, one column per question; cells not answered yet are left blank."""
    z: list[list[float | None]] = []
    hover: list[list[str]] = []
    for paper in review.papers:
        z_row, hover_row = [], []
        for item in review.battery.items:
            cell = review.cell(paper.id, item.key)
            z_row.append(None if cell is None else float(cell.reported))
            state = "not answered yet" if cell is None else html.escape(cell.short(80))
            hover_row.append(f"<b>{_paper_label(paper.title)}</b><br>{html.escape(item.key)}: {state}")
        z.append(z_row)
        hover.append(hover_row)
    figure = go.Figure(
        go.Heatmap(
            z=z,
            x=review.battery.keys,
            y=[_paper_label(p.title) for p in review.papers],
            zmin=0,
            zmax=1,
            colorscale=[[0, _NOT_REPORTED_COLOR], [0.5, _NOT_REPORTED_COLOR], [0.5, PRIMARY], [1, PRIMARY]],
            colorbar={"tickvals": [0.25, 0.75], "ticktext": [NOT_REPORTED, "reported"], "thickness": 12, "len": 0.5},
            xgap=2,
            ygap=2,
            hovertext=hover,
            hoverinfo="text",
        )
    )
    figure.update_layout(
        height=120 + 28 * len(review.papers),
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis={"side": "top", "tickangle": -45, "type": "category"},
        yaxis={"autorange": "reversed", "type": "category"},
    )
    return figure


def _share_bars(keys: list[str], shares: list[float], labels: list[str], hovers: list[str], axis: str) -> go.Figure:
    """One horizontal bar per question: a share between 0 and 1, labelled with its count."""
    figure = go.Figure(
        go.Bar(
            x=shares,
            y=keys,
            orientation="h",
            marker_color=PRIMARY,
            text=labels,
            textposition="outside",
            cliponaxis=False,
            hovertext=hovers,
            hoverinfo="text",
        )
    )
    figure.update_layout(
        height=60 + 24 * len(keys),
        margin={"l": 10, "r": 40, "t": 10, "b": 40},
        xaxis={"title": {"text": axis}, "range": [0, 1], "tickformat": ".0%"},
        yaxis={"autorange": "reversed", "type": "category"},
        showlegend=False,
    )
    return figure


def coverage_bars(review: Review) -> go.Figure:
    """Per question, the share of papers that report it (of those answered so far)."""
    coverage = question_coverage(review)
    return _share_bars(
        [c.key for c in coverage],
        [c.fraction for c in coverage],
        [f"{c.reported}/{c.answered}" for c in coverage],
        [html.escape(c.question) for c in coverage],
        "share of papers reporting it",
    )


def _agreement_rows(rows: Sequence[Agreement]) -> list[Agreement]:
    return [r for r in rows if r.key != OVERALL]


def agreement_bars(rows: Sequence[Agreement], reference: str) -> go.Figure:
    """Per question, the share of cells where the tool and the reference agree on reported / not reported."""
    per_question = _agreement_rows(rows)
    return _share_bars(
        [r.key for r in per_question],
        [r.fraction for r in per_question],
        [f"{r.agreed}/{r.cells}" for r in per_question],
        [
            f"{html.escape(r.key)}: agreement {r.fraction:.0%}, kappa "
            + ("n/a" if math.isnan(r.kappa) else f"{r.kappa:.2f}")
            for r in per_question
        ],
        f"agreement with {html.escape(reference)}",
    )


def confusion_bars(rows: Sequence[Agreement], first: str, second: str) -> go.Figure:
    """Per question, the cells split by who says reported: both, only one side, neither."""
    per_question = _agreement_rows(rows)
    first, second = html.escape(first), html.escape(second)
    parts = (
        ("both say reported", lambda r: r.both, PRIMARY),
        (f"only {first}", lambda r: r.tool_only, "#e3a33b"),
        (f"only {second}", lambda r: r.reference_only, _NOT_REPORTED_COLOR),
        ("both say not reported", lambda r: r.neither, "#9aa5b1"),
    )
    figure = go.Figure(
        [
            go.Bar(
                name=name,
                x=[count(r) for r in per_question],
                y=[r.key for r in per_question],
                orientation="h",
                marker_color=color,
            )
            for name, count, color in parts
        ]
    )
    figure.update_layout(
        barmode="stack",
        height=90 + 24 * len(per_question),
        margin={"l": 10, "r": 10, "t": 10, "b": 40},
        xaxis={"title": {"text": "cells"}},
        yaxis={"autorange": "reversed", "type": "category"},
        legend={"orientation": "h", "y": -0.15},
    )
    return figure
