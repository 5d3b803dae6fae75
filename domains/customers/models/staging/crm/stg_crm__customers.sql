with

source as (

    select * from {{ source('crm', 'customers') }}

),

renamed as (

    select
        -- ids
        cast(id as bigint) as customer_id,

        -- strings
        {{ mesh_core.trim_whitespace('first_name') }} as first_name,
        {{ mesh_core.trim_whitespace('last_name') }} as last_name,
        lower({{ mesh_core.trim_whitespace('email') }}) as email,
        phone,
        upper(country_code) as country_code,
        city,
        lower(signup_channel) as signup_channel,

        -- timestamps
        {{ mesh_core.cast_timestamp('created_at') }} as created_at,
        {{ mesh_core.cast_timestamp('updated_at') }} as updated_at

    from source

)

select * from renamed
