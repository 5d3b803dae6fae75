{#
    to_money: an amount as the mesh's money type, decimal(12, 2), rounded
    half-up to the cent on every engine (see round_half_up).

    One place decides precision, scale and rounding, so every domain's
    contracts agree and cross-domain joins never mix decimal widths.
#}
{% macro to_money(expression) -%}
    {{ mesh_core.round_half_up(expression, 12, 2) }}
{%- endmacro %}
