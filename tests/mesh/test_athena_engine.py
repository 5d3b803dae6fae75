"""The Athena stand-in is as strict as Athena where the mesh relies on it (through boto3)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

import boto3
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from botocore.exceptions import ClientError

from tests.mesh.athena_api import athena_on_duckdb
from tests.mesh.athena_engine import AthenaEngine

LOCATION = "s3://mesh-warehouse-prod/db/t"
ICEBERG = f"with (table_type='iceberg', is_external=false, location='{LOCATION}', format='parquet')"


@pytest.fixture(scope="module")
def athena(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, AthenaEngine]]:
    raw = tmp_path_factory.mktemp("raw")
    (raw / "pos").mkdir()
    events = pa.table(
        {
            "id": [1, 2],
            "at": [datetime(2026, 1, 1, 10, 0, 0, 123456), datetime(2026, 1, 2, 0, 0)],
            "amount": [1.005, 2.5],
        }
    )
    pq.write_table(events, raw / "pos" / "events.parquet")
    with pytest.MonkeyPatch.context() as env, athena_on_duckdb(raw, env) as engine:
        engine.glue.create_database(DatabaseInput={"Name": "db"})
        yield boto3.client("athena"), engine


def run(client: Any, sql: str) -> dict[str, Any]:
    """Start a query, wait for it as dbt-athena does, return its final QueryExecution."""
    execution_id = client.start_query_execution(
        QueryString=sql, QueryExecutionContext={"Catalog": "awsdatacatalog", "Database": "db"}
    )["QueryExecutionId"]
    for _ in range(50):
        execution = client.get_query_execution(QueryExecutionId=execution_id)["QueryExecution"]
        if execution["Status"]["State"] in {"SUCCEEDED", "FAILED"}:
            return execution
        time.sleep(0.1)
    raise AssertionError("query never finished")


def rows(client: Any, sql: str) -> list[list[str | None]]:
    execution = run(client, sql)
    assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"]
    result = client.get_query_results(QueryExecutionId=execution["QueryExecutionId"])
    return [[d.get("VarCharValue") for d in r["Data"]] for r in result["ResultSet"]["Rows"]]


def failure(client: Any, sql: str) -> str:
    execution = run(client, sql)
    assert execution["Status"]["State"] == "FAILED", sql
    return str(execution["Status"]["StateChangeReason"])


def test_select_returns_a_header_row_and_strings(athena: tuple[Any, AthenaEngine]) -> None:
    client, _ = athena
    got = rows(client, "select 7 / 2 as half, cast(1.5 as decimal(12, 2)) as amount, true as ok")
    assert got == [["half", "amount", "ok"], ["3", "1.50", "true"]]  # integer division, as Trino


def test_hive_tables_read_timestamps_at_millisecond_precision(
    athena: tuple[Any, AthenaEngine],
) -> None:
    client, _ = athena
    got = rows(client, 'select "at" from raw_pos.events where id = 1')
    assert got[1] == ["2026-01-01 10:00:00.123000"]


def test_ctas_registers_an_iceberg_table_in_glue(athena: tuple[Any, AthenaEngine]) -> None:
    client, engine = athena
    sql = (
        f"create table db.orders {ICEBERG} as select id, cast(amount as decimal(12, 2)) as "
        'amount, cast("at" as timestamp(6)) as at_utc, cast(id as varchar) as code '
        "from raw_pos.events"
    )
    assert run(client, sql)["Status"]["State"] == "SUCCEEDED"
    table = engine.glue.get_table(DatabaseName="db", Name="orders")["Table"]
    assert table["Parameters"]["table_type"] == "ICEBERG"
    columns = [(c["Name"], c["Type"]) for c in table["StorageDescriptor"]["Columns"]]
    assert columns == [
        ("id", "bigint"),
        ("amount", "decimal(12,2)"),
        ("at_utc", "timestamp"),
        ("code", "string"),
    ]
    assert "already exists" in failure(client, sql)


def test_an_iceberg_table_refuses_millisecond_timestamps(athena: tuple[Any, AthenaEngine]) -> None:
    client, engine = athena
    sql = (
        f'create table db.bare {ICEBERG} as select cast("at" as timestamp) as t from raw_pos.events'
    )
    reason = failure(client, sql)
    assert "NOT_SUPPORTED" in reason and "timestamp(3)" in reason
    with pytest.raises(ClientError):
        engine.glue.get_table(DatabaseName="db", Name="bare")


def test_merge_renames_and_maintenance_need_iceberg(athena: tuple[Any, AthenaEngine]) -> None:
    client, engine = athena
    run(client, f"create table db.target {ICEBERG} as select 1 as id, 'a' as v")
    merge = (
        'merge into "awsdatacatalog"."db"."target" as target using (select 1 as id, '
        "'b' as v union all select 2, 'c') as src on (target.id = src.id) "
        "when matched then update set v = src.v "
        "when not matched then insert (id, v) values (src.id, src.v)"
    )
    assert run(client, merge)["Status"]["State"] == "SUCCEEDED"
    assert rows(client, "select id, v from db.target order by id")[1:] == [["1", "b"], ["2", "c"]]
    for statement in (
        "optimize awsdatacatalog.db.target rewrite data using bin_pack",
        "vacuum awsdatacatalog.db.target",
        "alter table `db`.`target` rename to `db`.`target_renamed`",
    ):
        assert run(client, statement)["Status"]["State"] == "SUCCEEDED", statement
    assert engine.glue.get_table(DatabaseName="db", Name="target_renamed")
    assert "TABLE_NOT_FOUND" in failure(client, "select * from db.target")
    # A Hive table (the raw events) cannot be merged into, compacted or renamed.
    assert "NOT_SUPPORTED" in failure(client, "vacuum raw_pos.events")
    assert "NOT_SUPPORTED" in failure(client, "optimize raw_pos.events rewrite data using bin_pack")
    assert "SYNTAX_ERROR" in failure(client, "optimize db.target_renamed rewrite using bin_pack")


def test_glue_decides_what_exists(athena: tuple[Any, AthenaEngine]) -> None:
    """dbt-athena drops tables through Glue; a later CTAS of the same name must work."""
    client, engine = athena
    run(client, f"create table db.dropped {ICEBERG} as select 1 as id")
    engine.glue.delete_table(DatabaseName="db", Name="dropped")
    assert "TABLE_NOT_FOUND" in failure(client, "select * from db.dropped")
    sql = f"create table db.dropped {ICEBERG} as select 2 as id"
    assert run(client, sql)["Status"]["State"] == "SUCCEEDED"
    assert rows(client, "select id from db.dropped")[1:] == [["2"]]


@pytest.mark.parametrize(
    ("sql", "error"),
    [
        ("selec 1", "SYNTAX_ERROR"),
        ("select 1; select 2", "exactly one statement"),
        ("create table db.p with (table_type='iceberg', colour='red') as select 1 as a", "colour"),
        (
            "create table db.q with (table_type='iceberg', is_external=false) as select 1 as a",
            "location",
        ),
        ("create table other_catalog.db.r as select 1 as a", "CATALOG_NOT_FOUND"),
        ("create table nowhere.s as select 1 as a", "SCHEMA_NOT_FOUND"),
    ],
)
def test_what_athena_refuses_fails(athena: tuple[Any, AthenaEngine], sql: str, error: str) -> None:
    client, _ = athena
    assert error in failure(client, sql)


def test_statements_are_recorded_in_order(athena: tuple[Any, AthenaEngine]) -> None:
    client, engine = athena
    before = len(engine.statements)
    rows(client, '-- /* {"app": "dbt"} */\nselect 1 as one')
    (statement,) = engine.statements[before:]
    assert (statement.kind, statement.sql, statement.error) == ("select", "select 1 as one", None)


def test_other_operations_are_refused_clearly(athena: tuple[Any, AthenaEngine]) -> None:
    client, _ = athena
    with pytest.raises(ClientError, match="serves StartQueryExecution"):
        client.list_work_groups()


def test_raw_values_keep_their_types(athena: tuple[Any, AthenaEngine]) -> None:
    client, _ = athena
    got = rows(
        client, "select amount, cast(amount as decimal(12, 3)) from raw_pos.events where id = 1"
    )
    assert got[1] == ["1.005", str(Decimal("1.005"))]
