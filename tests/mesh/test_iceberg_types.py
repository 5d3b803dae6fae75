"""Which contract types an Athena Iceberg table can hold (mesh.iceberg_types)."""

from __future__ import annotations

import pytest

from mesh.iceberg_types import iceberg_type_problem


@pytest.mark.parametrize(
    "data_type",
    [
        "bigint", "integer", "int", "boolean", "double", "real", "float", "date", "varchar",
        "string", "timestamp", "timestamp(6)", "TIMESTAMP", "decimal(12, 2)", "decimal(38,0)",
        "varbinary", "array<varchar>", "map<varchar, bigint>", "struct<a:int>", "row(a integer)",
    ],
)  # fmt: skip
def test_types_iceberg_holds(data_type: str) -> None:
    assert iceberg_type_problem(data_type) is None


@pytest.mark.parametrize(
    ("data_type", "why"),
    [
        ("tinyint", "not supported for Iceberg tables in Athena"),
        ("smallint", "not supported for Iceberg tables in Athena"),
        ("char(3)", "not supported for Iceberg tables in Athena"),
        ("varchar(20)", "Iceberg strings have none"),
        ("timestamp(3)", "Iceberg stores microseconds"),
        ("timestamp(9)", "Iceberg stores microseconds"),
        ("timestamp with time zone", "only timestamp without time zone"),
        ("timestamp(6) with time zone", "only timestamp without time zone"),
        ("timestamptz", "only timestamp without time zone"),
        ("time", "no Iceberg type"),
        ("decimal", "precision of at most 38"),
        ("decimal(40, 2)", "precision of at most 38"),
        ("hugeint", "not a type Athena's Iceberg tables hold"),
        ("text", "not a type Athena's Iceberg tables hold"),
    ],
)
def test_types_iceberg_cannot_hold(data_type: str, why: str) -> None:
    problem = iceberg_type_problem(data_type)
    assert problem is not None and why in problem
