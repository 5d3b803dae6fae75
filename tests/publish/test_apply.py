"""The apply engine schedules by dependency, not by stage: a listing starts as soon as its asset
is written, lineage starts at once, each API operation has its own lane, a failure skips what
depends on it (and only that), and a run sees the outcome of the targets applied before it."""

from __future__ import annotations

import threading

import pytest
from botocore.exceptions import ClientError

from publish.apply import Ledger, Outcome, Skip, apply_actions
from publish.plan import Action

WAIT = 10.0  # seconds a handler waits for something that must happen first; a failure if not


def _action(kind: str, name: str, operation: str, requires: tuple[str, ...] = ()) -> Action:
    return Action("datazone", kind, "create", name, operation=operation, requires=requires)


def _assets_listings_lineage(n: int) -> list[Action]:
    assets = [_action("asset", f"m{i}", "CreateAsset") for i in range(n)]
    listings = [
        _action("asset_listing", f"m{i}", "CreateListingChangeSet", (assets[i].id,))
        for i in range(n)
    ]
    lineage = [_action("lineage", f"m{i}", "PostLineageEvent") for i in range(n)]
    return [*assets, *listings, *lineage]


def test_listing_goes_once_its_asset_exists_and_lineage_at_once() -> None:
    """With one thread per operation, the second asset waits until the first listing and the
    first lineage post have started: a stage-by-stage apply would never get there."""
    first_listing, first_lineage = threading.Event(), threading.Event()
    order: list[str] = []
    lock = threading.Lock()

    def handler(action: Action) -> None:
        with lock:
            order.append(action.id)
        if action.kind == "asset_listing":
            first_listing.set()
        elif action.kind == "lineage":
            first_lineage.set()
        elif action.name != "m0":
            assert first_listing.wait(WAIT), "a listing waited for every asset"
            assert first_lineage.wait(WAIT), "lineage waited for the assets"

    actions = _assets_listings_lineage(5)
    result = apply_actions(actions, handler, concurrency=1)

    assert result.failures == [] and result.skipped == []
    assert len(result.done) == 15
    for i in range(5):  # and never a listing before its asset
        asset, listing = f"datazone:asset::m{i}", f"datazone:asset_listing::m{i}"
        assert order.index(asset) < order.index(listing)


def test_a_failure_skips_what_depends_on_it_and_only_that() -> None:
    error = ClientError(
        {"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "CreateAsset"
    )

    def handler(action: Action) -> None:
        if action.kind == "asset" and action.name == "m1":
            raise error

    actions = _assets_listings_lineage(3)
    product = _action("data_product", "p", "CreateDataProduct", tuple(a.id for a in actions[:3]))
    product_listing = _action("product_listing", "p", "CreateListingChangeSet", (product.id,))
    result = apply_actions([*actions, product, product_listing], handler)

    assert [(a.kind, a.name) for a, _ in result.failures] == [("asset", "m1")]
    skipped = {(a.kind, a.name): why for a, why in result.skipped}
    assert set(skipped) == {
        ("asset_listing", "m1"),
        ("data_product", "p"),
        ("product_listing", "p"),
    }
    assert skipped[("asset_listing", "m1")] == "requires asset create m1, which failed"
    assert skipped[("product_listing", "p")] == "requires data_product create p, which did not run"
    assert len(result.done) == 3 - 1 + 3 - 1 + 3  # the rest went through
    assert not result.ok


def test_a_handler_skip_is_recorded_and_skips_dependents() -> None:
    def handler(action: Action) -> None:
        if action.kind == "asset":
            raise Skip("glossary terms not in DataZone: Order")

    actions = _assets_listings_lineage(1)
    result = apply_actions(actions, handler)
    assert [why for _, why in result.skipped] == [
        "glossary terms not in DataZone: Order",
        "requires asset create m0, which did not run",
    ]
    assert [a.kind for a in result.done] == ["lineage"]


def test_the_ledger_carries_outcomes_from_one_target_to_the_next() -> None:
    ledger = Ledger()
    tags = [Action("lakeformation", "lf_tags", "assign", t, operation="Add") for t in "abc"]

    def fail_b(action: Action) -> None:
        if action.name == "b":
            raise ClientError({"Error": {"Code": "AccessDenied"}}, "AddLFTagsToResource")

    apply_actions(tags, fail_b, ledger=ledger)
    updates = [
        Action("glue", "table", "update", t, operation="UpdateTable", requires=(r,))
        for t, r in (("a", tags[0].id), ("b", tags[1].id), ("d", "lakeformation:lf_tags::d"))
    ]
    result = apply_actions(updates, lambda a: Outcome(retries=1), ledger=ledger)
    assert [a.name for a in result.done] == ["a"] and result.retries == 1
    reasons = dict((a.name, why) for a, why in result.skipped)
    assert reasons == {
        "b": "requires lakeformation:lf_tags::b (failed)",
        "d": "requires lakeformation:lf_tags::d (not planned)",
    }


def test_a_bug_in_a_handler_is_raised_not_recorded() -> None:
    def handler(action: Action) -> None:
        raise KeyError("bug")

    with pytest.raises(KeyError):
        apply_actions(_assets_listings_lineage(2), handler)


@pytest.mark.parametrize("concurrency", [1, 4])
def test_every_action_runs_once(concurrency: int) -> None:
    seen: list[str] = []
    lock = threading.Lock()

    def handler(action: Action) -> None:
        with lock:
            seen.append(action.id)

    actions = _assets_listings_lineage(50)
    progress: list[str] = []
    result = apply_actions(
        actions, handler, concurrency=concurrency, on_done=lambda a: progress.append(a.id)
    )
    assert sorted(seen) == sorted(a.id for a in actions) == sorted(progress)
    assert len(result.done) == 150
