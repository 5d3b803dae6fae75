with

customers as (

    select * from {{ ref('stg_crm__customers') }}

),

loyalty_members as (

    select * from {{ ref('stg_crm__loyalty_members') }}

),

joined as (

    select
        customers.customer_id,
        customers.first_name,
        customers.last_name,
        customers.email,
        customers.phone,
        customers.country_code,
        customers.city,
        customers.signup_channel,
        loyalty_members.loyalty_member_id,
        coalesce(loyalty_members.loyalty_tier, 'none') as loyalty_tier,
        coalesce(loyalty_members.points_balance, 0) as points_balance,
        loyalty_members.loyalty_member_id is not null as is_loyalty_member,
        customers.created_at,
        loyalty_members.enrolled_at,
        customers.updated_at
    from customers
    left join loyalty_members
        on customers.customer_id = loyalty_members.customer_id

)

select * from joined
