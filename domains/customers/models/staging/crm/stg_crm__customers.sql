with

source as (

    select * from {{ source('crm', 'customers') }}

),

renamed as (

    select
        -- ids
        cast(id as bigint) as customer_id,

        -- strings
        trim(first_name) as first_name,
        trim(last_name) as last_name,
        lower(trim(email)) as email,
        phone,
        upper(country_code) as country_code,
        city,
        lower(signup_channel) as signup_channel,

        -- timestamps
        cast(created_at as timestamp) as created_at,
        cast(updated_at as timestamp) as updated_at

    from source

)

select * from renamed
