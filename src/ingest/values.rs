//! Readers for the cell formats of domain.md §2: dates, amounts, phones, e-mails.
//!
//! Dates become day numbers (days since 1970-01-01, negative before) in the data's
//! own time zone; amounts become integer cents so totals are exact.

use crate::model::day::days_in_month;
pub use crate::model::day::{civil_from_days, days_from_civil, format_day};
use crate::model::Day;

/// `s.trim()`, without the Unicode scan when the first and last bytes are visible ASCII (no
/// whitespace character starts or ends with such a byte).
pub(crate) fn trim(s: &str) -> &str {
    let visible = |b: Option<&u8>| b.is_some_and(|c| *c > b' ' && *c < 0x7F);
    let b = s.as_bytes();
    if visible(b.first()) && visible(b.last()) {
        s
    } else {
        s.trim()
    }
}

/// Parses `YYYY-MM-DD` (the as-of option) strictly.
pub fn parse_iso_day(s: &str) -> Option<i32> {
    Day::parse(s)
        .filter(|d| (MIN_YEAR..=MAX_YEAR).contains(&d.ymd().0))
        .map(|d| d.0)
}

fn digits(b: &[u8]) -> Option<u64> {
    if b.is_empty() || b.len() > 18 {
        return None;
    }
    let mut v: u64 = 0;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u64::from(c - b'0');
    }
    Some(v)
}

/// Earliest and latest years accepted; outside them a date is taken as a typo.
pub const MIN_YEAR: i32 = 1900;
/// See [`MIN_YEAR`].
pub const MAX_YEAR: i32 = 2199;

fn valid_date(y: i32, m: u32, d: u32) -> bool {
    (MIN_YEAR..=MAX_YEAR).contains(&y)
        && (1..=12).contains(&m)
        && d >= 1
        && d <= days_in_month(y, m)
}

/// Default zone of the data: UTC+8 (China Standard Time), in minutes.
pub const DEFAULT_TZ_OFFSET_MINUTES: i32 = 8 * 60;

/// Why a date cell could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateError {
    /// The cell is empty.
    Empty,
    /// The text is not one of the supported formats.
    Format,
    /// The numbers are not a calendar date (e.g. 2023-02-30) or the year is out of range.
    OutOfRange,
}

/// Reads a date cell into a day number in the data's zone (`tz_offset_minutes` east of UTC).
///
/// Accepts `2023-05-01`, `2023-05-01 12:34:56`, `2023/5/1 12:34`, `2023.05.01`,
/// `20230501`, `2023年5月1日 12:00`, ISO 8601 with `T`, fractions and an offset
/// (`+0800`, `+08:00`, `Z`), and Excel serial numbers (5 digits, 1954–2119).
pub fn parse_date(s: &str, tz_offset_minutes: i32) -> Result<i32, DateError> {
    let s = trim(s);
    if s.is_empty() {
        return Err(DateError::Empty);
    }
    let b = s.as_bytes();
    // Fast path: `YYYY-MM-DD` optionally followed by ` HH:MM[:SS]` and nothing else.
    if b.len() >= 10 && b[4] == b'-' && b[7] == b'-' {
        if let (Some(y), Some(m), Some(d)) = (digits(&b[0..4]), digits(&b[5..7]), digits(&b[8..10]))
        {
            let rest = &b[10..];
            let time_ok = |t: &[u8]| {
                let two = |x: &[u8], max: u64| digits(x).is_some_and(|v| v <= max);
                match t.len() {
                    5 => two(&t[0..2], 23) && t[2] == b':' && two(&t[3..5], 59),
                    8 => {
                        two(&t[0..2], 23)
                            && t[2] == b':'
                            && two(&t[3..5], 59)
                            && t[5] == b':'
                            && two(&t[6..8], 60)
                    }
                    _ => false,
                }
            };
            if rest.is_empty() || (rest[0] == b' ' && time_ok(&rest[1..])) {
                let (y, m, d) = (y as i32, m as u32, d as u32);
                return if valid_date(y, m, d) {
                    Ok(days_from_civil(y, m, d))
                } else {
                    Err(DateError::OutOfRange)
                };
            }
        }
    }
    parse_date_general(s, tz_offset_minutes)
}

