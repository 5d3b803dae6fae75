"""Credentials, account ids and endpoints never reach the portal (pure unit tests)."""

from __future__ import annotations

import pytest

from mesh.portal.redact import REDACTED, redact_json, redact_text

# Key-shaped test values are assembled at run time, so no credential-like literal sits in
# the repository for secret scanners to flag (AWS's documented example key id).
EXAMPLE_KEY_ID = "IOSFODNN7" + "EXAMPLE"
EXAMPLE_SECRET = "wJalrXUtnFEMI" + "/K7MDENG"


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        (f"key AKIA{EXAMPLE_KEY_ID} in a description", f"AKIA{EXAMPLE_KEY_ID}"),
        (f"temporary ASIA{EXAMPLE_KEY_ID}", f"ASIA{EXAMPLE_KEY_ID}"),
        (f"aws_secret_access_key = {EXAMPLE_SECRET}", EXAMPLE_SECRET),
        ("endpoint http://127.0.0.1:5000/glue", "127.0.0.1"),
        ("emulator at https://localhost:8443", "localhost:8443"),
        ("see https://glue.us-east-1.amazonaws.com/", "amazonaws.com"),
        ("bucket mesh.s3.eu-west-1.amazonaws.com", "amazonaws.com"),
        ("role arn:aws:iam::123456789012:role/publisher", "123456789012"),
        ("internal http://10.1.2.3:8080/x", "10.1.2.3"),
    ],
)
def test_redact_text(text: str, secret: str) -> None:
    out = redact_text(text)
    assert secret not in out and REDACTED in out


@pytest.mark.parametrize(
    "text",
    [
        "Return on Ad Spend: attributed net revenue divided by spend",
        "join on `customer_id`; see https://docs.getdbt.com/reference",
        "s3://mesh-warehouse-prod/ holds the tables",
    ],
)
def test_ordinary_text_is_kept(text: str) -> None:
    assert redact_text(text) == text


def test_redact_json_blanks_secret_keys_and_scrubs_strings() -> None:
    document = {
        "metadata": {"env": {"AWS_SECRET_ACCESS_KEY": "abc", "DBT_ENV": "x"}},
        "nodes": [{"description": "via http://127.0.0.1:9000", "password": "hunter2", "n": 3}],
    }
    assert redact_json(document) == {
        "metadata": {"env": {"AWS_SECRET_ACCESS_KEY": REDACTED, "DBT_ENV": "x"}},
        "nodes": [{"description": f"via {REDACTED}", "password": REDACTED, "n": 3}],
    }
