"""The mesh of dbt domains: discovery, build order, dbt invocation, raw data and governance."""
