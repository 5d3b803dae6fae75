{#
    iceberg_maintenance: the Iceberg upkeep statement an incremental mart runs
    after each build, as a post-hook; nothing on engines without Iceberg.

    Every merge writes new data and delete files and a new snapshot. Athena
    compacts them with `OPTIMIZE <table> REWRITE DATA USING BIN_PACK` and
    expires old snapshots and orphan files with `VACUUM <table>`
    (https://docs.aws.amazon.com/athena/latest/ug/querying-iceberg-data-optimization.html,
    optimize-statement.html, vacuum-statement.html). dbt-athena's hook runner
    recognises both statements and repeats them while Athena answers
    ICEBERG_*_MORE_RUNS_NEEDED; `render_pure()` is the unquoted name
    dbt-athena provides for them. Tables rebuilt on every run (materialized
    `table`) and Hive tables get nothing: there is nothing to compact.

    Configured once per domain, for every mart:
        +post-hook:
          - "{{ mesh_core.iceberg_maintenance('optimize') }}"
          - "{{ mesh_core.iceberg_maintenance('vacuum') }}"
#}
{% macro iceberg_maintenance(operation) -%}
    {%- if operation not in ['optimize', 'vacuum'] -%}
        {{ exceptions.raise_compiler_error(
            "mesh_core.iceberg_maintenance: operation must be 'optimize' or 'vacuum', got '"
            ~ operation ~ "'"
        ) }}
    {%- endif -%}
    {{ return(adapter.dispatch('iceberg_maintenance', 'mesh_core')(operation)) }}
{%- endmacro %}

{% macro default__iceberg_maintenance(operation) -%}
{%- endmacro %}

{% macro athena__iceberg_maintenance(operation) -%}
    {%- set is_iceberg = (config.get('table_type') or 'hive') | lower == 'iceberg' -%}
    {%- if is_iceberg and config.get('materialized') == 'incremental' -%}
        {%- if operation == 'optimize' -%}
            optimize {{ this.render_pure() }} rewrite data using bin_pack
        {%- else -%}
            vacuum {{ this.render_pure() }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
