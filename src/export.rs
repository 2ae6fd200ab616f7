//! Member-table writers: CSV (UTF-8 with BOM for Excel) and XLSX, both escaped against formula injection.

use crate::analysis::member_table::{Cell, MemberRow, COLUMNS};
use crate::error::Error;

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

fn csv_field(out: &mut String, s: &str) {
    if s.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

/// The member rows as CSV: BOM, header of [`COLUMNS`], CRLF line ends.
pub fn members_csv(rows: &[MemberRow]) -> Vec<u8> {
    let mut out = String::with_capacity(64 + rows.len() * 200);
    out.push('\u{FEFF}');
    out.push_str(&COLUMNS.join(","));
    out.push_str("\r\n");
    for r in rows {
        for (i, c) in COLUMNS.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            match r.cell(c) {
                Cell::Text(t) => csv_field(&mut out, &escape_formula(&t)),
                Cell::Number(x) => out.push_str(&number_text(x)),
                Cell::Empty => {}
            }
        }
        out.push_str("\r\n");
    }
    out.into_bytes()
}

/// The member rows as an XLSX workbook with one sheet `members`.
pub fn members_xlsx(rows: &[MemberRow]) -> Result<Vec<u8>, Error> {
    use rust_xlsxwriter::Workbook;
    let fail = |e: rust_xlsxwriter::XlsxError| Error::InvalidOption {
        option: "export".into(),
        reason: e.to_string(),
    };
    let mut wb = Workbook::new();
    let sheet = wb.add_worksheet();
    sheet.set_name("members").map_err(fail)?;
    for (c, name) in COLUMNS.iter().enumerate() {
        sheet.write_string(0, c as u16, *name).map_err(fail)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = (i + 1) as u32;
        for (c, name) in COLUMNS.iter().enumerate() {
            match r.cell(name) {
                // write_string never makes a formula, but Excel users copy cells into CSVs: escape anyway.
                Cell::Text(t) => {
                    sheet
                        .write_string(row, c as u16, escape_formula(&t))
                        .map_err(fail)?;
                }
                Cell::Number(x) => {
                    sheet.write_number(row, c as u16, x).map_err(fail)?;
                }
                Cell::Empty => {}
            }
        }
    }
    wb.save_to_buffer().map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_escaped() {
        for s in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "\nx"] {
            assert!(escape_formula(s).starts_with('\''), "{s:?}");
        }
        assert_eq!(escape_formula("张三"), "张三");
        assert_eq!(escape_formula(""), "");
    }

    #[test]
    fn csv_has_bom_header_and_quotes() {
        let row = MemberRow {
            name: Some("=HYPERLINK(\"x\")".into()),
            member_id: Some("A,1".into()),
            frequency: 2,
            monetary: 12.5,
            dormancy: "active",
            lifecycle: "growth",
            ..Default::default()
        };
        let bytes = members_csv(&[row]);
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
    }

    #[test]
    fn xlsx_is_a_zip() {
        let row = MemberRow {
            name: Some("李雷".into()),
            dormancy: "active",
            lifecycle: "growth",
            ..Default::default()
        };
        let bytes = members_xlsx(&[row]).unwrap();
        assert!(bytes.starts_with(b"PK\x03\x04"));
    }
}
