{#
    unique_combination_of_columns: the listed columns together form a key.

    Model-level test for grain checks on aggregated marts (one row per day and
    channel, for example) where no single column is unique.
#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
    select
        {{ combination_of_columns | join(', ') }},
        count(*) as duplicate_rows
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
    having count(*) > 1
{% endtest %}
