"""Which column types an Iceberg table on Athena can hold, and why not the others.

The source is the table "Supported data types for Iceberg tables in Athena"
(https://docs.aws.amazon.com/athena/latest/ug/querying-iceberg-supported-data-types.html):
tinyint, smallint and char are not supported; Athena's Iceberg DDL takes only
timestamp without time zone; time and fixed(L) have no Athena type. Iceberg itself
stores timestamps in microseconds and strings without a length
(https://iceberg.apache.org/spec/#primitive-types), so `timestamp(3)` and
`varchar(n)` would not survive the round trip either. Where the documentation leaves
a choice (a bare `decimal`, whose default precision differs between engines, or a
type Athena does not name), the answer is no: a contract type must mean the same on
DuckDB and Athena.
"""

from __future__ import annotations

import re

# Athena DML / DDL names that map to an Iceberg primitive type.
_ALLOWED = frozenset(
    {
        "boolean",
        "int",
        "integer",
        "bigint",
        "real",
        "float",
        "double",
        "date",
        "timestamp",
        "varchar",
        "string",
        "varbinary",
        "binary",
    }
)
_NESTED = re.compile(r"^(array|map|struct|row)\s*[<(]")
_REFUSED = {
    "tinyint": "tinyint is not supported for Iceberg tables in Athena; use integer",
    "smallint": "smallint is not supported for Iceberg tables in Athena; use integer",
    "char": "char is not supported for Iceberg tables in Athena; use varchar",
    "character": "char is not supported for Iceberg tables in Athena; use varchar",
    "time": "time has no Iceberg type in Athena; use timestamp or a varchar",
    "timestamptz": "Athena's Iceberg DDL takes only timestamp without time zone; "
    "convert to UTC and use timestamp",
    "timestamp with time zone": "Athena's Iceberg DDL takes only timestamp without time "
    "zone; convert to UTC and use timestamp",
}
_TYPE = re.compile(r"^(?P<base>[a-z][a-z ]*?)\s*(?:\((?P<args>[^)]*)\))?$")


def iceberg_type_problem(data_type: str) -> str | None:
    """Why an Athena Iceberg table cannot hold `data_type`, or None when it can."""
    text = " ".join(data_type.lower().split())
    text = re.sub(r"^timestamp\s*\(\d+\) with time zone$", "timestamp with time zone", text)
    if _NESTED.match(text):
        return None  # Iceberg list/map/struct; their element types are not inspected here
    match = _TYPE.match(text)
    if match is None:
        return f"{data_type!r} is not a type Athena names"
    base, args = match["base"], match["args"]
    if base in _REFUSED:
        return _REFUSED[base]
    if base in {"varchar", "character varying"} and args is not None:
        return (
            f"{data_type} has a length, but Iceberg strings have none (Athena `string`); "
            "use varchar"
        )
    if base == "timestamp" and args is not None and args.strip() != "6":
        return (
            f"{data_type}: Iceberg stores microseconds; declare timestamp and cast with "
            "mesh_core.cast_timestamp (timestamp(6) on Athena)"
        )
    if base in {"decimal", "numeric"}:
        parts = [a.strip() for a in (args or "").split(",")]
        if len(parts) != 2 or not all(p.isdigit() for p in parts) or int(parts[0]) > 38:
            return (
                f"{data_type}: give a precision of at most 38 and a scale, e.g. "
                "decimal(12, 2); the engines' defaults differ"
            )
        return None
    if base in _ALLOWED and (args is None or base == "timestamp"):
        return None
    return f"{data_type!r} is not a type Athena's Iceberg tables hold"
