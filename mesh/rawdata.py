"""Seeded generator of the raw retail data that the domains' sources read.

Writes one Parquet file per source table under ``<out>/<system>/<table>.parquet``.
The same (seed, scale, as_of) always gives byte-identical content, so tests can
compute expected mart values from the files independently of the dbt SQL.

The data carries the edge cases on which engines quietly disagree, at fixed
positions (ids), so that building it on DuckDB and running the Athena SQL over
it proves the mesh core macros mean the same on both: amounts with half a cent
(1.005 rounds to 1.01, not to the binary double's 1.00), e-mail addresses
without an '@', names padded with tabs, newlines and carriage returns, and
order lines changed after their order last was.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

FIRST_NAMES = [
    "Ava", "Liam", "Noah", "Emma", "Olivia", "Mia", "Lucas", "Sofia", "Mateo", "Amara",
    "Yuki", "Chen", "Priya", "Omar", "Fatima", "Jonas", "Ingrid", "Diego", "Zoe", "Kwame",
]  # fmt: skip
LAST_NAMES = [
    "Smith", "Garcia", "Müller", "Rossi", "Tanaka", "Kim", "Patel", "Okafor", "Silva",
    "Novak", "Dubois", "Andersen", "Cohen", "Haddad", "Nguyen", "O'Brien", "Kowalski",
]  # fmt: skip
CITIES = {
    "US": ["Seattle", "Austin", "Boston"],
    "DE": ["Berlin", "Munich"],
    "FR": ["Paris", "Lyon"],
    "GB": ["London", "Leeds"],
    "JP": ["Tokyo", "Osaka"],
}
SIGNUP_CHANNELS = ["web", "store", "app", "referral"]
LOYALTY_TIERS = ["bronze", "silver", "gold", "platinum"]
CATEGORIES = ["apparel", "footwear", "home", "beauty", "electronics", "outdoor"]
ORDER_STATUSES = ["completed", "completed", "completed", "shipped", "returned", "cancelled"]
CAMPAIGN_CHANNELS = ["search", "social", "email", "display"]
OBJECTIVES = ["acquisition", "retention", "awareness"]
TOUCH_TYPES = ["click", "view", "email_open"]

# Row counts at scale 1; every count grows linearly with the scale knob.
BASE_COUNTS = {"customers": 2_000, "products": 150, "orders": 8_000, "campaigns": 24}
TOUCHPOINTS_PER_CUSTOMER = 6


@dataclass(frozen=True)
class RawDataSpec:
    """What to generate: the seed, the scale knob and the day the data is 'as of'."""

    seed: int = 42
    scale: float = 1.0
    as_of: date = date(2026, 11, 1)

    def count(self, entity: str) -> int:
        return max(1, round(BASE_COUNTS[entity] * self.scale))

    @property
    def loaded_at(self) -> datetime:
        # The extract covers everything before midnight starting the as-of day, so with the
        # default as-of (today) no event lies in the future, whatever the hour.
        return datetime.combine(self.as_of, time(0, 0))

    @property
    def window_start(self) -> datetime:
        return datetime.combine(self.as_of - timedelta(days=365), time(0, 0))


def _moment(rng: random.Random, start: datetime, end: datetime) -> datetime:
    seconds = int((end - start).total_seconds())
    return start + timedelta(seconds=rng.randrange(max(1, seconds)))


def _money(value: float) -> float:
    return round(value + 1e-9, 2)


def _half_cent(value: float) -> float:
    """A price with half a cent more: 12.34 -> 12.345 (the rounding edge case)."""
    return round(_money(value) + 0.005, 3)


# Every n-th record (by id) carries an edge case; primes, so cases also combine.
HALF_CENT_EVERY = 7
NO_AT_SIGN_EVERY = 97
TAB_NEWLINE_EVERY = 19
CARRIAGE_RETURN_EVERY = 23
LINE_CHANGED_LATER_EVERY = 9


def _customers(spec: RawDataSpec, rng: random.Random) -> dict[str, list]:
    cols: dict[str, list] = {
        k: []
        for k in (
            "id", "first_name", "last_name", "email", "phone", "country_code", "city",
            "signup_channel", "created_at", "updated_at", "_loaded_at",
        )
    }  # fmt: skip
    for i in range(1, spec.count("customers") + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        country = rng.choice(list(CITIES))
        created = _moment(rng, spec.window_start, spec.loaded_at - timedelta(days=1))
        # Raw CRM data is messy on purpose: names padded with spaces, tabs,
        # newlines and carriage returns, mixed-case emails, emails without '@'.
        cols["id"].append(i)
        if i % TAB_NEWLINE_EVERY == 0:
            first = f"\t{first}\n"
        cols["first_name"].append(f" {first}" if i % 17 == 0 else first)
        cols["last_name"].append(f"{last}\r\n" if i % CARRIAGE_RETURN_EVERY == 0 else last)
        handle = f"{first.strip()}.{last}".replace("'", "").replace("ü", "u")
        email = f"{handle}{i}@Example.COM" if i % 5 == 0 else f"{handle}{i}@example.com"
        if i % NO_AT_SIGN_EVERY == 0:
            email = email.replace("@", ".at.")
        cols["email"].append(f" {email}\t" if i % TAB_NEWLINE_EVERY == 0 else email)
        cols["phone"].append(f"+1-555-{rng.randrange(10_000):04d}")
        cols["country_code"].append(country)
        cols["city"].append(rng.choice(CITIES[country]))
        cols["signup_channel"].append(rng.choice(SIGNUP_CHANNELS))
        cols["created_at"].append(created)
        cols["updated_at"].append(min(created + timedelta(days=rng.randrange(30)), spec.loaded_at))
        cols["_loaded_at"].append(spec.loaded_at)
    return cols


def _loyalty_members(spec: RawDataSpec, rng: random.Random, customers: dict) -> dict[str, list]:
    cols: dict[str, list] = {
        k: [] for k in ("id", "customer_id", "tier", "points_balance", "enrolled_at", "_loaded_at")
    }
    member_id = 0
    for customer_id, created in zip(customers["id"], customers["created_at"], strict=True):
        if rng.random() < 0.6:
            member_id += 1
            cols["id"].append(member_id)
            cols["customer_id"].append(customer_id)
            cols["tier"].append(rng.choices(LOYALTY_TIERS, weights=[50, 30, 15, 5])[0])
            cols["points_balance"].append(rng.randrange(0, 20_000))
            cols["enrolled_at"].append(_moment(rng, created, spec.loaded_at))
            cols["_loaded_at"].append(spec.loaded_at)
    return cols


def _products(spec: RawDataSpec, rng: random.Random) -> dict[str, list]:
    cols: dict[str, list] = {
        k: []
        for k in (
            "id", "sku", "name", "category", "unit_cost", "list_price", "is_active", "_loaded_at",
        )
    }  # fmt: skip
    for i in range(1, spec.count("products") + 1):
        category = rng.choice(CATEGORIES)
        cost = _money(rng.uniform(3, 120))
        price = _money(cost * rng.uniform(1.3, 2.5))
        cols["id"].append(i)
        cols["sku"].append(f"{category[:3].upper()}-{i:05d}")
        cols["name"].append(f"{category.title()} item {i}")
        cols["category"].append(category)
        cols["unit_cost"].append(_half_cent(cost) if i % HALF_CENT_EVERY == 0 else cost)
        cols["list_price"].append(_half_cent(price) if i % HALF_CENT_EVERY == 3 else price)
        cols["is_active"].append(rng.random() > 0.1)
        cols["_loaded_at"].append(spec.loaded_at)
    return cols


def _orders_and_items(
    spec: RawDataSpec, rng: random.Random, customers: dict, products: dict
) -> tuple[dict[str, list], dict[str, list]]:
    orders: dict[str, list] = {
        k: []
        for k in (
            "id", "customer_id", "store_id", "channel", "status", "ordered_at", "updated_at",
            "_loaded_at",
        )
    }  # fmt: skip
    items: dict[str, list] = {
        k: []
        for k in (
            "id", "order_id", "product_id", "quantity", "unit_price", "discount_amount",
            "updated_at", "_loaded_at",
        )
    }  # fmt: skip
    item_id = 0
    n_customers = len(customers["id"])
    for order_id in range(1, spec.count("orders") + 1):
        idx = rng.randrange(n_customers)
        created = customers["created_at"][idx]
        ordered = _moment(rng, created, spec.loaded_at)
        channel = rng.choice(["online", "store"])
        status = rng.choice(ORDER_STATUSES)
        orders["id"].append(order_id)
        orders["customer_id"].append(customers["id"][idx])
        orders["store_id"].append(None if channel == "online" else rng.randrange(1, 13))
        orders["channel"].append(channel)
        orders["status"].append(status)
        order_updated = min(ordered + timedelta(hours=rng.randrange(240)), spec.loaded_at)
        orders["ordered_at"].append(ordered)
        orders["updated_at"].append(order_updated)
        orders["_loaded_at"].append(spec.loaded_at)
        for _ in range(rng.randint(1, 4)):
            item_id += 1
            p = rng.randrange(len(products["id"]))
            quantity = rng.randint(1, 3)
            price = products["list_price"][p]
            discounted = rng.random() < 0.25
            discount = _money(price * quantity * 0.1) if discounted else 0.0
            if discounted and item_id % HALF_CENT_EVERY == 0:
                discount = _half_cent(discount)
            # A line is written with its order; some change later (a quantity
            # corrected, a price matched) without touching the order's row.
            line_updated = ordered
            if item_id % LINE_CHANGED_LATER_EVERY == 0:
                later = order_updated + timedelta(hours=1 + item_id * 7 % 72)
                line_updated = min(later, spec.loaded_at)
            items["id"].append(item_id)
            items["order_id"].append(order_id)
            items["product_id"].append(products["id"][p])
            items["quantity"].append(quantity)
            items["unit_price"].append(price)
            items["discount_amount"].append(discount)
            items["updated_at"].append(line_updated)
            items["_loaded_at"].append(spec.loaded_at)
    return orders, items


def _campaigns(spec: RawDataSpec, rng: random.Random) -> dict[str, list]:
    cols: dict[str, list] = {
        k: []
        for k in (
            "id", "name", "channel", "objective", "budget", "started_on", "ended_on", "_loaded_at",
        )
    }  # fmt: skip
    for i in range(1, spec.count("campaigns") + 1):
        start = spec.as_of - timedelta(days=rng.randrange(30, 360))
        channel = rng.choice(CAMPAIGN_CHANNELS)
        cols["id"].append(i)
        cols["name"].append(f"{channel}-{start:%Y%m}-{i:03d}")
        cols["channel"].append(channel)
        cols["objective"].append(rng.choice(OBJECTIVES))
        cols["budget"].append(_money(rng.uniform(5_000, 50_000)))
        cols["started_on"].append(start)
        cols["ended_on"].append(min(start + timedelta(days=rng.randrange(14, 90)), spec.as_of))
        cols["_loaded_at"].append(spec.loaded_at)
    return cols


def _ad_spend(spec: RawDataSpec, rng: random.Random, campaigns: dict) -> dict[str, list]:
    cols: dict[str, list] = {
        k: []
        for k in (
            "id", "campaign_id", "spend_date", "impressions", "clicks", "spend", "_loaded_at",
        )
    }  # fmt: skip
    spend_id = 0
    for campaign_id, start, end in zip(
        campaigns["id"], campaigns["started_on"], campaigns["ended_on"], strict=True
    ):
        day = start
        while day <= end:
            spend_id += 1
            impressions = rng.randrange(500, 20_000)
            cols["id"].append(spend_id)
            cols["campaign_id"].append(campaign_id)
            cols["spend_date"].append(day)
            cols["impressions"].append(impressions)
            cols["clicks"].append(rng.randrange(0, max(1, impressions // 20)))
            spend = _money(rng.uniform(50, 900))
            cols["spend"].append(_half_cent(spend) if spend_id % HALF_CENT_EVERY == 0 else spend)
            cols["_loaded_at"].append(spec.loaded_at)
            day += timedelta(days=1)
    return cols


def _touchpoints(
    spec: RawDataSpec, rng: random.Random, customers: dict, campaigns: dict
) -> dict[str, list]:
    cols: dict[str, list] = {
        k: []
        for k in ("id", "customer_id", "campaign_id", "touched_at", "touch_type", "_loaded_at")
    }
    n = spec.count("customers") * TOUCHPOINTS_PER_CUSTOMER
    for i in range(1, n + 1):
        c = rng.randrange(len(campaigns["id"]))
        start = datetime.combine(campaigns["started_on"][c], time(0, 0))
        end = datetime.combine(campaigns["ended_on"][c], time(23, 59))
        cols["id"].append(i)
        cols["customer_id"].append(customers["id"][rng.randrange(len(customers["id"]))])
        cols["campaign_id"].append(campaigns["id"][c])
        cols["touched_at"].append(_moment(rng, start, min(end, spec.loaded_at)))
        cols["touch_type"].append(rng.choice(TOUCH_TYPES))
        cols["_loaded_at"].append(spec.loaded_at)
    return cols


def generate_tables(spec: RawDataSpec) -> dict[str, dict[str, list]]:
    """Every raw table as columns of Python values, keyed by ``<system>/<table>``."""
    rng = random.Random(spec.seed)
    customers = _customers(spec, rng)
    products = _products(spec, rng)
    orders, items = _orders_and_items(spec, rng, customers, products)
    campaigns = _campaigns(spec, rng)
    steps: dict[str, Callable[[], dict[str, list]]] = {
        "crm/loyalty_members": lambda: _loyalty_members(spec, rng, customers),
        "ads/ad_spend": lambda: _ad_spend(spec, rng, campaigns),
        "ads/touchpoints": lambda: _touchpoints(spec, rng, customers, campaigns),
    }
    tables = {
        "crm/customers": customers,
        "pos/products": products,
        "pos/orders": orders,
        "pos/order_items": items,
        "ads/campaigns": campaigns,
    }
    tables.update({name: make() for name, make in steps.items()})
    return tables


def write_raw_data(spec: RawDataSpec, out_dir: Path) -> dict[str, int]:
    """Write every raw table as Parquet; returns the row count per table.

    Every table is written beside its file first and the files are replaced only once all are
    written: an interrupted run leaves the previous raw data whole, never a mix of two runs.
    """
    counts: dict[str, int] = {}
    written: list[tuple[Path, Path]] = []
    try:
        for name, columns in generate_tables(spec).items():
            path = out_dir / f"{name}.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            table = pa.table(columns)
            tmp = path.with_suffix(".parquet.tmp")
            pq.write_table(table, tmp)
            written.append((tmp, path))
            counts[name] = table.num_rows
        for tmp, path in written:
            tmp.replace(path)
    finally:
        for tmp, _ in written:
            tmp.unlink(missing_ok=True)
    return counts
