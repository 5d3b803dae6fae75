{#
    current_timestamp_utc: now, as a time-zone-less timestamp on the UTC clock.

    Both engines' `current_timestamp` carries a time zone, and a plain cast to
    `timestamp` keeps the session's wall clock: UTC on Athena, but the laptop's
    zone on DuckDB (an hour off in Paris, which also moves `not_in_future`).
    `at time zone 'UTC'` first says which clock we mean, on both engines:
    - Trino/Athena: https://trino.io/docs/current/functions/datetime.html
      (`current_timestamp` is timestamp(3) with time zone; AT TIME ZONE
      changes the zone, the cast to timestamp keeps that zone's wall clock);
    - DuckDB: https://duckdb.org/docs/stable/sql/functions/timestamptz.html
      (`timestamptz AT TIME ZONE zone` gives the plain timestamp in that zone).
    The cast goes through `cast_timestamp`, so Athena stores timestamp(6).
#}
{% macro current_timestamp_utc() -%}
    {{ return(adapter.dispatch('current_timestamp_utc', 'mesh_core')()) }}
{%- endmacro %}

{% macro default__current_timestamp_utc() -%}
    {{ mesh_core.cast_timestamp("current_timestamp at time zone 'UTC'") }}
{%- endmacro %}
