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
        order_items.discount_amount,
        {{ mesh_core.to_money(
            'order_items.quantity * order_items.unit_price'
        ) }} as gross_amount,
        {{ mesh_core.to_money(
            'order_items.quantity * products.unit_cost'
        ) }} as cost_amount,
        order_items.updated_at
    from order_items
    inner join products
        on order_items.product_id = products.product_id

),

final as (

    select
        order_item_id,
        order_id,
        product_id,
        category,
        quantity,
        unit_price,
        gross_amount,
        discount_amount,
        {{ mesh_core.to_money('gross_amount - discount_amount') }}
            as net_amount,
        cost_amount,
        updated_at
    from priced

)

select * from final
