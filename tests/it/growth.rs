//! Growth analytics against a plain recomputation over generated orders: the ladder, cohorts,
//! stores and channels, omnichannel combinations, movement and the target's arithmetic.

use std::collections::{BTreeMap, BTreeSet};

use memberlens::growth::TargetOptions;
use memberlens::report::{ExistingBasis, Report};
use memberlens::{AnalysisOptions, Analyzer, FileOptions};

/// xorshift64*: a fixed sequence, so the data is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Days since 1970-01-01 of a civil date (written here, not taken from the library).
fn days(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy as i32;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day number from 2022 on, by stepping months.
fn civil(n: i32) -> (i32, u32, u32) {
    let (mut y, mut m) = (2022, 1);
    loop {
        let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
        if days(ny, nm, 1) > n {
            return (y, m, (n - days(y, m, 1) + 1) as u32);
        }
        (y, m) = (ny, nm);
    }
}

/// One order row as generated: member, date, amount, file (0 online, 1 store), label.
#[derive(Clone, Debug)]
struct Row {
    phone: String,
    ymd: (i32, u32, u32),
    cents: i64,
    file: usize,
    label: String,
}

impl Row {
    fn day(&self) -> i32 {
        days(self.ymd.0, self.ymd.1, self.ymd.2)
    }
    fn month(&self) -> i32 {
        self.ymd.0 * 12 + self.ymd.1 as i32 - 1
    }
}

const CHANNELS: [&str; 3] = ["小程序", "天猫", "抖音"];
const STORES: [&str; 4] = ["静安店", "徐汇店", "滨江店", "西湖店"];

/// Members buying online (with a channel), in stores (with a store), or both; a few store
/// returns.
fn generate() -> Vec<Row> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut rows = Vec::new();
    for i in 0..700 {
        let phone = format!("139{:08}", 10_000_000 + i);
        let n = 1 + rng.below(7) + if rng.below(4) == 0 { rng.below(8) } else { 0 };
        let where_ = rng.below(3); // 0 online only, 1 store only, 2 both
        let start = rng.below(900) as i32;
        for _ in 0..n {
            let file = match where_ {
                0 => 0,
                1 => 1,
                _ => rng.below(2) as usize,
            };
            let off = start + rng.below(300) as i32;
            let (y, m, d) = civil(days(2022, 1, 1) + off);
            let label = if file == 0 {
                CHANNELS[rng.below(3) as usize].to_string()
            } else {
                STORES[rng.below(4) as usize].to_string()
            };
            rows.push(Row {
                phone: phone.clone(),
                ymd: (y, m, d),
                cents: (10 + rng.below(490) as i64) * 100,
                file,
                label,
            });
        }
        if where_ == 1 && rng.below(10) == 0 {
            let last = rows.last().unwrap().clone();
            rows.push(Row {
                cents: -(last.cents / 2),
                ..last
            });
        }
    }
    rows
}

fn csv(rows: &[Row], file: usize) -> String {
    let label = if file == 0 { "渠道" } else { "门店" };
    let mut s = format!("订单号,手机号,下单时间,实付金额,{label}\n");
    for (k, r) in rows.iter().enumerate().filter(|(_, r)| r.file == file) {
        s += &format!(
            "{}{k},{},{:04}-{:02}-{:02},{}.{:02},{}\n",
            if file == 0 { "W" } else { "S" },
            r.phone,
            r.ymd.0,
            r.ymd.1,
            r.ymd.2,
            r.cents / 100,
            (r.cents % 100).abs(),
            r.label
        );
    }
    s
}

fn analyze(rows: &[Row], opts: AnalysisOptions) -> Analyzer {
    let mut a = Analyzer::new();
    a.add_file(
        "online.csv",
        csv(rows, 0).into_bytes(),
        FileOptions::default(),
    )
    .unwrap();
    a.add_file(
        "stores.csv",
        csv(rows, 1).into_bytes(),
        FileOptions::default(),
    )
    .unwrap();
    a.analyze(&opts).unwrap();
    a
}

fn report(a: &Analyzer) -> &Report {
    &a.analysis().unwrap().report
}

/// numpy's linear-interpolation percentile.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let pos = (sorted.len() - 1) as f64 * p / 100.0;
    let lo = pos.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// Each member's purchases (positive rows), in date order then file order then row order.
