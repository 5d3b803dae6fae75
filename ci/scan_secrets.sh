#!/usr/bin/env bash
# Secrets never land: detect-secrets (Yelp's scanner, pinned in pyproject.toml's dev extra)
# over every file git tracks, against the committed baseline .secrets.baseline. A finding not
# in the baseline fails. A false positive is marked on its line with
# `# pragma: allowlist secret`, or audited into the baseline
# (`.venv/bin/detect-secrets scan --baseline .secrets.baseline && .venv/bin/detect-secrets audit .secrets.baseline`).
# pre-commit runs the same hook on the staged files.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN="${MESH_VENV_BIN:-.venv/bin}"
git ls-files -z | xargs -0 "$BIN/detect-secrets-hook" --baseline .secrets.baseline
echo "detect-secrets: no secret in $(git ls-files | wc -l) tracked files beyond the baseline"
