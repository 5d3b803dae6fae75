"""Column-level lineage from compiled SQL: sqlglot's walk through CTEs, joins and aggregates, and
the edges of the project's marts against hand-written expectations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openlineage.client.serde import Serde

from publish.artifacts import load_domains
from publish.column_lineage import (
    ModelColumnLineage,
    Upstream,
    derive,
    facet,
    mesh_lineage,
    sqlglot_dialect,
)

ORDERS = Upstream("model.s.stg_orders", "db", "staging", "stg_orders", ("order_id", "amount", "ts"))
ITEMS = Upstream("model.s.stg_items", "db", "staging", "stg_items", ("order_id", "qty"))


def edges(result: ModelColumnLineage) -> dict[str, set[tuple[str, str, str]]]:
    return {
        c.column: {(i.node.split(".", 2)[-1], i.column, i.transformation[0]) for i in c.inputs}
        for c in result.columns
    }


def test_ctes_joins_and_aggregates() -> None:
    sql = """
        with orders as (select * from "db"."staging"."stg_orders"),
        items as (select order_id, sum(qty) as units from "db"."staging"."stg_items"
                  group by order_id),
        final as (
            select orders.order_id, orders.amount * 2 as doubled, items.units,
                   current_timestamp as loaded_at, count(*) over () as n
            from orders left join items on orders.order_id = items.order_id
        )
        select * from final
    """
    result = derive(
        "model.s.fct",
        sql,
        dialect="duckdb",
        upstreams=[ORDERS, ITEMS],
        output_columns=["order_id", "doubled", "units", "loaded_at", "n"],
    )
    assert not result.unresolved
    assert edges(result) == {
        "order_id": {("stg_orders", "order_id", "I")},
        "doubled": {("stg_orders", "amount", "T")},
        "units": {("stg_items", "qty", "A")},
        "loaded_at": set(),
        "n": set(),
    }


def test_star_over_a_table_function_keeps_the_column_name() -> None:
    source = Upstream(
        "source.s.raw.orders", None, "raw", "orders", (), "read_parquet('/data/orders.parquet')"
    )
    sql = """
        with source as (select * from read_parquet('/data/orders.parquet')),
        renamed as (select id as order_id, upper(status) as status from source)
        select * from renamed
    """
    result = derive(
        "model.s.stg",
        sql,
        dialect="duckdb",
        upstreams=[source],
        output_columns=["order_id", "status"],
    )
    assert edges(result) == {
        "order_id": {("raw.orders", "id", "I")},
        "status": {("raw.orders", "status", "T")},
    }


def test_what_cannot_be_resolved_is_reported_never_guessed() -> None:
    sql = """
        select o.order_id, x.secret, mystery
        from "db"."staging"."stg_orders" as o
        join "db"."other"."not_a_dependency" as x on o.order_id = x.order_id
    """
    result = derive(
        "model.s.fct",
        sql,
        dialect="duckdb",
        upstreams=[ORDERS],
        output_columns=["order_id", "secret", "mystery", "absent"],
    )
    assert edges(result) == {"order_id": {("stg_orders", "order_id", "I")}}
    reasons = {u.column: u.reason for u in result.unresolved}
    assert set(reasons) == {"secret", "mystery", "absent"}
    assert "not a dbt node it depends on" in reasons["secret"]
    assert "final select" in reasons["absent"]


def test_unparseable_sql_reports_every_column() -> None:
    result = derive(
        "model.s.bad", "select from where (", dialect="duckdb", upstreams=[], output_columns=["a"]
    )
    assert not result.columns
    assert [u.column for u in result.unresolved] == ["a"]
    assert "cannot analyse" in result.unresolved[0].reason


def test_a_parse_error_says_where_and_what_in_words() -> None:
    """Before: sqlglot's token repr (`<Token token_type: TokenType.L_BRACE, text: {, ...>`)."""
    result = derive(
        "model.s.raw",
        "select a from {{ ref('x') }}",  # uncompiled Jinja in compiled_code
        dialect="athena",
        upstreams=[],
        output_columns=["a", "b"],
    )
    reasons = {u.reason for u in result.unresolved}
    assert reasons == {
        "sqlglot cannot analyse the compiled SQL (line 1, column 15: Expected table name but "
        "got `{`)"
    }


