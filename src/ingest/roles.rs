//! Column roles: header synonyms (domain.md §2), table-kind detection, and user overrides.

use serde::{Deserialize, Serialize};
use strum::VariantArray;

/// What a column means to the analysis.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Role {
    /// Member id or card number (会员ID/卡号).
    MemberId,
    /// Phone (手机号).
    Phone,
    /// E-mail (邮箱).
    Email,
    /// Person name (姓名/昵称).
    Name,
    /// Order id (订单号/小票号).
    OrderId,
    /// Order time (下单时间/销售日期).
    OrderTime,
    /// Order-level amount (实付金额).
    Amount,
    /// Item-line amount (商品实付金额).
    ItemAmount,
    /// Refunded amount (退款金额).
    Refund,
    /// Order status (订单状态).
    Status,
    /// Sales channel (渠道).
    Channel,
    /// Store (门店).
    Store,
    /// Item name (商品名称).
    Item,
    /// Item category (商品类目).
    Category,
    /// Quantity (数量).
    Quantity,
    /// Currency code (币种).
    Currency,
    /// Registration time (注册时间).
    RegisteredAt,
    /// Member tier (会员等级).
    Tier,
    /// Points (积分).
    Points,
    /// Gender (性别).
    Gender,
    /// Birthday (生日).
    Birthday,
    /// Region (地区/省份/城市).
    Region,
    /// Guide (导购).
    Guide,
    /// Registration channel (注册渠道).
    RegChannel,
    /// Follows the brand's official account (是否关注公众号): yes/no.
    Follower,
    /// Total spend in a member summary (累计消费金额).
    TotalSpend,
    /// Total purchase count in a member summary (累计消费次数).
    TotalOrders,
    /// First purchase time in a member summary (首次消费时间).
    FirstPurchase,
    /// Last purchase time in a member summary (最近消费时间).
    LastPurchase,
    /// Distinct purchase days in a member summary (消费天数): forecasts read frequency as
    /// this minus one.
    PurchaseDays,
    /// Net spend on the purchase days after the first in a member summary (复购消费金额):
    /// the spend model reads its mean per repeat day.
    RepeatSpend,
}

