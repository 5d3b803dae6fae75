"""The texts the Glue target writes, checked against Glue's documented constraints before any
AWS call: table and database descriptions, column comments (`publish.limits`, botocore's model).

The mapping cuts each text to Glue's length already (`publish.mapping.glue_text`); what is left to
refuse is a character Glue's single-line pattern does not take (a control character other than
tab, and, in a comment, carriage return or line feed). Each distinct text is checked once: a mesh of
10,000 tables shares most of its column docs.
"""

from __future__ import annotations

from publish.desired import DesiredState
from publish.errors import raise_problems
from publish.limits import accepts, member_checker
from publish.mapping import MeshFacts

_DESCRIPTION = ("glue", "UpdateTable", "TableInput.Description")
_COMMENT = ("glue", "UpdateTable", "TableInput.StorageDescriptor.Columns[].Comment")
_DATABASE = ("glue", "UpdateDatabase", "DatabaseInput.Description")
FIX = (
    "remove the character from the dbt description in the model's YAML (or its doc block); Glue "
    "refuses control characters in descriptions and comments, then run again"
)


def check_texts(mesh: MeshFacts, state: DesiredState) -> None:
    """A BadInputError naming the dbt file of every text Glue would refuse (none: return)."""
    description_ok, comment_ok = accepts(*_DESCRIPTION), accepts(*_COMMENT)
    descriptions = {t.description.value for t in state.tables}
    comments = {c.comment.value for t in state.tables for c in t.columns}
    bad_descriptions = {v for v in descriptions if not description_ok(v)}
    bad_comments = {v for v in comments if not comment_ok(v)}
    database_ok = accepts(*_DATABASE)
    bad_databases = [d for d in state.databases.values() if not database_ok(d.description.value)]
    if not (bad_descriptions or bad_comments or bad_databases):
        return
    files = {m.unique_id: m.file for m in mesh.models}
    problems: list[tuple[str, str]] = []
    for table in state.tables:
        file = files.get(table.unique_id, table.unique_id)
        if table.description.value in bad_descriptions:
            what = f"the description of {table.unique_id}"
            problems += _why(file, what, _DESCRIPTION, table.description.value)
        for column in table.columns:
            if column.comment.value in bad_comments:
                what = f"the description of column `{column.name}` of {table.unique_id}"
                problems += _why(file, what, _COMMENT, column.comment.value)
    for database in bad_databases:
        what = f"the overview of domain {database.domain} (the description of {database.name})"
        problems += _why(f"domains/{database.domain}", what, _DATABASE, database.description.value)
    raise_problems(problems, FIX)


def _why(file: str, what: str, member: tuple[str, str, str], value: str) -> list[tuple[str, str]]:
    return [(file, f"{what}: {violation}") for violation in member_checker(*member)(value)]
