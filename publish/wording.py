"""How the publisher's messages name many things: a few of them, then how many more."""

from __future__ import annotations

from collections.abc import Sequence


def some(names: Sequence[str], shown: int = 5) -> str:
    """The first `shown` names, then how many more: `a, b, c, d, e (+7 more)`."""
    more = f" (+{len(names) - shown} more)" if len(names) > shown else ""
    return f"{', '.join(names[:shown])}{more}"
