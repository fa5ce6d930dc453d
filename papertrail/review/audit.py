"""What changed when the battery was run again, and the audit log of every decision, machine or human.

Both read the store's append-only logs (store.py): every answer a run stored, with what produced it,
and every reviewer's decision.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from papertrail.review.exports import spreadsheet_safe
from papertrail.review.matrix import NOT_REPORTED, Cell, CellKey, Review
from papertrail.review.provenance import Provenance
from papertrail.review.store import ReviewStore


def _flat(text: str) -> str:
    return " ".join(text.split())


def _pages(pages: Sequence[int]) -> str:
    return ";".join(map(str, pages)) or "-"


def _shown(cell: Cell) -> str:
    """The answer as the matrix shows it ("not reported" hides what was looked for)."""
    return _flat(cell.answer.text) if cell.reported else NOT_REPORTED


def _excerpts(before: str, after: str, width: int = 60) -> tuple[str, str]:
    """Both texts from a little before where they first differ, so the change is visible."""
    common = next(
        (n for n, (a, b) in enumerate(zip(before, after, strict=False)) if a != b), min(len(before), len(after))
    )
    start = max(0, common - 15)

    def cut(text: str) -> str:
        return ("…" if start else "") + text[start : start + width] + ("…" if start + width < len(text) else "")

    return cut(before), cut(after)


def _percents(before: float, after: float) -> tuple[str, str]:
    spec = ".0%" if f"{before:.0%}" != f"{after:.0%}" else ".1%"
    return format(before, spec), format(after, spec)


def _either(flag: bool, yes: str, no: str) -> str:
    return yes if flag else no


def differences(before: Cell, after: Cell) -> list[str]:
    """How a cell's answer changed, in words; empty when it is the same answer."""
    found = []
    if before.reported != after.reported:
        found.append(
            f"{_either(before.reported, 'reported', NOT_REPORTED)} → {_either(after.reported, 'reported', NOT_REPORTED)}"
        )
    if _shown(before) != _shown(after):
        found.append("answer {} → {}".format(*_excerpts(_shown(before), _shown(after))))
    if before.uncertain != after.uncertain:
        found.append(
            f"{_either(before.uncertain, 'uncertain', 'sure')} → {_either(after.uncertain, 'uncertain', 'sure')}"
        )
    if before.pages != after.pages:
        found.append(f"pages {_pages(before.pages)} → {_pages(after.pages)}")
    if round(before.confidence, 3) != round(after.confidence, 3):
        found.append("confidence {} → {}".format(*_percents(before.confidence, after.confidence)))
    return found


def provenance_differences(before: Provenance | None, after: Provenance | None) -> list[str]:
    """Which of engine, extraction, backend and settings differ between two runs."""
    if before is None or after is None:
        return [] if before == after else ["provenance not recorded for the earlier answer"]
    return [
        f"{name} {getattr(before, name)} → {getattr(after, name)}"
        for name in ("engine", "extraction", "backend", "settings")
        if getattr(before, name) != getattr(after, name)
    ]


@dataclass(frozen=True, slots=True)
class Change:
    before: Cell
    after: Cell

    @property
    def differences(self) -> list[str]:
        return differences(self.before, self.after)


@dataclass(frozen=True, slots=True)
class Rerun:
    """The latest rerun of these cells: the cells whose answer changed and what differed in the setup."""

    run: str
    cells: int  # cells answered again
    changes: list[Change]
    setup: list[str]  # provenance differences (engine, extraction, backend, settings)


def latest_rerun(store: ReviewStore, review: Review) -> Rerun | None:
    """Compare each cell's newest stored answer with the one before it, for cells of the newest run."""
    history: dict[CellKey, list[Cell]] = {}
    for _, cell in store.answer_log(review.battery, review.papers, last_two=True):
        history.setdefault((cell.paper.id, cell.key), []).append(cell)
    again = {k: cells[-2:] for k, cells in history.items() if len(cells) > 1 and cells[-1].provenance}
    if not again:
        return None
    newest = max(after.provenance.run for _, after in again.values())
    pairs = [(before, after) for before, after in again.values() if after.provenance.run == newest]
    setups = {tuple(provenance_differences(before.provenance, after.provenance)) for before, after in pairs}
    changes = [Change(before, after) for before, after in pairs if differences(before, after)]
    order = {(p.id, key): n for n, (p, key) in enumerate((p, k) for p in review.papers for k in review.battery.keys)}
    changes.sort(key=lambda c: order.get((c.after.paper.id, c.after.key), 0))
    return Rerun(newest, len(pairs), changes, sorted({d for setup in setups for d in setup}))


# -- the audit log ------------------------------------------------------------------------------------

AUDIT_FIELDS = (
    "at",
    "actor",
    "kind",
    "paper_id",
    "paper",
    "key",
    "decision",
    "answer",
    "pages",
    "confidence",
    "uncertain",
    "note",
    "engine",
    "extraction",
    "backend",
    "settings",
    "run",
)


def audit_events(store: ReviewStore, review: Review) -> list[dict[str, Any]]:
    """Every stored answer (the machine's decisions) and every reviewer's decision, in time order."""
    titles = {p.id: p.title for p in review.papers}
    events: list[dict[str, Any]] = []
    for at, cell in store.answer_log(review.battery, review.papers):
        prov = cell.provenance
        events.append(
            {
                "at": at,
                "actor": prov.backend if prov else store.backend,
                "kind": "answered",
                "paper_id": cell.paper.id,
                "paper": cell.paper.title,
                "key": cell.key,
                "decision": "reported" if cell.reported else NOT_REPORTED,
                "answer": _flat(cell.answer.text),
                "pages": cell.pages,
                "confidence": round(cell.confidence, 4),
                "uncertain": cell.uncertain,
                "note": "",
                "engine": prov.engine if prov else "",
                "extraction": prov.extraction if prov else "",
                "backend": prov.backend if prov else store.backend,
                "settings": prov.settings if prov else "",
                "run": prov.run if prov else "",
            }
        )
    for v in store.verifications(review.battery, [p.id for p in review.papers]):
        events.append(
            {
                "at": v.at,
                "actor": v.reviewer,
                "kind": "settled" if v.settles else "checked",
                "paper_id": v.paper_id,
                "paper": titles.get(v.paper_id, ""),
                "key": v.key,
                "decision": v.decision.value,
                "answer": v.shown_answer,
                "pages": [v.page] if v.page else [],
                "confidence": None,
                "uncertain": None,
                "note": v.note,
                **dict.fromkeys(("engine", "extraction", "backend", "settings", "run"), ""),
            }
        )
    # Stable: at equal times, answers come before the decisions made on them.
    return sorted(events, key=lambda e: e["at"])


def audit_csv(events: Sequence[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=AUDIT_FIELDS, lineterminator="\n")
    writer.writeheader()
    for event in events:
        row = event | {
            "pages": ";".join(map(str, event["pages"])),
            "uncertain": "" if event["uncertain"] is None else ("yes" if event["uncertain"] else "no"),
        }
        writer.writerow({k: spreadsheet_safe(v) if isinstance(v, str) else v for k, v in row.items()})
    return buffer.getvalue()


def audit_json(events: Sequence[dict[str, Any]]) -> str:
    return json.dumps(list(events), indent=1, ensure_ascii=False) + "\n"
