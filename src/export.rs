//! Member-table writers: CSV (UTF-8 with BOM for Excel) and XLSX, over the column table, both
//! escaped against formula injection. Rows are written as they are read (no row is built
//! first).

use std::io::Write;

use crate::error::Error;
use crate::members::{MemberView, Value, COLUMNS};

/// Prefixes `'` to text that a spreadsheet would run as a formula (OWASP CSV injection):
/// cells starting with `=`, `+`, `-`, `@`, tab, CR or LF.
pub fn escape_formula(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\n') => format!("'{s}"),
        _ => s.to_string(),
    }
}

fn number_text(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        let s = format!("{x:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// A cell as CSV text: numbers as [`number_text`] writes them, texts escaped.
fn csv_text(v: &Value<'_>) -> String {
    match v {
        Value::Number(x) => number_text(*x),
        Value::Int(n) => n.to_string(),
        Value::Text(_) | Value::Key(_) | Value::List(_) => {
            escape_formula(&v.text_of().unwrap_or_default())
        }
        other => other.text_of().unwrap_or_default(),
    }
}

fn io_error(e: impl std::fmt::Display) -> Error {
    Error::InvalidOption {
        option: "export".into(),
        reason: e.to_string(),
    }
}

/// Writes the members as CSV: BOM, a header of the column keys, CRLF line ends, RFC 4180
/// quoting (the `csv` crate's writer).
pub fn write_members_csv<'a, W: Write>(
    out: W,
    members: impl IntoIterator<Item = MemberView<'a>>,
) -> Result<(), Error> {
    let mut out = out;
    out.write_all("\u{FEFF}".as_bytes()).map_err(io_error)?;
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    w.write_record(COLUMNS.iter().map(|c| c.key))
        .map_err(io_error)?;
    for m in members {
        w.write_record(COLUMNS.iter().map(|c| csv_text(&(c.get)(&m))))
            .map_err(io_error)?;
    }
    w.flush().map_err(io_error)
}

/// The members as CSV bytes (see [`write_members_csv`]).
pub fn members_csv<'a>(members: impl IntoIterator<Item = MemberView<'a>>) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing to memory cannot fail.
    let _ = write_members_csv(&mut out, members);
    out
}

/// The members as an XLSX workbook with one sheet `members`.
pub fn members_xlsx<'a>(
    members: impl IntoIterator<Item = MemberView<'a>>,
) -> Result<Vec<u8>, Error> {
    use rust_xlsxwriter::Workbook;
    let fail = |e: rust_xlsxwriter::XlsxError| io_error(e);
    let mut wb = Workbook::new();
    let sheet = wb.add_worksheet();
    sheet.set_name("members").map_err(fail)?;
    for (c, col) in COLUMNS.iter().enumerate() {
        sheet.write_string(0, c as u16, col.key).map_err(fail)?;
    }
    for (i, m) in members.into_iter().enumerate() {
        let row = (i + 1) as u32;
        for (c, col) in COLUMNS.iter().enumerate() {
            let c = c as u16;
            match (col.get)(&m) {
                Value::Empty => {}
                Value::Number(x) => {
                    sheet.write_number(row, c, x).map_err(fail)?;
                }
                Value::Int(n) => {
                    sheet.write_number(row, c, n as f64).map_err(fail)?;
                }
                // write_string never makes a formula, but Excel users copy cells into CSVs: escape anyway.
                v => {
                    let text = v.text_of().unwrap_or_default();
                    sheet
                        .write_string(row, c, escape_formula(&text))
                        .map_err(fail)?;
                }
            }
        }
    }
    wb.save_to_buffer().map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::members::{MemberTable, NewMember};

    #[test]
    fn formula_cells_are_escaped() {
        for s in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "\nx"] {
            assert!(escape_formula(s).starts_with('\''), "{s:?}");
        }
        assert_eq!(escape_formula("张三"), "张三");
        assert_eq!(escape_formula(""), "");
    }

    fn one(name: &'static str, id: &'static str) -> MemberTable {
        let mut t = MemberTable::default();
        t.push(NewMember {
            ids: [Some(id), None, None, Some(name)],
            frequency: 2,
            monetary: 12.5,
            dormancy: "active",
            lifecycle: "growth",
            ..Default::default()
        });
        t
    }

    #[test]
    fn csv_has_bom_header_and_quotes() {
        let t = one("=HYPERLINK(\"x\")", "A,1");
        let bytes = members_csv(t.iter());
        assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]));
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert!(lines[0].starts_with("member_id,phone,email,name"));
        assert!(
            lines[1].starts_with("\"A,1\",,,\"'=HYPERLINK(\"\"x\"\")\""),
            "{}",
            lines[1]
        );
        assert!(lines[1].contains(",2,12.5,"));
        assert_eq!(lines.len(), 3, "header, one row, and the final line end");
    }

    #[test]
    fn xlsx_is_a_zip() {
        let t = one("李雷", "1");
        let bytes = members_xlsx(t.iter()).unwrap();
        assert!(bytes.starts_with(b"PK\x03\x04"));
    }
}