/// The order of day, month and year in dates written with the year last (`31/12/2023`,
/// `12/31/2023`), which are ambiguous and read only when chosen. Year-first dates are read
/// whatever is chosen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateOrder {
    /// Year first only (the default).
    #[default]
    Ymd,
    /// Day, month, year (`31/12/2023`).
    Dmy,
    /// Month, day, year (`12/31/2023`).
    Mdy,
}

/// How a file's dates are read: the data's time zone and the order of year-last dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dates {
    /// Minutes east of UTC.
    pub tz: i32,
    /// Order of year-last dates.
    pub order: DateOrder,
}

impl Dates {
    /// Reads a date cell ([`parse_date_in`]).
    #[inline]
    pub fn parse(&self, s: &str) -> Result<i32, DateError> {
        parse_date_in(s, self.tz, self.order)
    }
}

/// [`parse_date`], also reading year-last dates in the chosen order.
pub fn parse_date_in(s: &str, tz_offset_minutes: i32, order: DateOrder) -> Result<i32, DateError> {
    match parse_date(s, tz_offset_minutes) {
        Err(DateError::Format) if order != DateOrder::Ymd => {
            parse_year_last(s.trim(), tz_offset_minutes, order)
        }
        r => r,
    }
}

/// True when a cell looks like a year-last date (`31/12/2023`, `12-31-2023 10:00`).
pub fn looks_year_last(s: &str) -> bool {
    split_year_last(s.trim()).is_some()
}

/// `a sep b sep yyyy` and the rest: the two leading numbers, the year and the text after.
fn split_year_last(s: &str) -> Option<(u32, u32, i32, &str)> {
    let b = s.as_bytes();
    let mut i = 0;
    let num = |i: &mut usize, max: usize| -> Option<u64> {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() && *i - start < max {
            *i += 1;
        }
        (*i > start).then(|| digits(&b[start..*i])).flatten()
    };
    let a = num(&mut i, 2)?;
    let sep = *b.get(i)?;
    if !matches!(sep, b'/' | b'.' | b'-') {
        return None;
    }
    i += 1;
    let m = num(&mut i, 2)?;
    if b.get(i) != Some(&sep) {
        return None;
    }
    i += 1;
    let start = i;
    let y = num(&mut i, 4)?;
    if i - start != 4 || b.get(i).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    Some((a as u32, m as u32, y as i32, &s[i..]))
}

fn parse_year_last(s: &str, tz: i32, order: DateOrder) -> Result<i32, DateError> {
    let (a, b, y, rest) = split_year_last(s).ok_or(DateError::Format)?;
    let (m, d) = match order {
        DateOrder::Dmy => (b, a),
        _ => (a, b),
    };
    if !valid_date(y, m, d) {
        return Err(DateError::OutOfRange);
    }
    let day = days_from_civil(y, m, d);
    let rest = rest.trim_start_matches([' ', 'T', 't']);
    if rest.is_empty() {
        return Ok(day);
    }
    let (minutes_of_day, offset) = parse_time_and_offset(rest).ok_or(DateError::Format)?;
    Ok(match offset {
        None => day,
        Some(off) => {
            let local =
                i64::from(day) * 1440 + i64::from(minutes_of_day) - i64::from(off) + i64::from(tz);
            local.div_euclid(1440) as i32
        }
    })
}

