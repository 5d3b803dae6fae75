"""Secret-shaped test values, assembled at run time so no credential-like literal is committed
(the secrets scanner, ci/scan_secrets.sh, would rightly flag one).

Each shape maps to (text as it would be pasted, the part that must never be shown).
"""

from __future__ import annotations


def _join(*parts: str) -> str:
    return "".join(parts)


AWS_EXAMPLE_KEY_ID = _join("AKIA", "IOSFODNN7", "EXAMPLE")  # AWS's documented example
AWS_EXAMPLE_SECRET = _join("wJalrXUtnFEMI", "/K7MDENG/bPxRfiCY", "EXAMPLEKEY")  # same
PASSWORD = _join("Pw", "-9x7z", "Q4")
GITHUB_TOKEN = _join("gh", "p_", "x7K2" * 9)
FINE_GRAINED_TOKEN = _join("github", "_pat_", "11AAAA", "b7" * 12)
SLACK_WEBHOOK = _join("https://hooks.slack", ".com/services/", "T0001", "/B0002/", "q9Zr" * 6)
SLACK_TOKEN = _join("xox", "b-", "1234567890-", "abcdEFGH" * 2)
BEARER = _join("a1b2c3", "d4e5f6", "g7h8i9")
JWT = _join(
    "eyJ", "hbGciOiJIUzI1NiJ9", ".eyJ", "zdWIiOiIxMjM0NTY3ODkwIn0", ".", "dozjgNryP4J3jVmNHl0w5N"
)
API_KEY = _join("k_", "93jd" * 4)
DSN = _join("warehouse", "-dsn-", "8d7f")

SHAPES: dict[str, tuple[str, str]] = {
    "postgresql URL": (f"postgresql://analyst:{PASSWORD}@warehouse.internal:5432/shop", PASSWORD),
    "JDBC password parameter": (
        f"jdbc:postgresql://db.internal:5432/shop?user=svc&password={PASSWORD}&ssl=true",
        PASSWORD,
    ),
    "JDBC ;password=": (f"jdbc:sqlserver://db;user=svc;password={PASSWORD};encrypt=true", PASSWORD),
    "GitHub token": (f"token {GITHUB_TOKEN} for the bot", GITHUB_TOKEN),
    "GitHub fine-grained token": (f"pat {FINE_GRAINED_TOKEN}", FINE_GRAINED_TOKEN),
    "Slack webhook": (f"alerts go to {SLACK_WEBHOOK}", SLACK_WEBHOOK.rsplit("/", 1)[1]),
    "Slack token": (f"bot {SLACK_TOKEN}", SLACK_TOKEN),
    "Bearer token": (f"Authorization: Bearer {BEARER}", BEARER),
    "JWT": (f"session {JWT}", JWT.split(".")[1]),
    "api_key=": (f"api_key={API_KEY}", API_KEY),
    "dsn:": (f"dsn: {DSN}", DSN),
    "password =": (f"password = '{PASSWORD}'", PASSWORD),
    "AWS access key id": (f"key {AWS_EXAMPLE_KEY_ID} in a description", AWS_EXAMPLE_KEY_ID),
    "aws_secret_access_key": (f"aws_secret_access_key = {AWS_EXAMPLE_SECRET}", AWS_EXAMPLE_SECRET),
    "PEM private key": (
        _join(
            "-----BEGIN RSA ",
            "PRIVATE KEY-----\nMIIEow",
            "IBAAKCAQEA\n-----END RSA ",
            "PRIVATE KEY-----",
        ),
        "MIIEowIBAAKCAQEA",
    ),
}
