"""The Glue Data Catalog target: validate, read the current state, diff it with the desired
state, apply.

Reads are batched: one paginated `GetDatabases` and one paginated `GetTables` per database (never a
`GetTable` per model); the Lake Formation target reads the same tables through this one. Writes
are `UpdateTable` / `UpdateDatabase` with the complete input read from Glue, projected onto the
input shape of botocore's service model (so every read-only field is stripped and every field the
publisher does not own, above all Iceberg's `metadata_location`, `previous_metadata_location` and
`table_type`, is sent back unchanged).
Just before each `UpdateTable` the table is read once more (`GetTable`): if it is not the table
the plan was made from (another `CreateTime`: dbt-athena dropped and re-created it, and its
`VersionId` restarted, so the lock alone would let a stale write revert it) or has moved on, it
is diffed again (and a re-created table, which lost its LF-tags with the old one, is tagged
again). `UpdateTable` carries the `VersionId` of that read; on `ConcurrentModificationException`
(an Iceberg commit landed in between) the table is read again, diffed again and the update
retried. The publisher never creates or deletes a database or a table.
"""

from __future__ import annotations

import copy
import random
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError
from botocore.model import Shape

from publish.apply import Handler, Outcome
from publish.artifacts import paused_gc
from publish.aws import AwsClients
from publish.desired import (
    DEFAULT_ONTOLOGY,
    LF_TAGS_KEY,
    PREFIX,
    WRITTEN_KEY,
    DesiredDatabase,
    DesiredState,
    DesiredTable,
    desired_state,
    load_ontology,
)
from publish.drift import DEFAULT_POLICY, FieldDrift, Policy, drift_error, drifted, read_record
from publish.limits import ensure
from publish.mapping import GlueText, MeshFacts
from publish.plan import Action, Change, Deferred, Plan, Skipped, action_id
from publish.targets import Target
from publish.targets.glue_limits import check_texts
from publish.targets.lakeformation import (
    TagAssignment,
    assign_tags,
    glue_columns,
    lf_fingerprint,
    table_assignments,
)

if TYPE_CHECKING:
    from mypy_boto3_glue import GlueClient

MAX_CONFLICT_RETRIES = 8


# --- round-tripping Glue objects --------------------------------------------------------------


def project(value: Any, shape: Shape) -> Any:
    """Keep only what `shape` (an input shape of botocore's model) accepts, recursively.

    The result shares no mutable object with `value`.
    """
    return _projector(shape)(value)


@lru_cache(maxsize=256)
def _projector(shape: Shape) -> Callable[[Any], Any]:
    """`project` for one shape, its members' projectors found once (a plan projects every table
    of the mesh; walking botocore's shapes for each value cost most of a 10,000-table plan)."""
    type_name = shape.type_name
    if type_name == "structure":
        members = shape.members  # type: ignore[attr-defined]
        found: dict[str, Callable[[Any], Any] | None] = {}  # None: a scalar member

        def structure(value: Any) -> Any:
            if not isinstance(value, dict | Mapping):
                return _copy(value)
            out = {}
            for key, item in value.items():
                if key in found:
                    member = found[key]
                elif key in members:
                    scalar = members[key].type_name in _SCALARS
                    member = found[key] = None if scalar else _projector(members[key])
                else:
                    continue
                if member is not None:
                    out[key] = member(item)
                elif isinstance(item, _IMMUTABLE):
                    out[key] = item
                else:
                    out[key] = copy.deepcopy(item)
            return out

        return structure
    if type_name == "list":
        member = shape.member  # type: ignore[attr-defined]
        if member.type_name in _SCALARS:
            return lambda value: list(value) if isinstance(value, list) else _copy(value)
        return lambda value: (
            [_projector(member)(v) for v in value] if isinstance(value, list) else _copy(value)
        )
    if type_name == "map":
        value_shape = shape.value  # type: ignore[attr-defined]
        if value_shape.type_name in _SCALARS:
            return lambda value: dict(value) if isinstance(value, dict | Mapping) else _copy(value)
        return lambda value: (
            {k: _projector(value_shape)(v) for k, v in value.items()}
            if isinstance(value, dict | Mapping)
            else _copy(value)
        )
    return _copy