fn parse_date_general(s: &str, tz: i32) -> Result<i32, DateError> {
    let normalized: String = s
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '年' | '月' | '／' | '－' => '-',
            '日' => ' ',
            '：' => ':',
            _ => c,
        })
        .collect();
    let t = normalized.trim();
    let b = t.as_bytes();
    // Excel serial number (days since 1899-12-30), possibly with a fraction.
    if let Some(serial) = excel_serial(t) {
        return Ok(serial);
    }
    let mut i = 0;
    let take_num = |i: &mut usize, max: usize| -> Option<u64> {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() && *i - start < max {
            *i += 1;
        }
        if *i == start {
            None
        } else {
            digits(&b[start..*i])
        }
    };
    let (y, m, d);
    if b.len() >= 8
        && b[..8].iter().all(u8::is_ascii_digit)
        && (b.len() == 8 || !b[8].is_ascii_digit())
    {
        y = digits(&b[0..4]).ok_or(DateError::Format)? as i32;
        m = digits(&b[4..6]).ok_or(DateError::Format)? as u32;
        d = digits(&b[6..8]).ok_or(DateError::Format)? as u32;
        i = 8;
    } else {
        let yy = take_num(&mut i, 4).ok_or(DateError::Format)?;
        if i != 4 {
            return Err(DateError::Format);
        }
        let sep = *b.get(i).ok_or(DateError::Format)?;
        if !matches!(sep, b'-' | b'/' | b'.') {
            return Err(DateError::Format);
        }
        i += 1;
        let mm = take_num(&mut i, 2).ok_or(DateError::Format)?;
        if b.get(i) != Some(&sep) {
            return Err(DateError::Format);
        }
        i += 1;
        let dd = take_num(&mut i, 2).ok_or(DateError::Format)?;
        y = yy as i32;
        m = mm as u32;
        d = dd as u32;
    }
    if !valid_date(y, m, d) {
        return Err(DateError::OutOfRange);
    }
    let day = days_from_civil(y, m, d);
    // Optional time and offset.
    let rest = t[i..].trim_start_matches([' ', 'T', 't']);
    if rest.is_empty() {
        return Ok(day);
    }
    let (minutes_of_day, offset) = parse_time_and_offset(rest).ok_or(DateError::Format)?;
    match offset {
        None => Ok(day),
        Some(off) => {
            // Honour the offset, then take the calendar date in the data's zone.
            let local =
                i64::from(day) * 1440 + i64::from(minutes_of_day) - i64::from(off) + i64::from(tz);
            Ok(local.div_euclid(1440) as i32)
        }
    }
}

/// Parses `HH:MM[:SS[.fff]] [offset]`; returns minutes of the day and the offset in minutes.
fn parse_time_and_offset(s: &str) -> Option<(u32, Option<i32>)> {
    let b = s.as_bytes();
    let mut i = 0;
    let num = |i: &mut usize| -> Option<u32> {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() && *i - start < 2 {
            *i += 1;
        }
        (*i > start)
            .then(|| digits(&b[start..*i]).map(|v| v as u32))
            .flatten()
    };
    let h = num(&mut i)?;
    if b.get(i) != Some(&b':') {
        return None;
    }
    i += 1;
    let mi = num(&mut i)?;
    if b.get(i) == Some(&b':') {
        i += 1;
        let sec = num(&mut i)?;
        if sec > 60 {
            return None;
        }
        if b.get(i) == Some(&b'.') || b.get(i) == Some(&b',') {
            i += 1;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
        }
    }
    if h > 24 || mi > 59 {
        return None;
    }
    let minutes = h * 60 + mi;
    let rest = s[i..].trim();
    if rest.is_empty() {
        return Some((minutes, None));
    }
    if rest.eq_ignore_ascii_case("z")
        || rest.eq_ignore_ascii_case("utc")
        || rest.eq_ignore_ascii_case("gmt")
    {
        return Some((minutes, Some(0)));
    }
    let rb = rest.as_bytes();
    let sign = match rb[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let body: Vec<u8> = rb[1..].iter().copied().filter(|c| *c != b':').collect();
    let (oh, om) = match body.len() {
        2 => (digits(&body)?, 0),
        4 => (digits(&body[0..2])?, digits(&body[2..4])?),
        _ => return None,
    };
    if oh > 14 || om > 59 {
        return None;
    }
    Some((minutes, Some(sign * (oh * 60 + om) as i32)))
}

fn excel_serial(t: &str) -> Option<i32> {
    let int_part = t.split('.').next()?;
    if int_part.len() != 5 || !int_part.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if t.len() > 5 && !t[6..].bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let serial: i32 = int_part.parse().ok()?;
    excel_serial_to_day(f64::from(serial))
}

/// Converts an Excel serial date (1900 system, days since 1899-12-30) to a day number.
pub fn excel_serial_to_day(serial: f64) -> Option<i32> {
    if !(20000.0..80000.0).contains(&serial) {
        return None;
    }
    Some(serial.floor() as i32 + days_from_civil(1899, 12, 30))
}

/// Why an amount cell could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmountError {
    /// The cell is empty.
    Empty,
    /// Not a number after stripping currency marks and separators.
    Format,
    /// Beyond [`MAX_AMOUNT`]: a typo or a corrupted cell, not a sale.
    TooLarge,
}

