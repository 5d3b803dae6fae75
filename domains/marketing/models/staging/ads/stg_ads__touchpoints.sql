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
        {{ mesh_core.cast_timestamp('touched_at') }} as touched_at

    from source

)

select * from renamed
