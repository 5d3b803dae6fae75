"""The fidelity table and the conformance tests agree: every row of FIDELITY.md is proven by at
least one test that cites it (`@pytest.mark.fidelity("<id>")`), and every cited id is a row."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import mesh_standins.datazone

TABLE = Path(mesh_standins.datazone.__file__).parent / "FIDELITY.md"
TESTS = Path(__file__).parent
_ROW = re.compile(r"^\| ([A-Z]{2}-\d+) \| (.+?) \| (.+?) \| (documented|inferred)[^|]*\|$")


def table_rows() -> dict[str, tuple[str, str, str]]:
    rows = {}
    for line in TABLE.read_text().splitlines():
        m = _ROW.match(line)
        if m:
            assert m.group(1) not in rows, f"{m.group(1)} appears twice in {TABLE}"
            rows[m.group(1)] = (m.group(2), m.group(3), m.group(4))
    return rows


def cited() -> dict[str, list[str]]:
    """Row id -> the tests (file::function) whose `fidelity` marker cites it."""
    found: dict[str, list[str]] = {}
    for path in sorted(TESTS.glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for deco in node.decorator_list:
                if (
                    isinstance(deco, ast.Call)
                    and isinstance(deco.func, ast.Attribute)
                    and deco.func.attr == "fidelity"
                ):
                    for arg in deco.args:
                        assert isinstance(arg, ast.Constant), f"{path.name}::{node.name}"
                        found.setdefault(str(arg.value), []).append(f"{path.name}::{node.name}")
    return found


def test_every_row_has_a_source_and_a_test() -> None:
    rows = table_rows()
    assert len(rows) >= 40  # the table parsed (a format change must not pass silently)
    for row_id, (behaviour, source, _confidence) in rows.items():
        assert behaviour.strip() and source.strip(), row_id
    tests = cited()
    assert sorted(set(rows) - set(tests)) == []  # rows no test proves
    assert sorted(set(tests) - set(rows)) == []  # tests citing rows that do not exist
