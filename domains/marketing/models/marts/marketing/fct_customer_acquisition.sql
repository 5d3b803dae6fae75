with

customers as (

    select * from {{ ref('customers', 'dim_customers', v=2) }}

),

orders as (

    select * from {{ ref('int_sales_orders') }}

),

attributed_orders as (

    select * from {{ ref('int_orders_attributed_to_campaigns') }}

),

ranked_orders as (

    select
        order_id,
        customer_id,
        ordered_at,
        net_amount,
        row_number() over (
            partition by customer_id order by ordered_at, order_id
        ) as order_rank
    from orders

),

first_orders as (

    select * from ranked_orders
    where order_rank = 1

),

final as (

    select
        customers.customer_id,
        customers.signup_channel,
        customers.country_code,
        customers.signup_date,
        first_orders.order_id as first_order_id,
        first_orders.ordered_at as first_ordered_at,
        first_orders.net_amount as first_order_net_amount,
        attributed_orders.campaign_id as acquisition_campaign_id,
        -- Calendar days between the two dates: the same on DuckDB and Athena,
        -- whose date_diff on timestamps counts whole 24-hour periods instead.
        date_diff(
            'day', customers.signup_date, cast(first_orders.ordered_at as date)
        ) as days_to_first_order
    from customers
    left join first_orders
        on customers.customer_id = first_orders.customer_id
    left join attributed_orders
        on first_orders.order_id = attributed_orders.order_id

)

select * from final
