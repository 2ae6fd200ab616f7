//! Bytes to text: BOM and encoding detection (UTF-8, GBK/GB18030, UTF-16) with a user override.

use std::borrow::Cow;

use crate::error::{Error, Warning, WarningCode};
use serde::{Deserialize, Serialize};

/// A text encoding the ingest understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TextEncoding {
    /// UTF-8, with or without BOM.
    #[serde(rename = "utf-8")]
    Utf8,
    /// GBK (read with the GB18030 decoder, its superset).
    #[serde(rename = "gbk")]
    Gbk,
    /// GB18030.
    #[serde(rename = "gb18030")]
    Gb18030,
    /// UTF-16 little-endian.
    #[serde(rename = "utf-16le")]
    Utf16Le,
    /// UTF-16 big-endian.
    #[serde(rename = "utf-16be")]
    Utf16Be,
}

impl TextEncoding {
    /// Label used in reports and options.
    pub fn label(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "utf-8",
            TextEncoding::Gbk => "gbk",
            TextEncoding::Gb18030 => "gb18030",
            TextEncoding::Utf16Le => "utf-16le",
            TextEncoding::Utf16Be => "utf-16be",
        }
    }

    fn encoding(self) -> &'static encoding_rs::Encoding {
        match self {
            TextEncoding::Utf8 => encoding_rs::UTF_8,
            TextEncoding::Gbk | TextEncoding::Gb18030 => encoding_rs::GB18030,
            TextEncoding::Utf16Le => encoding_rs::UTF_16LE,
            TextEncoding::Utf16Be => encoding_rs::UTF_16BE,
        }
    }
}

/// Decoded text of a file and how it was decoded.
pub struct Decoded<'a> {
    /// The text, without BOM; borrowed when the input was already UTF-8.
    pub text: Cow<'a, str>,
    /// The encoding used.
    pub encoding: TextEncoding,
    /// File-level notices (e.g. a BOM that lied).
    pub warnings: Vec<Warning>,
}

fn strip_bom(bytes: &[u8]) -> (Option<TextEncoding>, &[u8]) {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        (Some(TextEncoding::Utf8), rest)
    } else if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        (Some(TextEncoding::Utf16Le), rest)
    } else if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        (Some(TextEncoding::Utf16Be), rest)
    } else {
        (None, bytes)
    }
}

fn line_of_offset(bytes: &[u8], offset: usize) -> usize {
    1 + bytes[..offset.min(bytes.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
}

fn decode_strict(bytes: &[u8], enc: TextEncoding) -> Result<Cow<'_, str>, usize> {
    if enc == TextEncoding::Utf8 {
        return std::str::from_utf8(bytes)
            .map(Cow::Borrowed)
            .map_err(|e| e.valid_up_to());
    }
    let (text, had_errors) = enc.encoding().decode_without_bom_handling(bytes);
    if had_errors {
        // Locate the first bad sequence: decode progressively by lines.
        let pos = text.find('\u{FFFD}').unwrap_or(0);
        let approx_line = text[..pos].matches('\n').count();
        let mut off = 0;
        for _ in 0..approx_line {
            match bytes[off..].iter().position(|b| *b == b'\n') {
                Some(p) => off += p + 1,
                None => break,
            }
        }
        return Err(off);
    }
    Ok(text)
}

/// Decodes a file. With `forced`, that encoding is used strictly; otherwise the
/// BOM decides, then valid UTF-8, then GB18030 (covers GBK from Excel on Chinese Windows).
pub fn decode<'a>(
    file: &str,
    bytes: &'a [u8],
    forced: Option<TextEncoding>,
) -> Result<Decoded<'a>, Error> {
    let mut d = decode_raw(file, bytes, forced)?;
    d.text = normalize_line_ends(d.text);
    Ok(d)
}

