"""Lake Formation LF-tags: the ontology of `catalog/lf_tags.yml`, and tag assignments on tables.

The publisher creates missing tag keys and values (never deletes one) and assigns tags with
`AddLFTagsToResource`, which merges: tag keys the publisher does not set on a resource are kept.
It never calls `RemoveLFTagsFromResource`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from publish.desired import LfTagOntology
from publish.errors import PublishError
from publish.plan import OntologyChange, TagAssignment

if TYPE_CHECKING:
    from mypy_boto3_lakeformation import LakeFormationClient


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


def plan_ontology(ontology: LfTagOntology, current: dict[str, set[str]]) -> list[OntologyChange]:
    changes = []
    for tag in ontology.tags:
        if tag.key not in current:
            changes.append(OntologyChange(tag.key, True, list(tag.values)))
        else:
            missing = [v for v in tag.values if v not in current[tag.key]]
            if missing:
                changes.append(OntologyChange(tag.key, False, missing))
    return changes


def apply_ontology(lf: LakeFormationClient, changes: Iterable[OntologyChange]) -> None:
    for change in changes:
        if change.create:
            lf.create_lf_tag(TagKey=change.key, TagValues=change.values)
        else:
            # at most 50 values per call
            for i in range(0, len(change.values), 50):
                lf.update_lf_tag(TagKey=change.key, TagValuesToAdd=change.values[i : i + 50])


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
