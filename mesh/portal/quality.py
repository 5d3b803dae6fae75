"""Data quality on the portal: the score DataZone shows (the same `publish.quality` content, from
the build's run results) and its recent history.

The page is rebuilt from the latest artifacts, which hold one build; the history is kept in the
site itself (`quality.json`): each `mesh docs portal` reads the file the previous run wrote into
the output folder, adds this build's point per model (the same build twice is one point) and
keeps the last `KEEP`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from publish.model import Model
from publish.quality import quality_result

HISTORY_FILE = "quality.json"
KEEP = 10


@dataclass(frozen=True, slots=True)
class QualityPoint:
    timestamp: str  # when the build finished (UTC, ISO 8601)
    passing_percentage: float
    evaluations_count: int
    #: `<test>(<columns>)` of the evaluations that failed
    failed: tuple[str, ...] = ()

    @property
    def passed(self) -> int:
        return self.evaluations_count - len(self.failed)


def point_of(model: Model, finished_at: str | None) -> QualityPoint | None:
    """This build's point for a model; None without evaluated tests or a build's run results."""
    if not finished_at:
        return None
    result = quality_result(model.tests, finished_at)
    if result is None:
        return None
    failed = tuple(e["description"] for e in result.evaluations if e["status"] == "FAIL")
    return QualityPoint(
        result.timestamp, result.passing_percentage, result.evaluations_count, failed
    )


def read_history(site: Path) -> dict[str, tuple[QualityPoint, ...]]:
    """The history a previous run wrote into the site; empty when there is none (or it is not
    one this version can read: the history is a convenience, never a reason to fail)."""
    path = site / HISTORY_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {
            str(key): tuple(
                QualityPoint(
                    str(p["timestamp"]),
                    float(p["passing_percentage"]),
                    int(p["evaluations_count"]),
                    tuple(str(f) for f in p.get("failed", ())),
                )
                for p in points
            )
            for key, points in data.items()
        }
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}


def merged(
    previous: Iterable[QualityPoint], current: QualityPoint | None
) -> tuple[QualityPoint, ...]:
    """The recent history with this build's point: one point per build, oldest first."""
    by_time = {p.timestamp: p for p in previous}
    if current is not None:
        by_time[current.timestamp] = current
    return tuple(by_time[t] for t in sorted(by_time)[-KEEP:])


def history_json(history: Mapping[str, Sequence[QualityPoint]]) -> str:
    return json.dumps(
        {key: [asdict(p) for p in points] for key, points in sorted(history.items()) if points},
        indent=1,
    )