_IMMUTABLE = (str, int, float, bool, type(None), datetime)


def _copy(value: Any) -> Any:
    if isinstance(value, _IMMUTABLE):
        return value
    return copy.deepcopy(value)


_SCALARS = frozenset({"string", "integer", "long", "boolean", "timestamp", "double", "float"})


def _input_shape(glue: GlueClient, operation: str, member: str) -> Shape:
    shape = glue.meta.service_model.operation_model(operation).input_shape
    assert shape is not None
    return shape.members[member]


# --- diff -------------------------------------------------------------------------------------


class _Unset:
    """Not computed yet (None is a value: no LF-tags)."""


_UNSET = _Unset()

#: one difference between a Glue table and its desired state: (what, name, before, after), where
#: `what` is `Description`, `Comment` (`name`: the Glue column), `Parameter` (`name`: the key;
#: `after` None: removed) or `note` (`after`: a note for people, not a change)
Difference = tuple[str, str, str | None, str | None]


class TableDiff:
    """What must change in a Glue table (as GetTable(s) returned it) to match `desired`.

    A hand-edited Description or Comment (`publish.drift`) is overwritten only with
    `on_drift="overwrite"`; otherwise it stays, and the diff names it (`drift`). The plan needs
    only whether anything changes and which LF-tags to assign; the field-by-field `changes` and
    `notes` are listed when printed, and the `UpdateTable` input (the table projected onto
    `TableInput`, the changes applied) is built by the apply. A plan of 10,000 tables, a dry run
    above all, thus neither copies the tables nor lists every change. `table` itself is never
    modified.
    """

    __slots__ = (
        "_assignments",
        "_columns",
        "_fingerprint",
        "_kept",
        "changed",
        "desired",
        "drift",
        "identity",
        "input_shape",
        "table",
        "tags",
        "version_id",
    )

    def __init__(
        self,
        desired: DesiredTable,
        table: Mapping[str, Any],
        input_shape: Shape,
        on_drift: Policy = DEFAULT_POLICY,
    ):
        self.desired, self.table, self.input_shape = desired, table, input_shape
        self._columns = columns = glue_columns(table)
        #: hand edits of the texts the publisher writes (kept unless the policy is overwrite)
        self.drift = _drift(desired, table, columns)
        self._kept = {d.field for d in self.drift} if on_drift != "overwrite" else set()
        # LF-tags: assigned again whenever the fingerprint of what should be assigned changes
        self._assignments = table_assignments(desired, columns)
        self._fingerprint: str | _Unset | None = _UNSET
        #: the LF-tags to assign (all of them, when the fingerprint changes)
        self.tags: list[TagAssignment] = []
        read = (table.get("Parameters") or {}).get(LF_TAGS_KEY)
        if read is None:  # never tagged: any assignment is new (no need to hash them yet)
            self.tags = self._assignments
        else:
            fingerprint = self.fingerprint
            if fingerprint is not None and fingerprint != read:
                self.tags = self._assignments
        self.changed = False
        for what, _, _, _ in self.differences():
            if what != "note":
                self.changed = True
                break
        self.version_id: str | None = table.get("VersionId")
        #: (CreateTime, VersionId) of the table the diff was made from
        self.identity = _identity(table)

    @property
    def assignments(self) -> list[TagAssignment]:
        """Every LF-tag the table and its columns should carry."""
        return self._assignments

    @property
    def fingerprint(self) -> str | None:
        """The fingerprint of every LF-tag the table should carry (hashed when first asked)."""
        if isinstance(self._fingerprint, _Unset):
            self._fingerprint = lf_fingerprint(self._assignments)
        return self._fingerprint

    def differences(self) -> Iterator[Difference]:
        """Every difference, in the order the plan lists them."""
        desired, table = self.desired, self.table
        description, kept = desired.description, self._kept
        before = table.get("Description", "")
        if not description.in_sync(before) and "description" not in kept:
            yield "Description", "", before or None, description.value
        if description.truncated:
            full = len(description.full.encode())
            note = f"description truncated to Glue's 2048 bytes (dbt has {full} bytes)"
            yield "note", "", None, note
        # column comments, on regular and partition columns, matched case-insensitively
        columns = self._columns
        listed: dict[str, str] = {}  # a second dbt column of the same name in another case
        for dcol in desired.columns:
            lowered = dcol.key
            col = columns.get(lowered)
            if col is None:
                note = f"column {dcol.name} is documented in dbt but not in the Glue table"
                yield "note", "", None, note
                continue
            comment = dcol.comment
            before = listed[lowered] if lowered in listed else col.get("Comment", "")
            if not comment.in_sync(before) and (
                not kept or f"column {lowered} comment" not in kept
            ):
                yield "Comment", col["Name"], before or None, comment.value
                listed[lowered] = comment.value
            if comment.truncated:
                full = len(comment.full.encode())
                note = f"comment of {col['Name']} truncated to Glue's 255 bytes ({full} in dbt)"
                yield "note", "", None, note
        read: Mapping[str, str] = table.get("Parameters") or {}
        yield from _parameter_differences(desired.parameters, read, keep=_TABLE_KEEP)
        if read.get(LF_TAGS_KEY) != self.fingerprint:
            yield "Parameter", LF_TAGS_KEY, read.get(LF_TAGS_KEY), self.fingerprint

    def changes(self) -> list[Change]:
        return [_change(what, name, before, after) for what, name, before, after in self]

    def notes(self) -> list[str]:
        return [after for what, _, _, after in self.differences() if what == "note" and after]

    def __iter__(self) -> Iterator[Difference]:
        """The differences that are changes (notes left out)."""
        return (d for d in self.differences() if d[0] != "note")

    @property
    def table_input(self) -> dict[str, Any]:
        """The table projected onto `TableInput`, with every change applied."""
        new: dict[str, Any] = project(self.table, self.input_shape)
        comments: dict[str, str] = {}
        params: dict[str, str] = dict(new.get("Parameters") or {})
        for what, name, _, after in self:
            if what == "Description" and after is not None:
                new["Description"] = after
            elif what == "Comment" and after is not None:
                comments[name] = after
            elif after is None:
                params.pop(name, None)
            else:
                params[name] = after
        if comments:
            for col in glue_columns(new).values():  # the same first column per name
                if col["Name"] in comments:
                    col["Comment"] = comments[col["Name"]]  # type: ignore[index]
        new["Parameters"] = params
        return new


