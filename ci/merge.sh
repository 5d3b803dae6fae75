#!/usr/bin/env bash
# After a merge to main: build every domain on the production target, generate docs,
# upload the artifacts to the artifact store (where dbt-loom and pull requests read
# them), then publish the catalogs and the docs portal.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGET="${MESH_PROD_TARGET:-prod}"
MESH="${MESH_BIN:-.venv/bin/mesh}"

"$MESH" ci merge --target "$TARGET"
"$MESH" publish all
"$MESH" docs portal --out site
if [ -n "${MESH_DOCS_BUCKET:-}" ]; then
  "$MESH" ci publish-site --site site --bucket "$MESH_DOCS_BUCKET"
fi
