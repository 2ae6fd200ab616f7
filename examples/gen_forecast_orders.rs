//! Writes the orders of examples/bench_forecast.rs's simulated customers as an orders export the
//! page reads, for the forecast benchmark in Chromium (scripts/bench_forecast_browser.mjs):
//!
//! `cargo run --release --example gen_forecast_orders -- [customers] [OUT.csv]`
//!
//! Defaults: 1,000,000 customers, bench-out/forecast_orders_1m.csv. The customers are
//! bench_forecast's `simulate(n)`, draw for draw (same seed, same process: exponential purchase
//! gaps at a Gamma-distributed rate, Gamma-Gamma spend, acquisition uniform over the year before
//! the as-of day), so the page's forecast fits the population whose native fit bench_forecast
//! times. The dropout draw follows every purchase, the first included: that is MBG/NBD's
//! process, and MBG/NBD is the data's choice (AIC) on it. Day 0 is 2024-01-01 and the as-of day
//! 365 is 2024-12-31 (the benchmark passes `as_of: "2024-12-31"`). A million customers make
//! 3,227,200 orders (3,147,612 purchase days), 148 MB.
//!
//! Header 订单号,下单时间,手机号,实付金额 (order id, order time, member phone, amount paid), as
//! examples/gen_orders.rs writes it: the engine before and after the model comparison reads it.

use std::io::{BufWriter, Write};

use memberlens::model::day::{civil_from_days, days_from_civil};

#[path = "common/args.rs"]
mod args;
#[path = "common/forecast_sim.rs"]
mod forecast_sim;
use forecast_sim::{simulate, AS_OF};

/// A spend rounded to cents (as bench_forecast rounds it), as whole cents.
fn cents(amount: f64) -> u64 {
    (amount * 100.0).round().max(0.0) as u64
}

fn main() -> std::io::Result<()> {
    let n = args::count(1_000_000) as usize;
    let out = args::out_file("bench-out/forecast_orders_1m.csv")?;
    let mut orders: Vec<(i32, u32, u64)> = Vec::with_capacity(n * 5 / 2);
    simulate(n, |customer, day, amount| {
        orders.push((day, customer as u32, cents(amount)))
    });
    // Exports come in date order.
    orders.sort_unstable();
    let day0 = days_from_civil(2024, 1, 1);
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(&out)?);
    writeln!(w, "订单号,下单时间,手机号,实付金额")?;
    for (i, &(day, customer, amount)) in orders.iter().enumerate() {
        let (y, m, d) = civil_from_days(day0 + day);
        // A time of day from the order number: the orders of one day stay in file order.
        let second = (i % 86_400) as u32;
        writeln!(
            w,
            "{},{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02},1{:010},{}.{:02}",
            1_000_000 + i,
            second / 3600,
            second / 60 % 60,
            second % 60,
            3_000_000_000 + u64::from(customer) * 7,
            amount / 100,
            amount % 100
        )?;
    }
    w.flush()?;
    let (y, m, d) = civil_from_days(day0 + AS_OF);
    eprintln!(
        "wrote {} orders of {n} customers to {} (as-of {y:04}-{m:02}-{d:02})",
        orders.len(),
        out.display()
    );
    Ok(())
}
