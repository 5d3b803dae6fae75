{#
    not_in_future: no timestamp lies after the moment the test runs.

    Catches time-zone slips in raw loads (a UTC value stored as local time
    shows up hours ahead).
#}
{% test not_in_future(model, column_name) %}
    select {{ column_name }} as future_value
    from {{ model }}
    where {{ column_name }} > {{ mesh_core.current_timestamp_utc() }}
{% endtest %}
