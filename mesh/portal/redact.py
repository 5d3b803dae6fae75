"""Keep credentials, account ids and endpoint URLs out of the portal.

Everything the portal writes passes through here: the page and `mesh.json` as text, the copied
dbt docs JSON structurally (secret-named keys lose their value, every string is scrubbed).
The portal is for consumers; a build's environment (a moto or emulator endpoint, an access key
in a description by mistake) has no place in it.
"""

from __future__ import annotations

import re
from typing import Any

REDACTED = "[redacted]"

_PATTERNS = [
    # AWS access key ids (long-term and temporary)
    re.compile(r"\b(?:AKIA|ASIA|AROA|AIDA)[0-9A-Z]{16}\b"),
    # `aws_secret_access_key = ...`, `aws_session_token: ...` and the bare names
    re.compile(r"(?i)\baws_(?:secret|session)\w*(?:\s*[:=]\s*[\"']?[^\s\"',;]+)?"),
    # ARNs carry account ids
    re.compile(r"\barn:aws[\w-]*:[\w-]*:[\w-]*:\d{12}:[^\s\"'<>]*"),
    # endpoint URLs: loopback, private networks, AWS service hosts
    re.compile(
        r"(?i)\b(?:https?|wss?)://(?:[^/\s\"'<>@]*@)?(?:localhost|127(?:\.\d{1,3}){3}|0\.0\.0\.0|"
        r"\[::1\]|10(?:\.\d{1,3}){3}|192\.168(?:\.\d{1,3}){2}|172\.(?:1[6-9]|2\d|3[01])"
        r"(?:\.\d{1,3}){2}|[\w.-]+\.amazonaws\.com(?:\.cn)?)(?::\d+)?[^\s\"'<>]*"
    ),
    re.compile(r"(?i)\b[\w.-]+\.amazonaws\.com(?:\.cn)?\b"),
]

_SECRET_KEY = re.compile(
    r"(?i)(secret|password|passwd|token|credential|access_key|private_key|account_id)"
)


def redact_text(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(REDACTED, text)
    return text


def redact_json(value: Any) -> Any:
    """A copy of a JSON document with secret-named keys blanked and every string scrubbed."""
    if isinstance(value, dict):
        return {
            k: (REDACTED if _SECRET_KEY.search(k) and isinstance(v, str) and v else redact_json(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact_json(v) for v in value]
    if isinstance(value, str):
        return redact_text(value)
    return value
