{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key='order_id',
        on_schema_change='append_new_columns'
    )
}}

with

orders as (

    select * from {{ ref('stg_pos__orders') }}
    {% if is_incremental() %}
        -- Late changes to an order (returns, shipping) move updated_at; a
        -- three-day lookback re-merges orders touched around the last run.
        where updated_at >= {{ mesh_core.lookback_watermark('updated_at', 3) }}
    {% endif %}

),

order_items as (

    select * from {{ ref('int_order_items_priced') }}

),

totals as (

    select
        order_id,
        count(*) as item_count,
        sum(quantity) as units,
        sum(gross_amount) as gross_amount,
        sum(discount_amount) as discount_amount,
        sum(net_amount) as net_amount,
        sum(cost_amount) as cost_amount
    from order_items
    group by order_id

),

final as (

    select
        orders.order_id,
        orders.customer_id,
        orders.store_id,
        orders.channel,
        orders.order_status,
        orders.order_status in ('completed', 'shipped') as is_revenue,
        orders.ordered_at,
        cast(orders.ordered_at as date) as order_date,
        cast(totals.item_count as integer) as item_count,
        cast(totals.units as integer) as units,
        {{ mesh_core.to_money('totals.gross_amount') }} as gross_amount,
        {{ mesh_core.to_money('totals.discount_amount') }} as discount_amount,
        {{ mesh_core.to_money('totals.net_amount') }} as net_amount,
        {{ mesh_core.to_money('totals.net_amount - totals.cost_amount') }}
            as margin_amount,
        orders.updated_at,
        {{ mesh_core.audit_columns() }}
    from orders
    inner join totals
        on orders.order_id = totals.order_id

)

select * from final