/// The largest amount read, in currency units (¥10 billion for one order or one member's
/// total): anything larger is a typo or a corrupted cell, and sums of such would overflow.
pub const MAX_AMOUNT: i64 = 10_000_000_000;

/// The currency an amount was written in, when it carried a mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Currency {
    /// No currency mark.
    Unmarked,
    /// ¥, ￥, RMB, CNY, 元.
    Cny,
    /// $, US$, USD.
    Usd,
    /// HK$, HKD.
    Hkd,
    /// €, EUR.
    Eur,
    /// £, GBP.
    Gbp,
}

impl Currency {
    /// ISO code.
    pub fn code(self) -> &'static str {
        match self {
            Currency::Unmarked => "unmarked",
            Currency::Cny => "CNY",
            Currency::Usd => "USD",
            Currency::Hkd => "HKD",
            Currency::Eur => "EUR",
            Currency::Gbp => "GBP",
        }
    }

    /// Reads a currency code cell (`CNY`, `人民币`, `USD` ...).
    pub fn from_code(s: &str) -> Option<Currency> {
        match s.trim().to_ascii_uppercase().as_str() {
            "CNY" | "RMB" | "人民币" | "¥" | "￥" => Some(Currency::Cny),
            "USD" | "$" | "US$" | "美元" => Some(Currency::Usd),
            "HKD" | "HK$" | "港币" => Some(Currency::Hkd),
            "EUR" | "€" | "欧元" => Some(Currency::Eur),
            "GBP" | "£" | "英镑" => Some(Currency::Gbp),
            _ => None,
        }
    }
}

/// Reads an amount into integer cents (half away from zero past two decimals).
///
/// Accepts `128`, `128.00`, `1,234.50`, `¥1,234.50`, `￥128`, `RMB 128`, `$12.00`,
/// `-¥56.00`, `(56.00)`, `128元` and full-width digits.
pub fn parse_amount(s: &str) -> Result<(i64, Currency), AmountError> {
    let (cents, currency) = parse_amount_unbounded(s)?;
    if cents.unsigned_abs() > (MAX_AMOUNT as u64) * 100 {
        return Err(AmountError::TooLarge);
    }
    Ok((cents, currency))
}

/// [`parse_amount`] without the bound.
fn parse_amount_unbounded(s: &str) -> Result<(i64, Currency), AmountError> {
    let t = trim(s);
    if t.is_empty() {
        return Err(AmountError::Empty);
    }
    // Fast path: plain ASCII `-?digits(.digits)?`.
    if let Some(c) = plain_cents(t.as_bytes()) {
        return Ok((c, Currency::Unmarked));
    }
    let mut currency = Currency::Unmarked;
    let mut negative = false;
    let mut body = String::with_capacity(t.len());
    let mut rest: String = t
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '．' => '.',
            '，' => ',',
            '－' | '−' => '-',
            '（' => '(',
            '）' => ')',
            '＋' => '+',
            '　' => ' ',
            _ => c,
        })
        .collect();
    for (mark, cur) in [
        ("HK$", Currency::Hkd),
        ("US$", Currency::Usd),
        ("HKD", Currency::Hkd),
        ("RMB", Currency::Cny),
        ("CNY", Currency::Cny),
        ("USD", Currency::Usd),
        ("EUR", Currency::Eur),
        ("GBP", Currency::Gbp),
        ("人民币", Currency::Cny),
        ("元", Currency::Cny),
        ("¥", Currency::Cny),
        ("￥", Currency::Cny),
        ("$", Currency::Usd),
        ("€", Currency::Eur),
        ("£", Currency::Gbp),
    ] {
        // Upper-casing keeps byte offsets only for ASCII text.
        let upper = if rest.is_ascii() {
            rest.to_ascii_uppercase()
        } else {
            rest.clone()
        };
        if let Some(pos) = upper.find(mark) {
            if currency != Currency::Unmarked && currency != cur {
                return Err(AmountError::Format);
            }
            currency = cur;
            rest.replace_range(pos..pos + mark.len(), " ");
        }
    }
    let r = rest.trim();
    let r = if let Some(inner) = r.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
        negative = true;
        inner.trim()
    } else {
        r
    };
    let mut chars = r.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            '-' => {
                negative = !negative;
                chars.next();
            }
            '+' | ' ' => {
                chars.next();
            }
            _ => break,
        }
    }
    for c in chars {
        match c {
            '0'..='9' | '.' => body.push(c),
            ',' | ' ' | '\'' | '_' => {}
            _ => return Err(AmountError::Format),
        }
    }
    let cents = plain_cents(body.as_bytes()).ok_or(AmountError::Format)?;
    if cents < 0 {
        return Err(AmountError::Format);
    }
    Ok((if negative { -cents } else { cents }, currency))
}

