"""The portal of the session's built and documented mesh (`docs_mesh`, tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mesh.portal.collect import Portal, collect
from tests.meshcopy import domain_names

DOMAINS = tuple(domain_names())  # as domains/ holds them


@pytest.fixture(scope="session")
def portal(docs_mesh: Path) -> Portal:
    return collect(docs_mesh)
