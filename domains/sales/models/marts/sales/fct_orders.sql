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

),

order_items as (

    select * from {{ ref('int_order_items_priced') }}

),

{% if is_incremental() %}
    -- Orders to re-merge: those changed since the newest change already
    -- merged, less a three-day lookback for late arrivals, whether the order
    -- itself moved (returns, shipping) or only one of its lines did.
    changed_orders as (

        select order_id from orders
        where updated_at >= {{ mesh_core.lookback_watermark('updated_at', 3) }}
        union distinct
        select order_id from order_items
        where updated_at >= {{ mesh_core.lookback_watermark('updated_at', 3) }}

    ),
{% endif %}

totals as (

    select
        order_id,
        count(*) as item_count,
        sum(quantity) as units,
        sum(gross_amount) as gross_amount,
        sum(discount_amount) as discount_amount,
        sum(net_amount) as net_amount,
        sum(cost_amount) as cost_amount,
        max(updated_at) as lines_updated_at
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
        -- The later of the order's and its lines' changes: what the
        -- incremental watermark reads back from this table.
        case
            when totals.lines_updated_at > orders.updated_at
                then totals.lines_updated_at
            else orders.updated_at
        end as updated_at,
        {{ mesh_core.audit_columns() }}
    from orders
    inner join totals
        on orders.order_id = totals.order_id
    {% if is_incremental() %}
        where orders.order_id in (select order_id from changed_orders)
    {% endif %}

)

select * from final
