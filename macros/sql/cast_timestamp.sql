{#
    cast_timestamp: cast to the mesh's timestamp type, microseconds, no zone.

    On Athena a bare `cast(x as timestamp)` is timestamp(3), while Iceberg
    stores microseconds and Athena's Iceberg DDL takes only timestamp without
    time zone (https://docs.aws.amazon.com/athena/latest/ug/querying-iceberg-supported-data-types.html);
    dbt-athena's own Iceberg macros cast to timestamp(6) for the same reason.
    Trino: https://trino.io/docs/current/language/types.html#timestamp-p
    ("timestamp" means timestamp(3)). DuckDB's `timestamp` is already
    microseconds (https://duckdb.org/docs/stable/sql/data_types/timestamp.html).
#}
{% macro cast_timestamp(expression) -%}
    {{ return(adapter.dispatch('cast_timestamp', 'mesh_core')(expression)) }}
{%- endmacro %}

{% macro default__cast_timestamp(expression) -%}
    cast({{ expression }} as timestamp)
{%- endmacro %}

{% macro athena__cast_timestamp(expression) -%}
    cast({{ expression }} as timestamp(6))
{%- endmacro %}
