"""One content hash for everything the publisher fingerprints (DataZone content hashes, client
tokens, the drift records). Standard library only: the CLI imports it at start-up."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def content_hash(value: Any) -> str:
    """SHA-256 (64 hex chars) of the canonical JSON of `value` (sorted keys, no spaces)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()
