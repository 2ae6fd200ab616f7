//! Writes a synthetic member master and its orders for the tags and audiences benchmark:
//! `cargo run --release --example gen_members -- N OUT_DIR` (default 1,000,000 members into
//! `bench-out/members_1m/`). Deterministic (fixed-seed xorshift, like `gen_orders`).
//!
//! - `OUT_DIR/members.csv`: 会员卡号,手机号,姓名,性别,生日,省份,会员等级,注册时间,注册渠道,所属门店,导购
//!   (member_id, phone, name, gender, birthday, region, tier, registered_at, reg_channel,
//!   store, guide), N rows, about 100 bytes each. Some cells are empty as in real exports
//!   (2% no phone, 4% no gender, 20% no birthday, 30% no guide).
//! - `OUT_DIR/orders.csv`: 订单号,下单时间,手机号,实付金额,门店,渠道,商品类目 (order_id, order_time,
//!   phone, amount, store, channel, category), in date order over 2021-07-01..2024-06-30:
//!   about 70% of the members buy, 2.5 orders each on average (heavy-tailed: a few buy dozens
//!   of times), amounts log-normal (median ≈ 150 元, a long tail to 20,000 元); a further ~3%
//!   of the orders come from buyers who are not in the member file.

use std::io::{BufWriter, Write};

#[path = "common/args.rs"]
mod args;
#[path = "common/rng.rs"]
mod rng;
use rng::Rng;

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "罗", "高", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明",
    "超", "霞", "平", "刚", "婷", "欣", "怡", "佳", "雪", "晨", "宇", "浩", "子涵", "梓萱", "一诺",
    "思远", "雨桐", "俊杰", "嘉怡", "欣然",
];
/// Provinces with rough weights (population and e-commerce share).
const PROVINCES: &[(&str, u32)] = &[
    ("广东省", 120),
    ("江苏省", 90),
    ("浙江省", 90),
    ("山东省", 70),
    ("上海市", 70),
    ("北京市", 60),
    ("河南省", 55),
    ("四川省", 55),
    ("湖北省", 45),
    ("福建省", 45),
    ("湖南省", 40),
    ("安徽省", 35),
    ("河北省", 35),
    ("陕西省", 25),
    ("辽宁省", 25),
    ("重庆市", 25),
    ("天津市", 20),
    ("江西省", 20),
    ("广西壮族自治区", 20),
    ("云南省", 18),
    ("山西省", 15),
    ("黑龙江省", 12),
    ("吉林省", 10),
    ("贵州省", 12),
    ("内蒙古自治区", 8),
    ("新疆维吾尔自治区", 8),
    ("甘肃省", 7),
    ("海南省", 6),
    ("宁夏回族自治区", 3),
    ("青海省", 2),
    ("西藏自治区", 1),
];
const TIERS: &[(&str, u32)] = &[
    ("普通会员", 55),
    ("银卡会员", 25),
    ("金卡会员", 13),
    ("铂金会员", 5),
    ("钻石会员", 2),
];
const REG_CHANNELS: &[(&str, u32)] = &[
    ("微信小程序", 35),
    ("门店", 30),
    ("天猫", 12),
    ("抖音", 10),
    ("企业微信", 8),
    ("公众号", 5),
];
/// Sales channels; the first is the stores' till.
const CHANNELS: &[(&str, u32)] = &[
    ("门店", 45),
    ("微信小程序", 25),
    ("天猫旗舰店", 15),
    ("抖音小店", 10),
    ("京东自营", 5),
];
const CATEGORIES: &[(&str, u32)] = &[
    ("护肤", 25),
    ("彩妆", 18),
    ("香水", 6),
    ("个护", 12),
    ("母婴", 5),
    ("服饰", 10),
    ("鞋履", 5),
    ("箱包", 4),
    ("配饰", 4),
    ("家居", 5),
    ("食品", 4),
    ("礼盒", 2),
];
const CITIES: &[&str] = &[
    "上海", "北京", "广州", "深圳", "杭州", "南京", "苏州", "成都", "武汉", "重庆", "西安", "长沙",
    "郑州", "青岛", "天津", "厦门", "福州", "宁波", "无锡", "合肥", "济南", "沈阳", "昆明", "南宁",
];
const STORES: usize = 300;
const GUIDES_PER_STORE: usize = 6;
/// Online orders carry this store.
const ONLINE_STORE: &str = "官方线上商城";

fn store_name(s: usize) -> String {
    format!("{}{}号店", CITIES[s % CITIES.len()], s / CITIES.len() + 1)
}

