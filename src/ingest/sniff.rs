//! Telling a table from what is not one before reading it: images, PDFs, archives, old
//! Excel workbooks and other binary data are named as what they look like, instead of being
//! read as garbled text.

use crate::error::Error;

/// What a file that is not a table looks like: a key the messages name in both languages.
pub fn not_a_table(bytes: &[u8]) -> Option<&'static str> {
    const MAGIC: &[(&[u8], &str)] = &[
        (b"\x89PNG\r\n\x1a\n", "png"),
        (b"\xff\xd8\xff", "jpeg"),
        (b"GIF87a", "gif"),
        (b"GIF89a", "gif"),
        (b"RIFF", "riff"),
        (b"%PDF", "pdf"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "xls"),
        (b"\x1f\x8b", "gzip"),
        (b"Rar!\x1a\x07", "rar"),
        (b"7z\xbc\xaf\x27\x1c", "7z"),
        (b"\x7fELF", "executable"),
    ];
    if let Some((_, what)) = MAGIC.iter().find(|(m, _)| bytes.starts_with(m)) {
        return Some(what);
    }
    if super::table::is_zip(bytes) {
        // An XLSX workbook names its workbook part in a local file header.
        let names_workbook = memchr::memmem::find(bytes, b"xl/workbook.xml").is_some();
        return (!names_workbook).then_some("zip");
    }
    // Control bytes (NUL and the like, but not tab, line ends, form feed or escape) in the
    // first 4 KiB: text has none. UTF-16 without a BOM has a NUL in every other byte, all on
    // one side: that is text in another encoding, not binary.
    let head = &bytes[..bytes.len().min(4096)];
    if head.is_empty() {
        return None;
    }
    let control = |b: u8| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b);
    let n = head.iter().filter(|b| control(**b)).count();
    if n * 10 < head.len() {
        return None;
    }
    let nul_even = head.iter().step_by(2).filter(|b| **b == 0).count();
    let nul_odd = head.iter().skip(1).step_by(2).filter(|b| **b == 0).count();
    let half = head.len() / 2;
    let utf16_like = (nul_even * 10 >= half * 3 && nul_odd * 20 < half)
        || (nul_odd * 10 >= half * 3 && nul_even * 20 < half);
    (!utf16_like).then_some("binary")
}

/// The error for a file that is not a table, if it is not one.
pub fn check(file: &str, bytes: &[u8]) -> Result<(), Error> {
    match not_a_table(bytes) {
        Some(what) => Err(Error::NotATable {
            file: file.to_string(),
            looks_like: what.to_string(),
        }),
        None => Ok(()),
    }
}

/// How a message names what the file looks like: (English, Chinese).
pub fn looks_like_names(what: &str) -> (&'static str, &'static str) {
    match what {
        "png" => ("a PNG image", "PNG 图片"),
        "jpeg" => ("a JPEG image", "JPEG 图片"),
        "gif" => ("a GIF image", "GIF 图片"),
        "riff" => (
            "a media file (WebP, WAV or AVI)",
            "媒体文件（WebP、WAV 或 AVI）",
        ),
        "pdf" => ("a PDF document", "PDF 文档"),
        "xls" => (
            "an old Excel workbook (.xls, Excel 97–2003): save it as .xlsx or CSV",
            "旧版 Excel 工作簿（.xls，Excel 97–2003）：请另存为 .xlsx 或 CSV",
        ),
        "gzip" => ("a gzip archive: unpack it first", "gzip 压缩包：请先解压"),
        "rar" => ("a RAR archive: unpack it first", "RAR 压缩包：请先解压"),
        "7z" => ("a 7-Zip archive: unpack it first", "7-Zip 压缩包：请先解压"),
        "zip" => (
            "a ZIP archive that is not an XLSX workbook: unpack it first",
            "不是 XLSX 工作簿的 ZIP 压缩包：请先解压",
        ),
        "executable" => ("a program", "程序文件"),
        _ => ("binary data, not text", "二进制数据，不是文本"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_pass_and_other_files_are_named() {
        assert_eq!(not_a_table(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some("png"));
        assert_eq!(not_a_table(b"%PDF-1.7\n"), Some("pdf"));
        assert_eq!(
            not_a_table(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\0\0"),
            Some("xls")
        );
        assert_eq!(
            not_a_table(b"PK\x03\x04\x14\0\0\0word/document.xml"),
            Some("zip")
        );
        assert_eq!(not_a_table(b"PK\x03\x04\x14\0\0\0xl/workbook.xml"), None);
        assert_eq!(not_a_table(&[0u8; 1 << 20]), Some("binary"));
        assert_eq!(not_a_table("会员ID,金额\nA1,100\n".as_bytes()), None);
        assert_eq!(not_a_table(b"id\tamount\r\nA\t1\r\n"), None);
        // UTF-16LE without a BOM is text.
        let utf16: Vec<u8> = "手机号,金额\n13800000000,100\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let ascii16: Vec<u8> = "phone,amount\n1,2\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(not_a_table(&ascii16), None);
        assert_eq!(not_a_table(&utf16), None);
    }
}
