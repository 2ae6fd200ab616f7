//! The `--format text` summary: the report's main figures, in Chinese and English.

use memberlens::report::Report;

/// The report as a person reads it on a terminal.
pub fn text_summary(r: &Report) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let i = &r.inventory;
    let _ = writeln!(
        s,
        "MemberLens 会员分析报告 / member report — as of 分析基准日 {}",
        r.as_of
    );
    for f in &r.files {
        let _ = writeln!(
            s,
            "  {} [{} {}]: rows {} = accepted {} + duplicates {} + rejected {}; after as-of {}",
            f.name,
            f.kind,
            f.encoding,
            f.rows,
            f.accepted,
            f.duplicate_rows,
            f.rejected_rows,
            f.after_as_of_rows
        );
    }
    let _ = writeln!(s, "\n数据盘点 Inventory");
    let _ = writeln!(s, "  会员总数 members          {:>12}", i.members_total);
    let _ = writeln!(s, "  有消费会员 buyers         {:>12}", i.buyers);
    let _ = writeln!(s, "  无消费会员 non-buyers     {:>12}", i.non_buyers);
    let _ = writeln!(s, "  订单数 purchases          {:>12}", i.purchase_orders);
    let _ = writeln!(s, "  销售额 revenue            {:>12.2}", i.revenue);
    let _ = writeln!(s, "  客单价 AOV                {:>12.2}", i.aov);
    let _ = writeln!(
        s,
        "  复购率 repurchase rate    {:>11.2}%",
        i.repurchase_rate * 100.0
    );
    let _ = writeln!(
        s,
        "  回购率 return rate        {:>11.2}%",
        i.return_rate * 100.0
    );
    if let Some(m) = i.median_interpurchase_days {
        let _ = writeln!(s, "  消费周期 median gap (days) {:>11.1}", m);
    }
    let _ = writeln!(
        s,
        "  游客订单 guest orders     {:>12}  ({:.2})",
        i.guest_orders, i.guest_revenue
    );
    let _ = writeln!(
        s,
        "\nRFM 用户分层 segments (R/F/M breakpoints {:?} / {:?} / {:?})",
        r.rfm.breakpoints.recency, r.rfm.breakpoints.frequency, r.rfm.breakpoints.monetary
    );
    for (_, seg) in &r.rfm.segments.0 {
        let _ = writeln!(
            s,
            "  {:<8} {:<18} {:>7} {:>6.1}%  revenue {:>14.2} {:>6.1}%",
            seg.name_zh,
            seg.name_en,
            seg.members,
            seg.share * 100.0,
            seg.revenue,
            seg.revenue_share * 100.0
        );
    }
    let _ = writeln!(
        s,
        "\n沉睡分层 Dormancy (thresholds {:?} days)",
        r.dormancy.thresholds
    );
    for (k, n) in &r.dormancy.buyers.0 {
        let _ = writeln!(s, "  {k:<12} {n:>8}");
    }
    let _ = writeln!(s, "\n生命周期 Lifecycle");
    for (k, n) in &r.lifecycle.0 {
        let _ = writeln!(s, "  {k:<12} {n:>8}");
    }
    action_plan(&mut s, r);
    growth(&mut s, r);
    definitions(&mut s);
    if r.sources.len() > 1 {
        let _ = writeln!(s, "\n来源 Sources");
        for src in &r.sources {
            let _ = writeln!(
                s,
                "  {:<28} buyers {:>7}  revenue {:>14.2}",
                src.label, src.buyers, src.revenue
            );
        }
        for o in &r.source_overlap {
            let _ = writeln!(
                s,
                "  both {} & {}: {} buyers",
                o.sources[0], o.sources[1], o.buyers
            );
        }
    }
    if !r.warnings.is_empty() {
        let _ = writeln!(s, "\n{} warnings (first shown):", r.warnings.len());
        for w in r.warnings.iter().take(10) {
            let _ = writeln!(
                s,
                "  {}:{} {} {}",
                w.file,
                w.line,
                w.column.as_deref().unwrap_or(""),
                w.message_en()
            );
        }
    }
    s
}