impl Role {
    /// The snake_case key used in options and reports.
    pub fn key(self) -> &'static str {
        self.into()
    }

    /// Looks a role up by its key.
    pub fn from_key(key: &str) -> Option<Role> {
        key.parse().ok()
    }

    /// Header synonyms, best first (when two columns claim a role the earlier synonym wins).
    fn synonyms(self) -> &'static [&'static str] {
        match self {
            Role::MemberId => &[
                "会员ID",
                "会员编号",
                "会员卡号",
                "卡号",
                "客户ID",
                "客户编号",
                "用户ID",
                "buyer_id",
                "customer_id",
                "Customer ID",
                "member_id",
                "会员号",
                "vip卡号",
            ],
            Role::Phone => &[
                "手机号",
                "手机号码",
                "会员手机号",
                "买家手机号",
                "手机",
                "联系电话",
                "电话",
                "收货人手机号",
                "phone",
                "mobile",
                "Billing Phone",
                "mobile_phone",
                "phone_number",
            ],
            Role::Email => &[
                "邮箱",
                "电子邮箱",
                "email",
                "E-mail",
                "邮件",
                "email_address",
            ],
            Role::Name => &[
                "姓名",
                "会员姓名",
                "客户姓名",
                "买家昵称",
                "会员昵称",
                "昵称",
                "name",
                "Billing Name",
                "customer_name",
            ],
            Role::OrderId => &[
                "订单号",
                "订单编号",
                "小票号",
                "单据号",
                "流水号",
                "order_id",
                "Order ID",
                "order_no",
                "交易号",
            ],
            Role::OrderTime => &[
                "下单时间",
                "付款时间",
                "支付时间",
                "成交时间",
                "创建时间",
                "销售日期",
                "消费日期",
                "交易时间",
                "order_date",
                "Created at",
                "created_at",
                "Paid at",
                "date",
                "order_time",
                "订单日期",
                "消费时间",
            ],
            Role::Amount => &[
                "实付金额",
                "订单实付金额",
                "支付金额",
                "订单金额",
                "销售金额",
                "消费金额",
                "成交金额",
                "应付金额",
                "amount",
                "Total",
                "revenue",
                "dollar_value",
                "order_amount",
            ],
            Role::ItemAmount => &[
                "商品实付金额",
                "商品金额",
                "明细金额",
                "Lineitem price",
                "item_amount",
            ],
            Role::Refund => &[
                "退款金额",
                "已退款金额",
                "退货金额",
                "Refunded Amount",
                "refund",
                "refund_amount",
            ],
            Role::Status => &[
                "订单状态",
                "交易状态",
                "状态",
                "Financial Status",
                "status",
                "order_status",
            ],
            Role::Channel => &[
                "渠道",
                "销售渠道",
                "订单来源",
                "来源渠道",
                "店铺",
                "source",
                "channel",
            ],
            Role::Store => &[
                "门店",
                "门店名称",
                "消费门店",
                "所属门店",
                "开卡门店",
                "store",
                "Location",
                "store_name",
            ],
            Role::Item => &[
                "商品名称",
                "商品标题",
                "商品",
                "item",
                "product",
                "Lineitem name",
            ],
            Role::Category => &["商品类目", "类目", "品类", "category"],
            Role::Quantity => &["数量", "商品数量", "quantity", "Lineitem quantity", "qty"],
            Role::Currency => &["币种", "货币", "Currency"],
            Role::RegisteredAt => &[
                "注册时间",
                "开卡时间",
                "成为会员时间",
                "入会时间",
                "加入时间",
                "registered_at",
                "注册日期",
                "开卡日期",
            ],
            Role::Tier => &["会员等级", "等级", "卡种", "tier", "level", "会员级别"],
            Role::Points => &["积分", "可用积分", "points", "当前积分"],
            Role::Gender => &["性别", "gender", "sex"],
            Role::Birthday => &["生日", "出生日期", "birthday", "birth_date", "birthdate"],
            Role::Region => &[
                "地区",
                "省份",
                "城市",
                "region",
                "province",
                "city",
                "所在地区",
            ],
            Role::Guide => &["导购", "所属导购", "专属导购", "添加人", "guide"],
            Role::RegChannel => &["注册渠道", "注册来源", "reg_channel"],
            Role::Follower => &[
                "是否关注公众号",
                "关注公众号",
                "公众号关注",
                "公众号粉丝",
                "是否粉丝",
                "关注状态",
                "follower",
                "is_follower",
                "wechat_follower",
            ],
            Role::TotalSpend => &[
                "累计消费金额",
                "消费总额",
                "累计消费",
                "总消费金额",
                "total_spend",
                "total_spent",
                "monetary",
            ],
            Role::TotalOrders => &[
                "累计消费次数",
                "消费次数",
                "购买次数",
                "总订单数",
                "total_orders",
                "orders_count",
                "frequency",
            ],
            Role::FirstPurchase => &[
                "首次消费时间",
                "首次购买时间",
                "首单时间",
                "first_purchase",
                "first_order_date",
            ],
            Role::LastPurchase => &[
                "最近消费时间",
                "最后消费时间",
                "最近购买时间",
                "末次消费时间",
                "last_purchase",
                "last_order_date",
            ],
            Role::PurchaseDays => &[
                "消费天数",
                "购买天数",
                "累计消费天数",
                "purchase_days",
                "distinct_purchase_days",
            ],
            Role::RepeatSpend => &["复购消费金额", "复购金额", "repeat_spend"],
        }
    }
}

/// Canonical form of a header: full-width folded to ASCII, lower-case, no whitespace,
/// no BOM, no trailing unit in brackets (`金额(元)` → `金额`), no required-field star.
pub fn normalize_header(h: &str) -> String {
    let mut out = String::with_capacity(h.len());
    for c in h.chars() {
        let c = match c {
            '\u{FEFF}' => continue,
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        };
        if c.is_whitespace() || c == '*' {
            continue;
        }
        out.extend(c.to_lowercase());
    }
    if let Some(pos) = out.find('(') {
        if out.ends_with(')') && pos > 0 {
            out.truncate(pos);
        }
    }
    out
}

/// The kind of table a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum TableKind {
    /// One row per order or order item line (订单).
    Orders,
    /// One row per member (会员).
    Members,
    /// One row per member with pre-aggregated totals (会员汇总).
    MemberSummary,
}

impl TableKind {
    /// The snake_case key.
    pub fn key(self) -> &'static str {
        self.into()
    }
}

/// How a column's role (or a table's kind) was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecidedBy {
    /// A known header synonym.
    Header,
    /// The values in the column (e.g. Shopify's `Name` holding `#1001`).
    Content,
    /// The user chose it.
    User,
    /// Nothing matched; the column is kept but unused.
    None,
}

/// One column's mapping as reported to the user.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnMapping {
    /// Header as written in the file.
    pub header: String,
    /// Role, or `None` when unused.
    pub role: Option<Role>,
    /// How it was decided.
    pub decided_by: DecidedBy,
}

/// Candidate roles of a header for each table kind (synonyms that differ by kind are resolved here).
pub(crate) fn header_role(norm: &str) -> Option<Role> {
    let mut best: Option<(Role, usize)> = None;
    for &role in Role::VARIANTS {
        if let Some(rank) = role
            .synonyms()
            .iter()
            .position(|s| normalize_header(s) == norm)
        {
            // The earliest-listed role wins ties only if its synonym is the exact word;
            // all synonyms are distinct across roles except the kind-dependent ones below.
            if best.is_none() {
                best = Some((role, rank));
            }
        }
    }
    best.map(|(r, _)| r)
}

