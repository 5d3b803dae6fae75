{#
    split_part_or_null: field `part` (1-based) of `string` split on
    `delimiter`, or NULL when the string has fewer fields (so part 2 is NULL
    when the delimiter is absent).

    Trino/Athena's split_part returns NULL past the last field
    (https://trino.io/docs/current/functions/string.html#split_part), DuckDB's
    an empty string (https://duckdb.org/docs/stable/sql/functions/text.html#split_partstring-separator-index).
    The field count is spelled out with length/replace, which mean the same on
    both, so split_part is only asked for a field that exists. `delimiter`
    must be a non-empty literal or expression.
#}
{% macro split_part_or_null(string, delimiter, part) -%}
    {{ return(adapter.dispatch('split_part_or_null', 'mesh_core')(string, delimiter, part)) }}
{%- endmacro %}

{% macro default__split_part_or_null(string, delimiter, part) -%}
    case
        when
            {{ part }} <= (
                length({{ string }})
                - length(replace({{ string }}, {{ delimiter }}, ''))
            ) / length({{ delimiter }}) + 1
            then split_part({{ string }}, {{ delimiter }}, {{ part }})
    end
{%- endmacro %}
