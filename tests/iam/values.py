"""The placeholder values the IAM tests render the policies with (moto's account and region)."""

from __future__ import annotations

from mesh_standins.demo import ACCOUNT, REGION

REPOSITORY = "retail-example/analytics-mesh"
ARTIFACT_BUCKET = "mesh-artifacts"
ARTIFACT_PREFIX = "dbt-artifacts/prod"
RESULTS_BUCKET = "mesh-athena-results"
WAREHOUSE_BUCKET = "mesh-warehouse-prod"
SCRATCH_BUCKET = "mesh-ci-scratch"
SCRATCH_PREFIX = "pull-requests"
DOCS_BUCKET = "mesh-docs"
RAW_BUCKET = "mesh-raw"


def values(domain_id: str = "dzd_placeholder") -> dict[str, str]:
    return {
        "AWS_ACCOUNT_ID": ACCOUNT,
        "AWS_REGION": REGION,
        "GITHUB_REPOSITORY": REPOSITORY,
        "ATHENA_WORK_GROUP": "primary",
        "ATHENA_CI_WORK_GROUP": "pull-requests",
        "ATHENA_RESULTS_BUCKET": RESULTS_BUCKET,
        "WAREHOUSE_BUCKET": WAREHOUSE_BUCKET,
        "CI_SCRATCH_BUCKET": SCRATCH_BUCKET,
        "CI_SCRATCH_PREFIX": SCRATCH_PREFIX,
        "RAW_BUCKET": RAW_BUCKET,
        "ARTIFACT_BUCKET": ARTIFACT_BUCKET,
        "ARTIFACT_PREFIX": ARTIFACT_PREFIX,
        "DOCS_BUCKET": DOCS_BUCKET,
        "DATAZONE_DOMAIN_ID": domain_id,
    }
