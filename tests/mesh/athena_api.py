"""Athena's query API on loopback, answering from an AthenaEngine (tests only).

Serves the operations dbt-athena calls on Athena (StartQueryExecution, GetQueryExecution,
GetQueryResults, StopQueryExecution, GetWorkGroup) over Athena's JSON 1.1 protocol; boto3
reaches it through `AWS_ENDPOINT_URL_ATHENA` while Glue, S3 and STS stay on moto. A statement
runs when it is started, so the first GetQueryExecution sees SUCCEEDED or FAILED (with Athena's
StateChangeReason and AthenaError), and GetQueryResults pages rows as Athena does: SELECT
results start with a header row of column labels, every value is a string.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
import pytest

from mesh_standins.moto_server import local_aws_env, moto_server, reset_moto
from tests.mesh.athena_engine import AthenaEngine, AthenaQueryError, QueryResult

OPERATIONS = (
    "StartQueryExecution",
    "GetQueryExecution",
    "GetQueryResults",
    "StopQueryExecution",
    "GetWorkGroup",
)


@dataclass
class _Execution:
    request: dict[str, Any]
    submitted: float
    result: QueryResult | None
    error: str | None


class AthenaApi:
    """The executions of one test session, answered from `engine`."""

    def __init__(self, engine: AthenaEngine) -> None:
        self.engine = engine
        self._executions: dict[str, _Execution] = {}
        self._lock = threading.Lock()

    def handle(self, operation: str, body: dict[str, Any]) -> dict[str, Any]:
        if operation not in OPERATIONS:
            raise _ClientError(
                f"the Athena stand-in serves {', '.join(OPERATIONS)}, not {operation}"
            )
        return dict(getattr(self, f"_{operation}")(body))

    def _StartQueryExecution(self, body: dict[str, Any]) -> dict[str, Any]:
        submitted = time.time()
        database = (body.get("QueryExecutionContext") or {}).get("Database") or "default"
        try:
            result, error = self.engine.execute(body["QueryString"], database), None
        except AthenaQueryError as exc:
            result, error = None, str(exc)
        execution_id = str(uuid.uuid4())
        with self._lock:
            self._executions[execution_id] = _Execution(body, submitted, result, error)
        return {"QueryExecutionId": execution_id}

    def _GetQueryExecution(self, body: dict[str, Any]) -> dict[str, Any]:
        execution_id = body["QueryExecutionId"]
        run = self._execution(execution_id)
        status: dict[str, Any] = {
            "State": "FAILED" if run.error else "SUCCEEDED",
            "SubmissionDateTime": run.submitted,
            "CompletionDateTime": time.time(),
        }
        if run.error:
            status["StateChangeReason"] = run.error
            status["AthenaError"] = {
                "ErrorCategory": 2,  # USER
                "ErrorType": 1000,
                "Retryable": False,
                "ErrorMessage": run.error,
            }
        location = (run.request.get("ResultConfiguration") or {}).get("OutputLocation", "")
        return {
            "QueryExecution": {
                "QueryExecutionId": execution_id,
                "Query": run.request["QueryString"],
                "StatementType": run.result.statement_type if run.result else "DML",
                "ResultConfiguration": {"OutputLocation": f"{location}{execution_id}.csv"},
                "QueryExecutionContext": run.request.get("QueryExecutionContext") or {},
                "Status": status,
                "Statistics": {"EngineExecutionTimeInMillis": 0, "DataScannedInBytes": 0},
                "WorkGroup": run.request.get("WorkGroup", "primary"),
                "EngineVersion": {
                    "SelectedEngineVersion": "AUTO",
                    "EffectiveEngineVersion": "Athena engine version 3",
                },
            }
        }

    def _GetQueryResults(self, body: dict[str, Any]) -> dict[str, Any]:
        run = self._execution(body["QueryExecutionId"])
        if run.result is None:
            raise _ClientError(f"Query did not finish successfully: {run.error}")
        result = run.result
        rows = [{"Data": [_cell(v) for v in row]} for row in result.rows]
        if result.columns:
            rows.insert(0, {"Data": [{"VarCharValue": c.name} for c in result.columns]})
        start = int(body.get("NextToken") or 0)
        size = int(body.get("MaxResults") or 1000)
        page: dict[str, Any] = {
            "UpdateCount": result.update_count,
            "ResultSet": {
                "Rows": rows[start : start + size],
                "ResultSetMetadata": {"ColumnInfo": [_column_info(c) for c in result.columns]},
            },
        }
        if start + size < len(rows):
            page["NextToken"] = str(start + size)
        return page

    def _StopQueryExecution(self, body: dict[str, Any]) -> dict[str, Any]:
        self._execution(body["QueryExecutionId"])  # statements finish when started
        return {}

    def _GetWorkGroup(self, body: dict[str, Any]) -> dict[str, Any]:
        return {
            "WorkGroup": {
                "Name": body["WorkGroup"],
                "State": "ENABLED",
                "Configuration": {
                    "EnforceWorkGroupConfiguration": False,
                    "EngineVersion": {
                        "SelectedEngineVersion": "AUTO",
                        "EffectiveEngineVersion": "Athena engine version 3",
                    },
                },
            }
        }

    def _execution(self, execution_id: str) -> _Execution:
        with self._lock:
            run = self._executions.get(execution_id)
        if run is None:
            raise _ClientError(f"QueryExecution {execution_id} was not found")
        return run


class _ClientError(Exception):
    """Answered as Athena's InvalidRequestException (HTTP 400)."""


