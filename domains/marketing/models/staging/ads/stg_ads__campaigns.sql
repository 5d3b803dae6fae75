with

source as (

    select * from {{ source('ads', 'campaigns') }}

),

renamed as (

    select
        -- ids
        cast(id as bigint) as campaign_id,

        -- strings
        name as campaign_name,
        lower(channel) as channel,
        lower(objective) as objective,

        -- numerics
        {{ mesh_core.to_money('budget') }} as budget_amount,

        -- dates
        cast(started_on as date) as started_on,
        cast(ended_on as date) as ended_on

    from source

)

select * from renamed
