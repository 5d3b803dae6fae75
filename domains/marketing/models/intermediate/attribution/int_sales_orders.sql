{#
    The one place marketing reads the sales domain: the columns of the public,
    contracted `sales.fct_orders` that attribution needs. Keeping the
    cross-domain ref here also lets unit tests mock orders (dbt refuses
    unit-test fixtures for another project's models).
#}
with

orders as (

    select * from {{ ref('sales', 'fct_orders') }}

),

final as (

    select
        order_id,
        customer_id,
        ordered_at,
        is_revenue,
        net_amount
    from orders

)

select * from final
