{# v1 keeps the single `full_name` column; deprecated in favour of v2. #}
with

customers as (

    select * from {{ ref('int_customers_joined') }}

),

final as (

    select
        customer_id,
        first_name || ' ' || last_name as full_name,
        email,
        country_code,
        signup_channel,
        loyalty_tier,
        is_loyalty_member,
        created_at,
        {{ mesh_core.audit_columns() }}
    from customers

)

select * from final
