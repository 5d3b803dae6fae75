{#
    surrogate_key: a stable md5 hex key from several columns (nulls as '').

    Written here because dbt Hub packages (dbt_utils) cannot be installed.
    DuckDB's md5() takes a string; Athena's takes varbinary and returns
    varbinary, hence the dispatch.
#}
{% macro surrogate_key(columns) -%}
    {{ return(adapter.dispatch('surrogate_key', 'mesh_core')(columns)) }}
{%- endmacro %}

{% macro _surrogate_key_input(columns) -%}
    {%- for column in columns %}
        {% if not loop.first %}|| '-' || {% endif -%}
        coalesce(cast({{ column }} as varchar), '')
    {%- endfor %}
{% endmacro %}

{% macro default__surrogate_key(columns) -%}
    md5({{ mesh_core._surrogate_key_input(columns) }})
{%- endmacro %}

{% macro athena__surrogate_key(columns) -%}
    lower(to_hex(md5(to_utf8({{ mesh_core._surrogate_key_input(columns) }}))))
{%- endmacro %}
