"""Test harness of the publisher: a moto server over HTTP that behaves like AWS where moto doesn't.

* Glue's optimistic lock: moto ignores `UpdateTable`'s `VersionId`; the WSGI middleware here
  compares it with the table's current version and answers `ConcurrentModificationException`.
  As in Glue, a table that is dropped and created again starts its versions afresh (moto does
  this already), so a `VersionId` read from the old table can match the new one:
  `recreate_table_in_backend` plays dbt-athena's drop-and-create to race a publisher with it.
* Lake Formation's `AddLFTagsToResource` attaches tags: keys already on the resource and not in
  the request stay (moto replaces the resource's whole list; the middleware merges it back).
* Hooks run inside the middleware's lock (`before_update_table`, and `before_call` for any
  action), so a test can land an Iceberg commit or a re-create between a read and a write.
* Every Glue and Lake Formation request is checked against the constraints botocore's model
  documents (lengths, patterns, enums, ranges: `publish.limits`), as the services check them
  before acting; moto checks almost none. A request that breaks one gets `ValidationException`.
* Every request is logged (service, action, parameters), to count read and write calls.
"""

from __future__ import annotations

import copy
import io
import json
import re
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from moto.backends import get_backend
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

from publish import limits

ACCOUNT = "123456789012"
REGION = "eu-west-1"
READ_PREFIXES = ("Get", "List", "Search", "Describe", "BatchGet")
_SERVICE = re.compile(r"Credential=[^/]+/\d+/[^/]+/([a-z0-9-]+)/aws4_request")


@dataclass(frozen=True)
class Call:
    service: str
    action: str
    params: dict[str, Any]

    @property
    def is_write(self) -> bool:
        return not self.action.startswith(READ_PREFIXES)


def glue_backend() -> Any:
    return get_backend("glue")[ACCOUNT][REGION]


def lakeformation_backend() -> Any:
    return get_backend("lakeformation")[ACCOUNT][REGION]


def _tag_slots(resource: dict[str, Any]) -> list[tuple[dict[Any, Any], tuple[str, ...]]]:
    """Where moto keeps the LF-tags of each part of a resource: (its dict, the key in it)."""
    lf = lakeformation_backend()
    slots: list[tuple[dict[Any, Any], tuple[str, ...]]] = []
    if "Database" in resource:
        db = resource["Database"]
        slots.append((lf.lf_database_tags, (db.get("CatalogId", ACCOUNT), db["Name"])))
    if "Table" in resource:
        t = resource["Table"]
        slots.append(
            (lf.lf_table_tags, (t.get("CatalogId", ACCOUNT), t["DatabaseName"], t["Name"]))
        )
    if "TableWithColumns" in resource:
        t = resource["TableWithColumns"]
        for column in t["ColumnNames"]:
            key = (t.get("CatalogId", ACCOUNT), t["DatabaseName"], t["Name"], column)
            slots.append((lf.lf_columns_tags, key))
    return slots


