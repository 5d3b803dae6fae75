with

source as (

    select * from {{ source('ads', 'ad_spend') }}

),

renamed as (

    select
        -- ids
        cast(id as bigint) as ad_spend_id,
        cast(campaign_id as bigint) as campaign_id,

        -- numerics
        cast(impressions as bigint) as impressions,
        cast(clicks as bigint) as clicks,
        {{ mesh_core.to_money('spend') }} as spend_amount,

        -- dates
        cast(spend_date as date) as spend_date

    from source

)

select * from renamed
