"""Local stand-ins for AWS services moto does not cover (Amazon DataZone), plus moto helpers."""
