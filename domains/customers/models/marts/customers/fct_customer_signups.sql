with

customers as (

    select * from {{ ref('int_customers_joined') }}

),

daily as (

    select
        cast(created_at as date) as signup_date,
        country_code,
        signup_channel,
        count(*) as signups,
        sum(case when is_loyalty_member then 1 else 0 end) as loyalty_members
    from customers
    group by 1, 2, 3

),

final as (

    select
        {{ mesh_core.surrogate_key(
            ['signup_date', 'country_code', 'signup_channel']
        ) }} as signup_day_id,
        signup_date,
        country_code,
        signup_channel,
        cast(signups as bigint) as signups,
        cast(loyalty_members as bigint) as loyalty_members,
        {{ mesh_core.audit_columns() }}
    from daily

)

select * from final
