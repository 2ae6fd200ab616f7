#!/usr/bin/env bash
# Build everything and serve the page on http://127.0.0.1:${PORT:-8080}/ (Ctrl+C to stop).
# Installs what is missing (see scripts/build_web.sh). Nothing is uploaded anywhere:
# the page analyses files in the browser.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/build_web.sh
exec node www/serve.mjs www/dist
