{#
    audit_columns: the audit columns every mart carries, last in the select.

    `_loaded_at` is when dbt built the row, `_dbt_invocation_id` ties the row to
    the run_results.json of that build (the publisher reads the same id).
    Contracted models declare both with the shared doc blocks.
#}
{% macro audit_columns() -%}
    {{ mesh_core.current_timestamp_utc() }} as _loaded_at,
    cast('{{ invocation_id }}' as varchar) as _dbt_invocation_id
{%- endmacro %}
