"""The request checker (`publish.limits`): one test per kind of documented constraint, each
against botocore's own model of the operation (no limit written in the test but the model's)."""

from __future__ import annotations

from typing import Any

import pytest

from publish import limits
from publish.errors import BadInputError

DZ = "dzd_abc123"
ASSET: dict[str, Any] = {
    "domainIdentifier": DZ,
    "name": "dim_customers",
    "owningProjectIdentifier": "proj-1",
    "typeIdentifier": "amazon.datazone.GlueTableAssetType",
}


def kinds(found: list[limits.Violation]) -> list[tuple[str, str]]:
    return [(v.path, v.kind) for v in found]


def test_a_request_within_every_limit_passes() -> None:
    form = {"formName": "dbt_model", "typeIdentifier": "dbt_model", "content": "{}"}
    assert limits.check("datazone", "CreateAsset", {**ASSET, "formsInput": [form]}) == []


def test_string_length_counts_characters_not_bytes() -> None:
    high = limits.maximum("datazone", "CreateAsset", "description")
    assert high == 2048
    fits = limits.check("datazone", "CreateAsset", {**ASSET, "description": "é" * high})
    assert fits == []  # 2,048 characters, 4,096 UTF-8 bytes
    found = limits.check("datazone", "CreateAsset", {**ASSET, "description": "😀" * (high + 1)})
    assert kinds(found) == [("description", "length")]
    assert str(found[0]) == (
        "CreateAsset `description` has 2,049 characters; the API takes at most 2,048 characters"
    )


def test_string_minimum() -> None:
    found = limits.check("datazone", "CreateAsset", {**ASSET, "name": ""})
    assert kinds(found) == [("name", "length")]
    assert "at least 1 characters" in str(found[0])


def test_pattern_matches_the_whole_value() -> None:
    """botocore's models drop the service's ^...$ anchors: a partial match is not enough."""
    form = {"formName": "9to5", "content": "{}"}
    found = limits.check("datazone", "CreateAsset", {**ASSET, "formsInput": [form]})
    assert kinds(found) == [("formsInput[0].formName", "pattern")]
    found = limits.check("datazone", "CreateAsset", {**ASSET, "domainIdentifier": "dzd_ok x"})
    assert kinds(found) == [("domainIdentifier", "pattern")]


def test_glue_single_line_pattern_takes_emoji_and_refuses_control_characters() -> None:
    """Glue's pattern names supplementary characters as Java surrogate pairs; rewritten, an emoji
    is taken and a control character is named."""
    check = limits.member_checker(
        "glue", "UpdateTable", "TableInput.StorageDescriptor.Columns[].Comment"
    )
    assert check("Customer 😀 id\t(tab is fine)") == []
    found = check("Customer\x1b[31m id")
    assert kinds(found) == [("TableInput.StorageDescriptor.Columns[*].Comment", "pattern")]
    assert "refused: '\\x1b' at character 9" in found[0].actual
    description = limits.member_checker("glue", "UpdateTable", "TableInput.Description")
    assert description("line one\r\nline two") == []  # the description's pattern takes CR LF
    assert check("line one\nline two") != []  # a comment's does not


def test_enum() -> None:
    found = limits.check(
        "datazone",
        "CreateListingChangeSet",
        {
            "domainIdentifier": DZ,
            "entityIdentifier": "a1",
            "entityType": "ASSET",
            "action": "SHOUT",
        },
    )
    assert kinds(found) == [("action", "enum")]
    assert "one of PUBLISH, UNPUBLISH" in str(found[0])


def test_list_length() -> None:
    high = limits.maximum("datazone", "CreateAsset", "glossaryTerms")
    found = limits.check("datazone", "CreateAsset", {**ASSET, "glossaryTerms": ["t1"] * (high + 1)})
    assert kinds(found) == [("glossaryTerms", "count")]
    assert str(found[0]).endswith(f"has {high + 1} items; the API takes at most {high} items")
    assert kinds(limits.check("datazone", "CreateAsset", {**ASSET, "glossaryTerms": []})) == [
        ("glossaryTerms", "length")
    ]


