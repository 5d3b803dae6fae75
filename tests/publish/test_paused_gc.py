"""`paused_gc`: the collector is off while a large model is built, and the objects of a large
build are frozen instead of scanned, yet still freed when their last reference goes."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from publish.artifacts import paused_gc


class _Record:
    """A tracked object (a plain class instance), like the tuples and lists a load builds."""


@pytest.fixture(autouse=True)
def _unfrozen() -> Iterator[None]:
    yield
    gc.unfreeze()  # back to the collector's oldest generation: the suite runs on as before


def test_the_collector_is_off_inside_and_as_it_was_after() -> None:
    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()  # a caller's own pause is kept
    finally:
        gc.enable()


def test_a_large_build_is_frozen_and_still_freed_by_reference_counting() -> None:
    frozen = gc.get_freeze_count()
    with paused_gc():
        built = [_Record() for _ in range(100_000)]
    assert gc.get_freeze_count() >= frozen + len(built)
    probe = weakref.ref(built[0])
    del built
    assert probe() is None


def test_a_small_build_is_left_to_the_collector() -> None:
    gc.collect()
    frozen = gc.get_freeze_count()
    with paused_gc():
        built = [_Record() for _ in range(100)]
    assert gc.get_freeze_count() == frozen
    assert built
