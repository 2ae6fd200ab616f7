#!/usr/bin/env bash
# Runs each cargo-fuzz target (fuzz/: CSV ingest, XLSX ingest, value parsers) for N seconds,
# starting from its seed corpus in fuzz/corpus/<target>/. New inputs go to a scratch corpus
# (bench-out/fuzz/corpus/<target>), so the seeds in the repository stay as they are; a crash
# is written to fuzz/artifacts/<target>/ and ends the run with a non-zero status.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     (default 60 s each, every target)
#
# Needs a nightly toolchain and cargo-fuzz, installed once (nothing is downloaded here):
#   rustup toolchain install nightly
#   cargo install cargo-fuzz
# Without them it says so and exits 0 (so a CI step can call it where they may be missing);
# CI runs the seed corpus through the same entry functions on stable in any case
# (tests/it/fuzz_corpus.rs).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

SECONDS_EACH="${1:-60}"
shift || true
TARGETS=("$@")
(( ${#TARGETS[@]} )) || TARGETS=(csv_ingest xlsx_ingest value_parsers)

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  echo "fuzz.sh: no nightly toolchain; install it with: rustup toolchain install nightly" >&2
  exit 0
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "fuzz.sh: cargo-fuzz is missing; install it with: cargo install cargo-fuzz" >&2
  exit 0
fi

status=0
for t in "${TARGETS[@]}"; do
  scratch="bench-out/fuzz/corpus/$t"
  mkdir -p "$scratch"
  echo "==> $t for ${SECONDS_EACH} s" >&2
  # -rss_limit_mb: a file that takes more memory than the page could is a finding too.
  if ! cargo +nightly fuzz run "$t" "$scratch" "fuzz/corpus/$t" -- \
      -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -timeout=10 -max_len=65536 \
      -print_final_stats=1; then
    echo "==> $t: FAILED (see fuzz/artifacts/$t/)" >&2
    status=1
  fi
done
exit $status