/// Adjusts a header-derived role for the table kind (e.g. `created_at`, `来源渠道`).
fn role_for_kind(norm: &str, role: Option<Role>, kind: TableKind) -> Option<Role> {
    match (norm, kind) {
        ("created_at" | "createdat", TableKind::Members) => Some(Role::RegisteredAt),
        ("created_at" | "createdat", _) => Some(Role::OrderTime),
        ("来源渠道", TableKind::Members | TableKind::MemberSummary) => Some(Role::RegChannel),
        (_, TableKind::Members | TableKind::MemberSummary) if role == Some(Role::Channel) => {
            Some(Role::RegChannel)
        }
        _ => role,
    }
}

/// Looks like an order number (`#1001`, `E2021...`): digits, maybe letters/dashes, no spaces.
fn looks_like_order_number(v: &str) -> bool {
    let v = v.trim();
    !v.is_empty()
        && v.len() <= 40
        && v.bytes().any(|c| c.is_ascii_digit())
        && v.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'#' | b'-' | b'_'))
}

/// Decides the table kind from normalised headers' roles.
pub fn detect_kind(roles: &[Option<Role>]) -> Option<TableKind> {
    let has = |r: Role| roles.contains(&Some(r));
    let key = has(Role::MemberId) || has(Role::Phone) || has(Role::Email);
    if has(Role::TotalSpend) || has(Role::TotalOrders) || has(Role::LastPurchase) {
        return Some(TableKind::MemberSummary);
    }
    if has(Role::OrderTime) && (has(Role::Amount) || has(Role::ItemAmount)) {
        return Some(TableKind::Orders);
    }
    if key
        && (has(Role::RegisteredAt)
            || has(Role::Tier)
            || has(Role::Name)
            || has(Role::Gender)
            || has(Role::Birthday)
            || has(Role::Points)
            || !has(Role::OrderTime))
    {
        return Some(TableKind::Members);
    }
    None
}

