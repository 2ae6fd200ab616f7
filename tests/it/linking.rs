//! Linking identities (全渠道会员打通, domain.md §2): one person across key spellings and files.

use memberlens::{AnalysisOptions, Analyzer, FileOptions};

#[test]
fn phones_link_members_across_spellings_and_files() {
    let mut a = Analyzer::new();
    a.add_file("members.csv", "会员卡号,手机号,姓名,注册时间\nV1,138-0000-0001,张三,2023-01-01\nV2,+86 139 0000 0002,李四,2024-01-15\n".as_bytes().to_vec(), FileOptions::default()).unwrap();
    a.add_file(
        "online.csv",
        "订单号,下单时间,买家手机号,实付金额\nA,2024-01-10,13800000001,10\n"
            .as_bytes()
            .to_vec(),
        FileOptions::default(),
    )
    .unwrap();
    a.add_file(
        "pos.csv",
        "小票号,会员卡号,销售日期,销售金额\nP,V1,20240120,20\n"
            .as_bytes()
            .to_vec(),
        FileOptions::default(),
    )
    .unwrap();
    let r = a
        .analyze(&AnalysisOptions::default())
        .unwrap()
        .report
        .clone();
    assert_eq!(r.inventory.members_total, 2);
    assert_eq!(r.inventory.buyers, 1);
    assert_eq!(r.source_overlap[0].buyers, 1);
    assert_eq!(r.dormancy.non_buyers.get("within_30d"), Some(&1));
}