/// The top of the action plan: what to do first, for whom, worth how much.
fn action_plan(s: &mut String, r: &Report) {
    use memberlens::report::ValueBasis;
    use std::fmt::Write;
    let plan = &r.action_plan;
    let basis = match plan.value_basis {
        ValueBasis::Clv => "预测 CLV / predicted CLV",
        ValueBasis::Spend12m => "近12个月消费 / spend in the last 12 months",
    };
    let _ = writeln!(s, "\n行动建议 Action plan (value at stake: {basis})");
    for a in plan.actions.iter().filter(|a| a.members > 0).take(10) {
        let reach = match (a.reachable_any, a.reach_complete) {
            (None, _) => "unknown".to_string(),
            (Some(n), true) => n.to_string(),
            (Some(n), false) => format!("≥{n}"),
        };
        let _ = writeln!(
            s,
            "  {:>2}. {:<10} {:<28} {:>7} members, reachable {:>7}, at stake {:>14.2}, gain {:>12.2} ({:.0}%)",
            a.rank,
            a.name_zh,
            a.name_en,
            a.members,
            reach,
            a.value_at_stake,
            a.expected_gain,
            a.gain_rate * 100.0
        );
    }
    let c = &plan.calendar;
    let _ = writeln!(
        s,
        "  next 30 days 未来30天: {} due to repurchase, {} entering a quieter tier; overdue: {} recently, {} long lapsed",
        c.weeks
            .iter()
            .flat_map(|w| &w.entries)
            .filter(|e| e.moment == "repurchase_due")
            .map(|e| e.members)
            .sum::<usize>(),
        c.weeks
            .iter()
            .flat_map(|w| &w.entries)
            .filter(|e| e.moment == "enters_tier")
            .map(|e| e.members)
            .sum::<usize>(),
        c.recently_overdue,
        c.long_lapsed
    );
}

/// Growth: the ladder's first rungs, the omnichannel share, the movement and the target.
fn growth(s: &mut String, r: &Report) {
    use std::fmt::Write;
    let g = &r.growth;
    let _ = writeln!(s, "\n增长分析 Growth");
    let rungs: Vec<String> = g
        .ladder
        .all
        .iter()
        .take(4)
        .map(|st| {
            let rate = st.rate.map_or("—".into(), |x| format!("{:.1}%", x * 100.0));
            let days = st
                .days_quartiles
                .map_or("—".into(), |q| format!("{:.0}", q[1]));
            format!("{}→{} {rate} (median {days} d)", st.n, st.n + 1)
        })
        .collect();
    let _ = writeln!(s, "  购买次数转化 ladder: {}", rungs.join(", "));
    let o = &g.omnichannel;
    let _ = writeln!(
        s,
        "  全渠道 omnichannel buyers {} ({:.1}% of revenue) in {} source combinations",
        o.omnichannel_buyers,
        o.omnichannel_revenue_share * 100.0,
        o.combinations.len()
    );
    if let Some(m) = &g.movement {
        let _ = writeln!(
            s,
            "  分群迁移 since {}: {} buyers then, {} moved down, {} moved up, {} new",
            m.compare_date, m.present_both, m.moved_down, m.moved_up, m.new_buyers
        );
    }
    if let Some(t) = &g.target {
        let _ = writeln!(
            s,
            "  目标拆解 target {:.2} ({} – {}): {:.0} orders at AOV {:.2}{}; existing members {:.2}, gap {:.2} = {:.0} new members at {:.2}",
            t.revenue,
            t.from,
            t.to,
            t.orders_needed,
            t.aov,
            t.traffic_needed
                .map_or(String::new(), |x| format!(", traffic {x:.0}")),
            t.existing_revenue,
            t.gap,
            t.new_members_needed,
            t.new_member_value
        );
    }
}

/// What the inventory figures mean, from the glossary the page and the report share.
fn definitions(s: &mut String) {
    use memberlens::report::glossary::{term, INVENTORY_TERMS};
    use std::fmt::Write;
    let _ = writeln!(s, "\n口径 Definitions");
    for t in INVENTORY_TERMS.iter().filter_map(|k| term(k)) {
        let _ = writeln!(s, "  {} {}: {}", t.name_zh, t.name_en, t.definition_zh);
        let _ = writeln!(s, "      {}", t.definition_en);
    }
}
