{#
    lookback_watermark: a scalar subquery for incremental filters, the newest
    value of `column` already in the model less `days` days.

    Late-arriving changes move a row's timestamp only slightly; re-merging a
    few days keeps an incremental (merge) model exact without a full rebuild.
    Use only in the incremental branch of a model: it reads `this`.
#}
{% macro lookback_watermark(column, days) -%}
    (select {{ dbt.dateadd('day', -1 * days, 'max(' ~ column ~ ')') }} from {{ this }})
{%- endmacro %}
