"""The Lake Formation target: the LF-tag ontology of `catalog/lf_tags.yml`, and tag assignments
on the tables and columns whose `meta` sets them.

The publisher creates missing tag keys and values (never deletes one) and assigns tags with
`AddLFTagsToResource`, which merges: tag keys the publisher does not set on a resource are kept.
It never calls `RemoveLFTagsFromResource`. To avoid a `GetResourceLFTags` per table, the Glue
table keeps a fingerprint of what was assigned (`mesh:lf_tags`, written by the Glue target once
the assignment is done); a table is assigned again only when that fingerprint changes. The
desired state and the Glue tables come from the Glue target of the same run (read once, by it).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from msgspec import Struct

from publish.apply import Handler, Outcome
from publish.desired import LF_TAGS_KEY, DesiredTable, LfTagOntology
from publish.errors import PublishError
from publish.limits import maximum
from publish.plan import Action, Plan, Skipped
from publish.targets import Target

if TYPE_CHECKING:
    from mypy_boto3_lakeformation import LakeFormationClient

    from publish.targets.glue import GlueTarget


class TagAssignment(Struct, frozen=True, gc=False):
    column: str | None  # None: on the table
    key: str
    value: str


def glue_columns(table: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """A Glue table's regular and partition columns by lower-case name (the first of a name)."""
    found = (table.get("StorageDescriptor") or {}).get("Columns", []) + (
        table.get("PartitionKeys") or []
    )
    columns = {col["Name"].lower(): col for col in found}
    if len(columns) < len(found):  # a name twice, in two cases: the first one counts
        columns = {}
        for col in found:
            columns.setdefault(col["Name"].lower(), col)
    return columns


def table_assignments(
    desired: DesiredTable, columns: Mapping[str, Mapping[str, Any]]
) -> list[TagAssignment]:
    """Every tag the table and its columns (those Glue has, by Glue's name) should carry."""
    tags = [TagAssignment(None, k, v) for k, v in desired.table_tags.items()]
    for dcol in desired.tagged_columns:
        col = columns.get(dcol.key)
        if col is not None:
            for key, value in dcol.tags.items():
                tags.append(TagAssignment(col["Name"], key, value))
    return tags


def lf_fingerprint(assignments: Iterable[TagAssignment]) -> str | None:
    canonical = [f"{a.column or ''}\x1f{a.key}\x1f{a.value}" for a in assignments]
    canonical.sort()
    if not canonical:
        return None
    return hashlib.sha256("\x1e".join(canonical).encode()).hexdigest()[:16]


def read_tags(lf: LakeFormationClient) -> dict[str, set[str]]:
    """Every LF-tag of the account's catalog: key -> values (paginated)."""
    tags: dict[str, set[str]] = {}
    kwargs: dict[str, Any] = {}
    while True:
        page = lf.list_lf_tags(**kwargs)
        for tag in page.get("LFTags", []):
            tags.setdefault(tag["TagKey"], set()).update(tag.get("TagValues", []))
        token = page.get("NextToken")
        if not token:
            return tags
        kwargs["NextToken"] = token


def plan_ontology(
    ontology: LfTagOntology, current: Mapping[str, set[str]]
) -> list[tuple[str, bool, list[str]]]:
    """(key, create, values): tag keys to create, and values to add to existing keys."""
    changes = []
    for tag in ontology.tags:
        if tag.key not in current:
            changes.append((tag.key, True, list(tag.values)))
        else:
            missing = [v for v in tag.values if v not in current[tag.key]]
            if missing:
                changes.append((tag.key, False, missing))
    return changes


