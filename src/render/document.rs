//! The client report's sections, in the order a consultant presents them: the summary, the
//! data, the segments with their strategies, the action plan, dormancy and lifecycle, the
//! forecasts in plain words, the sources, and how it was computed.

use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::chart::{hbars, Row, Series};
use super::format::{int, money, money_whole, num, pct};
use super::{HtmlOptions, Names};
use crate::report::glossary;
use crate::report::{
    Action, Benefit, Channel, ForecastReport, GainKind, Report, Scoring, ValueBasis,
};
use crate::strategy::{Play, Playbook};

/// The document's own styles (inline: the report is one file).
const CSS: &str = include_str!("report.css");
/// Nothing may be loaded: styles are inline, charts are inline SVG.
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";
/// Action cards written out in full (the table lists every action).
const CARDS: usize = 10;
/// Stores listed in the inventory.
const STORES: usize = 12;
const ACCENT: &str = "#2f6fde";
const SECOND: &str = "#f0a020";

/// What every section reads: the report, the playbook, the names and the language.
pub struct Doc<'a> {
    pub r: &'a Report,
    pub playbook: &'a Playbook,
    pub names: Names<'a>,
    pub opts: &'a HtmlOptions,
}

impl Doc<'_> {
    fn zh(&self) -> bool {
        self.opts.zh()
    }

    /// The text in the report's language.
    fn t<'s>(&self, zh: &'s str, en: &'s str) -> &'s str {
        if self.zh() {
            zh
        } else {
            en
        }
    }

    /// The display name of a key of a member column (`dormancy` `near_sleep` → 接近睡眠会员).
    fn name(&self, column: &str, key: &str) -> String {
        (self.names)(column, key).unwrap_or_else(|| key.to_string())
    }

    fn play(&self, key: &str) -> Option<&Play> {
        self.playbook.plays.iter().find(|p| p.key == key)
    }

    fn action(&self, key: &str) -> Option<&Action> {
        self.r.action_plan.actions.iter().find(|a| a.key == key)
    }

    fn action_name<'s>(&self, a: &'s Action) -> &'s str {
        self.t(&a.name_zh, &a.name_en)
    }

    fn title(&self) -> String {
        match &self.opts.title {
            Some(t) if !t.trim().is_empty() => t.trim().to_string(),
            _ => self.t("会员分析报告", "Member analysis report").into(),
        }
    }

    fn brand(&self) -> Option<&str> {
        self.opts
            .brand
            .as_deref()
            .map(str::trim)
            .filter(|b| !b.is_empty())
    }

    /// The whole document.
    pub fn render(&self) -> Markup {
        let title = self.title();
        let head_title = match self.brand() {
            Some(b) => format!("{b} · {title}"),
            None => title.clone(),
        };
        html! {
            (DOCTYPE)
            html lang=(self.t("zh-CN", "en")) {
                head {
                    meta charset="utf-8";
                    meta http-equiv="Content-Security-Policy" content=(CSP);
                    meta name="referrer" content="no-referrer";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    meta name="generator" content=(self.r.generator);
                    title { (head_title) }
                    style { (PreEscaped(CSS)) }
                }
                body {
                    (self.cover(&title))
                    (self.summary())
                    (self.inventory())
                    (self.segments())
                    (self.actions())
                    (self.dormancy())
                    (self.forecasts())
                    (self.growth())
                    (self.sources())
                    (self.method())
                    footer {
                        (self.t(
                            "本报告由 MemberLens 私域会员分析器在本机生成：会员数据未上传到任何服务器。",
                            "Made by MemberLens on this computer: no member data was uploaded anywhere.",
                        ))
                        " " (self.r.generator) " · " (self.t("报告格式", "report format")) " "
                        (self.r.report_version)
                    }
                }
            }
        }
    }

    fn cover(&self, title: &str) -> Markup {
        html! {
            header.cover {
                @if let Some(b) = self.brand() { p.brand { (b) } }
                h1 { (title) }
                p.meta {
                    (self.t("数据截至（分析基准日）", "Data as of")) " " (self.r.as_of)
                    @if let Some(d) = &self.opts.date {
                        " · " (self.t("报告日期", "Report date")) " " (d)
                    }
                }
            }
        }
    }

    fn kpi(&self, value: String, label: &str) -> Markup {
        html! { div.kpi { div.v { (value) } div.k { (label) } } }
    }

    fn summary(&self) -> Markup {
        let i = &self.r.inventory;
        let zh = self.zh();
        let mut findings: Vec<String> = Vec::new();
        if i.members_total > 0 {
            let share = i.buyers as f64 / i.members_total as f64;
            findings.push(if zh {
                format!(
                    "会员 {} 人，其中有消费 {} 人（{}），未消费 {} 人。",
                    int(i.members_total),
                    int(i.buyers),
                    pct(share),
                    int(i.non_buyers)
                )
            } else {
                format!(
                    "{} members, of whom {} have bought ({}) and {} have not.",
                    int(i.members_total),
                    int(i.buyers),
                    pct(share),
                    int(i.non_buyers)
                )
            });
        }
        if let Some((_, s)) = self
            .r
            .rfm
            .segments
            .0
            .iter()
            .filter(|(_, s)| s.members > 0)
            .max_by(|a, b| a.1.revenue_share.total_cmp(&b.1.revenue_share))
        {
            findings.push(if zh {
                format!(
                    "贡献最大的分群是「{}」：{} 人，占有消费会员的 {}，贡献 {} 的会员销售额。",
                    s.name_zh,
                    int(s.members),
                    pct(s.share),
                    pct(s.revenue_share)
                )
            } else {
                format!(
                    "The segment that brings the most is {}: {} members, {} of buyers, {} of member revenue.",
                    s.name_en,
                    int(s.members),
                    pct(s.share),
                    pct(s.revenue_share)
                )
            });
        }
        let b = &self.r.dormancy.buyers;
        let at_risk: usize = ["near_sleep", "dormant", "lost"]
            .iter()
            .filter_map(|k| b.get(k))
            .sum();
        if i.buyers > 0 {
            let t = &self.r.dormancy.thresholds;
            findings.push(if zh {
                format!(
                    "{} 位有消费会员（{}）已超过 {} 天没有消费，处于接近睡眠、休眠或流失状态。",
                    int(at_risk),
                    pct(at_risk as f64 / i.buyers as f64),
                    num(t[1], 0)
                )
            } else {
                format!(
                    "{} buyers ({}) have not bought for more than {} days: near sleep, dormant or lost.",
                    int(at_risk),
                    pct(at_risk as f64 / i.buyers as f64),
                    num(t[1], 0)
                )
            });
        }
        let top: Vec<&Action> = self.r.action_plan.ranked().into_iter().take(3).collect();
        if !top.is_empty() {
            let list: Vec<String> = top
                .iter()
                .map(|a| {
                    format!(
                        "{}（{} {}，{} {}）",
                        self.action_name(a),
                        int(a.members),
                        self.t("人", "members"),
                        self.t("涉及价值", "value at stake"),
                        money_whole(a.value_at_stake)
                    )
                })
                .collect();
            findings.push(if zh {
                format!("优先行动：{}。", list.join("；"))
            } else {
                format!(
                    "First actions: {}.",
                    list.join("; ")
                        .replace('（', " (")
                        .replace('）', ")")
                        .replace('，', ", ")
                )
            });
        }
        if let Some(f) = &self.r.forecast {
            if let Some(e) = f.expected_purchases.get("90d") {
                findings.push(if zh {
                    format!(
                        "模型预计未来 90 天有消费会员共购买约 {} 次；未来 {} 个月人均客户终身价值 {}。",
                        num(*e, 0),
                        f.settings.clv_months,
                        money(f.clv.mean)
                    )
                } else {
                    format!(
                        "The model expects about {} purchases by buyers in the next 90 days, and a mean customer lifetime value of {} over {} months.",
                        num(*e, 0),
                        money(f.clv.mean),
                        f.settings.clv_months
                    )
                });
            }
        }
        html! {
            section #summary {
                h2 { (self.t("摘要", "Summary")) }
                div.kpis {
                    (self.kpi(int(i.members_total), self.t("会员总数", "Members")))
                    (self.kpi(int(i.buyers), self.t("有消费会员", "Buyers")))
                    (self.kpi(money_whole(i.revenue), self.t("会员销售额", "Member revenue")))
                    (self.kpi(money(i.aov), self.t("客单价", "Average order value")))
                    (self.kpi(pct(i.repurchase_rate), self.t("复购率", "Repurchase rate")))
                    @if let Some(d) = i.median_interpurchase_days {
                        (self.kpi(format!("{} {}", num(d, 0), self.t("天", "days")),
                            self.t("消费周期（中位数）", "Purchase cycle (median)")))
                    }
                }
                ul.findings { @for f in &findings { li { (f) } } }
            }
        }
    }

    fn inventory(&self) -> Markup {
        let i = &self.r.inventory;
        let t = |zh, en| self.t(zh, en);
        // Each figure with its name and definition from the glossary (the page's and the
        // CLI's too).
        let rows: Vec<(&str, String)> = vec![
            ("metric.members_total", int(i.members_total)),
            (
                "metric.members_in_member_file",
                int(i.members_in_member_file),
            ),
            ("metric.buyers", int(i.buyers)),
            ("metric.non_buyers", int(i.non_buyers)),
            ("metric.purchase_orders", int(i.purchase_orders)),
            ("metric.revenue", money(i.revenue)),
            ("metric.aov", money(i.aov)),
            ("metric.avg_spend_per_buyer", money(i.avg_spend_per_buyer)),
            (
                "metric.avg_orders_per_buyer",
                num(i.avg_orders_per_buyer, 2),
            ),
            ("metric.repurchase_rate", pct(i.repurchase_rate)),
            (
                "metric.return_rate",
                format!(
                    "{} ({} {})",
                    pct(i.return_rate),
                    self.r.settings.return_period_days,
                    t("天", "days")
                ),
            ),
            ("metric.return_rows", int(i.return_rows)),
            ("metric.returns_amount", money(i.returns_amount)),
            ("metric.guest_orders", int(i.guest_orders)),
            ("metric.guest_revenue", money(i.guest_revenue)),
        ];
        let rows: Vec<(&str, String, &str)> = rows
            .into_iter()
            .filter_map(|(k, v)| {
                let (name, def) = glossary::term(k)?.text(self.zh());
                Some((name, v, def))
            })
            .collect();
        let mut stores: Vec<_> = i.by_store.iter().collect();
        stores.sort_by(|a, b| b.revenue.total_cmp(&a.revenue));
        html! {
            section #inventory .major {
                h2 { (t("数据盘点", "Data inventory")) }
                h3 { (t("读取的文件", "Files read")) }
                table {
                    thead { tr {
                        th { (t("文件", "File")) } th { (t("类型", "Kind")) }
                        th.n { (t("行数", "Rows")) } th.n { (t("采用", "Accepted")) }
                        th.n { (t("重复", "Duplicates")) } th.n { (t("拒收", "Rejected")) }
                        th.n { (t("晚于基准日", "After as-of")) }
                    } }
                    tbody { @for f in &self.r.files { tr {
                        td { (f.name) } td { (self.kind(f.kind)) }
                        td.n { (int(f.rows)) } td.n { (int(f.accepted)) }
                        td.n { (int(f.duplicate_rows)) } td.n { (int(f.rejected_rows)) }
                        td.n { (int(f.after_as_of_rows)) }
                    } } }
                }
                p.note { (t(
                    "每个文件的行数 = 采用 + 重复 + 拒收；拒收的行及原因列在页面的数据质量面板和报告 JSON 中。",
                    "Each file's rows = accepted + duplicates + rejected; rejected rows and their reasons are in the page's data-quality panel and the report JSON.",
                )) }
                h3 { (t("主要指标", "Key figures")) }
                table.kv { tbody { @for (k, v, def) in &rows { tr { th { (k) } td.n { (v) } td.note { (def) } } } } }
                @if !stores.is_empty() {
                    h3 { (t("门店", "Stores")) }
                    p {
                        (t("店均销（有销售门店的平均会员销售额）：", "Revenue per store (mean member revenue of stores with sales): "))
                        strong { (money(i.revenue_per_store)) }
                        @if stores.len() > STORES {
                            " · " (t("按销售额列出前", "top")) " " (STORES) (t(" 家", " stores by revenue"))
                        }
                    }
                    (self.label_table(&stores[..stores.len().min(STORES)], t("门店", "Store")))
                }
            }
        }
    }

    fn kind<'k>(&self, kind: &'k str) -> &'k str {
        match kind {
            "orders" => self.t("订单表", "orders"),
            "members" => self.t("会员表", "members"),
            "member_summary" => self.t("会员汇总表", "member summary"),
            other => other,
        }
    }

    fn label_table(&self, rows: &[&crate::report::LabelStats], head: &str) -> Markup {
        let t = |zh, en| self.t(zh, en);
        html! {
            table {
                thead { tr {
                    th { (head) } th.n { (t("会员", "Members")) } th.n { (t("有消费", "Buyers")) }
                    th.n { (t("订单", "Orders")) } th.n { (t("销售额", "Revenue")) }
                    th.n { (t("客单价", "AOV")) }
                } }
                tbody { @for s in rows { tr {
                    td { (s.label) } td.n { (int(s.members)) } td.n { (int(s.buyers)) }
                    td.n { (int(s.purchase_orders)) } td.n { (money(s.revenue)) }
                    td.n { (if s.purchase_orders > 0 { money(s.revenue / s.purchase_orders as f64) } else { "—".into() }) }
                } } }
            }
        }
    }

    fn segments(&self) -> Markup {
        let t = |zh, en| self.t(zh, en);
        let rfm = &self.r.rfm;
        let rows: Vec<Row> = rfm
            .segments
            .0
            .iter()
            .map(|(_, s)| Row {
                label: self.t(&s.name_zh, &s.name_en).to_string(),
                values: vec![s.share, s.revenue_share],
                texts: vec![pct(s.share), pct(s.revenue_share)],
            })
            .collect();
        let series = [
            Series {
                name: t("会员占比", "Share of buyers"),
                color: ACCENT,
            },
            Series {
                name: t("销售额占比", "Share of revenue"),
                color: SECOND,
            },
        ];
        html! {
            section #segments .major {
                h2 { (t("RFM 分群与策略", "RFM segments and their strategies")) }
                p { (if self.zh() {
                    format!("{} 位有消费会员按最近一次消费（R）、消费频次（F）、消费金额（M）打 1–5 分，再按各维度高于或低于平均分分成八群。",
                        int(rfm.buyers_scored))
                } else {
                    format!("{} buyers are scored 1–5 on recency (R), frequency (F) and monetary value (M), then split into eight segments by whether each score is above or below its mean.",
                        int(rfm.buyers_scored))
                }) }
                figure {
                    (hbars(t("各分群的会员占比与销售额占比", "Each segment's share of buyers and of revenue"), &series, &rows))
                    figcaption { (t("蓝：会员占比；橙：销售额占比。", "Blue: share of buyers; orange: share of revenue.")) }
                }
                table {
                    thead { tr {
                        th { (t("分群", "Segment")) } th.n { (t("会员", "Members")) } th.n { (t("占比", "Share")) }
                        th.n { (t("销售额", "Revenue")) } th.n { (t("销售额占比", "Revenue share")) }
                        th.n { "R" } th.n { "F" } th.n { "M" } th { (t("策略", "Strategy")) }
                    } }
                    tbody { @for (key, s) in &rfm.segments.0 { tr {
                        td { (self.t(&s.name_zh, &s.name_en)) }
                        td.n { (int(s.members)) } td.n { (pct(s.share)) }
                        td.n { (money_whole(s.revenue)) } td.n { (pct(s.revenue_share)) }
                        td.n { (num(s.mean_recency, 0)) } td.n { (num(s.mean_frequency, 1)) }
                        td.n { (money_whole(s.mean_monetary)) }
                        td { (self.strategy_cell(&format!("rfm.{key}"))) }
                    } } }
                }
                p.note { (t("R：平均距今天数；F：平均消费次数；M：平均消费金额。策略列是行动建议中对应条目的要点。",
                    "R: mean days since the last purchase; F: mean purchases; M: mean spend. The strategy column sums up the matching entry of the action plan.")) }
                @if !rfm.ten_segments.0.is_empty() {
                    h3 { (t("十分群", "Ten-segment scheme")) }
                    table {
                        thead { tr {
                            th { (t("分群", "Segment")) } th.n { (t("会员", "Members")) } th.n { (t("占比", "Share")) }
                            th.n { (t("销售额占比", "Revenue share")) } th { (t("策略", "Strategy")) }
                        } }
                        tbody { @for (key, s) in &rfm.ten_segments.0 { tr {
                            td { (self.t(&s.name_zh, &s.name_en)) } td.n { (int(s.members)) }
                            td.n { (pct(s.share)) } td.n { (pct(s.revenue_share)) }
                            td { (self.strategy_cell(&format!("rfm_ten.{}", ten_key(key)))) }
                        } } }
                    }
                }
            }
        }
    }

    /// A segment's strategy in one cell: benefit type, first channels and the action's rank.
    fn strategy_cell(&self, play_key: &str) -> Markup {
        let Some(p) = self.play(play_key) else {
            return html! { span.muted { "—" } };
        };
        let channels: Vec<&str> = p
            .channels
            .iter()
            .take(2)
            .map(|c| self.channel(*c))
            .collect();
        let rank = self
            .action(play_key)
            .filter(|a| a.members > 0)
            .map(|a| a.rank);
        html! {
            (self.benefit(p.benefit)) " · " (channels.join(" / "))
            @if let Some(n) = rank { " · " (self.t("行动", "action")) " #" (n) }
        }
    }

    fn benefit(&self, b: Benefit) -> &str {
        match b {
            Benefit::Exclusive => self.t("尊享权益", "Exclusive benefits"),
            Benefit::Marketing => self.t("营销权益", "Marketing benefits"),
            Benefit::Basic => self.t("基础权益", "Basic benefits"),
        }
    }

    fn channel(&self, c: Channel) -> &str {
        match c {
            Channel::Sms => self.t("短信", "SMS"),
            Channel::AiCall => self.t("AI 外呼", "AI call"),
            Channel::TemplateMessage => self.t("公众号模板消息", "Template message"),
            Channel::SubscriptionMessage => self.t("小程序订阅消息", "Subscription message"),
            Channel::Wecom1v1 => self.t("企业微信 1v1", "WeCom 1:1"),
            Channel::WecomMoments => self.t("企微朋友圈", "WeCom Moments"),
            Channel::Email => self.t("邮件", "E-mail"),
        }
    }

    fn group(&self, g: &str) -> String {
        match g {
            "rfm" => self.t("RFM 八分群", "RFM segment").into(),
            "rfm_ten" => self.t("RFM 十分群", "Ten-segment scheme").into(),
            "dormancy" => self.t("沉睡分层", "Dormancy tier").into(),
            "non_buyer" => self.t("未消费会员", "Members yet to buy").into(),
            "lifecycle" => self.t("生命周期", "Lifecycle stage").into(),
            "custom" => self.t("自定义", "Custom").into(),
            other => other.to_string(),
        }
    }

    fn reach_text(&self, a: &Action) -> String {
        match a.reachable_any {
            None => self.t("未知", "unknown").into(),
            Some(n) if a.reach_complete => int(n),
            Some(n) => format!("≥ {}", int(n)),
        }
    }

    fn actions(&self) -> Markup {
        let t = |zh, en| self.t(zh, en);
        let plan = &self.r.action_plan;
        let ranked = plan.ranked();
        let failed: Vec<&Action> = plan
            .actions
            .iter()
            .filter(|a| a.error_en.is_some())
            .collect();
        let basis = match plan.value_basis {
            ValueBasis::Clv => t(
                "涉及价值 = 覆盖会员预测客户终身价值（CLV）之和。",
                "Value at stake = the sum of the covered members' predicted customer lifetime value (CLV).",
            ),
            ValueBasis::Spend12m => t(
                "涉及价值 = 覆盖会员近 12 个月消费额之和（未计算预测）。",
                "Value at stake = the covered members' spend in the last 12 months (forecasts were not computed).",
            ),
        };
        html! {
            section #actions .major {
                h2 { (t("行动建议", "Action plan")) }
                p { (t("按涉及价值从高到低排列；一位会员可同时属于多条行动（例如既是重要价值客户又处于成熟期），各行动的价值不能相加。",
                    "Ranked by value at stake; a member can be covered by several actions (an important-value member is also in maturity), so the actions' values do not add up.")) }
                p.note { (basis) " "
                    (t("预期增量 = 涉及价值 × 假设提升率；未消费会员的行动为 人数 × 假设转化率 × 平均首单金额（",
                       "Expected gain = value at stake × the assumed uplift; for members yet to buy, members × the assumed conversion × the mean first-purchase value ("))
                    (money(plan.mean_first_purchase_value)) (t("）。可触达 = 至少一个渠道能触达的人数（短信需手机号，企微需导购关系，模板消息需关注公众号）。",
                    "). Reachable = members at least one of the action's channels reaches (SMS needs a phone, WeCom a guide, template messages a follower)."))
                }
                table {
                    thead { tr {
                        th.n { "#" } th { (t("行动", "Action")) } th { (t("类别", "Group")) }
                        th.n { (t("会员", "Members")) } th.n { (t("可触达", "Reachable")) }
                        th.n { (t("涉及价值", "Value at stake")) } th.n { (t("预期增量", "Expected gain")) }
                    } }
                    tbody { @for a in &ranked { tr {
                        td.n { (a.rank) } td { (self.action_name(a)) } td { (self.group(&a.group)) }
                        td.n { (int(a.members)) } td.n { (self.reach_text(a)) }
                        td.n { (money_whole(a.value_at_stake)) } td.n { (money_whole(a.expected_gain)) }
                    } } }
                }
                @if !failed.is_empty() {
                    p.error { (t("以下行动的规则无法运行：", "These actions' rules cannot be run: "))
                        @for a in &failed { (self.action_name(a)) "（" (self.t(a.error_zh.as_deref().unwrap_or(""), a.error_en.as_deref().unwrap_or(""))) "） " } }
                }
                @let top: Vec<&&Action> = ranked.iter().take(CARDS).collect();
                @if !top.is_empty() {
                    h3 { (t("重点行动详情", "The first actions in detail")) }
                    @for a in top { (self.card(a)) }
                }
                (self.calendar())
            }
        }
    }

    fn card(&self, a: &Action) -> Markup {
        let t = |zh, en| self.t(zh, en);
        let Some(p) = self.play(&a.key) else {
            return html! {};
        };
        let examples = if self.zh() {
            &p.benefit_examples_zh
        } else {
            &p.benefit_examples_en
        };
        let gain_unit = match a.gain_kind {
            GainKind::ValueShare => t("的涉及价值", "of the value at stake"),
            GainKind::Conversion => t("转化率", "conversion"),
        };
        html! {
            div.card {
                h3 { "#" (a.rank) " " (self.action_name(a)) " " span.muted { "· " (self.group(&a.group)) } }
                p.figures {
                    (int(a.members)) " " (t("人", "members")) " (" (pct(a.share)) ") · "
                    (t("涉及价值", "value at stake")) " " (money_whole(a.value_at_stake)) " · "
                    (t("预期增量", "expected gain")) " " (money_whole(a.expected_gain))
                    " (" (pct(a.gain_rate)) " " (gain_unit) ")"
                }
                dl {
                    dt { (t("目标", "Goal")) } dd { (self.t(&p.goal_zh, &p.goal_en)) }
                    dt { (self.benefit(p.benefit)) }
                    dd { ul { @for e in examples { li { (e) } } } }
                    dt { (t("触达渠道", "Channels")) }
                    dd { @for (k, r) in a.reach.iter().enumerate() {
                        @if k > 0 { (t("；", "; ")) }
                        (self.channel(r.channel)) " "
                        @match r.reachable { Some(n) => { (int(n)) (t(" 人可触达", " reachable")) }, None => { span.muted { (t("可触达人数未知", "reach unknown")) } } }
                    } }
                    dt { (t("时机", "Timing")) } dd { (self.t(&p.timing.zh, &p.timing.en)) }
                    dt { (t("频次上限", "Frequency cap")) }
                    dd { (if self.zh() {
                        format!("每 {} 天最多 {} 次", p.frequency_cap.per_days, p.frequency_cap.times)
                    } else {
                        format!("at most {} per {} days", p.frequency_cap.times, p.frequency_cap.per_days)
                    }) }
                    dt { (t("话术角度", "Message")) } dd { (self.t(&p.message_zh, &p.message_en)) }
                    dt { (t("关注指标", "KPI")) } dd { (self.t(&p.kpi_zh, &p.kpi_en)) }
                    dt { (t("增量假设", "Gain assumption")) } dd { (self.t(&p.gain.zh, &p.gain.en)) }
                }
            }
        }
    }

    fn calendar(&self) -> Markup {
        let t = |zh, en| self.t(zh, en);
        let c = &self.r.action_plan.calendar;
        html! {
            h3 { (t("未来 30 天触达日历", "Touch calendar, next 30 days")) }
            @if c.weeks.iter().all(|w| w.entries.is_empty()) {
                p.muted { (t("未来 30 天没有会员到达预计复购日或沉睡分层的门槛。", "No member reaches an expected repurchase date or a dormancy threshold in the next 30 days.")) }
            } @else {
                table {
                    thead { tr {
                        th { (t("周", "Week")) }
                        th { (t("跨过沉睡门槛（进入该分层）", "Cross a dormancy threshold (enter the tier)")) }
                        th { (t("到达预计复购日（按分群）", "Reach their expected repurchase date (by segment)")) }
                    } }
                    tbody { @for w in &c.weeks { tr {
                        td.week { (w.from) " – " (w.to) }
                        td { (self.moments(&w.entries, "enters_tier", "dormancy")) }
                        td { (self.moments(&w.entries, "repurchase_due", "segment")) }
                    } } }
                }
                p.note { (t("每一项按同名行动触达（见上表），先于门槛或复购日发出。",
                    "Each group is touched with the action of the same name (above), sent before the threshold or date.")) }
            }
            p { (if self.zh() {
                format!("已过预计复购日但不超过一个个人消费周期的会员 {} 人，适合提醒；超过的 {} 人已长期未购，应按沉睡唤醒处理。",
                    int(c.recently_overdue), int(c.long_lapsed))
            } else {
                format!("{} members are past their expected repurchase date by at most one personal cycle: remind them. {} are later than that: treat them as lapsed and win them back.",
                    int(c.recently_overdue), int(c.long_lapsed))
            }) }
        }
    }

    /// One week's entries of one kind, largest first: `沉默会员 47、接近睡眠会员 32`.
    fn moments(
        &self,
        entries: &[crate::report::CalendarEntry],
        moment: &str,
        column: &str,
    ) -> String {
        let mut v: Vec<_> = entries.iter().filter(|e| e.moment == moment).collect();
        v.sort_by_key(|e| std::cmp::Reverse(e.members));
        let parts: Vec<String> = v
            .iter()
            .map(|e| {
                let name = if e.target == "unscored" {
                    self.t("未评分", "unscored").to_string()
                } else {
                    self.name(column, &e.target)
                };
                format!("{name} {}", int(e.members))
            })
            .collect();
        if parts.is_empty() {
            "—".into()
        } else {
            parts.join(self.t("、", ", "))
        }
    }

    fn dormancy(&self) -> Markup {
        let t = |zh, en| self.t(zh, en);
        let d = &self.r.dormancy;
        let th = d.thresholds;
        let ranges = [
            format!("≤ {}", num(th[0], 0)),
            format!("{}–{}", num(th[0], 0), num(th[1], 0)),
            format!("{}–{}", num(th[1], 0), num(th[2], 0)),
            format!("{}–{}", num(th[2], 0), num(th[3], 0)),
            format!("> {}", num(th[3], 0)),
        ];
        let tier_rows: Vec<Row> = d
            .buyers
            .0
            .iter()
            .map(|(k, n)| Row {
                label: self.name("dormancy", k),
                values: vec![*n as f64],
                texts: vec![int(*n)],
            })
            .collect();
        let stage_rows: Vec<Row> = self
            .r
            .lifecycle
            .0
            .iter()
            .map(|(k, n)| Row {
                label: self.name("lifecycle", k),
                values: vec![*n as f64],
                texts: vec![int(*n)],
            })
            .collect();
        let one = |name| {
            [Series {
                name,
                color: ACCENT,
            }]
        };
        let rep = &self.r.repurchase;
        html! {
            section #dormancy .major {
                h2 { (t("沉睡分层与生命周期", "Dormancy tiers and lifecycle")) }
                p { (match d.mode {
                    crate::report::DormancyMode::Fixed => t("按距上次消费的天数分层（固定门槛）。", "Tiers by days since the last purchase (fixed thresholds)."),
                    crate::report::DormancyMode::Cycle => t("按距上次消费的天数分层，门槛为消费周期中位数的 1、2、4、8 倍。", "Tiers by days since the last purchase, at 1, 2, 4 and 8 times the median purchase cycle."),
                }) }
                figure { (hbars(t("各沉睡分层的有消费会员数", "Buyers per dormancy tier"), &one(t("会员", "Members")), &tier_rows)) }
                table {
                    thead { tr { th { (t("分层", "Tier")) } th.n { (t("距上次消费（天）", "Days since last purchase")) } th.n { (t("会员", "Members")) } th.n { (t("销售额", "Revenue")) } } }
                    tbody { @for (i, (k, n)) in d.buyers.0.iter().enumerate() { tr {
                        td { (self.name("dormancy", k)) } td.n { (ranges.get(i).cloned().unwrap_or_default()) }
                        td.n { (int(*n)) } td.n { (d.buyers_revenue.get(k).map(|v| money_whole(*v)).unwrap_or_default()) }
                    } } }
                }
                @if d.non_buyers.0.iter().any(|(_, n)| *n > 0) {
                    h3 { (t("未消费会员（按注册时长）", "Members yet to buy, by time since registration")) }
                    table {
                        thead { tr { th { (t("注册时长", "Registered")) } th.n { (t("会员", "Members")) } } }
                        tbody { @for (k, n) in &d.non_buyers.0 { tr { td { (self.name("dormancy", k)) } td.n { (int(*n)) } } } }
                    }
                }
                h3 { (t("生命周期", "Lifecycle")) }
                figure { (hbars(t("各生命周期阶段的会员数", "Members per lifecycle stage"), &one(t("会员", "Members")), &stage_rows)) }
                p.note { (if self.zh() {
                    format!("引入期：新会员或仅消费一次的活跃会员；成长期：活跃且消费 {}–{} 次；成熟期：活跃且消费 {} 次以上；休眠期、流失期按沉睡门槛。",
                        self.r.settings.growth_f, self.r.settings.maturity_f - 1, self.r.settings.maturity_f)
                } else {
                    format!("Introduction: new members, or active one-time buyers; growth: active with {}–{} purchases; maturity: active with {} or more; dormancy and churn by the dormancy thresholds.",
                        self.r.settings.growth_f, self.r.settings.maturity_f - 1, self.r.settings.maturity_f)
                }) }
                h3 { (t("预计复购", "Expected next purchase")) }
                p { (if self.zh() {
                    format!("按每位复购会员自己的消费周期推算下一次购买：未来 {} 天内到期 {} 人，尚未到期 {} 人；已逾期 {} 人，其中刚逾期（不超过一个周期，适合提醒）{} 人、久未复购（需召回）{} 人、已沉睡 {} 人。",
                        self.r.settings.due_window_days, int(rep.due), int(rep.later), int(rep.overdue),
                        int(rep.recently_overdue), int(rep.long_overdue), int(rep.lapsed))
                } else {
                    format!("From each repeat buyer's own cycle: {} are due within {} days and {} are not yet due; {} are overdue: {} recently (at most one cycle late: remind them), {} long overdue (win them back) and {} lapsed.",
                        int(rep.due), self.r.settings.due_window_days, int(rep.later), int(rep.overdue),
                        int(rep.recently_overdue), int(rep.long_overdue), int(rep.lapsed))
                })
                @if let Some(c) = rep.median_personal_cycle_days {
                    " " (if self.zh() { format!("个人消费周期中位数 {} 天。", num(c, 0)) } else { format!("The median personal cycle is {} days.", num(c, 0)) })
                } }
            }
        }
    }

    fn forecasts(&self) -> Markup {
        let t = |zh, en| self.t(zh, en);
        html! {
            section #forecast .major {
                h2 { (t("预测", "Forecasts")) }
                @match &self.r.forecast {
                    Some(f) => { (self.forecast_words(f)) }
                    None => { p { (t("本次分析未计算预测（复购次数与客户终身价值）。", "Forecasts (purchases and customer lifetime value) were not computed in this analysis.")) } }
                }
                @for n in &self.r.notices { p.note { (self.t(&n.message_zh, &n.message_en)) } }
            }
        }
    }

    fn forecast_words(&self, f: &ForecastReport) -> Markup {
        let t = |zh, en| self.t(zh, en);
        let zh = self.zh();
        let e = |k: &str| f.expected_purchases.get(k).copied().unwrap_or(f64::NAN);
        let p = &f.clv.percentiles;
        let churn: Vec<Row> = f
            .churn_bands
            .0
            .iter()
            .map(|(k, n)| Row {
                label: self.name("churn_band", k),
                values: vec![*n as f64],
                texts: vec![int(*n)],
            })
            .collect();
        let fitted = f.bgnbd.as_ref().is_some_and(|b| b.converged)
            && f.gamma_gamma.as_ref().is_none_or(|g| g.converged);
        html! {
            p { (if zh {
                format!("按购买行为模型（BG/NBD）估计，有消费会员未来 30 天预计共购买约 {} 次，90 天约 {} 次，一年约 {} 次。",
                    num(e("30d"), 0), num(e("90d"), 0), num(e("365d"), 0))
            } else {
                format!("The purchase model (BG/NBD) expects buyers to make about {} purchases in the next 30 days, {} in 90 days and {} in a year.",
                    num(e("30d"), 0), num(e("90d"), 0), num(e("365d"), 0))
            }) }
            p { (if zh {
                format!("未来 {} 个月的客户终身价值（CLV，月折现率 {}）：人均 {}，中位数 {}，合计 {}；CLV 最高的 10% 会员每人在 {} 以上。",
                    f.settings.clv_months, pct(f.settings.discount), money(f.clv.mean), money(p[2]), money_whole(f.clv.total), money(p[4]))
            } else {
                format!("Customer lifetime value over the next {} months (CLV, monthly discount {}): {} per buyer on average, median {}, {} in total; the top 10% are worth more than {} each.",
                    f.settings.clv_months, pct(f.settings.discount), money(f.clv.mean), money(p[2]), money_whole(f.clv.total), money(p[4]))
            }) }
            figure { (hbars(t("流失风险分档的会员数", "Buyers per churn-risk band"), &[Series { name: t("会员", "Members"), color: ACCENT }], &churn)) }
            p.note { (t("流失风险 = 1 − 模型估计的仍活跃概率：低 < 33% ≤ 中 < 66% ≤ 高。",
                "Churn risk = 1 − the model's probability that the member is still active: low < 33% ≤ medium < 66% ≤ high.")) }
            p { (if fitted {
                t("模型已在本数据上拟合收敛。", "The models were fitted to this data and converged.")
            } else {
                t("注意：模型未能完全拟合（优化未收敛），以下数字只宜作排序参考。", "Caution: the models did not fully converge; use these figures to rank members, not as amounts.")
            }) }
            @for n in &f.not_fitted { p.note { (n.model) ": " (n.reason) } }
            @if let Some(h) = &f.holdout {
                p { (if zh {
                    format!("留出检验：用 {} 及以前的数据拟合，预测 {} 至 {} 期间共购买 {} 次，实际 {} 次；人均绝对误差 {}。",
                        h.split_day, h.split_day, h.end_day, num(h.total_predicted, 0), num(h.total_actual, 0), num(h.mean_absolute_error, 2))
                } else {
                    format!("Holdout check: fitted on data up to {}, the model predicted {} purchases from then to {} against {} actual; mean absolute error per customer {}.",
                        h.split_day, num(h.total_predicted, 0), h.end_day, num(h.total_actual, 0), num(h.mean_absolute_error, 2))
                }) }
            }
            p.note { (t(
                "预测是对人群的估计：合计数较可靠，单个会员的数字宜用于排序和分档，不宜当作承诺。只买过一次的会员，模型按定义视为仍活跃，请结合沉睡分层一起看。",
                "Forecasts are estimates for groups: totals are more reliable than any one member's figure, which is best used to rank and band members. The model treats one-time buyers as still active by construction; read them together with the dormancy tiers.",
            )) }
        }
    }

    fn growth(&self) -> Markup {
        let t = |zh, en| self.t(zh, en);
        let g = &self.r.growth;
        let zh = self.zh();
        let rungs: Vec<Row> = g
            .ladder
            .all
            .iter()
            .take(6)
            .filter(|s| s.rate.is_some())
            .map(|s| Row {
                label: format!("{} → {}", s.n, s.n + 1),
                values: vec![s.rate.unwrap_or(0.0)],
                texts: vec![match s.days_quartiles {
                    Some(q) => format!(
                        "{} · {} {}",
                        pct(s.rate.unwrap_or(0.0)),
                        num(q[1], 0),
                        t("天", "days")
                    ),
                    None => pct(s.rate.unwrap_or(0.0)),
                }],
            })
            .collect();
        let cohorts: Vec<_> = g.cohorts.iter().rev().take(12).collect();
        let share = |c: &crate::report::Cohort, days: u32| {
            c.second_within
                .iter()
                .find(|w| w.days == days)
                .and_then(|w| {
                    let share = pct(w.share?);
                    // A window not yet seen by the whole cohort: say how many it rests on.
                    Some(if w.eligible < c.members {
                        format!("{share} (n={})", w.eligible)
                    } else {
                        share
                    })
                })
                .unwrap_or_else(|| "—".to_string())
        };
        html! {
            section #growth .major {
                h2 { (t("增长分析", "Growth")) }
                h3 { (t("购买次数转化", "Purchase-number ladder")) }
                p { (t("买过 n 次的会员中再买第 n+1 次的比例（1 → 2 即首购转二购），以及两次之间天数的中位数。",
                    "Of the buyers with n purchases, the share who made an (n+1)-th (1 → 2 is the first repeat), and the median days between them.")) }
                @if !rungs.is_empty() {
                    figure { (hbars(t("各次购买的转化率", "Conversion at each purchase number"), &[Series { name: t("转化率", "Rate"), color: ACCENT }], &rungs)) }
                }
                @if !cohorts.is_empty() {
                    h3 { (t("首购月份同期群（最近 12 个月）", "Cohorts by first-purchase month (latest 12)")) }
                    table {
                        thead { tr {
                            th { (t("首购月份", "First purchase")) } th.n { (t("会员", "Members")) }
                            th.n { (t("30 天内二购", "2nd within 30 d")) } th.n { (t("90 天内二购", "2nd within 90 d")) }
                            th.n { (t("365 天内二购", "2nd within 365 d")) }
                        } }
                        tbody { @for c in &cohorts { tr {
                            td { (c.month) } td.n { (int(c.members)) }
                            td.n { (share(c, 30)) } td.n { (share(c, 90)) } td.n { (share(c, 365)) }
                        } } }
                    }
                    p.note { (t("“—”：该月首购的会员都还未满这个时长；n=：只有这么多会员已满这个时长，比例只基于他们。",
                        "“—”: none of that month's members has had the whole window yet; n=: only that many have, and the share rests on them.")) }
                }
                @if g.omnichannel.combinations.len() > 1 {
                    h3 { (t("全渠道会员", "Omnichannel members")) }
                    p { (if zh {
                        format!("在两个及以上来源消费的会员 {} 人，贡献会员销售额的 {}。", int(g.omnichannel.omnichannel_buyers), pct(g.omnichannel.omnichannel_revenue_share))
                    } else {
                        format!("{} buyers bought in two or more sources and bring {} of member revenue.", int(g.omnichannel.omnichannel_buyers), pct(g.omnichannel.omnichannel_revenue_share))
                    }) }
                    table {
                        thead { tr { th { (t("来源组合", "Sources")) } th.n { (t("会员", "Buyers")) } th.n { (t("销售额", "Revenue")) } th.n { (t("客单价", "AOV")) } th.n { (t("销售额占比", "Revenue share")) } } }
                        tbody { @for c in &g.omnichannel.combinations { tr {
                            td { (c.sources.join(" + ")) } td.n { (int(c.buyers)) } td.n { (money_whole(c.revenue)) }
                            td.n { (money(c.aov)) } td.n { (pct(c.revenue_share)) }
                        } } }
                    }
                }
                @if let Some(m) = &g.movement {
                    h3 { (t("分群迁移", "Segment movement")) }
                    p { (if zh {
                        format!("与 {} 相比：当时已消费的 {} 人中，{} 人下滑（RFM 分层变差或沉睡加深），{} 人上升；此后新增首购 {} 人。",
                            m.compare_date, int(m.present_both), int(m.moved_down), int(m.moved_up), int(m.new_buyers))
                    } else {
                        format!("Since {}: of the {} who had bought by then, {} moved down (a worse segment or a quieter tier) and {} moved up; {} bought for the first time since.",
                            m.compare_date, int(m.present_both), int(m.moved_down), int(m.moved_up), int(m.new_buyers))
                    }) }
                    table {
                        thead { tr {
                            th { (t("对比日 → 基准日", "Then → now")) }
                            @for k in &m.tiers.to { th.n { (self.name("dormancy", k)) } }
                        } }
                        tbody { @for (i, from) in m.tiers.from.iter().enumerate() { tr {
                            td { (if from == "new" { t("新首购", "New").to_string() } else { self.name("dormancy", from) }) }
                            @for n in &m.tiers.counts[i] { td.n { (int(*n)) } }
                        } } }
                    }
                }
                @if let Some(tp) = &g.target {
                    h3 { (t("目标拆解", "Target decomposition")) }
                    p { (if zh {
                        format!("{} 至 {} 目标 {}：按客单价 {} 需 {} 单{}；老会员预计贡献 {}，缺口 {}，按新会员人均 {} 需新增约 {} 人。",
                            tp.from, tp.to, money_whole(tp.revenue), money(tp.aov), num(tp.orders_needed, 0),
                            tp.traffic_needed.map_or(String::new(), |x| format!("（流量 {}）", num(x, 0))),
                            money_whole(tp.existing_revenue), money_whole(tp.gap), money(tp.new_member_value), num(tp.new_members_needed, 0))
                    } else {
                        format!("Target {} from {} to {}: {} orders at an AOV of {}{}; existing members are expected to bring {}, leaving {} for about {} new members at {} each.",
                            money_whole(tp.revenue), tp.from, tp.to, num(tp.orders_needed, 0), money(tp.aov),
                            tp.traffic_needed.map_or(String::new(), |x| format!(" (traffic {})", num(x, 0))),
                            money_whole(tp.existing_revenue), money_whole(tp.gap), num(tp.new_members_needed, 0), money(tp.new_member_value))
                    }) }
                    table {
                        thead { tr { th { (t("月份", "Month")) } th.n { (t("历史占比", "Share")) } th.n { (t("目标", "Target")) } } }
                        tbody { @for m in &tp.by_month { tr { td { (m.label) } td.n { (pct(m.share)) } td.n { (money_whole(m.revenue)) } } } }
                    }
                }
            }
        }
    }

    fn sources(&self) -> Markup {
        let t = |zh, en| self.t(zh, en);
        let s: Vec<_> = self.r.sources.iter().collect();
        if s.is_empty() {
            return html! {};
        }
        html! {
            section #sources {
                h2 { (t("数据来源与渠道", "Sources and channels")) }
                (self.label_table(&s, t("来源", "Source")))
                @for o in &self.r.source_overlap {
                    p { (if self.zh() {
                        format!("同时在「{}」和「{}」消费的会员 {} 人。", o.sources[0], o.sources[1], int(o.buyers))
                    } else {
                        format!("{} buyers bought both in {} and in {}.", int(o.buyers), o.sources[0], o.sources[1])
                    }) }
                }
                @if !self.r.inventory.by_channel.is_empty() {
                    h3 { (t("渠道", "Channels")) }
                    (self.label_table(&self.r.inventory.by_channel.iter().collect::<Vec<_>>(), t("渠道", "Channel")))
                }
            }
        }
    }

    fn method(&self) -> Markup {
        let t = |zh, en| self.t(zh, en);
        let r = self.r;
        let bp = &r.rfm.breakpoints;
        let join = |v: &[f64; 4], d| v.iter().map(|x| num(*x, d)).collect::<Vec<_>>().join(" / ");
        let scoring = match &r.settings.rfm_scoring {
            Scoring::Quantile5 => t(
                "按 20/40/60/80 分位数分档",
                "breakpoints at the 20/40/60/80th percentiles",
            ),
            Scoring::Thresholds { .. } => t("按设定的门槛分档", "breakpoints set by the user"),
        };
        let as_of = match r.as_of_source {
            crate::report::AsOfSource::LatestPurchase => t(
                "数据中最后一笔消费的日期",
                "the latest purchase in the data",
            ),
            crate::report::AsOfSource::User => t("由用户设定", "set by the user"),
        };
        html! {
            section #method {
                h2 { (t("口径说明", "How this was computed")) }
                ul {
                    li { (t("分析基准日：", "As-of date: ")) (r.as_of) "（" (as_of) "）" }
                    li { "RFM：" (scoring) "；R " (join(&bp.recency, 0)) " " (t("天", "days")) "，F " (join(&bp.frequency, 1)) "，M " (join(&bp.monetary, 2))
                        @if let Some(w) = r.settings.rfm_window_days { "；" (t("时间窗 ", "window ")) (w) (t(" 天", " days")) } }
                    li { (t("沉睡门槛（天）：", "Dormancy thresholds (days): ")) (join(&r.dormancy.thresholds, 0)) }
                    li { (t("复购率 = 消费 2 次及以上的会员 / 有消费会员；回购率 = 前一周期有消费的会员在本周期再次消费的比例。",
                        "Repurchase rate = buyers with two or more purchases / buyers; return rate = the share of the previous period's buyers who bought again in this one.")) }
                    li { (if self.zh() {
                        format!("读取警告 {} 条（每个文件最多列出 100 条），详见报告 JSON 的 warnings。", int(r.warnings.len()))
                    } else {
                        format!("{} reading warnings (at most 100 listed per file); see `warnings` in the report JSON.", int(r.warnings.len()))
                    }) }
                }
            }
        }
    }
}

/// The ten-segment scheme's play key for a segment name (`Need Attention` → `need_attention`).
fn ten_key(name: &str) -> String {
    name.trim()
        .to_lowercase()
        .replace(['\'', '’'], "")
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}