def merge_lf_tags(
    current: list[dict[str, Any]], added: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Lake Formation's attach: a key in `added` takes its new values, every other key stays."""
    keys = {t["TagKey"] for t in added}
    kept = [copy.deepcopy(t) for t in current if t["TagKey"] not in keys]
    return kept + [{"CatalogId": ACCOUNT, **copy.deepcopy(t)} for t in added]


def _violations(service: str, action: str, params: Any) -> list[limits.Violation]:
    """What the service would refuse of a Glue or Lake Formation request (documented limits)."""
    if service not in ("glue", "lakeformation") or not isinstance(params, dict):
        return []
    if action not in limits.service_model(service).operation_names:
        return []
    return limits.check(service, action, params)


class GlueLikeMiddleware:
    def __init__(self, app: Any) -> None:
        self.app = app
        self.calls: list[Call] = []
        self.lock = threading.Lock()
        #: called with UpdateTable's parameters just before its VersionId is checked
        self.before_update_table: Callable[[dict[str, Any]], None] | None = None
        self.rejected: list[dict[str, Any]] = []
        #: "<database>.<table>" whose UpdateTable is denied (AccessDeniedException)
        self.deny_update: set[str] = set()
        #: "<database>.<table>" whose AddLFTagsToResource is denied (AccessDeniedException)
        self.deny_tags: set[str] = set()
        #: called with every logged call (inside the lock) before moto answers it
        self.before_call: Callable[[Call], None] | None = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/moto-api"):
            return self.app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        match = _SERVICE.search(environ.get("HTTP_AUTHORIZATION", ""))
        service = match.group(1) if match else "?"
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        action = target.rsplit(".", 1)[-1] if target else path.strip("/").split("/")[0]
        try:
            params = json.loads(body) if body else {}
        except ValueError:
            params = {}
        call = Call(service, action, params)
        with self.lock:
            self.calls.append(call)
            if self.before_call is not None:
                self.before_call(call)
        refused = _violations(service, action, params)
        if refused:
            with self.lock:
                self.rejected.append(params)
            count = f"{len(refused)} validation error{'s' if len(refused) > 1 else ''}"
            message = f"{count} detected: " + "; ".join(map(str, refused))
            return self._error(start_response, "ValidationException", message)
        if service == "lakeformation" and action == "AddLFTagsToResource":
            resource = params.get("Resource") or {}
            table = resource.get("Table") or resource.get("TableWithColumns") or {}
            if f"{table.get('DatabaseName')}.{table.get('Name')}" in self.deny_tags:
                return self._error(start_response, "AccessDeniedException", "not allowed")
            return self._add_lf_tags(environ, start_response, params)
        if service == "glue" and action == "UpdateTable":
            with self.lock:
                if self.before_update_table is not None:
                    self.before_update_table(params)
                name = params["TableInput"]["Name"]
                if f"{params['DatabaseName']}.{name}" in self.deny_update:
                    return self._error(
                        start_response, "AccessDeniedException", "not allowed on this table"
                    )
                table = glue_backend().get_table(params["DatabaseName"], name)
                sent = params.get("VersionId")
                if sent is not None and sent != str(table._current_version):
                    self.rejected.append(params)
                    return self._error(
                        start_response,
                        "ConcurrentModificationException",
                        f"Update table failed due to concurrent modifications: version {sent} "
                        f"is not the current version {table._current_version}",
                    )
                return self.app(environ, start_response)
        return self.app(environ, start_response)

    def _add_lf_tags(self, environ: dict[str, Any], start_response: Any, params: Any) -> Any:
        """moto validates and stores the request's tags; then each part of the resource gets
        its earlier tags back, merged, as Lake Formation's attach leaves them."""
        with self.lock:
            slots = _tag_slots(params.get("Resource") or {})
            before = [(store, key, list(store.get(key) or ())) for store, key in slots]
            answer = list(self.app(environ, start_response))
            if not json.loads(b"".join(answer) or b"{}").get("Failures"):
                for store, key, current in before:
                    store[key] = merge_lf_tags(current, params["LFTags"])
        return answer

    @staticmethod
    def _error(start_response: Any, code: str, message: str) -> list[bytes]:
        body = json.dumps({"__type": code, "Message": message}).encode()
        start_response(
            "400 Bad Request",
            [
                ("Content-Type", "application/x-amz-json-1.1"),
                ("x-amzn-ErrorType", code),
                ("Content-Length", str(len(body))),
            ],
        )
        return [body]


class GlueLikeMotoServer(ThreadedMotoServer):
    """moto's threaded server with `GlueLikeMiddleware` around its WSGI app."""

    def __init__(self) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        super().__init__("127.0.0.1", port, verbose=False)
        self.middleware = GlueLikeMiddleware(DomainDispatcherApplication(create_backend_app))

    def _server_entry(self) -> None:
        self._server = make_server(
            self._ip_address,
            self._port,
            self.middleware,
            True,
            request_handler=MotoRequestHandler,
        )
        self._server_ready_event.set()
        self._server.serve_forever()

    @property
    def endpoint(self) -> str:
        host, port = self.get_host_and_port()
        return f"http://{host}:{port}"

    def calls(self) -> list[Call]:
        with self.middleware.lock:
            return list(self.middleware.calls)

    def clear_calls(self) -> None:
        with self.middleware.lock:
            self.middleware.calls.clear()
            self.middleware.rejected.clear()


# --- a production build, as Glue sees it --------------------------------------------------------


def _glue_type(dbt_type: str | None) -> str:
    t = (dbt_type or "string").lower()
    return {"integer": "int", "varchar": "string", "text": "string"}.get(t, t)


def metadata_location(database: str, table: str, n: int) -> str:
    return f"s3://warehouse/{database}/{table}/metadata/{n:05d}-{uuid.uuid4()}.metadata.json"


def create_tables_like_a_build(
    glue: Any, manifest: dict[str, Any], catalog: dict[str, Any]
) -> None:
    """Create the Glue databases and tables a production build of these artifacts creates.

    Tables are Iceberg tables as Athena registers them (table_type ICEBERG, a metadata_location,
    Iceberg column parameters); views are Athena views. Each also gets a parameter the publisher
    does not own. Nothing is documented: that is the publish's (and persist_docs') job.
    """
    project = manifest["metadata"]["project_name"]
    databases: set[str] = set()
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or node["package_name"] != project:
            continue
        materialized = node["config"]["materialized"]
        if materialized == "ephemeral":
            continue
        database, name = node["schema"].lower(), node["alias"].lower()
        if database not in databases:
            glue.create_database(
                DatabaseInput={"Name": database, "Parameters": {"created_by": "dbt-athena"}}
            )
            databases.add(database)
        columns = sorted(
            catalog["nodes"][node["unique_id"]]["columns"].values(), key=lambda c: c["index"]
        )
        glue_columns = [
            {
                "Name": c["name"].lower(),
                "Type": _glue_type(c["type"]),
                "Parameters": {
                    "iceberg.field.id": str(i + 1),
                    "iceberg.field.optional": "true",
                    "iceberg.field.current": "true",
                },
            }
            for i, c in enumerate(columns)
        ]
        if materialized == "view":
            table_input = {
                "Name": name,
                "TableType": "VIRTUAL_VIEW",
                "Parameters": {"presto_view": "true", "comment": "Presto View"},
                "ViewOriginalText": f"/* Presto View: {name} */",
                "ViewExpandedText": "/* Presto View */",
                "StorageDescriptor": {
                    "Columns": [{"Name": c["Name"], "Type": c["Type"]} for c in glue_columns]
                },
            }
        else:
            table_input = {
                "Name": name,
                "TableType": "EXTERNAL_TABLE",
                "Parameters": {
                    "table_type": "ICEBERG",
                    "metadata_location": metadata_location(database, name, 0),
                    "write.parquet.compression-codec": "zstd",
                    "platform:retention_days": "365",
                },
                "StorageDescriptor": {
                    "Columns": glue_columns,
                    "Location": f"s3://warehouse/{database}/{name}",
                    "InputFormat": "org.apache.hadoop.mapred.FileInputFormat",
                    "OutputFormat": "org.apache.hadoop.mapred.FileOutputFormat",
                    "SerdeInfo": {
                        "SerializationLibrary": "org.apache.iceberg.mr.hive.HiveIcebergSerDe"
                    },
                },
            }
        glue.create_table(DatabaseName=database, TableInput=table_input)


def _table_input(table: dict[str, Any]) -> dict[str, Any]:
    # the same projection dbt-athena uses (independent of the publisher's)
    from mypy_boto3_glue.type_defs import TableInputTypeDef

    return {k: copy.deepcopy(v) for k, v in table.items() if k in TableInputTypeDef.__annotations__}


def iceberg_commit(glue: Any, database: str, name: str) -> str:
    """An Iceberg commit through Glue, as Iceberg's GlueCatalog makes it (with the VersionId)."""
    table = glue.get_table(DatabaseName=database, Name=name)["Table"]
    new = _table_input(table)
    params = new["Parameters"]
    location = metadata_location(database, name, int(table["VersionId"]))
    params["previous_metadata_location"] = params["metadata_location"]
    params["metadata_location"] = location
    glue.update_table(DatabaseName=database, TableInput=new, VersionId=table["VersionId"])
    return location


def iceberg_commit_in_backend(database: str, name: str) -> str:
    """The same commit, straight into moto's backend (used inside the middleware's lock)."""
    table = glue_backend().get_table(database, name)
    new = copy.deepcopy(table.versions[str(table._current_version)])
    params = new.setdefault("Parameters", {})
    location = metadata_location(database, name, table._current_version)
    params["previous_metadata_location"] = params.get("metadata_location")
    params["metadata_location"] = location
    glue_backend().update_table(database, name, new)
    return location


def recreate_table_in_backend(
    database: str, name: str, *, version: int, column: str = "added_by_rebuild"
) -> dict[str, Any]:
    """dbt-athena's full refresh of an Iceberg table, straight into moto's backend: drop the
    table, create it again with one more column and a new `metadata_location`, then commit until
    its version is `version` (the value a reader of the old table may hold). Returns the table
    input of the new table."""
    backend = glue_backend()
    old = backend.get_table(database, name)
    new = copy.deepcopy(old.versions[str(old._current_version)])
    new["Name"] = name
    params = new.setdefault("Parameters", {})
    params.pop("previous_metadata_location", None)
    params["metadata_location"] = metadata_location(database, name, 0)
    columns = new.setdefault("StorageDescriptor", {}).setdefault("Columns", [])
    columns.append({"Name": column, "Type": "string"})
    backend.delete_table(database, name)
    backend.create_table(database, name, new)
    while backend.get_table(database, name)._current_version < version:
        backend.update_table(database, name, new)
    assert backend.get_table(database, name)._current_version == version
    return new


def dbt_athena_persist_docs(
    session: Any, node: dict[str, Any], project_version: str = "1.0.0"
) -> None:
    """Run dbt-athena's own `persist_docs_to_glue` for one model, against the moto server.

    The adapter object is a stand-in with just what that method touches (a connection holding a
    boto3 session, the project config, the data catalog); the method itself is dbt-athena's.
    """
    from types import SimpleNamespace

    from dbt.adapters.athena.impl import AthenaAdapter

    conn = SimpleNamespace(
        credentials=SimpleNamespace(effective_num_retries=3),
        handle=SimpleNamespace(session=session, region_name=session.region_name),
    )
    adapter = SimpleNamespace(
        connections=SimpleNamespace(get_thread_connection=lambda: conn),
        config=SimpleNamespace(project_name=node["package_name"], version=project_version),
        _get_data_catalog=lambda database: {
            "Name": "awsdatacatalog",
            "Type": "GLUE",
            "Parameters": {"catalog-id": ACCOUNT},
        },
        _get_table_input=AthenaAdapter._get_table_input,
    )
    relation = SimpleNamespace(
        database="awsdatacatalog", schema=node["schema"].lower(), name=node["alias"].lower()
    )
    persist = node["config"].get("persist_docs") or {}
    AthenaAdapter.persist_docs_to_glue(
        adapter,  # type: ignore[arg-type]
        relation,  # type: ignore[arg-type]
        copy.deepcopy(node),
        persist_relation_docs=bool(persist.get("relation")),
        persist_column_docs=bool(persist.get("columns")),
        skip_archive_table_version=True,
    )


def simulate_build(glue: Any, session: Any, manifest: dict[str, Any]) -> None:
    """The Glue writes of an incremental production build: an Iceberg commit per table, then
    dbt-athena's persist_docs for every model that has it on."""
    project = manifest["metadata"]["project_name"]
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or node["package_name"] != project:
            continue
        materialized = node["config"]["materialized"]
        if materialized == "ephemeral":
            continue
        if materialized in ("table", "incremental"):
            iceberg_commit(glue, node["schema"].lower(), node["alias"].lower())
        persist = node["config"].get("persist_docs") or {}
        if persist.get("relation") or persist.get("columns"):
            dbt_athena_persist_docs(session, node)
