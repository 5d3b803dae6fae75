#!/usr/bin/env bash
# Pull-request checks, in the order a reviewer wants the answers: style, governance,
# breaking changes, then the slim build. Runs locally against the stand-ins
# (MESH_ARTIFACT_STORE on moto S3, target `ci`) and in CI against AWS (target
# `ci_athena`). Every step is a `mesh` command; this script only chains them.
set -euo pipefail
cd "$(dirname "$0")/.."

BASE="${MESH_BASE_REF:-origin/main}"
TARGET="${MESH_CI_TARGET:-ci}"
STATE="${MESH_STATE_DIR:-.mesh-state/prod}"
MESH="${MESH_BIN:-.venv/bin/mesh}"

echo "::group::lint (sqlfluff on changed models, ruff, pre-commit guards, IAM, secrets)"
"$MESH" ci lint --base "$BASE"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/pre-commit run --from-ref "$BASE" --to-ref HEAD
"$MESH" ci iam-check
ci/scan_secrets.sh
echo "::endgroup::"

echo "::group::production artifacts"
"$MESH" ci download --state "$STATE"
echo "::endgroup::"

echo "::group::breaking-change report"
"$MESH" ci breaking --state "$STATE"
echo "::endgroup::"

echo "::group::slim build"
"$MESH" ci slim --state "$STATE" --target "$TARGET"
echo "::endgroup::"
