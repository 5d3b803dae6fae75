with

products as (

    select * from {{ ref('stg_pos__products') }}

),

order_items as (

    select * from {{ ref('int_order_items_priced') }}

),

orders as (

    select * from {{ ref('stg_pos__orders') }}

),

product_sales as (

    select
        order_items.product_id,
        sum(order_items.quantity) as units_sold,
        sum(order_items.net_amount) as net_revenue
    from order_items
    inner join orders
        on order_items.order_id = orders.order_id
    where orders.order_status in ('completed', 'shipped')
    group by order_items.product_id

),

final as (

    select
        products.product_id,
        products.sku,
        products.product_name,
        products.category,
        products.unit_cost,
        products.list_price,
        products.is_active,
        cast(coalesce(product_sales.units_sold, 0) as bigint) as units_sold,
        {{ mesh_core.to_money('coalesce(product_sales.net_revenue, 0)') }}
            as net_revenue,
        {{ mesh_core.audit_columns() }}
    from products
    left join product_sales
        on products.product_id = product_sales.product_id

)

select * from final
