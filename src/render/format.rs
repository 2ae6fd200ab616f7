//! Numbers as a reader of the client report expects them: thousands grouped, money to the
//! cent with ¥, shares as percentages.

/// An integer with its thousands grouped: `1,234,567`.
pub fn int(n: usize) -> String {
    group(&n.to_string())
}

/// Money to the cent with ¥ and grouped thousands: `¥1,234,567.89`, `-¥12.50`.
pub fn money(x: f64) -> String {
    if !x.is_finite() {
        return "—".into();
    }
    let cents = (x.abs() * 100.0).round();
    let whole = (cents / 100.0).trunc();
    let frac = cents - whole * 100.0;
    let sign = if x < 0.0 && cents > 0.0 { "-" } else { "" };
    format!(
        "{sign}¥{}.{:02}",
        group(&format!("{whole:.0}")),
        frac as u32
    )
}

/// Money without cents, for large sums in prose and charts: `¥1,234,568`.
pub fn money_whole(x: f64) -> String {
    if !x.is_finite() {
        return "—".into();
    }
    let sign = if x < 0.0 && x.abs().round() > 0.0 {
        "-"
    } else {
        ""
    };
    format!("{sign}¥{}", group(&format!("{:.0}", x.abs().round())))
}

/// A share as a percentage with one decimal: `12.3%`.
pub fn pct(share: f64) -> String {
    if share.is_finite() {
        format!("{:.1}%", share * 100.0)
    } else {
        "—".into()
    }
}

/// A plain number with up to `decimals` decimals, grouped: `1,374.5`.
pub fn num(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return "—".into();
    }
    let s = format!("{:.*}", decimals, x.abs());
    let (whole, frac) = s.split_once('.').unwrap_or((&s, ""));
    let sign = if x < 0.0 && s.bytes().any(|b| b.is_ascii_digit() && b != b'0') {
        "-"
    } else {
        ""
    };
    if frac.is_empty() {
        format!("{sign}{}", group(whole))
    } else {
        format!("{sign}{}.{frac}", group(whole))
    }
}

/// Inserts a comma every three digits from the right of a string of digits.
fn group(digits: &str) -> String {
    let n = digits.len();
    let mut out = String::with_capacity(n + n / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (n - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_a_report_writes_them() {
        assert_eq!(int(0), "0");
        assert_eq!(int(999), "999");
        assert_eq!(int(1000), "1,000");
        assert_eq!(int(1234567), "1,234,567");
        assert_eq!(money(1234567.891), "¥1,234,567.89");
        assert_eq!(money(0.005), "¥0.01");
        assert_eq!(money(-12.5), "-¥12.50");
        assert_eq!(money(-0.001), "¥0.00");
        assert_eq!(money(999.999), "¥1,000.00");
        assert_eq!(money(f64::NAN), "—");
        assert_eq!(money_whole(1234567.5), "¥1,234,568");
        assert_eq!(money_whole(-0.4), "¥0");
        assert_eq!(pct(0.1234), "12.3%");
        assert_eq!(pct(1.0), "100.0%");
        assert_eq!(num(1374.46, 1), "1,374.5");
        assert_eq!(num(-0.04, 1), "0.0");
        assert_eq!(num(-1234.0, 0), "-1,234");
    }
}
