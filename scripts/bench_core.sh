#!/usr/bin/env bash
# Core benchmark: generates a 1,000,000-order export (~45 MB) and analyses it end to end
# with the release CLI, printing throughput (MB/s) and peak memory against the file size.
# Targets (issue "Core engine and CLI"): >= 150 MB/s, peak RSS < 4x the file size.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-1000000}"
OUT="bench-out/orders_1m.csv"
cargo build --release --quiet --bin memberlens --example gen_orders
[ -f "$OUT" ] && [ "${REGEN:-0}" = 0 ] || ./target/release/examples/gen_orders "$N" "$OUT"
SIZE=$(stat -c %s "$OUT")
RUNS="${RUNS:-5}"
best=""
all=""
for i in $(seq "$RUNS"); do
  /usr/bin/time -f "%e %M" -o bench-out/time.txt ./target/release/memberlens analyze "$OUT" --format json --no-forecast > bench-out/report.json
  read -r secs kb < bench-out/time.txt
  echo "run $i: ${secs}s, peak ${kb} KiB"
  all="$all $secs"
  if [ -z "$best" ] || awk "BEGIN{exit !($secs < $best)}"; then best=$secs; bestkb=$kb; fi
done
echo "phases of one more run (--timings, cumulative seconds):"
./target/release/memberlens analyze "$OUT" --format json --no-forecast --timings 2>&1 >/dev/null | sed 's/^/  /'
/usr/bin/time -f "%e %M" -o bench-out/time_fc.txt ./target/release/memberlens analyze "$OUT" --format json > /dev/null
read -r fsecs fkb < bench-out/time_fc.txt
med=$(echo $all | tr ' ' '\n' | sort -n | awk '{v[NR]=$1} END{print v[int((NR+1)/2)]}')
awk -v s="$SIZE" -v t="$best" -v md="$med" -v kb="$bestkb" -v fs="$fsecs" -v fkb="$fkb" 'BEGIN{
  mb = s/1e6;
  printf "file: %.1f MB\n", mb;
  printf "end to end (best of runs, no forecast): %.3f s  = %.0f MB/s  (target >= 150)\n", t, mb/t;
  printf "end to end (median of runs):            %.3f s  = %.0f MB/s  (this VM varies by period: see docs/performance.md)\n", md, mb/md;
  printf "peak RSS: %.1f MB = %.2fx file size (target < 4x)\n", kb*1024/1e6, kb*1024/s;
  printf "with forecasts: %.3f s, peak %.1f MB\n", fs, fkb*1024/1e6;
}'
