"""Credentials, account ids, endpoints and build paths never reach the portal (unit tests)."""

from __future__ import annotations

import json

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from mesh.portal import redact
from mesh.portal.redact import REDACTED, is_secret_key, redact_json, redact_text
from tests.portal.secrets import API_KEY, DSN, PASSWORD, SHAPES


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_secret_shape_is_redacted_in_text(shape: str) -> None:
    text, secret = SHAPES[shape]
    out = redact_text(f"before {text} after")
    assert secret not in out and REDACTED in out, out
    assert out.startswith("before ") and out.endswith(" after"), "only the secret goes"
    assert redact_text(out) == out, "redacting twice changes nothing"


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("endpoint http://127.0.0.1:5000/glue", "127.0.0.1"),
        ("emulator at https://localhost:8443", "localhost:8443"),
        ("see https://glue.us-east-1.amazonaws.com/", "amazonaws.com"),
        ("bucket mesh.s3.eu-west-1.amazonaws.com", "amazonaws.com"),
        ("role arn:aws:iam::123456789012:role/publisher", "123456789012"),
        ("internal http://10.1.2.3:8080/x", "10.1.2.3"),
        ("built in /home/runner/work/analytics-mesh/domains/sales", "/home/runner"),
        ("read_parquet('/work/repo/data/raw/pos/orders.parquet')", "/work/repo"),
        ("checkout at /tmp/pytest-of-root/mesh0/domains", "/tmp/pytest"),
    ],
)
def test_endpoints_accounts_and_build_paths_are_redacted(text: str, secret: str) -> None:
    out = redact_text(text)
    assert secret not in out and REDACTED in out


@pytest.mark.parametrize(
    "text",
    [
        "Return on Ad Spend: attributed net revenue divided by spend",
        "join on `customer_id`; see https://docs.getdbt.com/reference",
        "s3://mesh-warehouse-prod/ holds the tables",
        "target/compiled/sales/models/marts/fct_orders.sql",
        "Bearer tokens are short-lived; the token bucket paces writes",
        "tests pass: 12 of 12, keys: customer_id",
        "select password_hash is not null as has_password from users",
    ],
)
def test_ordinary_text_is_kept(text: str) -> None:
    assert redact_text(text) == text


def test_redact_json_blanks_secret_keys_and_scrubs_strings() -> None:
    document = {
        "metadata": {"env": {"AWS_SECRET_ACCESS_KEY": "abc", "DBT_ENV": "x"}},
        "nodes": [
            {
                "description": "via http://127.0.0.1:9000",
                "password": PASSWORD,
                "meta": {"api_key": API_KEY, "dsn": DSN, "owner": "a@retail.example"},
                "n": 3,
            }
        ],
        # a column named like a secret keeps its shape (the docs site reads it)
        "columns": {"password": {"name": "password", "description": f"was password={PASSWORD}"}},
    }
    out = redact_json(document)
    assert out["columns"]["password"] == {
        "name": "password",
        "description": f"was password={REDACTED}",
    }
    assert out["nodes"][0]["description"] == f"via {REDACTED}"
    assert out["nodes"][0]["password"] == REDACTED and out["nodes"][0]["n"] == 3
    assert out["metadata"]["env"]["AWS_SECRET_ACCESS_KEY"] == REDACTED
    assert out["nodes"][0]["meta"] == {
        "api_key": REDACTED,
        "dsn": REDACTED,
        "owner": "a@retail.example",
    }
    assert PASSWORD not in json.dumps(out["nodes"])


@pytest.mark.parametrize(
    ("key", "secret"),
    [
        ("password", True),
        ("api_key", True),
        ("apiKey", True),
        ("dsn", True),
        ("github_token", True),
        ("slack_webhook_url", True),
        ("AWS_SECRET_ACCESS_KEY", True),
        ("client_secret", True),
        ("connection_string", True),
        ("account_id", True),
        ("description", False),
        ("author", False),
        ("max_tokens", False),
        ("secret_santa_team", False),
        ("_dbt_invocation_id", False),
    ],
)
def test_secret_key_names(key: str, secret: bool) -> None:
    assert is_secret_key(key) is secret


# fragments of every pattern's matches and near-misses, odd case and Unicode case folds included
_FRAGMENTS = [
    *(text for text, _ in SHAPES.values()),
    "postgresql://u:p@h", "HTTP://LOCALHOST:5000/x", "https://glue.eu-west-1.AmazonAWS.com",
    "arn:aws:iam::123456789012:role/x", "/home/runner/x", "/Users/me/x", r"C:\Users\me",
    "C:\\\\build\\x", "Bearer abc123def456", "AKIA", "IOSFODNN7EXAMPLE", "-----BEGIN RSA ",
    "PRIVATE KEY-----", "-----END RSA ", "ghp_", "github_pat_", "xoxb-", "eyJ", "\u017fecret=",
    "PASSWORD: ", "Api_Key=", "token", "dsn=", "Kelvin \u212a", "\u0130", "= ", ": ", "'", '"',
    " ", "x", "1234567890", ".", "/", "@", ";", "&", "?", "=", "\n",
]  # fmt: skip


@settings(max_examples=400, deadline=None, derandomize=True)
@example("\u017fecret=abc")  # a long s is an `s` to the patterns' (?i): case-folded, not lowered
@example("PA\u017f\u017fWORD: abc")
@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=12).map("".join))
def test_needles_never_skip_a_pattern_that_matches(text: str) -> None:
    """The needles only save time: the result is that of every pattern applied in turn."""
    expected = text
    for pattern, replacement, _ in redact._PATTERNS:
        expected = pattern.sub(replacement, expected)
    assert redact_text(text) == expected
