{#
    current_ts: the current timestamp as a plain `timestamp` column.

    Athena's `current_timestamp` carries a time zone, which Iceberg tables do
    not store; DuckDB's is `timestamp with time zone` too. Both are cast so a
    contract can declare `data_type: timestamp` once for both engines.
#}
{% macro current_ts() -%}
    {{ return(adapter.dispatch('current_ts', 'mesh_core')()) }}
{%- endmacro %}

{% macro default__current_ts() -%}
    cast(current_timestamp as timestamp)
{%- endmacro %}

{% macro athena__current_ts() -%}
    cast(current_timestamp as timestamp(6))
{%- endmacro %}
