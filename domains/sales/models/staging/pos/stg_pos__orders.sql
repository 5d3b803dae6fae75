with

source as (

    select * from {{ source('pos', 'orders') }}

),

renamed as (

    select
        -- ids
        cast(id as bigint) as order_id,
        cast(customer_id as bigint) as customer_id,
        cast(store_id as integer) as store_id,

        -- strings
        lower(channel) as channel,
        lower(status) as order_status,

        -- timestamps
        {{ mesh_core.cast_timestamp('ordered_at') }} as ordered_at,
        {{ mesh_core.cast_timestamp('updated_at') }} as updated_at

    from source

)

select * from renamed
