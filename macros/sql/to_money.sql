{#
    to_money: cast an amount to the mesh's money type, decimal(12, 2).

    One place decides precision and scale, so every domain's contracts agree
    and cross-domain joins never mix decimal widths.
#}
{% macro to_money(expression) -%}
    cast({{ expression }} as decimal(12, 2))
{%- endmacro %}