def test_map_keys_and_values() -> None:
    request = {
        "DatabaseName": "sales_marts",
        "TableInput": {"Name": "t", "Parameters": {"k" * 256: "v", "ok": "x" * 512_001}},
    }
    found = limits.check("glue", "UpdateTable", request)
    assert kinds(found) == [
        (f"TableInput.Parameters key {'k' * 256!r}", "length"),
        ("TableInput.Parameters['ok']", "length"),
    ]


def test_number_range() -> None:
    request = {"DatabaseName": "d", "TableInput": {"Name": "t", "Retention": -1}}
    found = limits.check("glue", "UpdateTable", request)
    assert kinds(found) == [("TableInput.Retention", "range")]


def test_blob_size_counts_bytes() -> None:
    high = limits.maximum("datazone", "PostLineageEvent", "event")
    assert (
        limits.check("datazone", "PostLineageEvent", {"domainIdentifier": DZ, "event": b"x" * high})
        == []
    )
    found = limits.check(
        "datazone", "PostLineageEvent", {"domainIdentifier": DZ, "event": "é" * (high // 2 + 1)}
    )
    assert kinds(found) == [("event", "size")]
    assert f"{high + 2:,} bytes" in str(found[0])


def test_required_members() -> None:
    found = limits.check("datazone", "CreateAsset", {"domainIdentifier": DZ, "name": "x"})
    assert sorted(kinds(found)) == [
        ("owningProjectIdentifier", "required"),
        ("typeIdentifier", "required"),
    ]


def test_patterns_python_cannot_compile_are_counted_not_guessed() -> None:
    """Lake Formation's tag values use \\p{L} classes: not checked, and said so."""
    request = {"TagKey": "sensitivity", "TagValues": ["any\x00thing"]}
    assert limits.check("lakeformation", "CreateLFTag", request) == []
    assert r"^([\p{L}\p{Z}\p{N}_.:\*\/=+\-@%]*)$" in limits.unchecked_patterns()


def test_bounds_for_hand_written_checks_and_configuration() -> None:
    assert limits.bound("datazone", "CreateDataProduct", "description") == limits.Bound(
        1, 4096, None, ()
    )
    assert limits.bound("datazone", "PostTimeSeriesDataPoints", "entityType").enum == (
        "ASSET",
        "LISTING",
    )
    with pytest.raises(ValueError, match="has 65 characters; CreateDataProduct takes at most 64"):
        limits.refuse("datazone", "CreateDataProduct", "name", "p" * 65)
    with pytest.raises(ValueError, match="at most 3,968 fit"):
        limits.refuse("datazone", "CreateGlossaryTerm", "longDescription", "x" * 4000, reserve=128)


def test_ensure_refuses_a_request_before_it_is_sent() -> None:
    with pytest.raises(BadInputError) as raised:
        limits.ensure("datazone", "CreateAsset", {**ASSET, "name": "n" * 300})
    assert "CreateAsset `name` has 300 characters" in str(raised.value)
    assert "--dry-run" in str(raised.value)


def test_glue_cuts_are_the_models_limits() -> None:
    """The mapping cuts Glue texts to these many UTF-8 bytes (stricter than Glue's characters, and
    dbt-athena's cut for ASCII); they stay constants because `mesh --help` imports the mapping
    and must not load botocore, so they are checked against the model here."""
    from publish.mapping import COMMENT_LIMIT, DESCRIPTION_LIMIT

    assert limits.maximum("glue", "UpdateTable", "TableInput.Description") == DESCRIPTION_LIMIT
    assert (
        limits.maximum("glue", "UpdateDatabase", "DatabaseInput.Description") == DESCRIPTION_LIMIT
    )
    comment = "TableInput.StorageDescriptor.Columns[].Comment"
    assert limits.maximum("glue", "UpdateTable", comment) == COMMENT_LIMIT


def test_the_unchecked_patterns_are_counted() -> None:
    """Which of the three services' patterns Python's `re` cannot express (\\p{...} classes):
    every other pattern of their models is checked, Glue's surrogate-pair ranges included."""
    assert limits.unchecked_shapes("datazone") == ["GroupIdentifier"]
    assert limits.unchecked_shapes("glue") == ["TransactionIdString"]
    assert limits.unchecked_shapes("lakeformation") == [
        "ETagString",
        "LFTagKey",
        "LFTagValue",
        "TransactionIdString",
    ]