fn purchases(rows: &[Row]) -> BTreeMap<String, Vec<Row>> {
    let mut by: BTreeMap<String, Vec<(i32, usize, usize, Row)>> = BTreeMap::new();
    for (k, r) in rows.iter().enumerate().filter(|(_, r)| r.cents > 0) {
        by.entry(r.phone.clone())
            .or_default()
            .push((r.day(), r.file, k, r.clone()));
    }
    by.into_iter()
        .map(|(p, mut v)| {
            v.sort_by_key(|x| (x.0, x.1, x.2));
            (p, v.into_iter().map(|x| x.3).collect())
        })
        .collect()
}

/// Ladder steps from lists of purchase days: (reached, next, quartiles of gaps).
fn ladder(lists: &[Vec<i32>]) -> Vec<(usize, usize, Option<[f64; 3]>)> {
    (1..=10)
        .map(|n| {
            let reached = lists.iter().filter(|l| l.len() >= n).count();
            let next = lists.iter().filter(|l| l.len() > n).count();
            let mut gaps: Vec<f64> = lists
                .iter()
                .filter(|l| l.len() > n)
                .map(|l| f64::from(l[n] - l[n - 1]))
                .collect();
            gaps.sort_by(f64::total_cmp);
            let q = (!gaps.is_empty()).then(|| {
                [
                    percentile(&gaps, 25.0),
                    percentile(&gaps, 50.0),
                    percentile(&gaps, 75.0),
                ]
            });
            (reached, next, q)
        })
        .collect()
}

fn check_ladder(got: &[memberlens::report::LadderStep], lists: &[Vec<i32>], what: &str) {
    let want = ladder(lists);
    assert_eq!(got.len(), 10, "{what}");
    for (s, (reached, next, q)) in got.iter().zip(want) {
        assert_eq!((s.reached, s.next), (reached, next), "{what} rung {}", s.n);
        match (s.days_quartiles, q) {
            (Some(a), Some(b)) => {
                for k in 0..3 {
                    assert!(
                        (a[k] - b[k]).abs() < 1e-9,
                        "{what} rung {}: {a:?} {b:?}",
                        s.n
                    );
                }
            }
            (a, b) => assert_eq!(a.is_some(), b.is_some(), "{what} rung {}", s.n),
        }
    }
}

