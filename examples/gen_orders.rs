//! Writes a synthetic orders export for benchmarks: `cargo run --release --example gen_orders -- N OUT.csv`.
//! Deterministic (fixed seed); about 46 bytes a row, so 1,000,000 orders ≈ 45 MB.

use std::io::{BufWriter, Write};

#[path = "common/args.rs"]
mod args;
#[path = "common/rng.rs"]
mod rng;
use rng::Rng;

fn main() -> std::io::Result<()> {
    let n = args::count(1_000_000);
    let out = args::out_file("bench-out/orders_1m.csv")?;
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(&out)?);
    writeln!(w, "订单号,下单时间,手机号,实付金额")?;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    // A BG/NBD-like population, like real exports (and unlike uniform random buyers, whose
    // homogeneous Poisson purchasing makes the BG/NBD fit degenerate): each member joins on a
    // random day, buys with their own mean gap (heavy-tailed across members), and after each
    // purchase drops out with their own probability.
    let period = 1278u64; // 2021-01-01 .. 2024-07-01
    let mut orders: Vec<(u64, u64, u64)> = Vec::with_capacity(n as usize + 64);
    let mut member = 0u64;
    while (orders.len() as u64) < n {
        let u = (rng.below(1_000_000) + 1) as f64 / 1_000_001.0;
        let mean_gap = 10.0 + 400.0 * u * u;
        let dropout = 0.02 + 0.3 * (rng.below(1000) as f64 / 1000.0).powi(2);
        // Each member's own spending level (Gamma-Gamma's premise), orders vary around it.
        let v = (rng.below(1_000_000) + 1) as f64 / 1_000_001.0;
        let mean_cents = 3000.0 + 40000.0 * v * v;
        let mut day = rng.below(period) as f64;
        loop {
            let cents = (mean_cents * (0.5 + rng.below(1000) as f64 / 1000.0)) as u64;
            orders.push((day as u64, member, cents));
            if (orders.len() as u64) >= n || rng.below(1_000_000) as f64 / 1e6 < dropout {
                break;
            }
            let e = -((rng.below(1_000_000) + 1) as f64 / 1_000_001.0).ln();
            day += (mean_gap * e).max(1.0);
            if day >= period as f64 {
                break;
            }
        }
        member += 1;
    }
    // Exports come in date order.
    orders.sort_unstable();
    for (i, (day, member, cents)) in orders.into_iter().enumerate() {
        let (y, m, d) = memberlens::model::day::civil_from_days(18628 + day as i32);
        writeln!(
            w,
            "{},{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02},1{:010},{}.{:02}",
            1_000_000 + i,
            rng.below(24),
            rng.below(60),
            rng.below(60),
            3_000_000_000 + member * 7,
            cents / 100,
            cents % 100
        )?;
    }
    w.flush()?;
    eprintln!("wrote {n} orders to {}", out.display());
    Ok(())
}