class LakeFormationTarget(Target):
    name = "lakeformation"
    title = "Lake Formation LF-tags"
    read_permissions = "lakeformation:ListLFTags"

    def __init__(self, glue: GlueTarget, lf: LakeFormationClient, concurrency: int = 8) -> None:
        self.glue = glue
        self.lf = lf
        self.concurrency = concurrency
        self.tags: dict[str, set[str]] = {}

    def validate(self) -> None:
        self.glue.validate()

    def read(self) -> None:
        """ListLFTags; the tables are the Glue target's, read by it in the same run."""
        assert self.glue.desired is not None
        self.tags = read_tags(self.lf) if self.glue.desired.ontology.tags else {}

    def plan(self) -> Plan:
        desired, current = self.glue.desired, self.glue.current
        assert desired is not None and current is not None, "read() before plan()"
        plan = Plan(self.name, self.title)
        keys: dict[str, str] = {}  # tag key -> id of the action creating it or adding values
        for key, create, values in plan_ontology(desired.ontology, self.tags):
            action = Action(
                self.name,
                "lf_tag",
                "create" if create else "add_values",
                key,
                reason=("new: " if create else "add values: ") + ", ".join(values),
                operation="CreateLFTag" if create else "UpdateLFTag",
                payload=values,
            )
            keys[key] = action.id
            plan.actions.append(action)
        plan.unchanged["lf_tag"] = len(desired.ontology.tags) - len(keys)
        for dt in sorted(desired.tables, key=lambda t: t.key):
            table = current.table(dt.database, dt.name)
            if table is None:
                if dt.table_tags or dt.tagged_columns:
                    plan.skipped.append(
                        Skipped(
                            "table",
                            dt.key,
                            "no_glue_table",
                            "no Glue table to tag",
                            dt.domain,
                            dt.unique_id,
                        )
                    )
                continue
            diff = self.glue.diff(dt, table)
            assignments, fingerprint = diff.assignments, diff.fingerprint
            if fingerprint is None:
                continue
            if (table.get("Parameters") or {}).get(LF_TAGS_KEY) == fingerprint:
                plan.unchanged["lf_tags"] += 1
                continue
            plan.actions.append(
                Action(
                    self.name,
                    "lf_tags",
                    "assign",
                    dt.key,
                    dt.domain,
                    dt.unique_id,
                    details=[
                        f"+ LF-tag {a.key}={a.value} on "
                        + (f"column {a.column}" if a.column else "table")
                        for a in assignments
                    ],
                    requires=tuple(sorted({keys[a.key] for a in assignments if a.key in keys})),
                    operation="AddLFTagsToResource",
                    payload=(dt, assignments),
                )
            )
        return plan

    def handler(self) -> Handler:
        return self._apply

    def _apply(self, action: Action) -> Outcome:
        if action.kind == "lf_tag":
            values: list[str] = action.payload
            # each call takes at most 50 values (TagValueList): a tag of more is created with
            # the first 50, the rest added (a re-run after a failure adds what is missing)
            step = maximum("lakeformation", "UpdateLFTag", "TagValuesToAdd")
            rest = values
            if action.op == "create":
                first = maximum("lakeformation", "CreateLFTag", "TagValues")
                self.lf.create_lf_tag(TagKey=action.name, TagValues=values[:first])
                rest = values[first:]
            for i in range(0, len(rest), step):
                self.lf.update_lf_tag(TagKey=action.name, TagValuesToAdd=rest[i : i + step])
            return Outcome()
        desired, assignments = action.payload
        assign_tags(self.lf, desired.database, desired.name, assignments)
        return Outcome()


def assign_tags(
    lf: LakeFormationClient, database: str, table: str, assignments: Iterable[TagAssignment]
) -> None:
    """Assign tags: one call for the table, one per distinct set of column tags."""
    table_tags: dict[str, str] = {}
    column_tags: dict[str, dict[str, str]] = defaultdict(dict)
    for a in assignments:
        if a.column is None:
            table_tags[a.key] = a.value
        else:
            column_tags[a.column][a.key] = a.value
    calls: list[tuple[dict[str, Any], dict[str, str]]] = []
    if table_tags:
        calls.append(({"Table": {"DatabaseName": database, "Name": table}}, table_tags))
    by_tag_set: dict[tuple[tuple[str, str], ...], list[str]] = defaultdict(list)
    for column, tags in column_tags.items():
        by_tag_set[tuple(sorted(tags.items()))].append(column)
    for tag_set, columns in by_tag_set.items():
        resource = {
            "TableWithColumns": {"DatabaseName": database, "Name": table, "ColumnNames": columns}
        }
        calls.append((resource, dict(tag_set)))
    for resource, tags in calls:
        response = lf.add_lf_tags_to_resource(
            Resource=resource,  # type: ignore[arg-type]
            LFTags=[{"TagKey": k, "TagValues": [v]} for k, v in tags.items()],
        )
        failures = response.get("Failures") or []
        if failures:
            error = failures[0].get("Error", {})
            raise PublishError(
                f"Lake Formation refused LF-tags on {database}.{table}: "
                f"{error.get('ErrorCode')}: {error.get('ErrorMessage')}",
                fix="check that the caller is a Lake Formation data lake administrator or has "
                "ASSOCIATE permission on the tags",
            )