#[test]
fn ladder_cohorts_outlets_and_combinations_equal_a_plain_recount() {
    let rows = generate();
    let a = analyze(&rows, AnalysisOptions::default());
    let r = report(&a);
    let g = &r.growth;
    let bought = purchases(&rows);
    let as_of = rows.iter().map(Row::day).max().unwrap();
    assert_eq!(r.as_of.0, as_of);

    // The ladder: all purchases; per file; per channel of the first purchase.
    let all: Vec<Vec<i32>> = bought
        .values()
        .map(|v| v.iter().map(Row::day).collect())
        .collect();
    check_ladder(&g.ladder.all, &all, "all");
    assert_eq!(g.ladder.all[0].rate, Some(r.inventory.repurchase_rate));
    for (file, label) in [(0, "online.csv"), (1, "stores.csv")] {
        let lists: Vec<Vec<i32>> = bought
            .values()
            .map(|v| {
                v.iter()
                    .filter(|p| p.file == file)
                    .map(Row::day)
                    .collect::<Vec<_>>()
            })
            .filter(|l| !l.is_empty())
            .collect();
        let got = g
            .ladder
            .by_source
            .iter()
            .find(|x| x.label == label)
            .unwrap();
        check_ladder(&got.steps, &lists, label);
    }
    for ch in CHANNELS {
        let lists: Vec<Vec<i32>> = bought
            .values()
            .filter(|v| v[0].file == 0 && v[0].label == ch)
            .map(|v| v.iter().map(Row::day).collect())
            .collect();
        let got = g
            .ladder
            .by_first_channel
            .iter()
            .find(|x| x.label == ch)
            .unwrap();
        check_ladder(&got.steps, &lists, ch);
    }

    // Cohorts by first-purchase month.
    let mut cohorts: BTreeMap<i32, Vec<&Vec<Row>>> = BTreeMap::new();
    for v in bought.values() {
        cohorts.entry(v[0].month()).or_default().push(v);
    }
    assert_eq!(g.cohorts.len(), cohorts.len());
    for (c, (month, members)) in g.cohorts.iter().zip(&cohorts) {
        assert_eq!(c.month, format!("{:04}-{:02}", month / 12, month % 12 + 1));
        assert_eq!(c.members, members.len());
        for w in &c.second_within {
            let eligible: Vec<_> = members
                .iter()
                .filter(|v| v[0].day() + w.days as i32 <= as_of)
                .collect();
            assert_eq!(w.eligible, eligible.len(), "{} {}", c.month, w.days);
            let second = eligible
                .iter()
                .filter(|v| v.len() > 1 && v[1].day() - v[0].day() <= w.days as i32)
                .count();
            match w.share {
                Some(s) => assert!((s - second as f64 / eligible.len() as f64).abs() < 1e-12),
                None => assert!(eligible.is_empty()),
            }
        }
        let last = rows
            .iter()
            .filter(|r| r.day() == as_of)
            .map(Row::month)
            .next()
            .unwrap();
        assert_eq!(c.retention.len() as i32, last - month + 1);
        for (k, share) in c.retention.iter().enumerate() {
            let m = month + k as i32;
            let buying = members
                .iter()
                .filter(|v| v.iter().any(|p| p.month() == m))
                .count();
            assert!((share - buying as f64 / members.len() as f64).abs() < 1e-12);
            let cents: i64 = members
                .iter()
                .flat_map(|v| v.iter())
                .filter(|p| p.month() == m)
                .map(|p| p.cents)
                .sum();
            let per = cents as f64 / 100.0 / members.len() as f64;
            assert!(
                (c.revenue_per_member[k] - per).abs() < 0.006,
                "{} k={k}",
                c.month
            );
        }
    }

    // Stores (with the members' returns there) and channels.
    for (stats, file, names) in [(&g.stores, 1, &STORES[..]), (&g.channels, 0, &CHANNELS[..])] {
        assert_eq!(stats.len(), names.len());
        for s in stats {
            let here: Vec<&Row> = rows
                .iter()
                .filter(|r| r.file == file && r.label == s.label)
                .collect();
            let buys: Vec<&&Row> = here.iter().filter(|r| r.cents > 0).collect();
            let mut per_member: BTreeMap<&str, usize> = BTreeMap::new();
            for b in &buys {
                *per_member.entry(&b.phone).or_default() += 1;
            }
            let revenue = here.iter().map(|r| r.cents).sum::<i64>() as f64 / 100.0;
            let months: BTreeSet<i32> = buys.iter().map(|r| r.month()).collect();
            assert_eq!(s.buyers, per_member.len(), "{}", s.label);
            assert_eq!(s.orders, buys.len(), "{}", s.label);
            assert!((s.revenue - revenue).abs() < 0.006, "{}", s.label);
            let repeat = per_member.values().filter(|n| **n >= 2).count();
            assert!((s.repurchase_rate - repeat as f64 / per_member.len() as f64).abs() < 1e-12);
            assert_eq!(s.active_months, months.len());
            assert!((s.revenue_per_month - revenue / months.len() as f64).abs() < 0.006);
        }
    }
    // The stores' revenue is the inventory's by store.
    for s in &g.stores {
        let inv = r
            .inventory
            .by_store
            .iter()
            .find(|x| x.label == s.label)
            .unwrap();
        assert!((inv.revenue - s.revenue).abs() < 0.006);
    }

    // Omnichannel: each buyer's exact set of files.
    let mut combos: BTreeMap<Vec<usize>, (usize, usize, i64)> = BTreeMap::new();
    for (phone, v) in &bought {
        let files: BTreeSet<usize> = v.iter().map(|p| p.file).collect();
        let e = combos.entry(files.into_iter().collect()).or_default();
        e.0 += 1;
        e.1 += v.len();
        e.2 += rows
            .iter()
            .filter(|r| &r.phone == phone)
            .map(|r| r.cents)
            .sum::<i64>();
    }
    assert_eq!(g.omnichannel.combinations.len(), combos.len());
    for (files, (buyers, orders, cents)) in &combos {
        let names: Vec<String> = files
            .iter()
            .map(|f| ["online.csv", "stores.csv"][*f].to_string())
            .collect();
        let c = g
            .omnichannel
            .combinations
            .iter()
            .find(|c| c.sources == names)
            .unwrap();
        assert_eq!((c.buyers, c.orders), (*buyers, *orders), "{names:?}");
        assert!((c.revenue - *cents as f64 / 100.0).abs() < 0.006);
    }
    let both = &combos[&vec![0, 1]];
    assert_eq!(g.omnichannel.omnichannel_buyers, both.0);
}