/// `-?\d+(\.\d+)?` to cents, rounding half away from zero past two decimals.
fn plain_cents(b: &[u8]) -> Option<i64> {
    let (neg, b) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        _ => (false, b),
    };
    if b.is_empty() {
        return None;
    }
    let mut int: i64 = 0;
    let mut i = 0;
    let mut seen_digit = false;
    while i < b.len() && b[i].is_ascii_digit() {
        int = times_ten_plus(int, i64::from(b[i] - b'0'))?;
        i += 1;
        seen_digit = true;
    }
    let mut frac: i64 = 0;
    let mut round_up = false;
    if i < b.len() {
        if b[i] != b'.' {
            return None;
        }
        i += 1;
        let mut n = 0;
        while i < b.len() {
            let c = b[i];
            if !c.is_ascii_digit() {
                return None;
            }
            seen_digit = true;
            if n < 2 {
                frac = frac * 10 + i64::from(c - b'0');
            } else if n == 2 {
                round_up = c >= b'5';
            }
            n += 1;
            i += 1;
        }
        if n == 1 {
            frac *= 10;
        }
    }
    if !seen_digit {
        return None;
    }
    let cents = times_ten_plus(times_ten_plus(int, 0)?, frac)? + i64::from(round_up);
    Some(if neg { -cents } else { cents })
}

/// `10 * v + d` for `v` ≥ 0 and a digit or two-digit `d`, `None` past `i64::MAX`. Compared
/// first instead of `checked_mul`: in Wasm an overflow-checked 64-bit multiply is a call to
/// the 128-bit `__multi3` (2% of reading a file in the page).
#[inline]
fn times_ten_plus(v: i64, d: i64) -> Option<i64> {
    if v <= (i64::MAX - 99) / 10 {
        Some(v * 10 + d)
    } else {
        v.checked_mul(10)?.checked_add(d)
    }
}

/// Normalises a phone: mainland mobiles become 11 digits (dropping `+86`, `86`,
/// `0086`, spaces, dashes, brackets); other numbers keep their digits. `None`
/// when fewer than 5 digits remain.
/// A yes/no cell: `是`/`否`, `已关注`/`未关注`, `1`/`0`, `true`/`false`, `yes`/`no`, `Y`/`N`
/// (any case); `None` for an empty cell or anything else.
pub fn parse_flag(s: &str) -> Option<bool> {
    const YES: &[&str] = &[
        "是",
        "已关注",
        "关注",
        "已订阅",
        "订阅",
        "1",
        "true",
        "yes",
        "y",
        "t",
        "subscribed",
    ];
    const NO: &[&str] = &[
        "否",
        "未关注",
        "取消关注",
        "已取关",
        "未订阅",
        "0",
        "false",
        "no",
        "n",
        "f",
        "unsubscribed",
    ];
    let v = s.trim().to_lowercase();
    if YES.contains(&v.as_str()) {
        Some(true)
    } else if NO.contains(&v.as_str()) {
        Some(false)
    } else {
        None
    }
}

