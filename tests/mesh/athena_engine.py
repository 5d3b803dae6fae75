"""Athena's SQL engine for tests: the statements dbt-athena sends, run on DuckDB, Glue kept in step.

moto answers Athena's API without running anything, and dbt-athena depends on what Athena's
statements do to the Glue Data Catalog (a CTAS registers a table, a rename moves one). This
engine gives those statements their effect. Each one is parsed as Athena SQL with sqlglot (what
does not parse fails, as on Athena), checked against what Athena refuses, transpiled to DuckDB
and run on `awsdatacatalog.<database>.<table>` there, and its catalog effect applied to Glue
(moto, through boto3). Glue decides what exists: dbt-athena drops tables through the Glue API,
bypassing SQL, so a statement may only read tables Glue has.

Athena semantics kept on DuckDB: `/` on integers divides integers (DuckDB's `integer_division`),
the session clock is UTC, and timestamp precision follows Trino, where a bare `timestamp` is
timestamp(3): it becomes DuckDB's TIMESTAMP_MS, timestamp(6) its TIMESTAMP, and Hive tables read
Parquet timestamps at millisecond precision. A CTAS into an Iceberg table refuses the column
types Athena's Iceberg tables cannot hold (mesh.iceberg_types), timestamp(3) among them.
Sub-millisecond values are truncated here where Trino rounds; the mesh's raw data has none.
"""

from __future__ import annotations

import re
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import sqlglot
from botocore.exceptions import ClientError
from sqlglot import exp

from mesh.iceberg_types import iceberg_type_problem

CATALOG = "awsdatacatalog"
DIALECT = "athena"