def diff_table(
    desired: DesiredTable,
    table: Mapping[str, Any],
    input_shape: Shape,
    on_drift: Policy = DEFAULT_POLICY,
) -> TableDiff:
    """What must change in `table` (as GetTable(s) returned it) to match `desired`."""
    return TableDiff(desired, table, input_shape, on_drift)


def _change(what: str, name: str, before: str | None, after: str | None) -> Change:
    if what == "Comment":
        return Change(f"Columns[{name}].Comment", before, after)
    if what == "Parameter":
        return Change(f"Parameters[{name}]", before, after)
    return Change(what, before, after)


def _parameter_differences(
    desired: Mapping[str, str], read: Mapping[str, str], *, keep: frozenset[str]
) -> Iterator[Difference]:
    """The desired `mesh:` keys to set, and our other `mesh:` keys to remove.

    Only `mesh:` keys are ours; everything else is sent back as read. Keys in `keep` are left
    as they are when the desired state does not name them.
    """
    for key, value in desired.items():
        before = read.get(key)
        if before != value:
            yield "Parameter", key, before, value
    stale = [k for k in read if k.startswith(PREFIX) and k not in desired and k not in keep]
    for key in sorted(stale):
        yield "Parameter", key, read[key], None


def _drift(
    desired: DesiredTable, table: Mapping[str, Any], glue_columns: Mapping[str, Mapping[str, Any]]
) -> list[FieldDrift]:
    """The texts of the table that are hand edits (`publish.drift`)."""
    if not _may_drift(desired, table, glue_columns):
        return []
    texts = desired.texts
    catalog = {"description": table.get("Description", "")}
    for name, col in glue_columns.items():
        if f"column {name} comment" in texts:
            catalog[f"column {name} comment"] = col.get("Comment", "")
    # what dbt-athena's persist_docs wrote for dbt's text is dbt's text
    have = {k: texts[k].value if texts[k].in_sync(v) else v for k, v in catalog.items()}
    params = table.get("Parameters") or {}
    written: dict[str, str] | None = read_record(params.get(WRITTEN_KEY))
    if WRITTEN_KEY not in params and f"{PREFIX}unique_id" not in params:
        written = None  # never published: what dbt would replace is drift
    return drifted(have, {k: t.value for k, t in texts.items()}, written)


