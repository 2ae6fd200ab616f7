//! One member of the table, borrowed: what columns, queries, exports and rules read.

use super::store::{unday, unnum, unpack_text, MemberTable, Packed, NO_AGE, NO_LABEL};
use crate::model::{ForecastValues, MemberRecord};

/// A member of a [`MemberTable`], read in place (nothing is copied; its key texts are found
/// only when one is asked for, so a rule over numbers never touches them).
#[derive(Debug, Clone, Copy)]
pub struct MemberView<'a> {
    table: &'a MemberTable,
    index: usize,
    p: &'a Packed,
}

impl MemberTable {
    /// Member `i`.
    pub fn view(&self, i: usize) -> MemberView<'_> {
        MemberView::new(self, i)
    }

    /// Every member, in table order.
    pub fn iter(&self) -> impl Iterator<Item = MemberView<'_>> + '_ {
        (0..self.len()).map(|i| self.view(i))
    }
}

impl<'a> MemberView<'a> {
    fn new(table: &'a MemberTable, index: usize) -> Self {
        let p = &table.rows[index];
        MemberView { table, index, p }
    }

    fn text(&self, k: usize) -> Option<&'a str> {
        unpack_text(&self.p.texts, k)
    }

    /// Its position in the table.
    pub fn index(&self) -> usize {
        self.index
    }

    /// Member id / card number.
    pub fn member_id(&self) -> Option<&'a str> {
        self.text(0)
    }

    /// Normalised phone.
    pub fn phone(&self) -> Option<&'a str> {
        self.text(1)
    }

    /// Normalised e-mail.
    pub fn email(&self) -> Option<&'a str> {
        self.text(2)
    }

    /// Name.
    pub fn name(&self) -> Option<&'a str> {
        self.text(3)
    }

    /// The members-table record (tier, gender, birthday, guide, extra columns...), if any.
    pub fn record(&self) -> Option<&'a MemberRecord> {
        self.p.record.as_deref()
    }

    /// True when the member is in a members table.
    pub fn in_member_file(&self) -> bool {
        self.p.record.is_some()
    }

    /// Tier (会员等级).
    pub fn tier(&self) -> Option<&'a str> {
        self.record_label(0, |r| r.tier.as_deref())
    }

    /// Registration date.
    pub fn registered_at(&self) -> Option<i32> {
        self.record()?.registered
    }

    /// Registration channel.
    pub fn reg_channel(&self) -> Option<&'a str> {
        self.record_label(3, |r| r.reg_channel.as_deref())
    }

    /// Store of the members table (开卡/所属门店).
    pub fn store(&self) -> Option<&'a str> {
        self.record_label(4, |r| r.store.as_deref())
    }

    /// Gender as written.
    pub fn gender(&self) -> Option<&'a str> {
        self.record_label(1, |r| r.gender.as_deref())
    }

    /// Birthday.
    pub fn birthday(&self) -> Option<i32> {
        self.record()?.birthday
    }

    /// Age in whole years on the as-of date (from the birthday).
    pub fn age(&self) -> Option<i32> {
        if self.p.age != NO_AGE {
            return Some(i32::from(self.p.age));
        }
        // Not kept when 255 or more: taken from the record.
        super::store::age_on(self.birthday()?, self.table.as_of).filter(|a| *a >= 255)
    }

    /// A record text kept as a label (read from the record past the label limit).
    fn record_label(
        &self,
        k: usize,
        of: fn(&'a MemberRecord) -> Option<&'a str>,
    ) -> Option<&'a str> {
        match self.p.record_labels[k] {
            NO_LABEL => of(self.record()?),
            i => Some(&*self.table.labels[usize::from(i)]),
        }
    }

    /// Region (地区/省份/城市).
    pub fn region(&self) -> Option<&'a str> {
        self.record_label(2, |r| r.region.as_deref())
    }

    /// Guide (导购).
    pub fn guide(&self) -> Option<&'a str> {
        self.record_label(5, |r| r.guide.as_deref())
    }

    /// The value of a kept extra column of the members table (one no role reads), by header.
    pub fn extra(&self, header: &str) -> Option<&'a str> {
        self.record()?
            .extra
            .iter()
            .find(|(h, _)| &**h == header)
            .map(|(_, v)| v.as_str())
    }

    /// Points (积分).
    pub fn points(&self) -> Option<f64> {
        self.record()?.points
    }

    /// Sources (orders files) the member bought in.
    pub fn sources(&self) -> &'a [String] {
        &self.table.source_sets[self.p.sources as usize]
    }

    /// The source (orders file) of the first purchase.
    pub fn first_source(&self) -> Option<&'a str> {
        self.label(self.p.first[0])
    }

    /// The channel of the first purchase.
    pub fn first_channel(&self) -> Option<&'a str> {
        self.label(self.p.first[1])
    }

    /// The store of the first purchase.
    pub fn first_store(&self) -> Option<&'a str> {
        self.label(self.p.first[2])
    }

    /// Days from the first purchase to the as-of date (会员购龄).
    pub fn days_since_first(&self) -> Option<i32> {
        Some(self.table.as_of - self.first_purchase()?)
    }

    /// Refunded share of the amount the member paid (退款率), when the data can show refunds.
    pub fn refund_rate(&self) -> Option<f64> {
        let r = self.p.refund_rate;
        (!r.is_nan()).then_some(f64::from(r))
    }

    /// Follows the brand's official account, when a members-table column says.
    pub fn follower(&self) -> Option<bool> {
        match self.p.follower {
            1 => Some(true),
            2 => Some(false),
            _ => None,
        }
    }

    /// First purchase day.
    pub fn first_purchase(&self) -> Option<i32> {
        unday(self.p.days[0])
    }

    /// Last purchase day.
    pub fn last_purchase(&self) -> Option<i32> {
        unday(self.p.days[1])
    }

    /// Expected next purchase day.
    pub fn expected_next_purchase(&self) -> Option<i32> {
        unday(self.p.days[2])
    }

    /// R: days since the last purchase.
    pub fn recency_days(&self) -> Option<i32> {
        unday(self.p.days[3])
    }

    /// F: purchases.
    pub fn frequency(&self) -> u32 {
        self.p.frequency
    }

    /// True when the member has a purchase.
    pub fn is_buyer(&self) -> bool {
        self.p.frequency > 0
    }

    /// M: net spend, floored at 0.
    pub fn monetary(&self) -> f64 {
        self.p.monetary
    }

    /// Net spend in the 365 days up to as-of: purchases and returns dated after as-of − 365
    /// (近 12 个月消费), floored at 0; unknown for a member known only from a member-summary row
    /// whose last purchase falls in that year.
    pub fn spend_12m(&self) -> Option<f64> {
        super::store::unnum(self.p.spend_12m)
    }

    /// Net spend per month (30 days) from the first purchase to the as-of date, counting at
    /// least one month (月均消费).
    pub fn monthly_spend(&self) -> Option<f64> {
        let first = self.first_purchase()?;
        let months = (f64::from(self.table.as_of - first) / 30.0).max(1.0);
        Some(self.monetary() / months)
    }

    /// R, F and M scores (buyers only).
    pub fn scores(&self) -> Option<[u8; 3]> {
        (self.p.scores[0] != 0).then_some(self.p.scores)
    }

    /// Eight-segment key.
    pub fn segment(&self) -> Option<&'static str> {
        self.table.key(self.p.codes[0])
    }

    /// Ten-segment (or user scheme) name.
    pub fn segment_ten(&self) -> Option<&'a str> {
        self.table
            .ten_names
            .get(self.p.codes[1] as usize)
            .map(|s| &**s)
    }

    /// Dormancy tier key (buyer tier or non-buyer tier).
    pub fn dormancy(&self) -> &'static str {
        self.table.key(self.p.codes[2]).unwrap_or_default()
    }

    /// Lifecycle stage key.
    pub fn lifecycle(&self) -> &'static str {
        self.table.key(self.p.codes[3]).unwrap_or_default()
    }

    /// Personal purchase cycle, days.
    pub fn personal_cycle_days(&self) -> Option<f64> {
        unnum(self.p.cycle)
    }

    /// Repurchase status key.
    pub fn repurchase_status(&self) -> Option<&'static str> {
        self.table.key(self.p.codes[4])
    }

    /// Forecast values, when computed for this member.
    pub fn forecast(&self) -> Option<ForecastValues> {
        let f = self.table.forecasts.get(self.index)?;
        (!f[0].is_nan()).then(|| ForecastValues {
            p_alive: f[0],
            expected_purchases_30d: f[1],
            expected_purchases_90d: f[2],
            expected_purchases_365d: f[3],
            expected_spend: f[4],
            clv: f[5],
            churn_risk: f[6],
        })
    }

    /// Churn band key.
    pub fn churn_band(&self) -> Option<&'static str> {
        self.table.key(self.p.codes[5])
    }

    /// Segment, tier and direction at the movement's comparison date.
    fn then(&self, k: usize) -> Option<&'static str> {
        self.table
            .then_states
            .get(usize::from(self.p.then))
            .map(|t| t[k])
    }

    /// RFM segment at the movement's comparison date (`new`: no purchase by then).
    pub fn segment_then(&self) -> Option<&'static str> {
        self.then(0)
    }

    /// Dormancy tier at the movement's comparison date (`new`: no purchase by then).
    pub fn dormancy_then(&self) -> Option<&'static str> {
        self.then(1)
    }

    /// How the member moved since the comparison date: `down`, `up`, `same` or `new`.
    pub fn movement(&self) -> Option<&'static str> {
        self.then(2)
    }

    fn label(&self, i: u16) -> Option<&'a str> {
        (i != NO_LABEL).then(|| &*self.table.labels[usize::from(i)])
    }

    /// The store the member bought in most (orders' store column).
    pub fn preferred_store(&self) -> Option<&'a str> {
        self.label(self.p.preferred[0])
    }

    /// The channel the member bought through most.
    pub fn preferred_channel(&self) -> Option<&'a str> {
        self.label(self.p.preferred[1])
    }

    /// The category the member bought most (偏好品类).
    pub fn favourite_category(&self) -> Option<&'a str> {
        self.label(self.p.preferred[2])
    }
}