# CTAS table properties Athena documents
# (https://docs.aws.amazon.com/athena/latest/ug/create-table-as.html#ctas-table-properties).
CTAS_PROPERTIES = frozenset(
    {
        "table_type", "external_location", "location", "is_external", "format",
        "write_compression", "partitioned_by", "partitioning", "bucketed_by", "bucket_count",
        "field_delimiter", "orc_compression", "parquet_compression", "compression_level",
        "optimize_rewrite_min_data_file_size_bytes", "optimize_rewrite_max_data_file_size_bytes",
        "optimize_rewrite_data_file_threshold", "optimize_rewrite_delete_file_threshold",
        "vacuum_min_snapshots_to_keep", "vacuum_max_snapshot_age_seconds",
        "vacuum_max_metadata_files_to_keep",
    }
)  # fmt: skip
# Athena's Iceberg maintenance statements
# (https://docs.aws.amazon.com/athena/latest/ug/optimize-statement.html, vacuum-statement.html).
_OPTIMIZE = re.compile(
    r"^optimize\s+(?P<table>\S+)\s+rewrite\s+data\s+using\s+bin_pack"
    r"(?:\s+where\s+(?P<where>.+?))?\s*;?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_VACUUM = re.compile(r"^vacuum\s+(?P<table>\S+)\s*;?\s*$", re.IGNORECASE)
_LEADING_COMMENTS = re.compile(r"^(\s*(--[^\n]*(\n|$)|/\*.*?\*/))*\s*", re.DOTALL)
# DuckDB type -> Athena (Trino) type of the same values.
_ATHENA_TYPES = {
    "BOOLEAN": "boolean",
    "TINYINT": "tinyint",
    "SMALLINT": "smallint",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "HUGEINT": "bigint",  # DuckDB sums integers into HUGEINT where Trino gives bigint
    "FLOAT": "real",
    "DOUBLE": "double",
    "VARCHAR": "varchar",
    "BLOB": "varbinary",
    "DATE": "date",
    "TIMESTAMP_S": "timestamp(0)",
    "TIMESTAMP_MS": "timestamp(3)",
    "TIMESTAMP": "timestamp(6)",
    "TIMESTAMP_NS": "timestamp(9)",
    "TIMESTAMP WITH TIME ZONE": "timestamp(6) with time zone",
}
_GLUE_TYPES = {"varchar": "string", "integer": "int", "real": "float", "varbinary": "binary"}
_TABLE_INPUT_KEYS = (
    "Name", "Description", "Owner", "Retention", "StorageDescriptor", "PartitionKeys",
    "ViewOriginalText", "ViewExpandedText", "TableType", "Parameters",
)  # fmt: skip


class AthenaQueryError(Exception):
    """A statement Athena would fail; the message starts with Athena's error name."""


@dataclass(frozen=True)
class Column:
    name: str
    athena_type: str  # Trino type, e.g. timestamp(6), decimal(12,2), varchar


@dataclass
class QueryResult:
    statement_type: str  # DDL, DML or UTILITY, as Athena reports it
    columns: list[Column] = field(default_factory=list)
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    update_count: int = 0


@dataclass(frozen=True)
class Statement:
    """One statement the engine received, in order: what it was and how it ended."""

    kind: str  # create_schema, ctas, create_view, rename, drop, merge, insert, select, ...
    target: str | None  # `<database>.<table>` it writes, if any
    sql: str
    error: str | None = None


def athena_type(duckdb_type: str) -> str:
    """The Athena type of the values DuckDB holds as `duckdb_type`."""
    text = duckdb_type.upper()
    if text.startswith("DECIMAL"):
        return text.lower().replace(" ", "")
    if text not in _ATHENA_TYPES:
        raise AthenaQueryError(f"NOT_SUPPORTED: no Athena type for DuckDB's {duckdb_type}")
    return _ATHENA_TYPES[text]


def glue_type(athena: str) -> str:
    """The Hive DDL name Athena registers in Glue for an Athena (Trino) type."""
    base = athena.split("(")[0]
    if base == "timestamp":
        return "timestamp"
    return _GLUE_TYPES.get(athena, athena)


class AthenaEngine:
    """Runs Athena statements on one DuckDB connection; one statement at a time."""

    def __init__(self, glue: Any, warehouse: str = "s3://mesh-warehouse-prod") -> None:
        self.glue = glue
        self.warehouse = warehouse
        self.statements: list[Statement] = []
        self.db = duckdb.connect()
        self.db.execute(f"attach ':memory:' as {CATALOG}")
        self.db.execute("set integer_division = true")
        self.db.execute("set TimeZone = 'UTC'")
        self._lock = threading.Lock()

    # -- set-up -------------------------------------------------------------------------

    def register_parquet(self, database: str, table: str, path: Path) -> None:
        """A Hive table over a Parquet file, as a Glue crawler or DDL would register it."""
        self._ensure_database(database)
        described = self.db.execute(f"describe select * from read_parquet('{path}')").fetchall()
        # Athena reads a Hive table's timestamps at millisecond precision (timestamp(3)).
        select = ", ".join(
            f'cast("{name}" as timestamp_ms) as "{name}"'
            if dtype.startswith("TIMESTAMP")
            else f'"{name}"'
            for name, dtype, *_ in described
        )
        ref = self._ref(database, table)
        self.db.execute(
            f"create or replace view {ref} as select {select} from read_parquet('{path}')"
        )
        columns = self._columns(ref)
        self.glue.create_table(
            DatabaseName=database,
            TableInput={
                "Name": table,
                "TableType": "EXTERNAL_TABLE",
                "Parameters": {"EXTERNAL": "TRUE", "classification": "parquet"},
                "StorageDescriptor": {
                    "Columns": [
                        {"Name": c.name, "Type": glue_type(c.athena_type)} for c in columns
                    ],
                    "Location": f"s3://mesh-raw/{database}/{table}/",
                    "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
                    "SerdeInfo": {
                        "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde."
                        "ParquetHiveSerDe"
                    },
                },
            },
        )

    # -- the one entry point --------------------------------------------------------------

    def execute(self, sql: str, default_database: str) -> QueryResult:
        """Run one statement; raises AthenaQueryError where Athena would fail it."""
        text = _LEADING_COMMENTS.sub("", sql, count=1).strip()
        with self._lock:
            kind, target = "unparsed", None
            try:
                kind, expression = _classify(text)
                target, result = getattr(self, f"_{kind}")(expression, default_database.lower())
            except AthenaQueryError as exc:
                self.statements.append(Statement(kind, target, text, str(exc)))
                raise
            except Exception as exc:  # DuckDB's error, or a gap in this stand-in: fail the query
                message = f"{type(exc).__name__}: {' '.join(str(exc).split())}"
                self.statements.append(Statement(kind, target, text, message))
                raise AthenaQueryError(f"GENERIC_USER_ERROR: {message}") from exc
            self.statements.append(Statement(kind, target, text))
            return result

    # -- statements -----------------------------------------------------------------------

    def _create_schema(self, create: exp.Create, default: str) -> tuple[str | None, QueryResult]:
        name = (create.this.db or create.this.name).lower()  # sqlglot: the schema is the `db`
        if not create.args.get("exists") and self._glue_database_exists(name):
            raise AthenaQueryError(f"SCHEMA_ALREADY_EXISTS: Schema '{name}' already exists")
        self._ensure_database(name)
        return name, QueryResult("DDL")

    def _ctas(self, create: exp.Create, default: str) -> tuple[str | None, QueryResult]:
        database, name = _name(create.this, default)
        target = f"{database}.{name}"
        properties = _properties(create)
        table_type = str(properties.get("table_type", "hive")).lower()
        location = self._check_ctas_properties(properties, table_type, target)
        self._require_database(database)
        if self._glue_table(database, name) is not None:
            raise AthenaQueryError(
                f"TABLE_ALREADY_EXISTS: Table '{CATALOG}.{target}' already exists"
            )
        query = create.expression
        self._require_tables(query, default)
        ref = self._ref(database, name)
        self._drop_stale(database, name)
        self.db.execute(f"create table {ref} as {self._to_duckdb(query, default)}")
        columns = self._columns(ref)
        if table_type == "iceberg":
            problems = [
                f"column '{c.name}' {c.athena_type}: {problem}"
                for c in columns
                if (problem := iceberg_type_problem(c.athena_type))
            ]
            if problems:
                self.db.execute(f"drop table {ref}")
                raise AthenaQueryError("NOT_SUPPORTED: " + "; ".join(problems))
        self.glue.create_table(
            DatabaseName=database, TableInput=_table_input(name, columns, table_type, location)
        )
        ((count,),) = self.db.execute(f"select count(*) from {ref}").fetchall()
        return target, QueryResult("DDL", update_count=count)

    def _create_view(self, create: exp.Create, default: str) -> tuple[str | None, QueryResult]:
        database, name = _name(create.this, default)
        self._require_database(database)
        existing = self._glue_table(database, name)
        if existing is not None and not create.args.get("replace"):
            raise AthenaQueryError(f"TABLE_ALREADY_EXISTS: View '{database}.{name}' already exists")
        if existing is not None and existing.get("TableType") != "VIRTUAL_VIEW":
            raise AthenaQueryError(f"NOT_SUPPORTED: '{database}.{name}' is a table, not a view")
        query = create.expression
        self._require_tables(query, default)
        ref = self._ref(database, name)
        if existing is None:
            self._drop_stale(database, name)
        self.db.execute(f"create or replace view {ref} as {self._to_duckdb(query, default)}")
        columns = self._columns(ref)
        view = {
            "Name": name,
            "TableType": "VIRTUAL_VIEW",
            "Parameters": {"presto_view": "true", "comment": "Presto View"},
            "ViewOriginalText": f"/* Presto View: {name} */",
            "ViewExpandedText": "/* Presto View */",
            "StorageDescriptor": {
                "Columns": [{"Name": c.name, "Type": glue_type(c.athena_type)} for c in columns]
            },
        }
        if existing is None:
            self.glue.create_table(DatabaseName=database, TableInput=view)
        else:
            self.glue.update_table(DatabaseName=database, TableInput=view)
        return f"{database}.{name}", QueryResult("DDL")

    def _rename(self, alter: exp.Alter, default: str) -> tuple[str | None, QueryResult]:
        database, name = _name(alter.this, default)
        (action,) = alter.args["actions"]
        new_database, new_name = _name(action.this, database)
        table = self._glue_table(database, name)
        if table is None:
            raise AthenaQueryError(
                f"TABLE_NOT_FOUND: Table '{CATALOG}.{database}.{name}' does not exist"
            )
        if table.get("Parameters", {}).get("table_type", "").upper() != "ICEBERG":
            # Athena renames Iceberg tables only (its Hive DDL has no RENAME TO).
            raise AthenaQueryError(
                f"NOT_SUPPORTED: ALTER TABLE RENAME of the non-Iceberg table {name}"
            )
        if new_database != database:
            raise AthenaQueryError("NOT_SUPPORTED: this stand-in renames within one database")
        if self._glue_table(new_database, new_name) is not None:
            raise AthenaQueryError(
                f"TABLE_ALREADY_EXISTS: Table '{new_database}.{new_name}' already exists"
            )
        self._drop_stale(database, new_name)
        self.db.execute(f'alter table {self._ref(database, name)} rename to "{new_name}"')
        moved = {key: table[key] for key in _TABLE_INPUT_KEYS if key in table}
        self.glue.create_table(DatabaseName=database, TableInput={**moved, "Name": new_name})
        self.glue.delete_table(DatabaseName=database, Name=name)
        return f"{database}.{new_name}", QueryResult("DDL")

    def _drop(self, drop: exp.Drop, default: str) -> tuple[str | None, QueryResult]:
        database, name = _name(drop.this, default)
        if self._glue_table(database, name) is None:
            if not drop.args.get("exists"):
                raise AthenaQueryError(f"TABLE_NOT_FOUND: Table '{database}.{name}' does not exist")
        else:
            self.glue.delete_table(DatabaseName=database, Name=name)
        self._drop_stale(database, name)
        return f"{database}.{name}", QueryResult("DDL")

    def _merge(self, merge: exp.Merge, default: str) -> tuple[str | None, QueryResult]:
        return self._dml(merge, default, iceberg_only=True)

    def _insert(self, insert: exp.Insert, default: str) -> tuple[str | None, QueryResult]:
        return self._dml(insert, default, iceberg_only=False)

    def _dml(
        self, statement: exp.Expr, default: str, iceberg_only: bool
    ) -> tuple[str | None, QueryResult]:
        table = (
            statement.this if isinstance(statement.this, exp.Table) else statement.find(exp.Table)
        )
        assert table is not None
        database, name = _name(table, default)
        found = self._glue_table(database, name)
        if found is None:
            raise AthenaQueryError(
                f"TABLE_NOT_FOUND: Table '{CATALOG}.{database}.{name}' does not exist"
            )
        if iceberg_only and found.get("Parameters", {}).get("table_type", "").upper() != "ICEBERG":
            # MERGE INTO is supported only for Iceberg tables
            # (https://docs.aws.amazon.com/athena/latest/ug/merge-into-statement.html).
            raise AthenaQueryError(f"NOT_SUPPORTED: MERGE INTO the non-Iceberg table {name}")
        self._require_tables(statement, default)
        rows = self.db.execute(self._to_duckdb(statement, default)).fetchall()
        return f"{database}.{name}", QueryResult("DML", update_count=int(rows[0][0]) if rows else 0)

    def _select(self, query: exp.Query, default: str) -> tuple[str | None, QueryResult]:
        self._require_tables(query, default)
        cursor = self.db.execute(self._to_duckdb(query, default))
        columns = [Column(d[0], athena_type(str(d[1]))) for d in cursor.description or []]
        return None, QueryResult("DML", columns=columns, rows=cursor.fetchall())

    def _optimize(self, match: re.Match[str], default: str) -> tuple[str | None, QueryResult]:
        database, name = self._maintained_table(match, default, "OPTIMIZE")
        if match["where"]:
            sqlglot.parse_one(match["where"], read=DIALECT)  # a predicate Athena can parse
        # Compaction rewrites files, never values: nothing to do on DuckDB.
        return f"{database}.{name}", QueryResult("DML")

    def _vacuum(self, match: re.Match[str], default: str) -> tuple[str | None, QueryResult]:
        database, name = self._maintained_table(match, default, "VACUUM")
        return f"{database}.{name}", QueryResult("DML")

    # -- helpers --------------------------------------------------------------------------

    def _maintained_table(self, match: re.Match[str], default: str, verb: str) -> tuple[str, str]:
        database, name = _name(exp.to_table(match["table"], dialect=DIALECT), default)
        table = self._glue_table(database, name)
        if table is None:
            raise AthenaQueryError(
                f"TABLE_NOT_FOUND: Table '{CATALOG}.{database}.{name}' does not exist"
            )
        if table.get("Parameters", {}).get("table_type", "").upper() != "ICEBERG":
            raise AthenaQueryError(f"NOT_SUPPORTED: {verb} is supported only for Iceberg tables")
        return database, name

    def _check_ctas_properties(
        self, properties: dict[str, Any], table_type: str, target: str
    ) -> str:
        unknown = sorted(set(properties) - CTAS_PROPERTIES)
        if unknown:
            raise AthenaQueryError(
                f"INVALID_TABLE_PROPERTY: unknown CTAS table properties {unknown}"
            )
        if table_type not in {"hive", "iceberg"}:
            raise AthenaQueryError(f"INVALID_TABLE_PROPERTY: table_type '{table_type}'")
        if table_type == "iceberg":
            if properties.get("is_external") is not False or "external_location" in properties:
                raise AthenaQueryError(
                    "INVALID_TABLE_PROPERTY: an Iceberg CTAS needs is_external=false and `location`"
                )
            if "location" not in properties:
                raise AthenaQueryError("INVALID_TABLE_PROPERTY: an Iceberg table needs a location")
            return str(properties["location"])
        default = f"{self.warehouse}/{target.replace('.', '/')}/{uuid.uuid4()}"
        return str(properties.get("external_location", default))

    def _to_duckdb(self, statement: exp.Expr, default: str) -> str:
        tree = statement.copy()
        ctes = _cte_names(tree)
        for table in tree.find_all(exp.Table):
            if table.name.lower() in ctes and not table.db:
                continue
            database, name = _name(table, default)
            table.set("catalog", exp.to_identifier(CATALOG, quoted=True))
            table.set("db", exp.to_identifier(database, quoted=True))
            table.set("this", exp.to_identifier(name, quoted=True))
        for dtype in list(tree.find_all(exp.DataType)):
            if dtype.this == exp.DataType.Type.TIMESTAMP:
                dtype.replace(exp.DataType.build(_duckdb_timestamp(dtype), dialect="duckdb"))
        return tree.sql(dialect="duckdb")

    def _require_tables(self, statement: exp.Expr, default: str) -> None:
        """Every table the statement reads exists in Glue (Athena: TABLE_NOT_FOUND)."""
        ctes = _cte_names(statement)
        for table in statement.find_all(exp.Table):
            if table.name.lower() in ctes and not table.db:
                continue
            database, name = _name(table, default)
            if self._glue_table(database, name) is None:
                raise AthenaQueryError(
                    f"TABLE_NOT_FOUND: Table '{CATALOG}.{database}.{name}' does not exist"
                )

    def _drop_stale(self, database: str, name: str) -> None:
        """Forget a DuckDB copy of a table that Glue no longer has (dropped through Glue)."""
        ref = self._ref(database, name)
        found = self.db.execute(
            "select table_type from information_schema.tables "
            "where table_catalog = ? and table_schema = ? and table_name = ?",
            [CATALOG, database, name],
        ).fetchall()
        if found:
            self.db.execute(f"drop {'view' if found[0][0] == 'VIEW' else 'table'} {ref}")

    def _columns(self, ref: str) -> list[Column]:
        described = self.db.execute(f"describe select * from {ref}").fetchall()
        return [Column(name, athena_type(dtype)) for name, dtype, *_ in described]

    def _ensure_database(self, name: str) -> None:
        if not self._glue_database_exists(name):
            self.glue.create_database(DatabaseInput={"Name": name})
        self.db.execute(f'create schema if not exists {CATALOG}."{name}"')

    def _require_database(self, name: str) -> None:
        if not self._glue_database_exists(name):
            raise AthenaQueryError(f"SCHEMA_NOT_FOUND: Schema '{name}' does not exist")
        self.db.execute(f'create schema if not exists {CATALOG}."{name}"')

    def _glue_database_exists(self, name: str) -> bool:
        try:
            self.glue.get_database(Name=name)
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "EntityNotFoundException":
                return False
            raise
        return True

    def _glue_table(self, database: str, name: str) -> dict[str, Any] | None:
        try:
            return dict(self.glue.get_table(DatabaseName=database, Name=name)["Table"])
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "EntityNotFoundException":
                return None
            raise

    @staticmethod
    def _ref(database: str, name: str) -> str:
        return f'{CATALOG}."{database}"."{name}"'


def _classify(text: str) -> tuple[str, Any]:
    """The statement's kind and what its handler needs; AthenaQueryError if it does not parse."""
    for kind, grammar in (("optimize", _OPTIMIZE), ("vacuum", _VACUUM)):
        if text.lower().startswith(kind):
            match = grammar.match(text)
            if match is None:
                raise AthenaQueryError(
                    f"SYNTAX_ERROR: {kind.upper()} statement does not parse: {text}"
                )
            return kind, match
    try:
        statements = [s for s in sqlglot.parse(text, read=DIALECT) if s is not None]
    except sqlglot.errors.ParseError as exc:
        raise AthenaQueryError(f"SYNTAX_ERROR: {exc}") from exc
    if len(statements) != 1:
        raise AthenaQueryError("SYNTAX_ERROR: Athena runs exactly one statement per query")
    (statement,) = statements
    found = _kind(statement)
    if found is None:
        raise AthenaQueryError(
            f"NOT_SUPPORTED by this stand-in: {type(statement).__name__}: {text[:80]}"
        )
    return found, statement


def _kind(statement: exp.Expr) -> str | None:
    if isinstance(statement, exp.Create):
        create_kind = str(statement.args.get("kind", "")).upper()
        if create_kind in {"SCHEMA", "DATABASE"}:
            return "create_schema"
        if create_kind == "VIEW":
            return "create_view"
        if create_kind == "TABLE" and statement.expression is not None:
            return "ctas"
        return None
    if isinstance(statement, exp.Alter):
        actions = statement.args.get("actions") or []
        return "rename" if len(actions) == 1 and isinstance(actions[0], exp.AlterRename) else None
    if isinstance(statement, exp.Drop) and str(statement.args.get("kind", "")).upper() in {
        "TABLE",
        "VIEW",
    }:
        return "drop"
    if isinstance(statement, exp.Merge):
        return "merge"
    if isinstance(statement, exp.Insert):
        return "insert"
    if isinstance(statement, exp.Query):
        return "select"
    return None


def _name(table: exp.Table, default: str) -> tuple[str, str]:
    catalog = table.catalog.lower()
    if catalog and catalog != CATALOG:
        raise AthenaQueryError(f"CATALOG_NOT_FOUND: Catalog '{catalog}' does not exist")
    return (table.db or default).lower(), table.name.lower()


def _cte_names(statement: exp.Expr) -> set[str]:
    return {cte.alias_or_name.lower() for cte in statement.find_all(exp.CTE)}


def _properties(create: exp.Create) -> dict[str, Any]:
    found: dict[str, Any] = {}
    properties = create.args.get("properties")
    for prop in properties.expressions if properties else []:
        if isinstance(prop, exp.LocationProperty):
            found["location"] = prop.this.name
        elif isinstance(prop, exp.FileFormatProperty):
            found["format"] = prop.this.name
        elif isinstance(prop, exp.Property):
            value = prop.args["value"]
            if isinstance(value, exp.Boolean):
                found[prop.name.lower()] = bool(value.this)
            else:
                found[prop.name.lower()] = (
                    value.name if isinstance(value, exp.Literal) else value.sql()
                )
        else:
            raise AthenaQueryError(f"INVALID_TABLE_PROPERTY: {prop.sql(dialect=DIALECT)}")
    return found


def _duckdb_timestamp(dtype: exp.DataType) -> str:
    """DuckDB's timestamp type of Trino's timestamp(p); a bare timestamp is timestamp(3)."""
    params = dtype.expressions
    precision = int(params[0].name) if params else 3
    if precision == 0:
        return "TIMESTAMP_S"
    if precision <= 3:
        return "TIMESTAMP_MS"
    return "TIMESTAMP" if precision <= 6 else "TIMESTAMP_NS"


def _table_input(
    name: str, columns: list[Column], table_type: str, location: str
) -> dict[str, Any]:
    """The Glue table Athena registers for a CTAS."""
    glue_columns: list[dict[str, Any]] = [
        {"Name": c.name, "Type": glue_type(c.athena_type)} for c in columns
    ]
    if table_type == "iceberg":
        for index, column in enumerate(glue_columns, start=1):
            column["Parameters"] = {
                "iceberg.field.id": str(index),
                "iceberg.field.optional": "true",
                "iceberg.field.current": "true",
            }
        parameters = {
            "table_type": "ICEBERG",
            "metadata_location": f"{location}/metadata/00000-{uuid.uuid4()}.metadata.json",
        }
    else:
        parameters = {"EXTERNAL": "TRUE", "classification": "parquet"}
    return {
        "Name": name,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": parameters,
        "StorageDescriptor": {"Columns": glue_columns, "Location": location},
    }
