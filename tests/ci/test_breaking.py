"""The breaking-change rules on small hand-made manifests: each kind of break, and versions."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from mesh.ci.breaking import breaking_changes

FCT = "model.sales.fct_orders"
Nodes = dict[str, Any]


def model(name: str, columns: dict[str, str], **extra: Any) -> dict[str, Any]:
    node = {
        "resource_type": "model",
        "package_name": extra.pop("package", "sales"),
        "name": name,
        "access": "public",
        "contract": {"enforced": True},
        "constraints": [],
        "columns": {
            col: {"data_type": dt, "constraints": [{"type": "not_null"}] if col == "id" else []}
            for col, dt in columns.items()
        },
        "depends_on": {"nodes": []},
        "version": None,
    }
    node.update(extra)
    return node


def manifests() -> dict[str, dict[str, Any]]:
    sales = {"nodes": {FCT: model("fct_orders", {"id": "bigint", "net": "decimal(12, 2)"})}}
    reader = model("int_sales_orders", {"id": "bigint"}, package="marketing", access="private")
    reader["depends_on"]["nodes"] = [FCT]
    marketing = {"nodes": {"model.marketing.int_sales_orders": reader}}
    return {"sales": sales, "marketing": marketing}


def changed(edit: Callable[[Nodes], object]) -> dict[str, dict[str, Any]]:
    current = copy.deepcopy(manifests())
    edit(current["sales"]["nodes"])
    return current


def test_unchanged_contracts_and_added_columns_pass() -> None:
    current = changed(lambda n: n[FCT]["columns"].update({"new": {"data_type": "int"}}))
    report = breaking_changes(manifests(), current)
    assert not report.breaks and not report.warnings


def test_each_kind_of_break_names_the_readers_in_other_domains() -> None:
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
        report = breaking_changes(manifests(), changed(edit))
        assert [(b.model, b.change) for b in report.breaks] == [(FCT, change)]
        assert report.breaks[0].downstream == ("model.marketing.int_sales_orders",)
        assert report.downstream_domains == ["marketing"]


def test_type_spelling_is_not_a_change() -> None:
    current = changed(lambda n: n[FCT]["columns"]["net"].update(data_type="DECIMAL(12,2)"))
    assert not breaking_changes(manifests(), current).breaks


def test_a_new_version_passes_with_a_warning_and_asks_for_a_deprecation_date() -> None:
    prod = manifests()
    prod["sales"]["nodes"][FCT]["version"] = 1
    for dated in (True, False):

        def add_v2(nodes: Nodes, dated: bool = dated) -> None:
            nodes[FCT]["version"] = 1
            if dated:
                nodes[FCT]["deprecation_date"] = "2027-01-01"
            nodes[FCT + ".v2"] = model("fct_orders", {"id": "bigint"}, version=2)

        report = breaking_changes(prod, changed(add_v2))
        assert not report.breaks
        (warning,) = report.warnings
        assert warning.model == FCT + ".v2"
        assert ("set a deprecation_date on v1" in warning.message) is not dated