/// Days since 1970-01-01 of a civil date (the library's calendar).
fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    i64::from(memberlens::model::day::days_from_civil(y, m, d))
}

fn date(day: i64) -> String {
    let (y, m, d) = memberlens::model::day::civil_from_days(day as i32);
    format!("{y:04}-{m:02}-{d:02}")
}

/// A unique 11-digit phone for person `i` (`guest` draws from prefixes no member uses).
fn phone(i: u64, guest: bool) -> String {
    const MEMBER: [u32; 10] = [38, 39, 50, 36, 86, 58, 88, 37, 52, 87];
    const GUEST: [u32; 4] = [77, 73, 99, 66];
    let (prefixes, n): (&[u32], u64) = if guest { (&GUEST, 4) } else { (&MEMBER, 10) };
    // i / n < 10^8 maps one to one onto 8 digits (7919 is prime to 10^8).
    let body = ((i / n) * 7919 + 12345) % 100_000_000;
    format!("1{}{body:08}", prefixes[(i % n) as usize])
}

/// One order: (day, second of day, buyer, cents, store or online, channel, category).
type Order = (u32, u32, u32, u32, u16, u8, u8);

fn main() -> std::io::Result<()> {
    let n = args::count(1_000_000);
    let dir = args::out_dir("bench-out/members_1m")?;
    let mut rng = Rng(0x2545_F491_4F6C_DD1D ^ 0x9E37_79B9_7F4A_7C15);
    let w = |p: &[(&str, u32)]| p.iter().map(|x| x.1).collect::<Vec<u32>>();
    let (province_w, tier_w, reg_w, channel_w, category_w) = (
        w(PROVINCES),
        w(TIERS),
        w(REG_CHANNELS),
        w(CHANNELS),
        w(CATEGORIES),
    );
    // Orders fall in 2021-07-01 .. 2024-06-30; members registered from 2019-01-01 on.
    let (first_day, last_day) = (days_from_civil(2021, 7, 1), days_from_civil(2024, 6, 30));
    let reg_from = days_from_civil(2019, 1, 1);
    let mut orders: Vec<Order> = Vec::with_capacity(n as usize * 19 / 10 + 64);

    let path = dir.join("members.csv");
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(&path)?);
    writeln!(
        out,
        "会员卡号,手机号,姓名,性别,生日,省份,会员等级,注册时间,注册渠道,所属门店,导购"
    )?;
    for i in 0..n {
        let card = 8_800_000_000 + i;
        let ph = if rng.chance(0.02) {
            String::new()
        } else {
            phone(i, false)
        };
        let name = format!(
            "{}{}",
            SURNAMES[rng.below(SURNAMES.len() as u64) as usize],
            GIVEN[rng.below(GIVEN.len() as u64) as usize]
        );
        let gender = match rng.below(100) {
            0..=3 => "",
            4..=68 => "女",
            _ => "男",
        };
        let birthday = if rng.chance(0.2) {
            String::new()
        } else {
            // Ages 16..65 on 2024-06-30, most of them 22..45.
            let age = (32.0 + 9.0 * rng.normal()).clamp(16.0, 65.0);
            date(last_day - (age * 365.25) as i64 - rng.below(365) as i64)
        };
        let province = PROVINCES[rng.weighted(&province_w)].0;
        let tier = TIERS[rng.weighted(&tier_w)].0;
        // Registrations grow over time (more recent ones more frequent).
        let span = (last_day - reg_from) as f64;
        let reg_day = reg_from + (span * rng.unit().sqrt()) as i64;
        let reg_secs = 8 * 3600 + rng.below(14 * 3600);
        let reg_channel = REG_CHANNELS[rng.weighted(&reg_w)].0;
        let store = rng.below(STORES as u64) as usize;
        let guide = if rng.chance(0.3) {
            String::new()
        } else {
            let g = store * GUIDES_PER_STORE + rng.below(GUIDES_PER_STORE as u64) as usize;
            format!(
                "{}{}{:04}",
                SURNAMES[g % SURNAMES.len()],
                GIVEN[g / SURNAMES.len() % GIVEN.len()],
                g
            )
        };
        writeln!(
            out,
            "{card},{ph},{name},{gender},{birthday},{province},{tier},{} {:02}:{:02}:{:02},{reg_channel},{},{guide}",
            date(reg_day),
            reg_secs / 3600,
            reg_secs / 60 % 60,
            reg_secs % 60,
            store_name(store),
        )?;
        // About 70% buy (more of the higher tiers); members without a phone cannot be linked
        // to their orders (the orders carry the phone only), so they stay non-buyers.
        let buys = !ph.is_empty()
            && rng.chance(0.66 + 0.04 * TIERS.iter().position(|t| t.0 == tier).unwrap_or(0) as f64);
        if buys {
            add_orders(
                &mut rng,
                &mut orders,
                i as u32,
                reg_day.max(first_day),
                last_day,
                store,
                &channel_w,
                &category_w,
            );
        }
    }
    out.flush()?;
    let members_bytes = std::fs::metadata(&path)?.len();

    // Buyers outside the member file (guests): about 3% of the orders.
    let guests = (orders.len() as u64 * 3 / 100 / 2).max(1);
    for g in 0..guests {
        let store = rng.below(STORES as u64) as usize;
        add_orders(
            &mut rng,
            &mut orders,
            (n + g) as u32,
            first_day,
            last_day,
            store,
            &channel_w,
            &category_w,
        );
    }
    // Exports come in date order.
    orders.sort_unstable();
    let path = dir.join("orders.csv");
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(&path)?);
    writeln!(out, "订单号,下单时间,手机号,实付金额,门店,渠道,商品类目")?;
    for (k, &(day, secs, buyer, cents, store, channel, category)) in orders.iter().enumerate() {
        let buyer = u64::from(buyer);
        let ph = if buyer < n {
            phone(buyer, false)
        } else {
            phone(buyer - n, true)
        };
        let store = if store == u16::MAX {
            ONLINE_STORE.to_string()
        } else {
            store_name(store.into())
        };
        writeln!(
            out,
            "SO{:010},{} {:02}:{:02}:{:02},{ph},{}.{:02},{store},{},{}",
            1_000_000_000u64 + k as u64,
            date(i64::from(day)),
            secs / 3600,
            secs / 60 % 60,
            secs % 60,
            cents / 100,
            cents % 100,
            CHANNELS[channel as usize].0,
            CATEGORIES[category as usize].0,
        )?;
    }
    out.flush()?;
    let orders_bytes = std::fs::metadata(&path)?.len();
    eprintln!(
        "wrote {n} members ({:.1} MB) and {} orders ({:.1} MB, {guests} guest buyers) to {}",
        members_bytes as f64 / 1e6,
        orders.len(),
        orders_bytes as f64 / 1e6,
        dir.display()
    );
    Ok(())
}

