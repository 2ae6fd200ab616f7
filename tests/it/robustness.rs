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

/// An analyzer over a small orders export, for schemes and rules to run against.
fn small_analysis() -> Analyzer {
    let mut a = Analyzer::new();
    a.add_file(
        "p.csv",
        fixture_head("pos_sales.csv", 200),
        FileOptions::default(),
    )
    .unwrap();
    a.analyze(&AnalysisOptions::default()).unwrap();
    a
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// A damaged scheme is refused (with a place) or used; a rule of any text is counted or
    /// refused with a position inside it; nothing panics.
    #[test]
    fn damaged_schemes_and_any_rule_never_panic(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), "[\\[\\]{}\",:a-z0-9 ]"), 1..8),
        rule in "[a-z_()\"'=<>! 0-9.,\u{4e00}-\u{4e0f}]{0,40}",
    ) {
        let mut a = small_analysis();
        let mut scheme = memberlens::tags::catalogue::DEFAULT_CATALOGUE.to_string();
        for (at, s) in edits {
            let mut i = at.index(scheme.len());
            while !scheme.is_char_boundary(i) {
                i -= 1;
            }
            scheme.replace_range(i..i, &s);
        }
        match a.set_catalogue(Some(&scheme)) {
            Ok(()) => {}
            Err(e) => prop_assert_eq!(e.code(), "invalid_catalogue"),
        }
        match a.count_rule(&rule) {
            Ok(n) => prop_assert!(n <= a.analysis().unwrap().members.len()),
            Err(memberlens::Error::InvalidRule { line, column, .. }) => {
                prop_assert!(line >= 1 && column >= 1);
                let last = rule.lines().nth(line - 1).unwrap_or("");
                prop_assert!(column <= last.chars().count() + 1, "{rule:?}: column {column}");
            }
            Err(e) => prop_assert!(false, "{e:?}"),
        }
    }
}
