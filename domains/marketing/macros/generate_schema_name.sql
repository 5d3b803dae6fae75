{# dbt only honours generate_schema_name in the root project: delegate to mesh_core. #}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ mesh_core.mesh_schema_name(custom_schema_name, node) }}
{%- endmacro %}