/// The text with every bare carriage return (one not followed by a line feed: old Mac line
/// ends, or a file whose lines were joined from several systems) turned into a line feed, so
/// that lines are counted the same way whatever ends them. Borrowed when there is none.
pub fn normalize_line_ends(text: Cow<'_, str>) -> Cow<'_, str> {
    let b = text.as_bytes();
    let bare = |i: usize| b.get(i + 1) != Some(&b'\n');
    if !memchr::memchr_iter(b'\r', b).any(bare) {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for i in memchr::memchr_iter(b'\r', b).filter(|i| bare(*i)) {
        out.push_str(&text[last..i]);
        out.push('\n');
        last = i + 1;
    }
    out.push_str(&text[last..]);
    Cow::Owned(out)
}

/// UTF-16 without a byte-order mark, told by its zero bytes: ASCII text in UTF-16 has a zero
/// in every other byte, all on one side (odd offsets for little-endian).
fn utf16_without_bom(body: &[u8]) -> Option<TextEncoding> {
    let head = &body[..body.len().min(4096) & !1];
    let half = head.len() / 2;
    if half < 4 {
        return None;
    }
    let nul_even = head.iter().step_by(2).filter(|b| **b == 0).count();
    let nul_odd = head.iter().skip(1).step_by(2).filter(|b| **b == 0).count();
    if nul_odd * 10 >= half * 3 && nul_even * 20 < half {
        Some(TextEncoding::Utf16Le)
    } else if nul_even * 10 >= half * 3 && nul_odd * 20 < half {
        Some(TextEncoding::Utf16Be)
    } else {
        None
    }
}

fn decode_raw<'a>(
    file: &str,
    bytes: &'a [u8],
    forced: Option<TextEncoding>,
) -> Result<Decoded<'a>, Error> {
    let (mut bom, body) = strip_bom(bytes);
    if bom.is_none() && forced.is_none() {
        bom = utf16_without_bom(body);
    }
    let mut warnings = Vec::new();
    if let Some(enc) = forced {
        return match decode_strict(body, enc) {
            Ok(text) => Ok(Decoded {
                text,
                encoding: enc,
                warnings,
            }),
            Err(off) => {
                let suggestion = [TextEncoding::Utf8, TextEncoding::Gb18030]
                    .into_iter()
                    .filter(|e| *e != enc)
                    .find(|e| decode_strict(body, *e).is_ok())
                    .map(|e| {
                        if e == TextEncoding::Gb18030 {
                            "GBK/GB18030".to_string()
                        } else {
                            e.label().to_string()
                        }
                    });
                Err(Error::InvalidEncoding {
                    file: file.to_string(),
                    encoding: enc.label().to_string(),
                    line: line_of_offset(body, off),
                    suggestion,
                })
            }
        };
    }
    match bom {
        Some(enc @ (TextEncoding::Utf16Le | TextEncoding::Utf16Be)) => {
            match decode_strict(body, enc) {
                Ok(text) => Ok(Decoded {
                    text,
                    encoding: enc,
                    warnings,
                }),
                Err(off) => Err(Error::InvalidEncoding {
                    file: file.to_string(),
                    encoding: enc.label().to_string(),
                    line: line_of_offset(body, off),
                    suggestion: None,
                }),
            }
        }
        _ => match decode_strict(body, TextEncoding::Utf8) {
            Ok(text) => Ok(Decoded {
                text,
                encoding: TextEncoding::Utf8,
                warnings,
            }),
            Err(utf8_off) => match decode_strict(body, TextEncoding::Gb18030) {
                Ok(text) => {
                    if bom.is_some() {
                        warnings.push(Warning {
                            file: file.to_string(),
                            line: line_of_offset(body, utf8_off),
                            column: None,
                            code: WarningCode::Utf8BomOnGb18030,
                        });
                    }
                    Ok(Decoded {
                        text,
                        encoding: TextEncoding::Gb18030,
                        warnings,
                    })
                }
                Err(_) => Err(Error::InvalidEncoding {
                    file: file.to_string(),
                    encoding: "utf-8".to_string(),
                    line: line_of_offset(body, utf8_off),
                    suggestion: None,
                }),
            },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gbk(s: &str) -> Vec<u8> {
        encoding_rs::GBK.encode(s).0.into_owned()
    }

    #[test]
    fn detects_utf8_bom_gbk_and_utf16() {
        let d = decode("a", "订单号\n1".as_bytes(), None).unwrap();
        assert_eq!(
            (d.encoding, d.text.as_ref()),
            (TextEncoding::Utf8, "订单号\n1")
        );
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice("卡号".as_bytes());
        assert_eq!(decode("a", &bom, None).unwrap().text, "卡号");
        let g = gbk("订单号,金额\n1,2");
        let d = decode("a", &g, None).unwrap();
        assert_eq!(
            (d.encoding, d.text.as_ref()),
            (TextEncoding::Gb18030, "订单号,金额\n1,2")
        );
        let mut le = vec![0xFF, 0xFE];
        for u in "会员".encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
        }
        let d = decode("a", &le, None).unwrap();
        assert_eq!(
            (d.encoding, d.text.as_ref()),
            (TextEncoding::Utf16Le, "会员")
        );
    }

    #[test]
    fn gbk_bytes_in_a_file_that_claims_utf8() {
        // Forced UTF-8: a clear error naming the line and suggesting GBK.
        let bytes = gbk("id,name\n1,张三\n");
        let err = decode("m.csv", &bytes, Some(TextEncoding::Utf8))
            .err()
            .unwrap();
        match err {
            Error::InvalidEncoding {
                line, suggestion, ..
            } => {
                assert_eq!(line, 2);
                assert_eq!(suggestion.as_deref(), Some("GBK/GB18030"));
            }
            other => panic!("{other:?}"),
        }
        // A UTF-8 BOM over GBK bytes: read as GB18030 with a notice.
        let mut lying = vec![0xEF, 0xBB, 0xBF];
        lying.extend_from_slice(&bytes);
        let d = decode("m.csv", &lying, None).unwrap();
        assert_eq!(d.text, "id,name\n1,张三\n");
        assert_eq!(d.warnings.len(), 1);
    }

    #[test]
    fn forced_gbk_reads_gbk() {
        let g = gbk("姓名");
        let d = decode("a", &g, Some(TextEncoding::Gbk)).unwrap();
        assert_eq!(d.text, "姓名");
    }
}
