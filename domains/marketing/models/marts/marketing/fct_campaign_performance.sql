with

campaigns as (

    select * from {{ ref('stg_ads__campaigns') }}

),

ad_spend as (

    select * from {{ ref('stg_ads__ad_spend') }}

),

attributed_orders as (

    select * from {{ ref('int_orders_attributed_to_campaigns') }}

),

delivery as (

    select
        campaign_id,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(spend_amount) as spend_amount
    from ad_spend
    group by campaign_id

),

attribution as (

    select
        campaign_id,
        count(*) as attributed_orders,
        sum(net_amount) as attributed_revenue
    from attributed_orders
    where is_revenue
    group by campaign_id

),

final as (

    select
        campaigns.campaign_id,
        campaigns.campaign_name,
        campaigns.channel,
        cast(coalesce(delivery.impressions, 0) as bigint) as impressions,
        cast(coalesce(delivery.clicks, 0) as bigint) as clicks,
        {{ mesh_core.to_money('coalesce(delivery.spend_amount, 0)') }}
            as spend_amount,
        cast(coalesce(attribution.attributed_orders, 0) as bigint)
            as attributed_orders,
        {{ mesh_core.to_money('coalesce(attribution.attributed_revenue, 0)') }}
            as attributed_revenue,
        cast(
            case
                when coalesce(delivery.spend_amount, 0) = 0 then null
                else
                    cast(coalesce(attribution.attributed_revenue, 0) as double)
                    / cast(delivery.spend_amount as double)
            end as double
        ) as return_on_ad_spend,
        {{ mesh_core.audit_columns() }}
    from campaigns
    left join delivery
        on campaigns.campaign_id = delivery.campaign_id
    left join attribution
        on campaigns.campaign_id = attribution.campaign_id

)

select * from final
