#!/usr/bin/env bash
# The CLI's allocator (src/bin/memberlens/alloc.rs) against mimalloc and the system allocator,
# on the 1,000,000-order export of scripts/bench_core.sh, end to end, the builds alternated
# round by round (this VM drifts by period: only figures from one interleaved run compare).
# Prints, per build, the best and median wall time, the median CPU time (user + system), the
# median and largest peak RSS, and the medians' ratios to the first build.
#
#   caching           the CLI as built by default (its own allocator)
#   mimalloc          --features mimalloc (freed memory returned at once: its best setting here)
#   mimalloc-delay1s  the same binary with mimalloc's own default, MIMALLOC_PURGE_DELAY=1000
#   system            --features system-alloc
#
#   RUNS=15 scripts/bench_alloc.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-1000000}"
RUNS="${RUNS:-15}"
OUT="bench-out/orders_1m.csv"
DIR="bench-out/alloc"
mkdir -p "$DIR"
cargo build --release --quiet --example gen_orders
[ -f "$OUT" ] && [ "${REGEN:-0}" = 0 ] || ./target/release/examples/gen_orders "$N" "$OUT"

for features in mimalloc system-alloc ""; do
  # The default build last, so that target/release/memberlens is the default build again.
  echo "building memberlens ${features:+--features $features}"
  cargo build --release --quiet --bin memberlens ${features:+--features "$features"}
  cp target/release/memberlens "$DIR/memberlens-${features:-default}"
done
# name|binary|environment of its runs
VARIANTS=(
  "caching|$DIR/memberlens-default|"
  "mimalloc|$DIR/memberlens-mimalloc|"
  "mimalloc-delay1s|$DIR/memberlens-mimalloc|MIMALLOC_PURGE_DELAY=1000"
  "system|$DIR/memberlens-system-alloc|"
)

rm -f "$DIR"/*.times
n=${#VARIANTS[@]}
names=()
for v in "${VARIANTS[@]}"; do names+=("${v%%|*}"); done
for i in $(seq "$RUNS"); do
  line="round $i:"
  for j in $(seq 0 $((n - 1))); do
    # Rotate the order each round, so no build always runs first (or right after another).
    IFS='|' read -r name bin vars <<< "${VARIANTS[$(((i + j) % n))]}"
    env $vars /usr/bin/time -f "%e %U %S %M" -o "$DIR/time.txt" \
      "$bin" analyze "$OUT" --format json --no-forecast > "$DIR/report-$name.json"
    read -r secs user sys kb < "$DIR/time.txt"
    echo "$secs $(awk "BEGIN{print $user + $sys}") $kb" >> "$DIR/$name.times"
    line="$line  $name ${secs}s $((kb * 1024 / 1000000))MB"
  done
  echo "$line"
done
for name in "${names[@]}"; do
  cmp -s "$DIR/report-${names[0]}.json" "$DIR/report-$name.json" \
    || echo "note: the $name build's report differs from the ${names[0]} build's"
done
echo "file: $(stat -c %s "$OUT") bytes; $RUNS rounds, builds alternated"
printf '%-18s %8s %8s %8s %13s %13s   %s\n' build best median "cpu med" "peak RSS med" "peak RSS max" \
  "median wall / cpu / RSS vs ${names[0]}"
for name in "${names[@]}"; do
  awk -v name="$name" -v base="$DIR/${names[0]}.times" '
    function sortn(a, k,   i, j, t) {
      for (i = 2; i <= k; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
    }
    function median(a, k) { sortn(a, k); return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2 }
    { s[NR] = $1; c[NR] = $2; m[NR] = $3 }
    END {
      k = NR
      while ((getline l < base) > 0) { split(l, f, " "); bk++; bs[bk] = f[1]; bc[bk] = f[2]; bm[bk] = f[3] }
      ms = median(s, k); mc = median(c, k); mm = median(m, k)
      printf "%-18s %7.3fs %7.3fs %7.3fs %10.1f MB %10.1f MB   %.2f / %.2f / %.2f\n", name, s[1], ms, mc,
        mm * 1024 / 1e6, m[k] * 1024 / 1e6, ms / median(bs, bk), mc / median(bc, bk), mm / median(bm, bk)
    }' "$DIR/$name.times"
done
