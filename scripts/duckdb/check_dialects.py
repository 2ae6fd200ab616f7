#!/usr/bin/env python3
"""The member summary in all three dialects on the shared fixtures, row for row.

    python3 scripts/duckdb/check_dialects.py

Not part of CI (it needs heavy packages): `pip install duckdb chdb pyspark` in a venv, and a
Java runtime for Spark (Debian's default-jre-headless). A dialect whose package is missing is
skipped with a line saying so.

Stages the fixtures with docs/warehouse/duckdb/fixtures_orders.sql (the GBK online export converted to
UTF-8 first), writes the order table as Parquet, runs docs/warehouse/duckdb/member_summary.sql on it in
DuckDB, docs/warehouse/clickhouse/member_summary.sql in chdb (embedded ClickHouse) and
sql/spark/member_summary.sql in a local Spark, and compares the rows (money in cents). Exits 1
on any difference.
"""

import os
import re
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(REPO, "..", "shared", "fixtures")


def sql_file(dialect, name):
    with open(os.path.join(REPO, "docs", "warehouse", dialect, name + ".sql"), encoding="utf-8") as f:
        return re.sub(r";\s*$", "", f.read().strip())


def norm(row):
    """member, total spend (cents), orders, first, last, days, repeat spend (cents), as-of."""
    m, spend, orders, first, last, days, repeat, as_of = row
    cents = lambda v: round(float(v) * 100)
    return (str(m), cents(spend), int(orders), str(first)[:10], str(last)[:10], int(days), cents(repeat), str(as_of)[:10])


def main():
    import duckdb

    tmp = tempfile.mkdtemp(prefix="memberlens-dialects-")
    online = os.path.join(tmp, "online.csv")
    with open(os.path.join(FIXTURES, "online_orders_gbk.csv"), "rb") as f:
        text = f.read().decode("gb18030")
    with open(online, "w", encoding="utf-8") as f:
        f.write(text)
    staging = (
        sql_file("duckdb", "fixtures_orders")
        .replace("{members}", os.path.join(FIXTURES, "members.csv"))
        .replace("{online}", online)
        .replace("{pos}", os.path.join(FIXTURES, "pos_sales.csv"))
    )
    con = duckdb.connect()
    for stmt in re.split(r";\s*\n", staging):
        if re.sub(r"--.*$", "", stmt, flags=re.M).strip():
            con.execute(stmt)
    parquet = os.path.join(tmp, "orders.parquet")
    con.execute(f"COPY orders TO '{parquet}' (FORMAT parquet)")
    want = sorted(norm(r) for r in con.execute(sql_file("duckdb", "member_summary")).fetchall())
    print(f"DuckDB {duckdb.__version__}: {len(want)} members")
    failed = False

    def compare(name, got):
        nonlocal failed
        got = sorted(norm(r) for r in got)
        bad = [(a, b) for a, b in zip(want, got) if a != b]
        ok = len(got) == len(want) and not bad
        print(f"{name}: {len(got)} members, " + ("every row equal to DuckDB's" if ok else f"{len(bad)} rows differ, e.g. {bad[:2]}"))
        failed |= not ok

    try:
        from chdb import session
    except ImportError:
        print("ClickHouse: skipped (pip install chdb)")
    else:
        s = session.Session()
        s.query("CREATE DATABASE IF NOT EXISTS w")
        s.query(f"CREATE TABLE w.orders ENGINE = Memory AS SELECT * FROM file('{parquet}', Parquet)")
        q = sql_file("clickhouse", "member_summary").replace("FROM orders", "FROM w.orders")
        out = str(s.query(q, "TSV")).strip()
        compare("ClickHouse (chdb)", [line.split("\t") for line in out.split("\n") if line])

    try:
        from pyspark.sql import SparkSession
    except ImportError:
        print("Spark: skipped (pip install pyspark, and a Java runtime)")
    else:
        spark = (
            SparkSession.builder.master("local[2]")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .getOrCreate()
        )
        spark.sparkContext.setLogLevel("ERROR")
        spark.read.parquet(parquet).createOrReplaceTempView("orders")
        rows = spark.sql(sql_file("spark", "member_summary")).collect()
        compare(f"Spark {spark.version}", [tuple(r) for r in rows])
        spark.stop()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
