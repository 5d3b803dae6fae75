"""The Athena build, run here: every statement dbt-athena sends, executed, and every model equal.

dbt-athena builds the mesh for `prod` against moto's Glue and an Athena that runs each statement
on DuckDB (tests/mesh/athena_engine.py: parsed as Athena SQL with sqlglot, transpiled, Glue kept
in step). The same raw Parquet files are built on DuckDB with dbt-duckdb, and every model must
hold the same rows (EXCEPT ALL both ways, audit columns aside): first build, then the next day's
incremental build (CTAS of `__dbt_tmp`, MERGE, OPTIMIZE, VACUUM for `fct_orders`; CTAS of
`__ha` and two renames for every other mart), then a full refresh of `fct_orders`, which must
equal what the merge made.

Run on one engine, this proves that the Athena and DuckDB dispatches of every mesh core macro
mean the same, and that every statement type the Athena build sends is valid Athena SQL that
does what the DuckDB build does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import duckdb
import pytest

from mesh.build import MeshInvocation, run_mesh
from mesh.project import discover_domains
from mesh.runner import DomainRun
from mesh_standins.prodmirror import seed_glue
from tests.mesh.athena_api import athena_on_duckdb
from tests.mesh.athena_engine import AthenaEngine, Statement
from tests.mesh.rawchanges import NextDay, write_next_day
from tests.meshcopy import copy_mesh

pytestmark = pytest.mark.integration

AUDIT_COLUMNS = {"_loaded_at", "_dbt_invocation_id"}
QUIET = ("--quiet",)


@dataclass
class Phase:
    """One dbt invocation on each engine and what came of it."""

    athena_runs: list[DomainRun]
    statements: list[Statement]
    differences: dict[str, tuple[int, int]] = field(default_factory=dict)  # model -> rows only in
    # Athena's, only in DuckDB's relation


@dataclass
class Scenario:
    root: Path
    engine: AthenaEngine
    first: Phase
    next_day: Phase
    full_refresh: Phase
    changes: NextDay
    merged_vs_refreshed: tuple[int, int]
    prior_vs_merged: dict[int, bool]  # order_id -> row changed by the merge
    duckdb_runs: list[DomainRun]
    glue_columns: dict[str, list[str]]  # `<db>.<table>` -> Glue column names after the first build
    mirror_columns: dict[str, list[str]]  # the same, seeded by the prod mirror from local artifacts


def models(root: Path) -> dict[str, dict[str, Any]]:
    """Every model the domains build, keyed by `<schema>.<alias>`."""
    found = {}
    for domain in discover_domains(root).values():
        manifest = json.loads(domain.manifest_path.read_text(encoding="utf-8"))
        for node in manifest["nodes"].values():
            if node["resource_type"] == "model" and node["package_name"] == domain.name:
                found[f"{node['schema']}.{node['alias']}"] = node
    return found


def compare(engine: AthenaEngine, left: str, right: str) -> tuple[int, int]:
    """Rows only in `left` and rows only in `right` (EXCEPT ALL), audit columns aside."""
    described = engine.db.execute(f"describe select * from {right}").fetchall()
    select = ", ".join(f'"{name}"' for name, *_ in described if name not in AUDIT_COLUMNS)
    counts = []
    for a, b in ((left, right), (right, left)):
        sql = f"select count(*) from (select {select} from {a} except all select {select} from {b})"
        counts.append(engine.db.execute(sql).fetchall()[0][0])
    return counts[0], counts[1]


def compare_all(engine: AthenaEngine, root: Path) -> dict[str, tuple[int, int]]:
    """Every model of the Athena build against the DuckDB build of the same raw files."""
    differences = {}
    # dbt-duckdb keeps the warehouse open in this process: read it through the same instance.
    with duckdb.connect(str(root / "warehouse" / "mesh.duckdb")) as local:
        # The sources' views read `<system>/<table>.parquet` relative to the raw-data folder.
        local.execute("set file_search_path = ?", [str(root / "data" / "raw")])
        for relation in models(root):
            engine.db.register(
                "duckdb_build", local.sql(f"select * from {relation}").to_arrow_table()
            )
            try:
                differences[relation] = compare(
                    engine, f"awsdatacatalog.{relation}", "duckdb_build"
                )
            finally:
                engine.db.unregister("duckdb_build")
    return differences


def glue_columns(glue: Any, relations: list[str]) -> dict[str, list[str]]:
    found = {}
    for relation in relations:
        database, name = relation.split(".")
        table = glue.get_table(DatabaseName=database, Name=name)["Table"]
        found[relation] = [c["Name"] for c in table["StorageDescriptor"]["Columns"]]
    return found


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    root = copy_mesh(tmp_path_factory.mktemp("athena") / "mesh")
    raw = root / "data" / "raw"

    def duckdb_build(*args: str) -> list[DomainRun]:
        return run_mesh(root, MeshInvocation(("build",), dbt_args=(*QUIET, *args)))

    def athena(command: tuple[str, ...], *args: str, select: tuple[str, ...] = ()) -> Phase:
        start = len(engine.statements)
        runs = run_mesh(
            root,
            MeshInvocation(command, target="prod", selectors=select, dbt_args=(*QUIET, *args)),
        )
        return Phase(runs, engine.statements[start:])

    with pytest.MonkeyPatch.context() as env, athena_on_duckdb(raw, env) as engine:
        duckdb_runs = duckdb_build()
        first = athena(("build",))
        first.differences = compare_all(engine, root)
        contracted = [r for r, n in models(root).items() if n["contract"]["enforced"]]
        glue = engine.glue
        columns = glue_columns(glue, contracted)
        # The prod mirror seeds an empty catalog (another region) from the artifacts.
        mirror_glue = boto3.client("glue", region_name="eu-west-1")
        seed_glue(mirror_glue, root)
        mirror = glue_columns(mirror_glue, contracted)

        engine.db.execute(
            "create table prior as select * from awsdatacatalog.sales_marts.fct_orders"
        )
        changes = write_next_day(raw)
        duckdb_runs += duckdb_build()
        next_day = athena(("run",))
        next_day.differences = compare_all(engine, root)

        engine.db.execute(
            "create table merged as select * from awsdatacatalog.sales_marts.fct_orders"
        )
        full_refresh = athena(("run",), "--full-refresh", "-s", "fct_orders", select=("sales",))
        full_refresh.differences = compare_all(engine, root)
        refreshed = "awsdatacatalog.sales_marts.fct_orders"
        merged_vs_refreshed = compare(engine, "merged", refreshed)
        changed = dict(
            engine.db.execute(
                "select merged.order_id, prior.order_id is null "
                "or prior.updated_at <> merged.updated_at or prior.units <> merged.units "
                "or prior.order_status <> merged.order_status "
                "from merged left join prior on merged.order_id = prior.order_id"
            ).fetchall()
        )
        yield Scenario(
            root,
            engine,
            first,
            next_day,
            full_refresh,
            changes,
            merged_vs_refreshed,
            changed,
            duckdb_runs,
            columns,
            mirror,
        )


def kinds(phase: Phase, target: str) -> list[str]:
    """The kinds of the statements that wrote `target`, in order."""
    return [s.kind for s in phase.statements if s.target == target]


def marts(root: Path) -> dict[str, dict[str, Any]]:
    return {r: n for r, n in models(root).items() if n["config"]["materialized"] != "view"}


def test_both_engines_build_every_domain(scenario: Scenario) -> None:
    assert all(r.success for r in scenario.duckdb_runs), [r.failures for r in scenario.duckdb_runs]
    for phase in (scenario.first, scenario.next_day, scenario.full_refresh):
        assert all(r.success for r in phase.athena_runs), [r.failures for r in phase.athena_runs]
    assert [r.domain for r in scenario.first.athena_runs] == ["customers", "sales", "marketing"]
    # Data tests and unit tests ran as Athena SELECTs too.
    assert sum(r.count("test") for r in scenario.first.athena_runs) >= 90
    assert sum(r.count("unit_test") for r in scenario.first.athena_runs) >= 3


def test_every_statement_parses_as_athena_sql_and_runs(scenario: Scenario) -> None:
    statements = [
        s
        for phase in (scenario.first, scenario.next_day, scenario.full_refresh)
        for s in phase.statements
    ]
    assert [(s.kind, s.target, s.error) for s in statements if s.error] == []
    assert {s.kind for s in statements} == {
        "create_schema", "create_view", "ctas", "rename", "merge", "select", "optimize", "vacuum",
    }  # fmt: skip
    # Models compile against the Glue catalog, never against the DuckDB names.
    assert not [s.sql for s in statements if '"mesh".' in s.sql]


def test_first_build_creates_databases_views_and_tables(scenario: Scenario) -> None:
    first = scenario.first
    created = {s.target for s in first.statements if s.kind == "create_schema"}
    assert created == {f"{d}_{layer}" for d in ("customers", "sales", "marketing")
                       for layer in ("staging", "intermediate", "marts")}  # fmt: skip
    for relation, node in models(scenario.root).items():
        want = ["create_view"] if node["config"]["materialized"] == "view" else ["ctas"]
        if relation == "sales_marts.fct_orders":
            want += ["optimize", "vacuum"]  # post-hooks of the incremental Iceberg mart
        assert kinds(first, relation) == want, relation


def test_next_day_swaps_tables_and_merges_the_incremental_mart(scenario: Scenario) -> None:
    phase = scenario.next_day
    for relation, node in marts(scenario.root).items():
        if node["config"]["materialized"] == "incremental":
            assert kinds(phase, f"{relation}__dbt_tmp") == ["ctas"]
            assert kinds(phase, relation) == ["merge", "optimize", "vacuum"]
        else:
            # dbt-athena's near-zero-downtime swap: CTAS `__ha`, rename old to `__bkp`, rename
            # `__ha` to the table; the backup is dropped through Glue, not SQL.
            assert kinds(phase, f"{relation}__ha") == ["ctas"], relation
            assert kinds(phase, f"{relation}__bkp") == ["rename"], relation
            assert kinds(phase, relation) == ["rename"], relation
    merge = next(s for s in phase.statements if s.kind == "merge")
    assert merge.sql.startswith('merge into "awsdatacatalog"."sales_marts"."fct_orders"')


def test_full_refresh_of_the_incremental_mart_renames(scenario: Scenario) -> None:
    phase = scenario.full_refresh
    relation = "sales_marts.fct_orders"
    assert kinds(phase, f"{relation}__dbt_tmp") == ["ctas"]
    assert kinds(phase, f"{relation}__bkp") == ["rename"]
    assert kinds(phase, relation) == ["rename", "optimize", "vacuum"]


@pytest.mark.parametrize("phase", ["first", "next_day", "full_refresh"])
def test_every_model_equals_the_duckdb_build(scenario: Scenario, phase: str) -> None:
    differences = getattr(scenario, phase).differences
    assert len(differences) == len(models(scenario.root)) >= 21
    assert {r: d for r, d in differences.items() if d != (0, 0)} == {}


def test_the_merge_equals_a_full_refresh_and_sees_changed_lines(scenario: Scenario) -> None:
    assert scenario.merged_vs_refreshed == (0, 0)
    changes = scenario.changes
    assert len(changes.line_only_orders) >= 5 and len(changes.new_orders) >= 10
    # Orders whose only change was a line (their own updated_at did not move) were merged.
    assert all(scenario.prior_vs_merged[o] for o in changes.line_only_orders)
    assert all(scenario.prior_vs_merged[o] for o in changes.changed_orders | changes.new_orders)
    assert compare(scenario.engine, "prior", "merged") != (0, 0)  # the comparison can fail


def test_final_selects_are_in_contract_order(scenario: Scenario) -> None:
    """Athena creates columns in select order and checks no order; dbt-duckdb reorders."""
    contracted = {r: n for r, n in models(scenario.root).items() if n["contract"]["enforced"]}
    assert len(contracted) >= 7
    for relation, node in contracted.items():
        contract = [name.lower() for name in node["columns"]]
        assert scenario.glue_columns[relation] == contract, relation
        assert scenario.mirror_columns[relation] == contract, relation


def test_public_marts_are_contracted_iceberg_tables(scenario: Scenario) -> None:
    glue = scenario.engine.glue
    public = [(r, n) for r, n in models(scenario.root).items() if n["access"] == "public"]
    assert len(public) >= 7
    for relation, node in public:
        assert node["contract"]["enforced"] and node["config"]["table_type"] == "iceberg"
        database, name = relation.split(".")
        table = glue.get_table(DatabaseName=database, Name=name)["Table"]
        assert table["Parameters"]["table_type"] == "ICEBERG", relation
