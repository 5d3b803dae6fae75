with

source as (

    select * from {{ source('pos', 'products') }}

),

renamed as (

    select
        -- ids
        cast(id as bigint) as product_id,

        -- strings
        sku,
        name as product_name,
        lower(category) as category,

        -- numerics
        {{ mesh_core.to_money('unit_cost') }} as unit_cost,
        {{ mesh_core.to_money('list_price') }} as list_price,

        -- booleans
        cast(is_active as boolean) as is_active

    from source

)

select * from renamed
