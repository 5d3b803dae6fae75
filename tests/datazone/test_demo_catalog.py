"""`mesh-standins demo-catalog` (the end of `make demo`): the built mesh published into the
stand-ins, then what a consumer finds in DataZone for a glossary term, with the Data Quality
score the publisher posted for each asset."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rich.console import Console

from mesh_standins.demo import run_demo

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


def test_the_demo_shows_a_consumer_each_assets_data_quality(docs_mesh: Path) -> None:
    console = Console(record=True, width=240, color_system=None)
    code = run_demo(docs_mesh, console, terms=("Net Revenue",))
    text = console.export_text()
    assert code == 0, text
    assert "second publish would make 0 writes" in text
    rows = [line for line in text.splitlines() if "fct_orders" in line]
    assert rows, text
    # before: the listing's data points were read under Search's key, so the column was empty
    assert re.search(r"\b100% of \d+\b", rows[0]), rows[0]
