"""Fast checks of the generated protocol layer and the Smithy reader (no HTTP)."""

from __future__ import annotations

from botocore.model import ServiceModel

from mesh_standins.datazone.model import Router, router, service_model
from mesh_standins.datazone.protocol import parse_request, serialize_output
from mesh_standins.datazone.search import SearchIndex
from publish.datazone.smithy import parse_model, validate_content


def test_routes_come_from_the_model() -> None:
    op, params = router().match("GET", "/v2/domains/dzd_1/assets/abc", {})  # type: ignore[misc]
    assert (op.name, params) == ("GetAsset", {"domainIdentifier": "dzd_1", "identifier": "abc"})
    op, params = router().match("POST", "/v2/domains/dzd_1/listings/search", {})  # type: ignore[misc]
    assert op.name == "SearchListings"  # the literal path beats GET/POST .../listings/{identifier}
    op, params = router().match("GET", "/tags/arn%3Aaws%3Adatazone%3A%3A1%3Adomain%2Fdzd_1", {})  # type: ignore[misc]
    assert (op.name, params["resourceArn"]) == (
        "ListTagsForResource",
        "arn:aws:datazone::1:domain/dzd_1",
    )
    assert router().match("GET", "/v3/nothing", {}) is None


def test_greedy_labels_span_slashes() -> None:
    model = ServiceModel(
        {
            "metadata": {"protocol": "rest-json", "apiVersion": "1", "endpointPrefix": "x"},
            "operations": {
                "GetObject": {
                    "name": "GetObject",
                    "http": {"method": "GET", "requestUri": "/b/{Bucket}/{Key+}"},
                    "input": {"shape": "In"},
                }
            },
            "shapes": {
                "In": {
                    "type": "structure",
                    "required": ["Bucket", "Key"],
                    "members": {
                        "Bucket": {"shape": "S", "location": "uri", "locationName": "Bucket"},
                        "Key": {"shape": "S", "location": "uri", "locationName": "Key"},
                    },
                },
                "S": {"type": "string"},
            },
        }
    )
    op, params = Router(model).match("GET", "/b/bucket/a/b%20c/d.txt", {})  # type: ignore[misc]
    assert parse_request(op, params, {}, {}, b"") == {"Bucket": "bucket", "Key": "a/b c/d.txt"}


def test_query_headers_and_payloads_map_to_members() -> None:
    sm = service_model()
    op = sm.operation_model("ListLineageNodeHistory")
    params = parse_request(
        op,
        {"domainIdentifier": "dzd_1", "identifier": "n"},
        {"maxResults": ["5"], "timestampGTE": ["2025-01-01T00:00:00Z"]},
        {},
        b"",
    )
    assert params["maxResults"] == 5 and params["eventTimestampGTE"] == 1735689600.0
    post = sm.operation_model("PostLineageEvent")
    params = parse_request(
        post, {"domainIdentifier": "dzd_1"}, {}, {"Client-Token": "tok"}, b'{"a":1}'
    )
    assert params == {"domainIdentifier": "dzd_1", "clientToken": "tok", "event": b'{"a":1}'}
    status, headers, body = serialize_output(
        sm.operation_model("GetLineageEvent"),
        {
            "domainId": "dzd_1",
            "id": "abc",
            "event": b'{"a":1}',
            "eventTime": 0.0,
            "createdAt": 1.5,
            "processingStatus": "SUCCESS",
            "notModeled": "dropped",
        },
    )
    assert (status, body) == (200, b'{"a":1}')  # the blob payload is the raw body
    # Header timestamps default to HTTP dates in rest-json; the model sets no other format here.
    assert (
        headers["Domain-Id"] == "dzd_1" and headers["Event-Time"] == "Thu, 01 Jan 1970 00:00:00 GMT"
    )


def test_smithy_forms() -> None:
    model = parse_model("""
        $version: "2"
        namespace example
        /// docs
        structure sla {
            @required
            @range(min: 0, max: 100)
            uptime: Double
            owners: Owners
            reviewed: Timestamp
            labels: Labels
        }
        list Owners { member: String }
        map Labels { key: String, value: Long }
    """)
    assert (
        validate_content(
            model,
            {
                "uptime": 99.9,
                "owners": ["a"],
                "reviewed": "2025-01-01T00:00:00Z",
                "labels": {"x": 1},
            },
        )
        == []
    )
    assert sorted(
        validate_content(model, {"uptime": 120, "labels": {"x": "1"}, "reviewed": "soon"})
    ) == [
        "labels.x: expected integer, got str",
        "reviewed: expected timestamp, got str",
        "uptime: must be at most 100",
    ]


def test_search_index_reindex_and_remove() -> None:
    index = SearchIndex()
    index.put("a", {"name": ["fct_orders"], "description": ["daily revenue"]})
    index.put("b", {"name": ["dim_customers"], "description": ["revenue by customer"]})
    assert index.query("revenue", ["name", "description"]) == ["a", "b"]
    assert index.query("order", ["name"]) == ["a"]  # prefix match on words
    index.put("a", {"name": ["fct_orders"], "description": ["margin"]})  # re-index drops old words
    assert index.query("revenue", ["description"]) == ["b"]
    assert index.query("", ["name"]) == ["b", "a"]  # (re)indexing order
    index.remove("b")
    assert index.query("revenue customer", ["description"]) == []
    assert len(index) == 1