#[test]
fn movement_counts_the_members_present_at_both_dates_as_each_date_would() {
    let rows = generate();
    let compare = "2024-12-31";
    let a = analyze(
        &rows,
        AnalysisOptions {
            compare_date: Some(compare.into()),
            ..Default::default()
        },
    );
    let r = report(&a);
    let m = r.growth.movement.as_ref().unwrap();
    let cmp = days(2024, 12, 31);
    let bought = purchases(&rows);
    let then: Vec<&Vec<Row>> = bought.values().filter(|v| v[0].day() <= cmp).collect();
    assert_eq!(m.present_both, then.len());
    assert_eq!(m.new_buyers, bought.len() - then.len());
    for t in [&m.segments, &m.tiers] {
        assert_eq!(t.from[0], "new");
        let sum = |rows: &[Vec<usize>]| rows.iter().flatten().sum::<usize>();
        assert_eq!(sum(&t.counts[1..]), m.present_both);
        assert_eq!(t.counts[0].iter().sum::<usize>(), m.new_buyers);
    }
    // Tiers, recounted: recency at each date against 90/180/365/730 days.
    let tier = |recency: i32| match recency {
        r if r <= 90 => "active",
        r if r <= 180 => "silent",
        r if r <= 365 => "near_sleep",
        r if r <= 730 => "dormant",
        _ => "lost",
    };
    let as_of = r.as_of.0;
    let mut pairs: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for v in bought.values() {
        let now = tier(as_of - v.last().unwrap().day());
        let before = v.iter().filter(|p| p.day() <= cmp).map(Row::day).max();
        let from = before.map_or("new", |d| tier(cmp - d));
        *pairs.entry((from, now)).or_default() += 1;
    }
    for (i, from) in m.tiers.from.iter().enumerate() {
        for (j, to) in m.tiers.to.iter().enumerate() {
            let want = pairs
                .get(&(from.as_str(), to.as_str()))
                .copied()
                .unwrap_or(0);
            assert_eq!(m.tiers.counts[i][j], want, "{from} → {to}");
        }
    }
    // The segments at as-of are this analysis's; at the comparison date, those of an analysis
    // as of that date.
    let col_sums: Vec<usize> = (0..m.segments.to.len())
        .map(|j| m.segments.counts.iter().map(|row| row[j]).sum())
        .collect();
    for (j, key) in m.segments.to.iter().enumerate() {
        assert_eq!(
            col_sums[j],
            r.rfm.segments.get(key).unwrap().members,
            "{key} now"
        );
    }
    let earlier = analyze(
        &rows,
        AnalysisOptions {
            as_of: Some(compare.into()),
            ..Default::default()
        },
    );
    for (i, key) in m.segments.from.iter().enumerate().skip(1) {
        let then = report(&earlier).rfm.segments.get(key).unwrap().members;
        assert_eq!(
            m.segments.counts[i].iter().sum::<usize>(),
            then,
            "{key} then"
        );
    }
    // The members who moved down are a rule away, as the list the page exports.
    assert_eq!(a.count_rule(r#"movement = "down""#).unwrap(), m.moved_down);
    assert_eq!(a.count_rule(r#"tag("分群下降")"#).unwrap(), m.moved_down);
    assert!(
        m.moved_down > 0 && m.moved_up > 0,
        "{} {}",
        m.moved_down,
        m.moved_up
    );
    // A comparison date on or after as-of is refused; one before any purchase gives a notice.
    let mut b = Analyzer::new();
    b.add_file(
        "online.csv",
        csv(&rows, 0).into_bytes(),
        FileOptions::default(),
    )
    .unwrap();
    let e = b
        .analyze(&AnalysisOptions {
            compare_date: Some("2030-01-01".into()),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(e.code(), "invalid_option");
    let early = b
        .analyze(&AnalysisOptions {
            compare_date: Some("2000-01-01".into()),
            ..Default::default()
        })
        .unwrap();
    assert!(early.report.growth.movement.is_none());
    assert!(early
        .report
        .notices
        .iter()
        .any(|n| n.message_en.contains("2000-01-01")));
}

#[test]
fn the_target_is_split_by_the_data_and_its_arithmetic_holds() {
    let rows = generate();
    let target = |t: TargetOptions| {
        let a = analyze(
            &rows,
            AnalysisOptions {
                target: Some(t),
                ..Default::default()
            },
        );
        a.analysis().unwrap().report.growth.target.clone().unwrap()
    };
    let base = TargetOptions {
        conversion_rate: Some(0.04),
        ..TargetOptions::new(1_000_000.0)
    };
    let t = target(base.clone());
    let a = analyze(&rows, AnalysisOptions::default());
    let r = report(&a);
    assert!((t.aov - r.inventory.aov).abs() < 0.006);
    assert!((t.orders_needed - 1_000_000.0 / r.inventory.aov).abs() < 0.01);
    assert!((t.traffic_needed.unwrap() - t.orders_needed / 0.04).abs() < 0.5);
    assert_eq!(t.existing_basis, ExistingBasis::Forecast);
    assert!((t.gap - (1_000_000.0 - t.existing_revenue).max(0.0)).abs() < 0.01);
    let needed = t.gap / t.new_member_value;
    assert!((t.new_members_needed - needed).abs() <= 1e-4 * needed.max(1.0));
    // Twelve months after the as-of month, shared as the last twelve months' revenue was.
    let as_of = r.as_of.0;
    assert_eq!(t.by_month.len(), 12);
    let mut by_moy = [0i64; 12];
    for row in rows.iter().filter(|x| x.cents > 0 && x.day() > as_of - 365) {
        by_moy[row.ymd.1 as usize - 1] += row.cents;
    }
    let total: i64 = by_moy.iter().sum();
    for s in &t.by_month {
        let moy: usize = s.label[5..].parse().unwrap();
        assert!(
            (s.share - by_moy[moy - 1] as f64 / total as f64).abs() < 1e-9,
            "{}",
            s.label
        );
    }
    let sum: f64 = t.by_month.iter().map(|s| s.revenue).sum();
    assert!((sum - 1_000_000.0).abs() < 0.1);
    let stores: f64 = t.by_store.iter().map(|s| s.share).sum();
    assert!((stores - 1.0).abs() < 1e-9 && t.by_store.len() == STORES.len());
    // The user's assumptions replace the data's.
    let given = target(TargetOptions {
        aov: Some(250.0),
        new_member_value: Some(400.0),
        existing_revenue: Some(300_000.0),
        months: 3,
        ..base.clone()
    });
    assert_eq!(given.existing_basis, ExistingBasis::User);
    assert!((given.orders_needed - 4000.0).abs() < 1e-9);
    assert!((given.gap - 700_000.0).abs() < 1e-9);
    assert!((given.new_members_needed - 1750.0).abs() < 1e-9);
    assert_eq!(given.by_month.len(), 3);
    // Without forecasts: last period's revenue × the return rate.
    let mut opts = AnalysisOptions {
        target: Some(base),
        ..Default::default()
    };
    opts.forecast.enabled = false;
    let off = analyze(&rows, opts);
    let t = report(&off).growth.target.clone().unwrap();
    assert_eq!(t.existing_basis, ExistingBasis::ReturnRate);
    let period = f64::from(t.to.0 - t.from.0 + 1);
    let prior: i64 = rows
        .iter()
        .filter(|x| x.cents > 0 && f64::from(as_of - x.day()) < period)
        .map(|x| x.cents)
        .sum();
    let want = prior as f64 / 100.0 * report(&off).inventory.return_rate;
    assert!((t.existing_revenue - want).abs() < 0.01);
    // A target that is not one is refused.
    let mut bad = Analyzer::new();
    bad.add_file(
        "online.csv",
        csv(&rows, 0).into_bytes(),
        FileOptions::default(),
    )
    .unwrap();
    let e = bad
        .analyze(&AnalysisOptions {
            target: Some(TargetOptions::new(-5.0)),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(e.code(), "invalid_option");
    // Compounding: five stages, 1.1⁵ and 0.9⁵.
    let c = &r.growth.compounding;
    assert_eq!(c.stages.len(), 5);
    let up = c
        .effects
        .iter()
        .find(|e| (e.change - 0.1).abs() < 1e-12)
        .unwrap();
    let down = c
        .effects
        .iter()
        .find(|e| (e.change + 0.1).abs() < 1e-12)
        .unwrap();
    assert!((up.multiplier - 1.61051).abs() < 1e-9 && (down.multiplier - 0.59049).abs() < 1e-9);
    assert_eq!(c.stages[3].rate, Some(r.inventory.repurchase_rate));
}

#[test]
fn the_target_workbook_has_its_figures() {
    let rows = generate();
    let a = analyze(
        &rows,
        AnalysisOptions {
            target: Some(TargetOptions {
                months: 6,
                ..TargetOptions::new(800_000.0)
            }),
            ..Default::default()
        },
    );
    let bytes = a.target_xlsx(memberlens::export::HeaderLang::Zh).unwrap();
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(wb.sheet_names(), ["目标拆解", "按月", "按来源", "按门店"]);
    let sheet = wb.worksheet_range("目标拆解").unwrap();
    let cell = |r: usize, c: usize| sheet.get((r, c)).map(|d| d.to_string()).unwrap_or_default();
    assert_eq!(cell(1, 0), "销售目标");
    assert_eq!(cell(1, 1), "800000");
    let months = wb.worksheet_range("按月").unwrap();
    assert_eq!(months.height(), 7);
    // Without a target there is nothing to export.
    let plain = analyze(&rows, AnalysisOptions::default());
    assert!(plain
        .target_xlsx(memberlens::export::HeaderLang::Zh)
        .is_err());
}
