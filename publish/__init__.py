"""Analytics mesh: build dbt domains and publish their metadata to Glue and DataZone."""

__version__ = "0.1.0"
