#!/usr/bin/env bash
# Build the static site into www/dist/ (self-contained: index.html, app.js, worker.js, wasm, css, demo).
#   1. the crate as release Wasm      cargo build --release --lib --target wasm32-unknown-unknown
#                                     --no-default-features (the CLI's dependencies stay out)
#   2. JS bindings                    wasm-bindgen --target web --out-dir www/pkg ...
#   3. bundle                         esbuild (www/build.mjs)
# Installs what is missing: the wasm32 target, wasm-bindgen-cli at the crate's pinned version,
# and www/node_modules from the committed package-lock.json.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

ensure_node() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    log "installing Node.js and npm (Debian)"
    apt-get update && apt-get install -y nodejs npm
  fi
}

ensure_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "rustup target add wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
  fi
}

# The CLI must match the wasm-bindgen crate version exactly (Cargo.toml pins it with "=").
wasm_bindgen_version() {
  local v
  v=$(sed -n 's/^wasm-bindgen *= *"=\{0,1\}\([0-9.]*\)".*/\1/p' Cargo.toml | head -n1)
  echo "${v:-0.2.130}"
}

ensure_wasm_bindgen() {
  local want have
  want=$(wasm_bindgen_version)
  have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
  if [[ "$have" != "$want" ]]; then
    log "cargo install wasm-bindgen-cli --version $want (found: ${have:-none})"
    # Not --locked: a dependency locked by wasm-bindgen-cli 0.2.130 was yanked from crates.io.
    cargo install wasm-bindgen-cli --version "$want" --force
  fi
}

ensure_npm_deps() {
  if [[ ! -f www/node_modules/.package-lock.json || www/package-lock.json -nt www/node_modules/.package-lock.json ]]; then
    log "npm ci (www)"
    (cd www && npm ci --no-audit --no-fund)
  fi
}

main() {
  ensure_node
  ensure_wasm_target
  ensure_wasm_bindgen
  ensure_npm_deps

  log "cargo build --release --lib --target wasm32-unknown-unknown --no-default-features"
  cargo build --release --lib --target wasm32-unknown-unknown --no-default-features

  log "wasm-bindgen --target web"
  rm -rf www/pkg
  wasm-bindgen --target web --out-dir www/pkg target/wasm32-unknown-unknown/release/memberlens.wasm

  log "bundle www/dist"
  (cd www && node build.mjs)
}

main "$@"
