with

source as (

    select * from {{ source('pos', 'order_items') }}

),

renamed as (

    select
        -- ids
        cast(id as bigint) as order_item_id,
        cast(order_id as bigint) as order_id,
        cast(product_id as bigint) as product_id,

        -- numerics
        cast(quantity as integer) as quantity,
        {{ mesh_core.to_money('unit_price') }} as unit_price,
        {{ mesh_core.to_money('discount_amount') }} as discount_amount,

        -- timestamps
        {{ mesh_core.cast_timestamp('updated_at') }} as updated_at

    from source

)

select * from renamed