def _may_drift(
    desired: DesiredTable, table: Mapping[str, Any], glue_columns: Mapping[str, Mapping[str, Any]]
) -> bool:
    """Whether any text the publisher writes holds a value that is neither empty nor dbt's: only
    such a value can be drift. A cheap test that spares the usual table (never written, or in
    sync) the texts, the record and its parsing."""
    before = table.get("Description", "")
    if before and not desired.description.in_sync(before):
        return True
    for dcol in desired.columns:
        col = glue_columns.get(dcol.key)
        if col is not None:
            before = col.get("Comment", "")
            if before and not dcol.comment.in_sync(before):
                return True
    return False


def diff_database(
    desired: DesiredDatabase, database: Mapping[str, Any], input_shape: Shape
) -> tuple[list[Change], dict[str, Any]]:
    changes, description = _diff_description(desired.description, database)
    new: dict[str, Any] = project(database, input_shape)
    if description is not None:
        new["Description"] = description
    params: dict[str, str] = dict(new.get("Parameters") or {})
    read: Mapping[str, str] = database.get("Parameters") or {}
    for _, key, before, after in _parameter_differences(desired.parameters, read, keep=frozenset()):
        changes.append(_change("Parameter", key, before, after))
        if after is None:
            params.pop(key)
        else:
            params[key] = after
    new["Parameters"] = params
    return changes, new


#: `mesh:` table parameters kept when the desired state lacks them (see LF_TAGS_KEY)
_TABLE_KEEP = frozenset({LF_TAGS_KEY})


def _diff_description(
    desired: GlueText, current: Mapping[str, Any]
) -> tuple[list[Change], str | None]:
    """The Description as dbt-athena's persist_docs writes it, None when Glue has it already
    (absent and "" agree)."""
    before = current.get("Description", "")
    if desired.in_sync(before):
        return [], None
    return [Change("Description", before or None, desired.value)], desired.value


# --- the target -------------------------------------------------------------------------------


@dataclass(slots=True)
class CurrentState:
    databases: dict[str, dict[str, Any]] = field(default_factory=dict)
    tables: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)

    def table(self, database: str, name: str) -> dict[str, Any] | None:
        return self.tables.get(database, {}).get(name)


def lf_tags_action_id(desired: DesiredTable) -> str:
    """The Lake Formation action that assigns a table's LF-tags (a Glue update waits for it)."""
    return action_id("lakeformation", "lf_tags", desired.domain, desired.key)


