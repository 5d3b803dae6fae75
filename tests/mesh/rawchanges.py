"""The next day's point-of-sale extract, for incremental builds: what changed since the last one.

Some orders change (returned), some order lines change without their order (a quantity
corrected: only the line's `updated_at` moves), and new orders arrive. Deterministic, so a
DuckDB and an Athena build of the same files can be compared row for row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

NEW_ORDERS = 12


@dataclass(frozen=True)
class NextDay:
    changed_orders: frozenset[int]  # the order row itself changed
    line_only_orders: frozenset[int]  # only one of the order's lines changed
    new_orders: frozenset[int]


def write_next_day(raw: Path) -> NextDay:
    """Rewrite raw/pos/orders and order_items as the next day's extract."""
    orders = _read(raw, "orders")
    items = _read(raw, "order_items")
    loaded = max(o["_loaded_at"] for o in orders)
    changed = {o["id"] for o in orders if o["id"] % 97 == 5}
    for order in orders:
        if order["id"] in changed:
            order["status"], order["updated_at"] = "returned", loaded + timedelta(hours=5)
    line_only: set[int] = set()
    for item in items:
        if item["id"] % 101 == 7 and item["order_id"] not in changed:
            item["quantity"] += 1
            item["updated_at"] = loaded + timedelta(hours=6)
            line_only.add(item["order_id"])
    new = _new_orders(orders, items, loaded)
    for row in orders + items:
        row["_loaded_at"] = loaded + timedelta(days=1)
    _write(raw, "orders", orders)
    _write(raw, "order_items", items)
    return NextDay(frozenset(changed), frozenset(line_only), frozenset(new))


def _new_orders(orders: list[dict[str, Any]], items: list[dict[str, Any]], loaded: Any) -> set[int]:
    first_order, first_item = max(o["id"] for o in orders) + 1, max(i["id"] for i in items) + 1
    templates = items[:: max(1, len(items) // NEW_ORDERS)][:NEW_ORDERS]
    for n, template in enumerate(templates):
        ordered = loaded + timedelta(hours=2 + n)
        orders.append(
            {
                **orders[n * 7],
                "id": first_order + n,
                "channel": "online",
                "store_id": None,
                "status": "completed",
                "ordered_at": ordered,
                "updated_at": ordered,
            }
        )
        items.append(
            {
                **template,
                "id": first_item + n,
                "order_id": first_order + n,
                "discount_amount": 0.0,
                "updated_at": ordered,
            }
        )
    return set(range(first_order, first_order + len(templates)))


def _read(raw: Path, table: str) -> list[dict[str, Any]]:
    return pq.read_table(raw / "pos" / f"{table}.parquet").to_pylist()


def _write(raw: Path, table: str, rows: list[dict[str, Any]]) -> None:
    path = raw / "pos" / f"{table}.parquet"
    schema = pq.read_schema(path)
    tmp = path.with_suffix(".parquet.tmp")
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), tmp)
    tmp.replace(path)
