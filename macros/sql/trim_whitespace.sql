{#
    trim_whitespace: `string` without leading and trailing ASCII whitespace
    (space, tab, line feed, vertical tab, form feed, carriage return).

    Plain trim() differs: Trino/Athena's removes whitespace
    (https://trino.io/docs/current/functions/string.html#trim), DuckDB's only
    spaces (https://duckdb.org/docs/stable/sql/functions/text.html#trimstring-characters),
    so a tab or a newline typed into the CRM survived locally. The SQL-standard
    `trim(both <characters> from <string>)` names the characters instead: Trino
    documents that form, DuckDB documents `trim(string, characters)` and reads
    the standard form as that call (tests/mesh/test_core_macros.py runs it);
    chr() builds the characters the same way on both. (The parenthesised
    character list is valid on both and is what sqlfluff's athena dialect parses.)
#}
{% macro trim_whitespace(string) -%}
    {{ return(adapter.dispatch('trim_whitespace', 'mesh_core')(string)) }}
{%- endmacro %}

{% macro default__trim_whitespace(string) -%}
    trim(
        both (' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13))
        from {{ string }}
    )
{%- endmacro %}