class GlueTarget(Target):
    name = "glue"
    title = "Glue Data Catalog"
    read_permissions = "glue:GetDatabases and glue:GetTables"

    def __init__(
        self,
        clients: AwsClients,
        mesh: MeshFacts,
        *,
        ontology_file: Path = DEFAULT_ONTOLOGY,
        root: Path = Path("."),
        docs_url: str | None = None,
        on_drift: Policy = DEFAULT_POLICY,
    ) -> None:
        self.glue = clients.glue
        self.on_drift = on_drift
        self.lf = clients.lakeformation
        self.concurrency = clients.settings.concurrency
        self.mesh = mesh
        self.ontology_file = ontology_file
        self.root = root
        self.docs_url = docs_url
        self.desired: DesiredState | None = None
        self.current: CurrentState | None = None
        #: each table's diff, made once per run for both this target and Lake Formation's
        self._diffs: dict[str, TableDiff] = {}
        self._table_input = _input_shape(self.glue, "UpdateTable", "TableInput")
        self._database_input = _input_shape(self.glue, "UpdateDatabase", "DatabaseInput")

    # validate ----------------------------------------------------------------------------------

    def validate(self) -> None:
        path = self.ontology_file
        ontology = load_ontology(path if path.is_absolute() else self.root / path)
        self.desired = desired_state(
            self.mesh, ontology, ontology_file=self.ontology_file, docs_url=self.docs_url
        )
        check_texts(self.mesh, self.desired)

    def _desired(self) -> DesiredState:
        if self.desired is None:
            self.validate()
        assert self.desired is not None
        return self.desired

    # read --------------------------------------------------------------------------------------

    def read(self) -> None:
        """One paginated GetDatabases, one paginated GetTables per database (once per run)."""
        if self.current is not None:
            return
        state = CurrentState()
        wanted = set(self._desired().databases)
        for page in self.glue.get_paginator("get_databases").paginate():
            for database in page["DatabaseList"]:
                if database["Name"] in wanted:
                    state.databases[database["Name"]] = dict(database)

        def tables_of(name: str) -> tuple[str, dict[str, dict[str, Any]]]:
            found: dict[str, dict[str, Any]] = {}
            for page in self.glue.get_paginator("get_tables").paginate(DatabaseName=name):
                for table in page["TableList"]:
                    found[table["Name"].lower()] = dict(table)
            return name, found

        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            for name, found in pool.map(tables_of, sorted(state.databases)):
                state.tables[name] = found
        self.current = state

    # plan --------------------------------------------------------------------------------------

    def diff(self, desired: DesiredTable, table: Mapping[str, Any]) -> TableDiff:
        """The diff of a table as read (made once: the Lake Formation target plans from it too)."""
        found = self._diffs.get(desired.key)
        if found is None or found.table is not table:
            found = self._diffs[desired.key] = diff_table(
                desired, table, self._table_input, self.on_drift
            )
        return found

    def plan(self) -> Plan:
        with paused_gc():
            return self._plan()

    def _plan(self) -> Plan:
        desired, current = self._desired(), self.current
        assert current is not None, "read() before plan()"
        plan = Plan(self.name, self.title, warnings=list(desired.warnings))
        plan.skipped.extend(desired.skipped)
        #: the hand edits `--on-drift fail` stops on, by table
        drifts: list[tuple[str, list[FieldDrift]]] = []
        for name, ddb in sorted(desired.databases.items()):
            database = current.databases.get(name)
            if database is None:
                plan.skipped.append(
                    Skipped(
                        "database",
                        name,
                        "no_glue_database",
                        "no Glue database: not built on this target (never created)",
                        ddb.domain,
                    )
                )
                continue
            changes, database_input = diff_database(ddb, database, self._database_input)
            if not changes:
                plan.unchanged["database"] += 1
                continue
            plan.actions.append(
                Action(
                    self.name,
                    "database",
                    "update",
                    name,
                    ddb.domain,
                    changes=changes,
                    operation="UpdateDatabase",
                    payload=database_input,
                )
            )
        for dt in sorted(desired.tables, key=lambda t: t.key):
            table = current.table(dt.database, dt.name)
            if table is None:
                plan.skipped.append(
                    Skipped(
                        "table",
                        dt.key,
                        "no_glue_table",
                        "no Glue table: the model has not been built on this target "
                        "(reported, never created)",
                        dt.domain,
                        dt.unique_id,
                    )
                )
                continue
            diff = self.diff(dt, table)
            if diff.drift and self.on_drift == "fail":
                drifts.append((dt.key, diff.drift))
            elif diff.drift and self.on_drift == "keep":
                plan.warnings.append(
                    f"{dt.key}: hand edits in Glue kept (--on-drift keep): "
                    + "; ".join(d.line("keeps") for d in diff.drift)
                )
            if not diff.changed:
                plan.unchanged["table"] += 1
                continue
            plan.actions.append(
                Action(
                    self.name,
                    "table",
                    "update",
                    dt.key,
                    dt.domain,
                    dt.unique_id,
                    changes=Deferred(diff.changes),
                    details=[f"drift: {d.line('replaces')}" for d in diff.drift]
                    if self.on_drift == "overwrite"
                    else [],
                    notes=Deferred(diff.notes),
                    # the new LF-tag fingerprint is written only once the tags are assigned
                    requires=(lf_tags_action_id(dt),) if diff.tags else (),
                    operation="UpdateTable",
                    payload=diff,
                )
            )
        if drifts:
            raise drift_error("Glue", drifts)
        return plan

    # apply -------------------------------------------------------------------------------------

    def handler(self) -> Handler:
        return self._apply

    def _apply(self, action: Action) -> Outcome:
        if action.kind == "database":
            request = {"Name": action.name, "DatabaseInput": action.payload}
            ensure("glue", "UpdateDatabase", request)
            self.glue.update_database(**request)
            return Outcome()
        return self._apply_table(action.payload)

    def _apply_table(self, diff: TableDiff) -> Outcome:
        """Update one table, over the table the diff was made from (see the module docstring)."""
        desired = diff.desired
        #: the table the Lake Formation target tagged (this update waited for it), by CreateTime
        tagged = diff.identity[0] if diff.tags else None
        retries, conflicted = 0, False
        for attempt in range(MAX_CONFLICT_RETRIES + 1):
            table = self.glue.get_table(DatabaseName=desired.database, Name=desired.name)["Table"]
            if _identity(table) != diff.identity:
                if not conflicted:  # changed before the write (a conflict is counted already)
                    retries += 1
                diff = diff_table(desired, table, self._table_input, self.on_drift)
                if not diff.changed:
                    return Outcome(written=False, retries=retries)
            conflicted = False
            if diff.tags and _identity(table)[0] != tagged:
                # a re-created table: its LF-tags went with the old one
                assign_tags(self.lf, desired.database, desired.name, diff.tags)
                tagged = _identity(table)[0]
            kwargs: dict[str, Any] = {
                "DatabaseName": desired.database,
                "TableInput": diff.table_input,
                "SkipArchive": True,
            }
            if diff.version_id is not None:
                kwargs["VersionId"] = diff.version_id
            ensure("glue", "UpdateTable", kwargs)
            try:
                self.glue.update_table(**kwargs)
                return Outcome(written=True, retries=retries)
            except ClientError as exc:
                code = exc.response.get("Error", {}).get("Code")
                if code != "ConcurrentModificationException" or attempt == MAX_CONFLICT_RETRIES:
                    raise
                retries, conflicted = retries + 1, True
            # someone (an Iceberg commit) updated the table since we read it: read, diff, retry
            time.sleep(random.uniform(0, min(2.0, 0.05 * 2**attempt)))
        raise AssertionError("unreachable")


def _identity(table: Mapping[str, Any]) -> tuple[Any, str | None]:
    """Which table, at which version: a re-created table has another CreateTime."""
    return table.get("CreateTime"), table.get("VersionId")
