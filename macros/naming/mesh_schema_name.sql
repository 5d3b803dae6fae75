{#
    mesh_schema_name: one Glue database per domain and layer.

    A model in domain `sales` with `+schema: marts` lands in `sales_marts` on
    the shared targets (prod, and the local DuckDB file), and in
    `<target.schema>_sales_marts` on every other target, so two engineers on
    `dev` never overwrite each other. Domains call it from their own
    `generate_schema_name` because dbt only honours that macro in the root
    project.
#}
{% macro mesh_schema_name(custom_schema_name, node) -%}
    {%- set domain = node.package_name -%}
    {%- set layer = (custom_schema_name or 'default') | trim -%}
    {%- set base = (domain ~ '_' ~ layer) | lower -%}
    {%- if target.name in var('mesh_shared_targets', ['prod', 'local']) -%}
        {{ base }}
    {%- else -%}
        {{ (target.schema ~ '_' ~ base) | lower }}
    {%- endif -%}
{%- endmacro %}
