"""Mart values computed straight from the raw Parquet files, in plain Python.

Deliberately independent of the dbt SQL: no DuckDB, no shared macros, just the
business rules as the model descriptions state them.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

REVENUE_STATUSES = {"completed", "shipped"}
ATTRIBUTION_WINDOW = timedelta(days=30)


def rows(raw: Path, table: str) -> list[dict[str, Any]]:
    return pq.read_table(raw / f"{table}.parquet").to_pylist()


def money(value: float) -> Decimal:
    """An amount in cents as the mesh rounds it: half a cent rounds up (1.005 -> 1.01)."""
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def trimmed(text: str) -> str:
    """Leading and trailing ASCII whitespace removed (tabs and newlines too)."""
    return text.strip(" \t\n\v\f\r")


def email_domain(email: str) -> str | None:
    """What follows the first '@' of the cleaned address, None without one."""
    address = trimmed(email).lower()
    return address.split("@")[1] if "@" in address else None


def order_totals(raw: Path) -> dict[int, dict[str, Any]]:
    """order_id -> net amount, units, revenue flag and last change, from orders and lines."""
    totals: dict[int, dict[str, Any]] = {}
    for order in rows(raw, "pos/orders"):
        totals[order["id"]] = {
            "customer_id": order["customer_id"],
            "ordered_at": order["ordered_at"],
            "is_revenue": order["status"] in REVENUE_STATUSES,
            "net_amount": Decimal("0.00"),
            "units": 0,
            "updated_at": order["updated_at"],
        }
    for item in rows(raw, "pos/order_items"):
        order = totals[item["order_id"]]
        line = money(item["unit_price"]) * item["quantity"] - money(item["discount_amount"])
        order["net_amount"] += line
        order["units"] += item["quantity"]
        order["updated_at"] = max(order["updated_at"], item["updated_at"])
    return totals


def campaign_performance(raw: Path) -> dict[int, dict[str, Any]]:
    """campaign_id -> spend, attributed revenue orders and revenue (last touch, 30 days)."""
    orders = order_totals(raw)
    touches_by_customer: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for touch in rows(raw, "ads/touchpoints"):
        touches_by_customer[touch["customer_id"]].append(touch)
    result: dict[int, dict[str, Any]] = {
        c["id"]: {"spend": Decimal("0.00"), "orders": 0, "revenue": Decimal("0.00")}
        for c in rows(raw, "ads/campaigns")
    }
    for spend in rows(raw, "ads/ad_spend"):
        result[spend["campaign_id"]]["spend"] += money(spend["spend"])
    for order in orders.values():
        eligible = [
            t
            for t in touches_by_customer[order["customer_id"]]
            if order["ordered_at"] - ATTRIBUTION_WINDOW <= t["touched_at"] <= order["ordered_at"]
        ]
        if not eligible or not order["is_revenue"]:
            continue
        winner = max(eligible, key=lambda t: (t["touched_at"], t["id"]))
        result[winner["campaign_id"]]["orders"] += 1
        result[winner["campaign_id"]]["revenue"] += order["net_amount"]
    return result


def loyalty_tiers(raw: Path) -> dict[int, str]:
    """customer_id -> loyalty tier, `none` for customers without a membership."""
    tiers = {c["id"]: "none" for c in rows(raw, "crm/customers")}
    for member in rows(raw, "crm/loyalty_members"):
        tiers[member["customer_id"]] = member["tier"]
    return tiers
