with

campaigns as (

    select * from {{ ref('stg_ads__campaigns') }}

),

final as (

    select
        campaign_id,
        campaign_name,
        channel,
        objective,
        budget_amount,
        started_on,
        ended_on,
        cast(date_diff('day', started_on, ended_on) + 1 as integer)
            as duration_days,
        {{ mesh_core.audit_columns() }}
    from campaigns

)

select * from final
