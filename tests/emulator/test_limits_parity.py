"""RQ-1: the emulator refuses exactly what the publisher's request checker (`publish.limits`)
finds, both read from botocore's model: a request that breaks a documented length, count, size,
pattern, enum or required member is a ValidationException naming the member; the same request
within every limit passes validation."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore import xform_name
from botocore.exceptions import ClientError

from publish import limits

PROJECT = "prj-1"
GOOD_EVENT = {
    "eventType": "COMPLETE",
    "eventTime": "2026-11-01T00:00:00Z",
    "producer": "https://example.com/p",
    "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
    "run": {"runId": "0f2d8a3e-7c41-4b39-a0c7-16d2d0e4b7a1"},
    "job": {"namespace": "dbt", "name": "odd.dim_odd"},
    "inputs": [],
    "outputs": [],
}


def _event(size: int) -> bytes:
    """A valid run event padded (JSON whitespace) to `size` bytes."""
    body = json.dumps(GOOD_EVENT)
    return (body[:-1] + " " * (size - len(body.encode())) + "}").encode()


#: (operation, a request within every limit, the member to break, its bad value)
CASES: list[tuple[str, dict[str, Any], str, Any]] = [
    ("CreateGlossary", {"name": "g", "owningProjectIdentifier": PROJECT}, "name", "n" * 257),
    ("CreateGlossary", {"name": "g", "owningProjectIdentifier": PROJECT}, "name", ""),
    (
        "CreateGlossary",
        {"name": "g", "owningProjectIdentifier": PROJECT},
        "description",
        "😀" * 4097,
    ),
    ("CreateGlossary", {"name": "g", "owningProjectIdentifier": PROJECT}, "status", "MAYBE"),
    (
        "CreateGlossary",
        {"name": "g", "owningProjectIdentifier": PROJECT},
        "clientToken",
        "token with spaces",
    ),
    (
        "CreateGlossary",
        {"name": "g", "owningProjectIdentifier": PROJECT},
        "owningProjectIdentifier",
        "not/an/id",
    ),
    ("PostLineageEvent", {"event": _event(300_000)}, "event", _event(300_001)),
]


def _call(dz: Any, operation: str, params: dict[str, Any]) -> str | None:
    """The error code of the call (None: it succeeded)."""
    try:
        getattr(dz, xform_name(operation))(**params)
    except ClientError as error:
        return str(error.response["Error"]["Code"])
    return None


@pytest.mark.fidelity("RQ-1")
@pytest.mark.parametrize(("operation", "good", "member", "bad"), CASES, ids=lambda v: str(v)[:20])
def test_the_emulator_refuses_what_the_checker_finds(
    make_datazone: Callable[..., Any],
    operation: str,
    good: dict[str, Any],
    member: str,
    bad: Any,
) -> None:
    dz = make_datazone()
    domain = dz.create_domain(name="d", domainExecutionRole="arn:aws:iam::123456789012:role/x")
    within = {"domainIdentifier": domain["id"], **good}
    assert limits.check("datazone", operation, within) == []
    assert _call(dz, operation, within) != "ValidationException"  # (the project is unknown)
    broken = {**within, member: bad}
    found = limits.check("datazone", operation, broken)
    assert [v.path for v in found] == [member]
    assert _call(dz, operation, broken) == "ValidationException"