def test_the_openlineage_facet_names_input_datasets_and_transformations() -> None:
    sql = """
        select o.order_id, o.amount * 2 as doubled, sum(i.qty) as units, 1 as one
        from "db"."staging"."stg_orders" as o
        left join "db"."staging"."stg_items" as i on o.order_id = i.order_id
        group by 1, 2
    """
    result = derive(
        "model.s.fct",
        sql,
        dialect="duckdb",
        upstreams=[ORDERS, ITEMS],
        output_columns=["order_id", "doubled", "units", "one"],
    )
    datasets = {"model.s.stg_orders": ("glue", "table/staging/stg_orders")}
    got = json.loads(Serde.to_json(facet(result, datasets)))
    fields = got["fields"]
    # stg_items has no dataset here: its input is left out, and `units` (only it) with it
    assert set(fields) == {"order_id", "doubled"}
    assert fields["order_id"] == {
        "inputFields": [
            {
                "namespace": "glue",
                "name": "table/staging/stg_orders",
                "field": "order_id",
                "transformations": [{"type": "DIRECT", "subtype": "IDENTITY"}],
            }
        ],
        "transformationType": "IDENTITY",
    }
    assert fields["doubled"]["inputFields"][0]["transformations"] == [
        {"type": "DIRECT", "subtype": "TRANSFORMATION"}
    ]
    assert "transformationType" not in fields["doubled"]
    assert facet(ModelColumnLineage("model.s.x"), datasets) is None


def test_dialects_from_adapter_types() -> None:
    assert sqlglot_dialect("athena") == "athena"
    assert sqlglot_dialect("duckdb") == "duckdb"
    assert sqlglot_dialect("snowflake") == "snowflake"
    assert sqlglot_dialect("no-such-adapter") is None
    assert sqlglot_dialect(None) is None


# --- the project's marts -------------------------------------------------------------------

IDENT, T, A = "I", "T", "A"
#: hand-written from the marts' SQL: output column -> {(upstream node, column, kind)}
EXPECTED_MARTS: dict[str, dict[str, set[tuple[str, str, str]]]] = {
    "model.customers.dim_customers.v2": {
        "customer_id": {("int_customers_joined", "customer_id", IDENT)},
        "email_domain": {("int_customers_joined", "email", T)},
        "signup_date": {("int_customers_joined", "created_at", T)},
        "points_balance": {("int_customers_joined", "points_balance", IDENT)},
    },
    "model.customers.dim_customers.v1": {
        "full_name": {
            ("int_customers_joined", "first_name", T),
            ("int_customers_joined", "last_name", T),
        },
        "loyalty_tier": {("int_customers_joined", "loyalty_tier", IDENT)},
    },
    "model.customers.fct_customer_signups": {
        "signup_date": {("int_customers_joined", "created_at", T)},
        "signups": set(),  # count(*): no input column
        "loyalty_members": {("int_customers_joined", "is_loyalty_member", A)},
    },
    "model.sales.fct_orders": {
        "is_revenue": {("stg_pos__orders", "order_status", T)},
        "order_date": {("stg_pos__orders", "ordered_at", T)},
        "units": {("int_order_items_priced", "quantity", A)},
        "margin_amount": {
            ("int_order_items_priced", "net_amount", A),
            ("int_order_items_priced", "cost_amount", A),
        },
        "item_count": set(),
    },
    "model.sales.fct_daily_sales": {
        "channel": {("fct_orders", "channel", IDENT)},
        "net_revenue": {("fct_orders", "net_amount", A), ("fct_orders", "is_revenue", A)},
    },
    "model.sales.dim_products": {
        "sku": {("stg_pos__products", "sku", IDENT)},
        "units_sold": {("int_order_items_priced", "quantity", A)},
    },
    "model.marketing.fct_campaign_performance": {
        "impressions": {("stg_ads__ad_spend", "impressions", A)},
        "attributed_revenue": {("int_orders_attributed_to_campaigns", "net_amount", A)},
        "return_on_ad_spend": {
            ("int_orders_attributed_to_campaigns", "net_amount", A),
            ("stg_ads__ad_spend", "spend_amount", A),
        },
    },
    "model.marketing.dim_campaigns": {
        "duration_days": {
            ("stg_ads__campaigns", "started_on", T),
            ("stg_ads__campaigns", "ended_on", T),
        },
    },
    # across domains: customers' public dim_customers v2 through dbt-loom
    "model.marketing.fct_customer_acquisition": {
        "customer_id": {("dim_customers.v2", "customer_id", IDENT)},
        "signup_date": {("dim_customers.v2", "signup_date", IDENT)},
        "first_order_id": {("int_sales_orders", "order_id", IDENT)},
        "days_to_first_order": {
            ("dim_customers.v2", "signup_date", T),
            ("int_sales_orders", "ordered_at", T),
        },
    },
    "model.marketing.int_sales_orders": {
        "net_amount": {("fct_orders", "net_amount", IDENT)},
    },
}


@pytest.mark.integration
def test_marts_column_lineage_matches_hand_written_edges(mesh_artifacts: Path) -> None:
    # compiled SQL and columns through the typed model, as the publisher reads them (the
    # artifacts of build + docs generate: other tests run `dbt source freshness` in the built
    # mesh, which rewrites manifest.json without compiled SQL)
    lineage = mesh_lineage(load_domains(Path("."), mesh_artifacts))
    unresolved = {uid: r.unresolved for uid, r in lineage.items() if r.unresolved}
    assert not unresolved, unresolved  # every column of every model resolves
    for uid, expected in EXPECTED_MARTS.items():
        got = edges(lineage[uid])
        for column, want in expected.items():
            assert got[column] == want, f"{uid}.{column}"
