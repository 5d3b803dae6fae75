with

source as (

    select * from {{ source('crm', 'loyalty_members') }}

),

renamed as (

    select
        -- ids
        cast(id as bigint) as loyalty_member_id,
        cast(customer_id as bigint) as customer_id,

        -- strings
        lower(tier) as loyalty_tier,

        -- numerics
        cast(points_balance as integer) as points_balance,

        -- timestamps
        {{ mesh_core.cast_timestamp('enrolled_at') }} as enrolled_at

    from source

)

select * from renamed
