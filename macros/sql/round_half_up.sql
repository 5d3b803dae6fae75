{#
    round_half_up: round to `scale` decimals, ties away from zero, as
    decimal(precision, scale), with the same result on both engines.

    Casting a double straight to a decimal rounds the binary value: 1.005 is
    1.00499999... in a double, so DuckDB gives 1.00 where Trino gives 1.01.
    Going through decimal(38, 9) first fixes the decimal digits (both engines
    round a double to the nearest decimal at that scale), and rounding a
    decimal is exact and half-up on both:
    - Trino/Athena: https://trino.io/docs/current/functions/math.html#round
      and https://trino.io/docs/current/functions/conversion.html (decimal casts);
    - DuckDB: https://duckdb.org/docs/stable/sql/functions/numeric.html#roundv-numeric-s-integer
      and https://duckdb.org/docs/stable/sql/data_types/numeric.html#fixed-point-decimals.
    Decimal inputs pass through unchanged apart from the rounding.
#}
{% macro round_half_up(expression, precision, scale) -%}
    {{ return(adapter.dispatch('round_half_up', 'mesh_core')(expression, precision, scale)) }}
{%- endmacro %}

{% macro default__round_half_up(expression, precision, scale) -%}
    cast(
        round(cast({{ expression }} as decimal(38, 9)), {{ scale }})
        as decimal({{ precision }}, {{ scale }})
    )
{%- endmacro %}
