{#
    accepted_range: every non-null value lies within [min_value, max_value].

    Either bound may be omitted; `inclusive: false` makes both bounds strict.
    A dbt_utils-style test written here because dbt Hub is not reachable.
#}
{% test accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true) %}
    {%- set lower_op = '>=' if inclusive else '>' -%}
    {%- set upper_op = '<=' if inclusive else '<' -%}
    select {{ column_name }} as value_out_of_range
    from {{ model }}
    where {{ column_name }} is not null
      and not (
        1 = 1
        {%- if min_value is not none %}
        and {{ column_name }} {{ lower_op }} {{ min_value }}
        {%- endif %}
        {%- if max_value is not none %}
        and {{ column_name }} {{ upper_op }} {{ max_value }}
        {%- endif %}
      )
{% endtest %}
