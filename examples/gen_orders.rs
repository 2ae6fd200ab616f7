//! Writes a synthetic orders export for benchmarks: `cargo run --release --example gen_orders -- N OUT.csv [--rich]`.
//! Deterministic (fixed seed); about 46 bytes a row, so 1,000,000 orders ≈ 45 MB.
//!
//! `--rich` writes the same orders the way a mall export with more columns does: store,
//! channel and category labels, an order status (about 1% closed, 1% refunded in full), a
//! refund column (about 3% partly refunded) and item lines (a fifth of the orders have two
//! or three, each repeating the order's amount with its own category): about 1.3 rows and
//! 110 bytes an order, so 1,000,000 orders ≈ 110 MB. Its purchases, members and amounts are
//! not those of the plain layout (closed and refunded orders are not purchases).

use std::io::{BufWriter, Write};

#[path = "common/args.rs"]
mod args;
#[path = "common/rng.rs"]
mod rng;
use rng::Rng;

fn main() -> std::io::Result<()> {
    let n = args::count(1_000_000);
    let out = args::out_file("bench-out/orders_1m.csv")?;
    let rich = std::env::args().any(|a| a == "--rich");
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(&out)?);
    if rich {
        writeln!(
            w,
            "订单号,下单时间,手机号,门店,渠道,品类,订单状态,实付金额,退款金额"
        )?;
    } else {
        writeln!(w, "订单号,下单时间,手机号,实付金额")?;
    }
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
    const CHANNELS: [&str; 4] = ["小程序", "天猫旗舰店", "门店POS", "有赞商城"];
    const CATEGORIES: [&str; 12] = [
        "护肤",
        "彩妆",
        "香水",
        "洗护",
        "身体护理",
        "男士",
        "礼盒",
        "小样",
        "面膜",
        "防晒",
        "美容仪",
        "配件",
    ];
    for (i, (day, member, cents)) in orders.into_iter().enumerate() {
        let (y, m, d) = memberlens::model::day::civil_from_days(18628 + day as i32);
        if rich {
            let (hh, mm, ss) = (rng.below(24), rng.below(60), rng.below(60));
            // Most members keep to one store and channel.
            let store = if rng.below(10) < 8 {
                member % 60
            } else {
                rng.below(60)
            };
            let channel = CHANNELS[((member / 60 + rng.below(10) / 8) % 4) as usize];
            let (status, refund) = match rng.below(100) {
                0 => ("交易关闭", String::new()),
                1 => ("已退款", format!("{}.{:02}", cents / 100, cents % 100)),
                2..=4 => {
                    let r = cents * (10 + rng.below(60)) / 100;
                    ("交易成功", format!("{}.{:02}", r / 100, r % 100))
                }
                _ => ("交易成功", String::new()),
            };
            let lines = match rng.below(10) {
                0 => 3,
                1 => 2,
                _ => 1,
            };
            for _ in 0..lines {
                writeln!(
                    w,
                    "{},{y:04}-{m:02}-{d:02} {hh:02}:{mm:02}:{ss:02},1{:010},门店{store:02},{channel},{},{status},{}.{:02},{refund}",
                    1_000_000 + i,
                    3_000_000_000 + member * 7,
                    CATEGORIES[rng.below(12) as usize],
                    cents / 100,
                    cents % 100
                )?;
            }
            continue;
        }
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