/// A buyer's orders: a heavy-tailed count (mean about 2.5), the first on a random day after
/// `from`, the next ones after exponential gaps around the buyer's own cycle; amounts around
/// the buyer's own level, log-normal.
#[allow(clippy::too_many_arguments)]
fn add_orders(
    rng: &mut Rng,
    orders: &mut Vec<Order>,
    buyer: u32,
    from: i64,
    to: i64,
    home_store: usize,
    channel_w: &[u32],
    category_w: &[u32],
) {
    // 1 + a geometric count whose mean varies by buyer (a mixture: heavy tail).
    let p = 1.0 / (1.0 + 3.0 * rng.unit().powi(2) * 2.2);
    let mut count = 1;
    while count < 80 && !rng.chance(p) {
        count += 1;
    }
    let cycle = 15.0 + 250.0 * rng.unit().powi(2);
    let level = 4.6 + 0.7 * rng.normal(); // log of the buyer's typical order in 元
    let favourite = rng.weighted(category_w);
    let online_first = rng.chance(0.5);
    let mut day = from as f64 + rng.unit() * (to - from) as f64 * if count > 1 { 0.7 } else { 1.0 };
    for _ in 0..count {
        if day > to as f64 {
            break;
        }
        let yuan = (level + 0.5 * rng.normal()).exp().clamp(9.9, 20_000.0);
        let channel = if online_first && rng.chance(0.5) {
            1 + rng.weighted(&channel_w[1..])
        } else {
            rng.weighted(channel_w)
        };
        let store = if channel == 0 {
            if rng.chance(0.8) {
                home_store as u16
            } else {
                rng.below(STORES as u64) as u16
            }
        } else {
            u16::MAX
        };
        let category = if rng.chance(0.6) {
            favourite
        } else {
            rng.weighted(category_w)
        };
        orders.push((
            day as u32,
            (9 * 3600 + rng.below(13 * 3600)) as u32,
            buyer,
            (yuan * 100.0) as u32,
            store,
            channel as u8,
            category as u8,
        ));
        day += (cycle * -rng.unit().ln()).max(1.0);
    }
}
