#!/usr/bin/env bash
# Forecast benchmark: Rust (examples/bench_forecast.rs) vs lifetimes 0.11.3 on the same
# 1,000,000 synthetic customers. Usage: scripts/bench_forecast.sh [customers] [out-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-1000000}"
OUT="${2:-bench-out}"
PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
mkdir -p "$OUT"
cargo run --release --example bench_forecast -- "$N" "$OUT"
"$PYTHON" scripts/bench_forecast.py "$OUT"
