#!/usr/bin/env python3
"""Native DuckDB against the native CLI on the same job (issue 15, item 5).

    python3 scripts/bench_duckdb_native.py [FILE.csv ...] [--10m] [--runs N]

Needs the `duckdb` Python package (`pip install duckdb`, in a venv or with
--break-system-packages) and target/release/memberlens (built here when missing). FILE defaults
to bench-out/orders_1m.csv; --10m adds bench-out/orders_10m.csv (both made by
examples/gen_orders.rs when missing).

Each run starts, in turn and alternating which goes first, the CLI
(`memberlens analyze FILE --format json --no-forecast`) and a child Python process running
DuckDB on the project's SQL (the staging of scripts/duckdb/staging.mjs, then
docs/warehouse/duckdb/member_summary.sql and rfm_segments.sql, counted per segment and tier, with all the
machine's cores). Printed: wall time and peak RSS (the child's own, from wait4) of each, and
whether the segment and tier counts agree (exit 1 when they differ).
"""

import json
import os
import re
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

ROLES = {
    "member_key": ["手机号", "买家手机号", "会员卡号", "member_id", "phone"],
    "order_id": ["订单号", "小票号", "order_id"],
    "order_time": ["下单时间", "销售日期", "order_time"],
    "amount": ["实付金额", "订单实付金额", "销售金额", "amount"],
    "refund": ["退款金额", "refund"],
    "status": ["订单状态", "status"],
}


def staging_sql(header_line, path):
    """The same `orders` table as scripts/duckdb/staging.mjs makes."""
    headers = [h.strip() for h in header_line.lstrip("\ufeff").split(",")]

    def col(role):
        return next((h for h in ROLES[role] if h in headers), None)

    for r in ("member_key", "order_id", "order_time", "amount"):
        if not col(r):
            raise SystemExit(f"no {r} column in {header_line}")
    q = lambda h: '"' + h.replace('"', '""') + '"'
    refund = f"CAST({q(col('refund'))} AS DECIMAL(18, 2))" if col("refund") else "CAST(NULL AS DECIMAL(18, 2))"
    status = f"CAST({q(col('status'))} AS VARCHAR)" if col("status") else "CAST(NULL AS VARCHAR)"
    return f"""CREATE OR REPLACE TABLE orders AS SELECT
  CAST({q(col('member_key'))} AS VARCHAR) AS member_key,
  CAST({q(col('order_id'))} AS VARCHAR) AS order_id,
  CAST({q(col('order_time'))} AS TIMESTAMP) AS order_time,
  CAST({q(col('amount'))} AS DECIMAL(18, 2)) AS amount,
  {refund} AS refund,
  {status} AS status
FROM read_csv('{path.replace("'", "''")}', header = true)"""


def sql_file(name):
    with open(os.path.join(REPO, "docs", "warehouse", "duckdb", name + ".sql"), encoding="utf-8") as f:
        return re.sub(r";\s*$", "", f.read().strip())


def child_duckdb(path):
    """Runs in a child process: prints {"segments": …, "tiers": …, "load_s", "query_s"}."""
    import duckdb

    con = duckdb.connect()
    with open(path, encoding="utf-8-sig") as f:
        header = f.readline().strip()
    t0 = time.perf_counter()
    con.execute(staging_sql(header, path))
    t1 = time.perf_counter()
    rows = con.execute(
        f"WITH member_summary AS ({sql_file('member_summary')}), scored AS ({sql_file('rfm_segments')}) "
        "SELECT 'segment', segment, count(*) FROM scored GROUP BY segment "
        "UNION ALL SELECT 'tier', dormancy, count(*) FROM scored GROUP BY dormancy"
    ).fetchall()
    t2 = time.perf_counter()
    out = {"segments": {}, "tiers": {}, "load_s": t1 - t0, "query_s": t2 - t1, "version": duckdb.__version__}
    for kind, key, n in rows:
        out["segments" if kind == "segment" else "tiers"][key] = n
    print(json.dumps(out))


def measure(cmd, stdout_path):
    """Wall seconds, peak RSS MiB (the child's own) and exit status of one command."""
    with open(stdout_path, "wb") as out:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(p.pid, 0)
        secs = time.perf_counter() - t0
    err = p.stderr.read().decode("utf-8", "replace") if p.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{cmd[0]} failed: {err}")
    return secs, usage.ru_maxrss / 1024.0