def _cell(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, bool):
        return {"VarCharValue": "true" if value else "false"}
    if isinstance(value, datetime):
        return {"VarCharValue": value.isoformat(sep=" ")}
    if isinstance(value, date):
        return {"VarCharValue": value.isoformat()}
    if isinstance(value, Decimal):
        return {"VarCharValue": format(value, "f")}
    return {"VarCharValue": str(value)}


def _column_info(column: Any) -> dict[str, Any]:
    base = column.athena_type.split("(")[0].strip()
    precision, scale = 0, 0
    if "(" in column.athena_type:
        numbers = column.athena_type.split("(")[1].split(")")[0].split(",")
        precision = int(numbers[0])
        scale = int(numbers[1]) if len(numbers) > 1 else 0
    if column.athena_type.endswith("with time zone"):
        base = "timestamp with time zone"
    return {
        "CatalogName": "hive",
        "SchemaName": "",
        "TableName": "",
        "Name": column.name,
        "Label": column.name,
        "Type": base,
        "Precision": precision,
        "Scale": scale,
        "Nullable": "UNKNOWN",
        "CaseSensitive": base == "varchar",
    }


@contextmanager
def serve_athena(api: AthenaApi, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve `api` on a free loopback port; yields the endpoint URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            operation = self.headers.get("X-Amz-Target", "").rpartition(".")[2]
            body = json.loads(
                self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}"
            )
            try:
                status, answer = 200, api.handle(operation, body)
            except _ClientError as exc:
                status, answer = 400, {"__type": "InvalidRequestException", "Message": str(exc)}
            payload = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:  # one line per request: quiet
            return

    server = ThreadingHTTPServer((host, 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def athena_on_duckdb(raw: Path, env: pytest.MonkeyPatch) -> Iterator[AthenaEngine]:
    """moto (Glue, S3, STS) and this Athena on loopback, the raw Parquet files as Hive tables.

    `raw/<system>/<table>.parquet` becomes the Glue table `raw_<system>.<table>`, where the
    domains' sources live on Athena. boto3 in this process (dbt-athena included) reaches the
    stand-ins through AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_ATHENA, set on `env`.
    """
    with moto_server() as endpoint:
        reset_moto(endpoint)
        for key, value in local_aws_env(endpoint).items():
            env.setenv(key, value)
        s3 = boto3.client("s3", endpoint_url=endpoint)
        for bucket in ("mesh-athena-results", "mesh-warehouse-prod"):
            s3.create_bucket(Bucket=bucket)
        engine = AthenaEngine(boto3.client("glue", endpoint_url=endpoint))
        for path in sorted(raw.glob("*/*.parquet")):
            engine.register_parquet(f"raw_{path.parent.name}", path.stem, path)
        with serve_athena(AthenaApi(engine)) as url:
            env.setenv("AWS_ENDPOINT_URL_ATHENA", url)
            yield engine
