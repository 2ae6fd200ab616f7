//! No panic on any input: random bytes and mutated fixtures give a result or an error.

use memberlens::{ingest, AnalysisOptions, Analyzer, FileOptions};
use proptest::prelude::*;

fn must_not_panic(bytes: &[u8]) {
    let mut a = Analyzer::new();
    if a.add_file("x.csv", bytes.to_vec(), FileOptions::default())
        .is_ok()
    {
        let _ = a.analyze(&AnalysisOptions::default());
    }
}

fn fixture_head(name: &str, lines: usize) -> Vec<u8> {
    let bytes = crate::support::bytes(name);
    let mut n = 0;
    let end = bytes.iter().position(|b| {
        if *b == b'\n' {
            n += 1;
        }
        n == lines
    });
    bytes[..end.unwrap_or(bytes.len())].to_vec()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        must_not_panic(&bytes);
    }

    #[test]
    fn random_text_with_csv_shape_never_panics(lines in proptest::collection::vec("[0-9a-z,\"¥\\-/: .\t]{0,40}", 0..30)) {
        let text = format!("订单号,下单时间,手机号,实付金额,退款金额,订单状态\n{}", lines.join("\n"));
        must_not_panic(text.as_bytes());
    }

    #[test]
    fn mutated_fixtures_never_panic(
        which in 0usize..4,
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..40),
        cut in any::<prop::sample::Index>(),
    ) {
        let name = ["online_orders_gbk.csv", "pos_sales.csv", "members.csv", "shop_orders_en.csv"][which];
        let mut bytes = fixture_head(name, 60);
        for (at, b) in edits {
            let i = at.index(bytes.len());
            bytes[i] = b;
        }
        let keep = cut.index(bytes.len() + 1);
        bytes.truncate(keep.max(1));
        must_not_panic(&bytes);
        let _ = ingest(name, &bytes, &FileOptions { encoding: Some(memberlens::ingest::TextEncoding::Utf8), ..Default::default() });
    }
}