/// Maps headers to roles. `sample` is a few data rows used for content checks;
/// `overrides` are the user's choices (header → role or `None` for ignore).
pub fn map_columns(
    headers: &[String],
    sample: &[Vec<String>],
    kind_override: Option<TableKind>,
    overrides: &[(String, Option<Role>)],
) -> (Option<TableKind>, DecidedBy, Vec<ColumnMapping>) {
    let norms: Vec<String> = headers.iter().map(|h| normalize_header(h)).collect();
    let mut roles: Vec<Option<Role>> = norms.iter().map(|n| header_role(n)).collect();
    let mut decided: Vec<DecidedBy> = roles
        .iter()
        .map(|r| {
            if r.is_some() {
                DecidedBy::Header
            } else {
                DecidedBy::None
            }
        })
        .collect();
    // Shopify's `Name` is the order number when a separate name column exists or values look like `#1001`.
    for (i, n) in norms.iter().enumerate() {
        if n == "name" {
            let values: Vec<&str> = sample
                .iter()
                .filter_map(|r| r.get(i))
                .map(|s| s.as_str())
                .filter(|s| !s.trim().is_empty())
                .collect();
            if !values.is_empty() && values.iter().all(|v| looks_like_order_number(v)) {
                roles[i] = Some(Role::OrderId);
                decided[i] = DecidedBy::Content;
            }
        }
    }
    // Overrides first so kind detection sees them.
    for (h, role) in overrides {
        if let Some(i) = headers.iter().position(|x| x == h) {
            roles[i] = *role;
            decided[i] = DecidedBy::User;
        }
    }
    let (kind, kind_by) = match kind_override {
        Some(k) => (Some(k), DecidedBy::User),
        None => {
            let k = detect_kind(&roles);
            (
                k,
                if k.is_some() {
                    DecidedBy::Header
                } else {
                    DecidedBy::None
                },
            )
        }
    };
    if let Some(k) = kind {
        for i in 0..roles.len() {
            if decided[i] == DecidedBy::Header {
                roles[i] = role_for_kind(&norms[i], roles[i], k);
            }
        }
    }
    // One column per role: the user's choice, then the best-ranked synonym, then the leftmost.
    let rank: Vec<usize> = (0..roles.len())
        .map(|i| match (decided[i], roles[i]) {
            (DecidedBy::User, _) => 0,
            (_, Some(r)) => {
                1 + r
                    .synonyms()
                    .iter()
                    .position(|s| normalize_header(s) == norms[i])
                    .unwrap_or(50)
            }
            _ => usize::MAX,
        })
        .collect();
    for i in 0..roles.len() {
        let Some(r) = roles[i] else { continue };
        for j in 0..roles.len() {
            if i != j && roles[j] == Some(r) && (rank[j], j) < (rank[i], i) {
                roles[i] = None;
                decided[i] = if decided[i] == DecidedBy::User {
                    DecidedBy::User
                } else {
                    DecidedBy::None
                };
                break;
            }
        }
    }
    let mappings = headers
        .iter()
        .enumerate()
        .map(|(i, h)| ColumnMapping {
            header: h.clone(),
            role: roles[i],
            decided_by: decided[i],
        })
        .collect();
    (kind, kind_by, mappings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles_of(headers: &[&str]) -> (Option<TableKind>, Vec<Option<Role>>) {
        let h: Vec<String> = headers.iter().map(|s| s.to_string()).collect();
        let (k, _, m) = map_columns(&h, &[], None, &[]);
        (k, m.into_iter().map(|c| c.role).collect())
    }

    #[test]
    fn headers_are_case_width_and_space_insensitive() {
        assert_eq!(normalize_header(" Customer ID "), "customerid");
        assert_eq!(normalize_header("ＥＭＡＩＬ"), "email");
        assert_eq!(normalize_header("实付金额(元)"), "实付金额");
        assert_eq!(normalize_header("\u{FEFF}小票号"), "小票号");
        let (_, r) = roles_of(&["手 机 号", "ＰＨＯＮＥ２"]);
        assert_eq!(r[0], Some(Role::Phone));
        assert_eq!(r[1], None);
    }

    #[test]
    fn all_roles_are_listed_in_discriminant_order() {
        // ColumnIndex indexes an array by `role as usize`.
        for (i, r) in Role::VARIANTS.iter().enumerate() {
            assert_eq!(*r as usize, i, "{r:?}");
        }
    }

    #[test]
    fn youzan_export_maps_to_orders() {
        let (k, r) = roles_of(&[
            "订单号",
            "订单状态",
            "下单时间",
            "买家昵称",
            "买家手机号",
            "商品名称",
            "商品类目",
            "商品数量",
            "订单实付金额",
            "退款金额",
            "销售渠道",
        ]);
        assert_eq!(k, Some(TableKind::Orders));
        assert_eq!(
            r,
            vec![
                Some(Role::OrderId),
                Some(Role::Status),
                Some(Role::OrderTime),
                Some(Role::Name),
                Some(Role::Phone),
                Some(Role::Item),
                Some(Role::Category),
                Some(Role::Quantity),
                Some(Role::Amount),
                Some(Role::Refund),
                Some(Role::Channel)
            ]
        );
    }

    #[test]
    fn member_master_maps_channel_to_reg_channel() {
        let (k, r) = roles_of(&[
            "会员卡号",
            "手机号",
            "姓名",
            "注册时间",
            "来源渠道",
            "开卡门店",
        ]);
        assert_eq!(k, Some(TableKind::Members));
        assert_eq!(r[4], Some(Role::RegChannel));
        assert_eq!(r[5], Some(Role::Store));
    }

    #[test]
    fn shopify_name_is_the_order_number() {
        let h: Vec<String> = [
            "Name",
            "Email",
            "Financial Status",
            "Created at",
            "Total",
            "Billing Name",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let sample = vec![vec![
            "#1001".to_string(),
            "a@b.c".into(),
            "paid".into(),
            "2024-01-01".into(),
            "1".into(),
            "Ann".into(),
        ]];
        let (k, _, m) = map_columns(&h, &sample, None, &[]);
        assert_eq!(k, Some(TableKind::Orders));
        assert_eq!(m[0].role, Some(Role::OrderId));
        assert_eq!(m[0].decided_by, DecidedBy::Content);
        assert_eq!(m[5].role, Some(Role::Name));
        assert_eq!(m[3].role, Some(Role::OrderTime));
    }

    #[test]
    fn two_date_columns_keep_the_better_synonym() {
        let (_, r) = roles_of(&["支付时间", "下单时间", "实付金额", "手机号"]);
        assert_eq!(r[0], None);
        assert_eq!(r[1], Some(Role::OrderTime));
    }

    #[test]
    fn user_overrides_win() {
        let h: Vec<String> = ["下单时间", "支付时间", "实付金额", "手机号"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let (_, _, m) = map_columns(&h, &[], None, &[("支付时间".into(), Some(Role::OrderTime))]);
        assert_eq!(m[1].role, Some(Role::OrderTime));
        assert_eq!(m[1].decided_by, DecidedBy::User);
        assert_eq!(m[0].role, None);
    }

    #[test]
    fn summary_table_is_detected() {
        let (k, _) = roles_of(&[
            "会员卡号",
            "累计消费金额",
            "累计消费次数",
            "首次消费时间",
            "最近消费时间",
        ]);
        assert_eq!(k, Some(TableKind::MemberSummary));
    }
}
