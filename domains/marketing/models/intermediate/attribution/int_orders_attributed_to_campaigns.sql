with

orders as (

    select * from {{ ref('int_sales_orders') }}

),

touchpoints as (

    select * from {{ ref('stg_ads__touchpoints') }}

),

candidate_touches as (

    select
        orders.order_id,
        orders.customer_id,
        orders.ordered_at,
        orders.is_revenue,
        orders.net_amount,
        touchpoints.touchpoint_id,
        touchpoints.campaign_id,
        touchpoints.touched_at,
        row_number() over (
            partition by orders.order_id
            order by touchpoints.touched_at desc, touchpoints.touchpoint_id desc
        ) as touch_rank
    from orders
    inner join touchpoints
        on
            orders.customer_id = touchpoints.customer_id
            and orders.ordered_at >= touchpoints.touched_at
            and {{ dbt.dateadd(
                'day', -1 * var('attribution_window_days'), 'orders.ordered_at'
            ) }} <= touchpoints.touched_at

),

last_touch as (

    select
        order_id,
        customer_id,
        campaign_id,
        touchpoint_id,
        touched_at,
        ordered_at,
        is_revenue,
        net_amount
    from candidate_touches
    where touch_rank = 1

)

select * from last_touch
