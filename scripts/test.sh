#!/usr/bin/env bash
# Run every test: the Rust tests, clippy, then the page in a real headless Chromium.
# Installs what is missing (Chromium from Debian, the wasm toolchain, npm packages).
# Exits non-zero if any step fails; later steps still run so one run shows everything.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
failed=()
step() {
  local name=$1; shift
  log "$name"
  local t0=$SECONDS
  if "$@"; then
    log "$name: ok ($((SECONDS - t0)) s)"
  else
    log "$name: FAILED ($((SECONDS - t0)) s)"
    failed+=("$name")
    return 1
  fi
}

ensure_chromium() {
  # Chromium, and a Chinese font: without one the printed report (page.pdf) has no Chinese
  # text for the print test to read.
  local missing=()
  [[ -x /usr/bin/chromium ]] || missing+=(chromium)
  dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
  if (( ${#missing[@]} )); then
    log "installing Debian's ${missing[*]}"
    apt-get update && apt-get install -y "${missing[@]}"
  fi
}

browser_tests() {
  local log_file port_url pid status
  log_file=$(mktemp)
  PORT=0 node www/serve.mjs www/dist >"$log_file" 2>&1 &
  pid=$!
  port_url=""
  for _ in $(seq 1 100); do
    port_url=$(grep -o 'http://127\.0\.0\.1:[0-9]*/' "$log_file" | head -n1 || true)
    [[ -n "$port_url" ]] && break
    sleep 0.1
  done
  if [[ -z "$port_url" ]]; then
    cat "$log_file" >&2
    kill "$pid" 2>/dev/null
    return 1
  fi
  log "server at $port_url"
  MEMBERLENS_URL="$port_url" node --test --test-concurrency=1 www/tests/*.test.mjs
  status=$?
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  rm -f "$log_file"
  return $status
}

ensure_chromium
step "cargo fmt --check" cargo fmt --check
step "cargo test --release" cargo test --release --no-fail-fast
step "cargo clippy --all-targets -- -D warnings" cargo clippy --all-targets -- -D warnings
if step "build the site (scripts/build_web.sh)" bash scripts/build_web.sh; then
  step "page types match the report schema (gen-types --check)" node www/scripts/gen-types.mjs --check
  step "typecheck the page (tsc --noEmit -p www)" www/node_modules/.bin/tsc --noEmit -p www
  step "browser tests (node --test www/tests)" browser_tests
else
  failed+=("browser tests (not run: the site did not build)")
fi
step "cargo clippy --lib --target wasm32-unknown-unknown --no-default-features -- -D warnings" cargo clippy --lib --target wasm32-unknown-unknown --no-default-features -- -D warnings

if ((${#failed[@]})); then
  log "FAILED: $(IFS=';'; echo "${failed[*]}")"
  exit 1
fi
log "all tests passed"