pub fn normalize_phone(s: &str) -> Option<String> {
    let mut d = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '0'..='9' => d.push(c),
            '０'..='９' => d.push(char::from(b'0' + (c as u32 - '０' as u32) as u8)),
            ' ' | '-' | '(' | ')' | '+' | '.' | '（' | '）' | '　' | '－' | '\t' => {}
            _ => return None,
        }
    }
    let mobile = |x: &str| x.len() == 11 && x.starts_with('1');
    let out = if d.len() == 15 && d.starts_with("0086") && mobile(&d[4..]) {
        d[4..].to_string()
    } else if d.len() == 13 && d.starts_with("86") && mobile(&d[2..]) {
        d[2..].to_string()
    } else {
        d
    };
    (out.len() >= 5).then_some(out)
}

/// Trims and lower-cases an e-mail; `None` when it has no `@` with text on both sides.
pub fn normalize_email(s: &str) -> Option<String> {
    let t = without_quotes(s).trim().to_lowercase();
    let at = t.find('@')?;
    (at > 0 && at + 1 < t.len() && !t.contains(char::is_whitespace)).then_some(t)
}

/// Trims a member id / card number; `None` when empty.
pub fn normalize_member_id(s: &str) -> Option<String> {
    let t = without_quotes(s);
    let t = t.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// A key, order id or status cell without its quote marks: a quote never belongs to one, and
/// one left there by a broken export (`"VIP1`, `a@x.com"`, `voi"ded`) would make another
/// member, order or status of it.
pub fn without_quotes(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains('"') {
        std::borrow::Cow::Owned(s.replace('"', ""))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> String {
        format_day(parse_date(s, DEFAULT_TZ_OFFSET_MINUTES).expect(s))
    }

    #[test]
    fn date_formats_of_domain_md() {
        for (input, want) in [
            ("2023-05-01", "2023-05-01"),
            ("2023-05-01 12:34:56", "2023-05-01"),
            ("2023/5/1 12:34", "2023-05-01"),
            ("2023.05.01", "2023-05-01"),
            ("20230501", "2023-05-01"),
            ("2023年5月1日", "2023-05-01"),
            ("2023年5月1日 08:00", "2023-05-01"),
            ("２０２３-０５-０１", "2023-05-01"),
            ("2023-05-01T12:34:56+08:00", "2023-05-01"),
            ("2023-05-01T12:34:56.123+0800", "2023-05-01"),
            ("2023-05-01 03:43:54 +0800", "2023-05-01"),
            // 20:00 UTC is 04:00 next day in UTC+8.
            ("2023-05-01T20:00:00Z", "2023-05-02"),
            ("2023-05-01T01:00:00-05:00", "2023-05-01"),
            ("2023-05-01T23:30:00-05:00", "2023-05-02"),
            ("45047", "2023-05-01"),
            ("1969-12-31", "1969-12-31"),
            ("1950-01-01", "1950-01-01"),
            ("2101-03-04", "2101-03-04"),
            ("2024-02-29", "2024-02-29"),
        ] {
            assert_eq!(d(input), want, "{input}");
        }
    }

    #[test]
    fn unreadable_dates_are_errors() {
        let tz = DEFAULT_TZ_OFFSET_MINUTES;
        assert_eq!(parse_date("", tz), Err(DateError::Empty));
        assert_eq!(parse_date("0000-00-00", tz), Err(DateError::OutOfRange));
        assert_eq!(parse_date("2023-02-30", tz), Err(DateError::OutOfRange));
        assert_eq!(parse_date("1850-01-01", tz), Err(DateError::OutOfRange));
        assert_eq!(parse_date("--", tz), Err(DateError::Format));
        assert_eq!(parse_date("待定", tz), Err(DateError::Format));
        assert_eq!(parse_date("05/01/2023", tz), Err(DateError::Format));
        // Year-last dates only when their order is chosen.
        let day = |y, m, d| days_from_civil(y, m, d);
        assert_eq!(
            parse_date_in("05/01/2023", tz, DateOrder::Ymd),
            Err(DateError::Format)
        );
        assert_eq!(
            parse_date_in("05/01/2023", tz, DateOrder::Dmy),
            Ok(day(2023, 1, 5))
        );
        assert_eq!(
            parse_date_in("05/01/2023 10:30", tz, DateOrder::Mdy),
            Ok(day(2023, 5, 1))
        );
        assert_eq!(
            parse_date_in("31.12.2023", tz, DateOrder::Dmy),
            Ok(day(2023, 12, 31))
        );
        assert_eq!(
            parse_date_in("31/12/2023", tz, DateOrder::Mdy),
            Err(DateError::OutOfRange)
        );
        assert_eq!(
            parse_date_in("2023-05-01", tz, DateOrder::Dmy),
            Ok(day(2023, 5, 1))
        );
        assert!(looks_year_last("31/12/2023") && !looks_year_last("2023/12/31"));
        assert_eq!(parse_date("2023-05-01 25:00", tz), Err(DateError::Format));
    }

    #[test]
    fn day_numbers_round_trip() {
        for day in [-30000, -1, 0, 1, 19000, 60000] {
            let (y, m, dd) = civil_from_days(day);
            assert_eq!(days_from_civil(y, m, dd), day);
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(
            parse_iso_day("2024-06-30"),
            Some(days_from_civil(2024, 6, 30))
        );
        assert_eq!(parse_iso_day("2024-6-30"), None);
    }

    fn a(s: &str) -> (i64, Currency) {
        parse_amount(s).expect(s)
    }

    #[test]
    fn amount_formats_of_domain_md() {
        assert_eq!(a("128"), (12800, Currency::Unmarked));
        assert_eq!(a("128.00"), (12800, Currency::Unmarked));
        assert_eq!(a("1,234.50"), (123450, Currency::Unmarked));
        assert_eq!(a("¥1,234.50"), (123450, Currency::Cny));
        assert_eq!(a("￥128"), (12800, Currency::Cny));
        assert_eq!(a("RMB 128"), (12800, Currency::Cny));
        assert_eq!(a("$12.00"), (1200, Currency::Usd));
        assert_eq!(a("-¥56.00"), (-5600, Currency::Cny));
        assert_eq!(a("(56.00)"), (-5600, Currency::Unmarked));
        assert_eq!(a("１２８．５"), (12850, Currency::Unmarked));
        assert_eq!(a("￥１，２３４．５０"), (123450, Currency::Cny));
        assert_eq!(a("128元"), (12800, Currency::Cny));
        assert_eq!(a("0.125"), (13, Currency::Unmarked));
        assert_eq!(a(".5"), (50, Currency::Unmarked));
        assert_eq!(a("-0.50"), (-50, Currency::Unmarked));
    }

    #[test]
    fn unreadable_amounts_are_errors() {
        assert_eq!(parse_amount(""), Err(AmountError::Empty));
        assert_eq!(parse_amount("  "), Err(AmountError::Empty));
        for bad in ["abc", "12a", "1.2.3", "--", "¥$12", "N/A", "."] {
            assert_eq!(parse_amount(bad), Err(AmountError::Format), "{bad}");
        }
    }

    #[test]
    fn phones_normalise_to_eleven_digits() {
        for (input, want) in [
            ("138-1234-5678", "13812345678"),
            ("+86 138 1234 5678", "13812345678"),
            ("86 13812345678", "13812345678"),
            ("0086-138-1234-5678", "13812345678"),
            ("(138) 1234 5678", "13812345678"),
            ("１３８１２３４５６７８", "13812345678"),
            ("021-12345678", "02112345678"),
        ] {
            assert_eq!(normalize_phone(input).as_deref(), Some(want), "{input}");
        }
        assert_eq!(normalize_phone(""), None);
        assert_eq!(normalize_phone("n/a"), None);
        assert_eq!(normalize_phone("123"), None);
    }

    #[test]
    fn emails_and_ids_are_trimmed() {
        assert_eq!(
            normalize_email("  Foo.Bar@Example.COM ").as_deref(),
            Some("foo.bar@example.com")
        );
        assert_eq!(normalize_email("nobody"), None);
        assert_eq!(normalize_email("@x"), None);
        assert_eq!(normalize_member_id("  VIP001 ").as_deref(), Some("VIP001"));
        assert_eq!(normalize_member_id("   "), None);
    }
}
