with

orders as (

    select * from {{ ref('fct_orders') }}

),

daily as (

    select
        order_date,
        channel,
        count(*) as orders,
        sum(case when is_revenue then net_amount else 0 end) as net_revenue
    from orders
    group by order_date, channel

),

final as (

    select
        order_date,
        channel,
        cast(orders as bigint) as orders,
        {{ mesh_core.to_money('net_revenue') }} as net_revenue
    from daily

)

select * from final
