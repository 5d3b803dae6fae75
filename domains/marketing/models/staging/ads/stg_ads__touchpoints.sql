with

source as (

    select * from {{ source('ads', 'touchpoints') }}

),

renamed as (

    select
        -- ids
        cast(id as bigint) as touchpoint_id,
        cast(customer_id as bigint) as customer_id,
        cast(campaign_id as bigint) as campaign_id,

        -- strings
        lower(touch_type) as touch_type,

        -- timestamps
        cast(touched_at as timestamp) as touched_at

    from source

)

select * from renamed
