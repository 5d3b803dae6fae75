"""The breaking-change rules on small hand-made manifests, read by the typed loader: each kind
of break, and versions."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mesh.ci.breaking import BreakingReport, breaking_changes, load_manifests
from tests.manifests import manifest, model_node, write

FCT = "model.sales.fct_orders"
Nodes = dict[str, Any]
Manifests = dict[str, dict[str, Any]]


def model(name: str, columns: dict[str, str | None], **extra: Any) -> dict[str, Any]:
    project = extra.pop("package", "sales")
    node = model_node(project, name, columns, access="public", contract={"enforced": True})
    for col, column in node["columns"].items():
        column["constraints"] = [{"type": "not_null"}] if col == "id" else []
    node.update(extra)
    if node.get("version") is not None:
        node["unique_id"] = f"model.{project}.{name}.v{node['version']}"
    return node


def manifests() -> Manifests:
    sales = manifest("sales", model("fct_orders", {"id": "bigint", "net": "decimal(12, 2)"}))
    reader = model("int_sales_orders", {"id": "bigint"}, package="marketing", access="private")
    reader["depends_on"]["nodes"] = [FCT]
    return {"sales": sales, "marketing": manifest("marketing", reader)}


def changed(edit: Callable[[Nodes], object]) -> Manifests:
    current = copy.deepcopy(manifests())
    edit(current["sales"]["nodes"])
    return current


@pytest.fixture
def compare(tmp_path: Path) -> Callable[[Manifests, Manifests], BreakingReport]:
    """Write both sides' manifests, load them as `mesh ci breaking` does, compare."""
    runs = iter(range(1000))

    def run(prod: Manifests, current: Manifests) -> BreakingReport:
        base = tmp_path / str(next(runs))
        for side, documents in (("prod", prod), ("current", current)):
            for domain, document in documents.items():
                write(base / side / domain, document)
        return breaking_changes(
            load_manifests({d: base / "prod" / d for d in prod}),
            load_manifests({d: base / "current" / d for d in current}),
        )

    return run


def test_unchanged_contracts_and_added_columns_pass(compare: Callable[..., BreakingReport]) -> None:
    current = changed(
        lambda n: n[FCT]["columns"].update({"new": {"name": "new", "data_type": "int"}})
    )
    report = compare(manifests(), current)
    assert not report.breaks and not report.warnings


def test_each_kind_of_break_names_the_readers_in_other_domains(
    compare: Callable[..., BreakingReport],
) -> None:
    cases: dict[str, Callable[[Nodes], object]] = {
        "column 'net' removed": lambda n: n[FCT]["columns"].pop("net"),
        "column 'net' retyped from decimal(12, 2) to double": lambda n: n[FCT]["columns"][
            "net"
        ].update(data_type="double"),
        "not_null constraint dropped on column 'id'": lambda n: n[FCT]["columns"]["id"].update(
            constraints=[]
        ),
        "the contract is no longer enforced": lambda n: n[FCT].update(contract={"enforced": False}),
        "access changed from public to protected": lambda n: n[FCT].update(access="protected"),
        "the model was removed": lambda n: n.pop(FCT),
    }
    for change, edit in cases.items():
        report = compare(manifests(), changed(edit))
        assert [(b.model, b.change) for b in report.breaks] == [(FCT, change)]
        assert report.breaks[0].downstream == ("model.marketing.int_sales_orders",)
        assert report.downstream_domains == ["marketing"]


def test_a_dropped_model_level_constraint_breaks(compare: Callable[..., BreakingReport]) -> None:
    prod = manifests()
    key = {"type": "primary_key", "columns": ["id"]}
    prod["sales"]["nodes"][FCT]["constraints"] = [key]
    report = compare(prod, manifests())
    assert [b.change for b in report.breaks] == ["primary_key constraint dropped on the model"]


def test_type_spelling_is_not_a_change(compare: Callable[..., BreakingReport]) -> None:
    current = changed(lambda n: n[FCT]["columns"]["net"].update(data_type="DECIMAL(12,2)"))
    assert not compare(manifests(), current).breaks


def test_a_new_version_passes_with_a_warning_and_asks_for_a_deprecation_date(
    compare: Callable[..., BreakingReport],
) -> None:
    prod = manifests()
    prod["sales"]["nodes"][FCT]["version"] = 1
    for dated in (True, False):

        def add_v2(nodes: Nodes, dated: bool = dated) -> None:
            nodes[FCT]["version"] = 1
            if dated:
                nodes[FCT]["deprecation_date"] = "2027-01-01"
            nodes[FCT + ".v2"] = model("fct_orders", {"id": "bigint"}, version=2)

        report = compare(prod, changed(add_v2))
        assert not report.breaks
        (warning,) = report.warnings
        assert warning.model == FCT + ".v2"
        assert ("set a deprecation_date on v1" in warning.message) is not dated


def test_a_production_manifest_of_dbt_1_7_is_compared_too(
    compare: Callable[..., BreakingReport],
) -> None:
    """Production artifacts may predate the pull request's dbt: manifest v11 reads the same."""
    prod = manifests()
    for document in prod.values():
        document["metadata"]["dbt_schema_version"] = document["metadata"][
            "dbt_schema_version"
        ].replace("v12", "v11")
    report = compare(prod, changed(lambda n: n[FCT]["columns"].pop("net")))
    assert [b.change for b in report.breaks] == ["column 'net' removed"]
