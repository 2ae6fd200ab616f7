//! Calendar days: day numbers since 1970-01-01 and their `YYYY-MM-DD` text.
//!
//! The conversions are Howard Hinnant's civil-date algorithms, written out: the ingest formats
//! and parses a date per row, and these are a few dozen instructions where `format!` with
//! padding costs about 1,400.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A calendar day in the data's time zone: days since 1970-01-01. Serialises as `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(pub i32);

impl Day {
    /// The day of a (year, month, day), not checked.
    pub fn from_ymd(y: i32, m: u32, d: u32) -> Day {
        Day(days_from_civil(y, m, d))
    }

    /// Its (year, month, day).
    pub fn ymd(self) -> (i32, u32, u32) {
        civil_from_days(self.0)
    }

    /// Parses `YYYY-MM-DD` strictly (a real calendar date).
    pub fn parse(s: &str) -> Option<Day> {
        let b = s.trim().as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num = |b: &[u8]| -> Option<u32> {
            b.iter().try_fold(0u32, |v, c| {
                c.is_ascii_digit().then(|| v * 10 + u32::from(c - b'0'))
            })
        };
        let (y, m, d) = (num(&b[0..4])? as i32, num(&b[5..7])?, num(&b[8..10])?);
        ((1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m))
            .then(|| Day::from_ymd(y, m, d))
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_day(self.0))
    }
}

impl Serialize for Day {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_day(self.0))
    }
}

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Day, D::Error> {
        let s = String::deserialize(d)?;
        Day::parse(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("\"{s}\" is not a date YYYY-MM-DD")))
    }
}

impl JsonSchema for Day {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Day".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "format": "date",
            "description": "A calendar day `YYYY-MM-DD` in the data's time zone."
        })
    }
}

/// Days in a month of the proleptic Gregorian calendar.
pub fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The day number (days since 1970-01-01) of a civil date.
pub fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i32;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// The (year, month, day) of a day number.
pub fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Formats a day number as `YYYY-MM-DD`.
pub fn format_day(day: i32) -> String {
    let (y, m, d) = civil_from_days(day);
    if !(0..=9999).contains(&y) {
        return format!("{y:04}-{m:02}-{d:02}");
    }
    let y = y as u32;
    let b = |v: u32| b'0' + v as u8;
    let bytes = vec![
        b(y / 1000),
        b(y / 100 % 10),
        b(y / 10 % 10),
        b(y % 10),
        b'-',
        b(m / 10),
        b(m % 10),
        b'-',
        b(d / 10),
        b(d % 10),
    ];
    String::from_utf8(bytes).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects() {
        for (text, n) in [("1970-01-01", 0), ("2000-02-29", 11016), ("1969-12-31", -1)] {
            let d = Day::parse(text).unwrap();
            assert_eq!(d, Day(n));
            assert_eq!(d.to_string(), text);
            assert_eq!(serde_json::to_string(&d).unwrap(), format!("\"{text}\""));
        }
        for bad in [
            "2023-02-29",
            "2023-13-01",
            "2023-1-01",
            "20230101",
            "2023-00-10",
        ] {
            assert_eq!(Day::parse(bad), None, "{bad}");
        }
    }
}
