with

customers as (

    select * from {{ ref('int_customers_joined') }}

),

final as (

    select
        customer_id,
        first_name,
        last_name,
        email,
        {{ mesh_core.split_part_or_null('email', "'@'", 2) }} as email_domain,
        country_code,
        city,
        signup_channel,
        loyalty_tier,
        points_balance,
        is_loyalty_member,
        cast(created_at as date) as signup_date,
        created_at,
        {{ mesh_core.audit_columns() }}
    from customers

)

select * from final
