with

order_items as (

    select * from {{ ref('stg_pos__order_items') }}

),

products as (

    select * from {{ ref('stg_pos__products') }}

),

priced as (

    select
        order_items.order_item_id,
        order_items.order_id,
        order_items.product_id,
        products.category,
        order_items.quantity,
        order_items.unit_price,
        {{ mesh_core.to_money('order_items.quantity * order_items.unit_price') }}
            as gross_amount,
        order_items.discount_amount,
        {{ mesh_core.to_money(
            'order_items.quantity * order_items.unit_price'
            ~ ' - order_items.discount_amount'
        ) }} as net_amount,
        {{ mesh_core.to_money('order_items.quantity * products.unit_cost') }}
            as cost_amount
    from order_items
    inner join products
        on order_items.product_id = products.product_id

)

select * from priced
