#!/usr/bin/env bash
# After a merge to main, in three steps that the merge workflow runs under two roles
# (build role: build + artifacts, docs site; publisher role: the catalogs):
#   ci/merge.sh build     build every domain on the production target, generate docs,
#                         upload the artifacts to the artifact store
#   ci/merge.sh publish   publish Glue, then DataZone
#   ci/merge.sh docs      write the docs portal and upload it (if MESH_DOCS_BUCKET is set)
# With no argument (a laptop against the stand-ins, `mesh-standins up`): all three in order.
#
# MESH_PROD_TARGET is the dbt target of the build: the merge workflow sets `prod` (Athena);
# the default `local` builds on DuckDB, so a laptop never points dbt-athena at the stand-ins.
# Artifacts of `local` are domains/<domain>/target/, of any other target
# .mesh-state/<target>/<domain>/ (a failed Athena build never replaces a local one).
set -euo pipefail
cd "$(dirname "$0")/.."

TARGET="${MESH_PROD_TARGET:-local}"
MESH="${MESH_BIN:-.venv/bin/mesh}"

step_build()   { "$MESH" ci merge --target "$TARGET"; }
step_publish() { "$MESH" publish all --target "$TARGET"; }   # the artifacts of $TARGET
step_docs() {
  "$MESH" docs portal --out site --target "$TARGET"
  if [ -n "${MESH_DOCS_BUCKET:-}" ]; then
    "$MESH" ci publish-site --site site --bucket "$MESH_DOCS_BUCKET"
  fi
}

case "${1:-all}" in
  build) step_build ;;
  publish) step_publish ;;
  docs) step_docs ;;
  all) step_build; step_publish; step_docs ;;
  *) echo "usage: ci/merge.sh [build|publish|docs]" >&2; exit 2 ;;
esac