def ensure_file(path):
    if os.path.exists(path):
        return
    m = re.search(r"orders_(\d+)m\.csv$", path)
    if not m:
        raise SystemExit(f"{path} missing")
    n = str(int(m.group(1)) * 1_000_000)
    print(f"{os.path.relpath(path, REPO)} missing: cargo run --release --example gen_orders -- {n}", flush=True)
    subprocess.run(["cargo", "run", "--release", "--example", "gen_orders", "--", n, path], cwd=REPO, check=True)


def main():
    args = sys.argv[1:]
    if args[:1] == ["--child-duckdb"]:
        child_duckdb(args[1])
        return
    runs = 1
    if "--runs" in args:
        i = args.index("--runs")
        runs = int(args[i + 1])
        del args[i : i + 2]
    files = [os.path.abspath(a) for a in args if not a.startswith("--")]
    if not files:
        files.append(os.path.join(REPO, "bench-out", "orders_1m.csv"))
    if "--10m" in args:
        files.append(os.path.join(REPO, "bench-out", "orders_10m.csv"))
    try:
        import duckdb  # noqa: F401
    except ImportError:
        raise SystemExit("the duckdb Python package is missing: pip install duckdb (in a venv, or --break-system-packages)")
    cli = os.path.join(REPO, "target", "release", "memberlens")
    if not os.path.exists(cli):
        subprocess.run(["cargo", "build", "--release", "--bin", "memberlens"], cwd=REPO, check=True)
    out_dir = os.path.join(REPO, "bench-out")
    os.makedirs(out_dir, exist_ok=True)
    report_path = os.path.join(out_dir, "bench_native_report.json")
    duck_path = os.path.join(out_dir, "bench_native_duckdb.json")
    mismatch = False
    for f in files:
        ensure_file(f)
        print(f"file: {os.path.relpath(f, REPO)} ({os.path.getsize(f) / 1048576:.1f} MiB), {os.cpu_count()} cores", flush=True)
        for run in range(1, runs + 1):
            order = ["cli", "duckdb"] if run % 2 else ["duckdb", "cli"]
            res = {}
            for side in order:
                if side == "cli":
                    res["cli"] = measure([cli, "analyze", f, "--format", "json", "--no-forecast"], report_path)
                else:
                    res["duckdb"] = measure([sys.executable, os.path.abspath(__file__), "--child-duckdb", f], duck_path)
            with open(report_path, encoding="utf-8") as r:
                report = json.load(r)
            with open(duck_path, encoding="utf-8") as r:
                duck = json.load(r)
            page = {
                "segments": {k: v["members"] for k, v in report["rfm"]["segments"].items() if v["members"]},
                "tiers": {k: v for k, v in report["dormancy"]["buyers"].items() if v},
            }
            diffs = [
                f"{part} {k}: CLI {page[part].get(k, 0)}, DuckDB {duck[part].get(k, 0)}"
                for part in ("segments", "tiers")
                for k in sorted(set(page[part]) | set(duck[part]))
                if page[part].get(k, 0) != duck[part].get(k, 0)
            ]
            (ct, cm), (dt, dm) = res["cli"], res["duckdb"]
            print(f"  run {run} ({order[0]} first)")
            print(f"    CLI (--no-forecast): {ct:.2f} s | peak RSS {cm:.0f} MiB")
            print(
                f"    DuckDB {duck['version']} (Python): {dt:.2f} s in all, of which CSV → table {duck['load_s']:.2f} s, "
                f"summary → segments {duck['query_s']:.2f} s | peak RSS {dm:.0f} MiB"
            )
            buyers = sum(duck["segments"].values())
            print(
                f"    CLI / DuckDB: time {ct / dt:.2f}, memory {cm / dm:.2f} | {buyers} buyers: "
                + ("COUNTS DIFFER" if diffs else "segment and tier counts equal"),
                flush=True,
            )
            for d in diffs:
                print("      " + d)
            mismatch |= bool(diffs)
    sys.exit(1 if mismatch else 0)


if __name__ == "__main__":
    main()
