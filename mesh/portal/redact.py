"""Keep credentials, account ids, endpoints and the build machine's paths out of the portal.

Everything the portal writes passes through here: the page and `mesh.json` as text, the served
dbt docs JSON structurally (values of secret-named keys are blanked, every string is scrubbed).
The portal is for consumers; a build's environment (a moto or emulator endpoint, a connection
string or a token pasted into a description, meta or SQL by mistake) has no place in it.

Text patterns, each replaced by `[redacted]` (for `name=value` shapes only the value):
AWS access key ids and `aws_secret_*` assignments, ARNs (they carry account ids), URLs with a
user and password before the host (a postgresql:// connection URL), loopback/private/AWS
endpoints, JDBC and
ODBC password parameters, `api_key=` / `token:` / `dsn=` / `password=`-style assignments, GitHub
tokens, Slack tokens and webhooks, `Bearer` tokens, JWTs, PEM private keys and absolute paths
under the usual build-machine roots.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, TypeVar

T = TypeVar("T")

REDACTED = "[redacted]"

#: names whose value is a secret, as JSON keys and in `name=value` / `name: value` text
_SECRET_NAME = (
    r"(?:aws_)?secret(?:_access)?(?:_key)?|password|passwd|pwd|api[_-]?key|apikey|"
    r"access[_-]?token|auth[_-]?token|refresh[_-]?token|id[_-]?token|token|client[_-]?secret|"
    r"private[_-]?key|dsn|connection[_-]?string|conn[_-]?str|credentials?|webhook(?:[_-]?url)?|"
    r"session[_-]?token|authorization"
)

#: a substring of every name in _SECRET_NAME, case-folded
_SECRET_NEEDLES = (
    "secret", "passw", "pwd", "api", "token", "private", "dsn", "conn", "credential",
    "webhook", "authorization",
)  # fmt: skip
#: the first folder of a build machine's absolute paths (the pattern and its needles)
_BUILD_ROOTS = (
    "home", "Users", "root", "tmp", "var", "opt", "work", "runner", "private", "mnt", "srv",
    "builds", "github", "__w",
)  # fmt: skip

#: The patterns, each with its needles: substrings (case-folded) of which every match holds one.
#: A pattern runs only on text that holds a needle. Most strings hold none, and a substring scan
#: is far cheaper than a regular expression's (the portal scrubs every field, then the whole
#: page: 31 MB for 10,000 models); tests/portal/test_redact.py checks the needles against the
#: patterns on generated text.
_PATTERNS: list[tuple[re.Pattern[str], str, tuple[str, ...]]] = [
    # PEM private keys, whole
    (
        re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.S),
        REDACTED,
        ("-----begin",),
    ),
    # URLs with credentials in their user info (a user, a colon, a password, then @host)
    (
        re.compile(r"(?i)\b[a-z][a-z0-9+.-]*://[^\s/@\"'<>]*:[^\s/@\"'<>]*@[^\s\"'<>]*"),
        REDACTED,
        ("://",),
    ),
    # Slack incoming webhooks and workflow triggers
    (re.compile(r"(?i)\bhttps?://hooks\.slack\.com/[^\s\"'<>]+"), REDACTED, ("hooks.slack.com",)),
    # GitHub tokens (classic and fine-grained), Slack tokens, JWTs
    (
        re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b"),
        REDACTED,
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
    ),
    (re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"), REDACTED, ("xox",)),
    (re.compile(r"\beyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{8,}"), REDACTED, ("eyj",)),
    # Authorization: Bearer <token>
    (
        re.compile(r"(?i)\b(bearer)\s+(?=[\w\-.~+/]*\d)[A-Za-z0-9\-._~+/]{8,}=*"),
        rf"\1 {REDACTED}",
        ("bearer",),
    ),
    # AWS access key ids (long-term and temporary)
    (
        re.compile(r"\b(?:AKIA|ASIA|AROA|AIDA)[0-9A-Z]{16}\b"),
        REDACTED,
        ("akia", "asia", "aroa", "aida"),
    ),
    # `name = value`, `name: value`, `"name": "value"`, JDBC `;password=...`, `?password=...&`;
    # the lookahead on the names' first letters lets the engine skip every other position
    (
        re.compile(
            rf"(?i)(?=[acdiprstw])(?<![\w-])((?:{_SECRET_NAME})[\"']?\s*[:=]\s*)"
            r"(?![\s\"']*\[redacted\])([\"']?)[^\s\"',;&<>)}]+\2"
        ),
        rf"\1\2{REDACTED}\2",
        _SECRET_NEEDLES,
    ),
    # ARNs carry account ids
    (re.compile(r"\barn:aws[\w-]*:[\w-]*:[\w-]*:\d{12}:[^\s\"'<>]*"), REDACTED, ("arn:aws",)),
    # endpoint URLs: loopback, private networks, AWS service hosts
    (
        re.compile(
            r"(?i)\b(?:https?|wss?)://(?:[^/\s\"'<>@]*@)?(?:localhost|127(?:\.\d{1,3}){3}|"
            r"0\.0\.0\.0|\[::1\]|10(?:\.\d{1,3}){3}|192\.168(?:\.\d{1,3}){2}|"
            r"172\.(?:1[6-9]|2\d|3[01])(?:\.\d{1,3}){2}|[\w.-]+\.amazonaws\.com(?:\.cn)?)"
            r"(?::\d+)?[^\s\"'<>]*"
        ),
        REDACTED,
        ("://",),
    ),
    (re.compile(r"(?i)\b[\w.-]+\.amazonaws\.com(?:\.cn)?\b"), REDACTED, (".amazonaws.com",)),
    # absolute paths of a build machine (a URL's path is preceded by a host, never matched)
    (
        re.compile(
            rf"(?<![\w:/.~-])(?:/(?:{'|'.join(_BUILD_ROOTS)})/[^\s\"'<>)]*|"
            r"[A-Za-z]:\\\\?(?:Users|build|runner)[^\s\"'<>)]*)"
        ),
        REDACTED,
        (
            *(f"/{root.casefold()}/" for root in _BUILD_ROOTS),
            ":\\users",
            ":\\build",
            ":\\runner",
            ":\\\\users",
            ":\\\\build",
            ":\\\\runner",
        ),
    ),
]

_SECRET_KEY = re.compile(rf"(?i)(?:^|[_-])(?:{_SECRET_NAME}|access_key|account_id)$")


#: any needle at all: most strings (names, types, most descriptions) hold none
_ANY_NEEDLE = re.compile("|".join(re.escape(n) for _, _, needles in _PATTERNS for n in needles))


def redact_text(text: str) -> str:
    folded = text.casefold()  # as (?i) matches: a long s (U+017F) is an `s`, not lowered
    if _ANY_NEEDLE.search(folded) is None:
        return text
    for pattern, replacement, needles in _PATTERNS:
        if any(needle in folded for needle in needles):
            text = pattern.sub(replacement, text)
    return text


def is_secret_key(key: str) -> bool:
    """A JSON key whose value is never shown (`password`, `api_key`, `dsn`, `AWS_SECRET_...`)."""
    return _SECRET_KEY.search(key) is not None


def redact_json(value: Any) -> Any:
    """A copy of a JSON document with secret-named keys blanked and every string scrubbed.

    Only a scalar value is blanked: an object under such a key (a column named `password`) keeps
    its shape, so the dbt docs site still reads it, and its strings are scrubbed like any other.
    """
    if isinstance(value, dict):
        return {
            k: (
                REDACTED
                if is_secret_key(k) and isinstance(v, str | int | float) and v != ""
                else redact_json(v)
            )
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):  # dataclasses.asdict keeps tuples
        return [redact_json(v) for v in value]
    if isinstance(value, str):
        return redact_text(value)
    return value


def redact_fields(value: T) -> T:
    """A copy of a (frozen) dataclass tree with every string field scrubbed by `redact_text`.

    The page is rendered from these objects and HTML-escaped afterwards (`'` becomes `&#39;`),
    so the text must be clean before rendering, not only in the written HTML.
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: redact_fields(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return dataclasses.replace(value, **changes)  # type: ignore[type-var]
    if isinstance(value, str):
        return redact_text(value)  # type: ignore[return-value]
    if isinstance(value, tuple | list):
        return type(value)(redact_fields(v) for v in value)  # type: ignore[return-value]
    if isinstance(value, dict):
        return {k: redact_fields(v) for k, v in value.items()}  # type: ignore[return-value]
    return value
