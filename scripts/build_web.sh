#!/usr/bin/env bash
# Build the static site into www/dist/ (self-contained: index.html, app.js, worker.js, wasm, css, demo).
#   1. the crate as release Wasm      cargo build --release --lib --target wasm32-unknown-unknown
#                                     --no-default-features (the CLI's dependencies stay out)
#   2. JS bindings                    wasm-bindgen --target web --out-dir www/pkg ...
#   3. optimise the Wasm              wasm-opt -O3 (binaryen from www/node_modules), cached
#   4. bundle                         esbuild (www/build.mjs): www/dist/ and the single file
#                                     www/dist-single/memberlens.html (www/build-single.mjs)
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

# wasm-opt -O3 on wasm-bindgen's output: about a tenth smaller (the name section goes, code
# shrinks) and no slower. -O3 rather than -Oz: -Oz saves 20 KB more of 2.9 MB and may cost speed.
# The features are the ones rustc's wasm32 target enables (its target_features section).
# binaryen's npm build is Wasm run by Node (a minute or two), so the result is kept by the
# hash of its input and flags in target/wasm-opt/ and reused while the crate is unchanged.
WASM_OPT_FLAGS=(-O3 --enable-bulk-memory --enable-bulk-memory-opt --enable-nontrapping-float-to-int
  --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue
  --enable-call-indirect-overlong)

optimize_wasm() {
  local wasm=www/pkg/memberlens_bg.wasm opt=www/node_modules/.bin/wasm-opt key cached
  key=$({ sha256sum <"$wasm"; echo "${WASM_OPT_FLAGS[*]}"; "$opt" --version; } | sha256sum | cut -c1-24)
  cached=target/wasm-opt/$key.wasm
  if [[ -f "$cached" ]]; then
    log "wasm-opt: unchanged input, reusing $cached"
  else
    log "wasm-opt ${WASM_OPT_FLAGS[*]}"
    mkdir -p target/wasm-opt
    "$opt" "$wasm" "${WASM_OPT_FLAGS[@]}" -o "$cached.tmp"
    mv "$cached.tmp" "$cached"
  fi
  log "wasm: $(stat -c %s "$wasm") bytes from wasm-bindgen, $(stat -c %s "$cached") after wasm-opt"
  cp "$cached" "$wasm"
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
  optimize_wasm

  log "bundle www/dist"
  (cd www && node build.mjs)
}

main "$@"
