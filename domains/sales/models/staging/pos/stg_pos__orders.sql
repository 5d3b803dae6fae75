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
        cast(ordered_at as timestamp) as ordered_at,
        cast(updated_at as timestamp) as updated_at

    from source

)

select * from renamed
