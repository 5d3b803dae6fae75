"""The mesh core macros render the SQL they promise on each engine and give the same results.

dbt renders every macro for DuckDB (`lint` target) and Athena (`prod`, dbt-athena against the
stand-ins); the DuckDB SQL runs on the edge cases, and so does the Athena SQL, transpiled by
the Athena stand-in. No engine here runs Trino, so the macros spell out what they mean instead
of relying on either engine's defaults (each macro's header cites both engines' docs).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from dbt.cli.main import dbtRunner

from mesh.project import discover_domains
from mesh.runner import inside, mesh_environment, needs_deps
from tests.mesh.athena_api import athena_on_duckdb
from tests.mesh.athena_engine import AthenaEngine
from tests.meshcopy import copy_mesh

pytestmark = pytest.mark.integration

CALLS = {
    "trim": "{{ mesh_core.trim_whitespace('s') }}",
    "split": "{{ mesh_core.split_part_or_null('s', \"'@'\", 2) }}",
    "split3": "{{ mesh_core.split_part_or_null('s', \"'@'\", 3) }}",
    "round": "{{ mesh_core.round_half_up('x', 12, 2) }}",
    "money": "{{ mesh_core.to_money('x') }}",
    "timestamp": "{{ mesh_core.cast_timestamp('t') }}",
    "now": "{{ mesh_core.current_timestamp_utc() }}",
    "maintenance": "{{ mesh_core.iceberg_maintenance('optimize') }}",
}
MARK = "\n-- next macro --\n"
STRINGS = [" a ", "\ta\n", "\r\n\x0b\x0c a b \t", "", None, "a@b", "ab", "a@", "a@b@c"]


def compile_inline(root: Path, sql: str, target: str) -> str:
    domain = discover_domains(root)["customers"]
    with inside(domain, mesh_environment(root)):
        if needs_deps(domain):
            dbtRunner().invoke(["deps", "--quiet"])
        result = dbtRunner().invoke(["compile", "--inline", sql, "--target", target, "--quiet"])
    if not result.success:
        raise AssertionError(f"dbt compile failed: {result.exception}")
    compiled: Any = result.result
    return str(compiled.results[0].node.compiled_code)


@pytest.fixture(scope="module")
def rendered(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[dict[str, dict[str, str]], AthenaEngine]]:
    root = copy_mesh(tmp_path_factory.mktemp("macros") / "mesh")
    sql = MARK.join(CALLS.values())
    with pytest.MonkeyPatch.context() as env, athena_on_duckdb(root / "data/raw", env) as engine:
        by_target = {
            target: dict(zip(CALLS, compile_inline(root, sql, target).split(MARK), strict=True))
            for target in ("lint", "prod")
        }
        yield {"duckdb": by_target["lint"], "athena": by_target["prod"]}, engine


def flat(sql: str) -> str:
    return " ".join(sql.split())


def on_duckdb(sql: str, column: str, values: list[Any], con: Any = None) -> list[Any]:
    con = con or duckdb.connect()
    con.execute(f"create or replace temp table cases (n integer, {column})")
    con.executemany("insert into cases values (?, ?)", list(enumerate(values)))
    return [row[0] for row in con.execute(f"select {sql} from cases order by n").fetchall()]


def on_athena(engine: AthenaEngine, sql: str, column: str, values: list[Any]) -> list[Any]:
    """The Athena rendering, run by the Athena stand-in over the same values."""
    name, kind = column.split()
    literal = ", ".join(f"({n}, {_literal(v, kind)})" for n, v in enumerate(values))
    query = f"select {sql} from (values {literal}) as cases(n, {name}) order by n"
    return [row[0] for row in engine.execute(query, "default").rows]


def _literal(value: Any, kind: str) -> str:
    """An Athena literal of type `kind`; control characters built with chr()."""
    if value is None:
        return f"cast(null as {kind})"
    if kind == "varchar":
        parts = [f"chr({ord(c)})" if ord(c) < 32 else f"'{c}'" for c in value] or ["''"]
        return "(" + " || ".join(parts) + ")"
    return f"cast({value!r} as {kind})"


def test_athena_gets_microsecond_timestamps_and_duckdb_plain_ones(rendered: Any) -> None:
    sql, _ = rendered
    assert flat(sql["athena"]["timestamp"]) == "cast(t as timestamp(6))"
    assert flat(sql["duckdb"]["timestamp"]) == "cast(t as timestamp)"
    assert (
        flat(sql["athena"]["now"]) == "cast(current_timestamp at time zone 'UTC' as timestamp(6))"
    )
    assert flat(sql["duckdb"]["now"]) == "cast(current_timestamp at time zone 'UTC' as timestamp)"


def test_the_portable_macros_render_the_same_sql_on_both_engines(rendered: Any) -> None:
    sql, _ = rendered
    for name in ("trim", "split", "round", "money"):
        assert flat(sql["athena"][name]) == flat(sql["duckdb"][name]), name
    assert "chr(9) || chr(10) || chr(11) || chr(12) || chr(13)" in flat(sql["duckdb"]["trim"])
    assert "decimal(38, 9)" in flat(sql["duckdb"]["round"])


def test_maintenance_renders_nothing_outside_an_incremental_iceberg_model(rendered: Any) -> None:
    sql, _ = rendered
    assert sql["duckdb"]["maintenance"].strip() == ""
    assert sql["athena"]["maintenance"].strip() == ""  # an inline query is no incremental table


def test_trim_removes_tabs_newlines_and_carriage_returns(rendered: Any) -> None:
    sql, engine = rendered
    want = ["a", "a", "a b", "", None, "a@b", "ab", "a@", "a@b@c"]
    assert on_duckdb(sql["duckdb"]["trim"], "s varchar", STRINGS) == want
    assert on_athena(engine, sql["athena"]["trim"], "s varchar", STRINGS) == want


def test_split_part_is_null_without_the_delimiter(rendered: Any) -> None:
    sql, engine = rendered
    part2 = [None, None, None, None, None, "b", None, "", "b"]
    part3 = [None] * 8 + ["c"]
    for name, want in (("split", part2), ("split3", part3)):
        assert on_duckdb(sql["duckdb"][name], "s varchar", STRINGS) == want, name
        assert on_athena(engine, sql["athena"][name], "s varchar", STRINGS) == want, name


def test_half_cents_round_up_on_both_engines(rendered: Any) -> None:
    sql, engine = rendered
    halves = [(k + 0.5) / 100 for k in range(10_000)] + [-1.005, -0.125, 2.675, 1.004]
    want = [Decimal(repr(v)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) for v in halves]
    assert on_duckdb(sql["duckdb"]["round"], "x double", halves) == want
    assert on_duckdb(sql["duckdb"]["money"], "x double", halves) == want
    sample = list(range(0, len(halves), 97)) + list(range(len(halves) - 4, len(halves)))
    athena = on_athena(engine, sql["athena"]["round"], "x double", [halves[i] for i in sample])
    assert athena == [want[i] for i in sample]
    # The edge case is real: a plain cast of the double rounds its binary value.
    plain = on_duckdb("cast(x as decimal(12, 2))", "x double", halves)
    assert sum(p != w for p, w in zip(plain, want, strict=True)) > 100


def test_current_timestamp_is_utc_whatever_the_session_zone(rendered: Any) -> None:
    sql, _ = rendered
    con = duckdb.connect()
    con.execute("set TimeZone = 'Europe/Paris'")
    now = datetime.now(UTC).replace(tzinfo=None)
    (got,) = on_duckdb(sql["duckdb"]["now"], "unused integer", [0], con)
    assert abs(got - now) < timedelta(minutes=1)
    (local,) = on_duckdb("cast(current_timestamp as timestamp)", "unused integer", [0], con)
    assert abs(local - now) >= timedelta(minutes=59)  # what the old macro gave in Paris


def test_an_unknown_maintenance_operation_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_mesh(tmp_path / "mesh")
    with pytest.raises(AssertionError, match="dbt compile failed"):
        compile_inline(root, "{{ mesh_core.iceberg_maintenance('analyze') }}", "lint")
    said = capsys.readouterr().out
    assert "mesh_core.iceberg_maintenance: operation must be 'optimize' or 'vacuum'" in said
