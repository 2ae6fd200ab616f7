//! Identity linking (全渠道会员打通) and building the [`Population`]: every person of every file
//! becomes a member, linked by member id, phone or e-mail, with their purchases and returns up
//! to the as-of date.

mod identity;

use crate::ingest::{FileData, IngestedFile};
use crate::model::population::{pack_labels, Member, Population, PopulationCounts, Purchase};
use crate::model::{MemberRecord, PersonKeys, NONE};
use identity::Linker;

/// Purchases a file needs before a latest date can be told apart as a typo.
pub const MIN_PURCHASES_FOR_OUTLIERS: usize = 100;

/// The latest purchase day in the files (orders and summaries), or `None` when there is none.
pub fn latest_purchase_day(files: &[&IngestedFile]) -> Option<i32> {
    plausible_latest_day(files).map(|(day, _)| day)
}

/// The latest purchase day, leaving out a few purchases dated more than a year after all the
/// others (a typo such as 2099 for 2024 must not become the as-of date): with at least
/// [`MIN_PURCHASES_FOR_OUTLIERS`] purchases, among the latest `max(1, n / 1000)` everything
/// above a gap of more than 365 days is left out. (A handful of purchases a year apart is
/// just a small file.)
/// Returns the day and the days left out (latest first).
pub fn plausible_latest_day(files: &[&IngestedFile]) -> Option<(i32, Vec<i32>)> {
    plausible_latest(|f| each_purchase_day(files, f))
}

/// [`plausible_latest_day`] over the days `each` hands its argument: every day at each call
/// (it is called twice).
fn plausible_latest(each: impl Fn(&mut dyn FnMut(i32))) -> Option<(i32, Vec<i32>)> {
    let (mut n, mut lo, mut hi) = (0usize, i32::MAX, i32::MIN);
    each(&mut |d| {
        n += 1;
        lo = lo.min(d);
        hi = hi.max(d);
    });
    if n == 0 {
        return None;
    }
    if n < MIN_PURCHASES_FOR_OUTLIERS {
        return Some((hi, Vec::new()));
    }
    // The latest k + 1 purchases, latest first: counted per day when the days span less than
    // a million (a few thousand for most exports), else selected from all of them.
    let k = (n / 1000).max(1);
    let top = (k + 1).min(n);
    let tail: Vec<i32> = if i64::from(hi) - i64::from(lo) < 1 << 20 {
        let mut per_day = vec![0u32; (hi - lo) as usize + 1];
        each(&mut |d| per_day[(d - lo) as usize] += 1);
        let mut tail = Vec::with_capacity(top);
        for (i, &c) in per_day.iter().enumerate().rev() {
            let take = (c as usize).min(top - tail.len());
            tail.extend(std::iter::repeat_n(lo + i as i32, take));
            if tail.len() == top {
                break;
            }
        }
        tail
    } else {
        let mut days: Vec<i32> = Vec::with_capacity(n);
        each(&mut |d| days.push(d));
        let split = days.len() - top;
        days.select_nth_unstable(split);
        let mut tail = days.split_off(split);
        tail.sort_unstable_by(|a, b| b.cmp(a));
        tail
    };
    let cut = (0..tail.len().saturating_sub(1))
        .rfind(|&i| tail[i] - tail[i + 1] > 365)
        .map_or(0, |i| i + 1);
    let left_out = tail[..cut].to_vec();
    Some((tail[cut], left_out))
}

/// The day of every purchase of the files: orders that are purchases, and the last purchase
/// day of member-summary rows.
fn each_purchase_day(files: &[&IngestedFile], f: &mut dyn FnMut(i32)) {
    for file in files {
        match &file.data {
            FileData::Orders(o) => o
                .orders
                .iter()
                .filter(|o| o.is_purchase())
                .for_each(|o| f(o.day)),
            FileData::Members(ms) => ms
                .iter()
                .filter_map(|m| m.summary)
                .for_each(|s| f(s.last_day)),
        }
    }
}

/// Links identities across files and gathers each member's purchases up to `as_of`, all of
/// them in `purchases` in member order (each member's sorted by day).
pub fn build<'f>(
    files: &[&'f IngestedFile],
    as_of: i32,
    purchases: &'f mut Vec<Purchase>,
) -> Population<'f> {
    let mut linker = Linker::default();
    // Most key sets have one key: room for one per set.
    linker.reserve(
        files
            .iter()
            .map(|f| match &f.data {
                FileData::Members(ms) => ms.len(),
                FileData::Orders(o) => o.persons.len(),
            })
            .sum(),
    );
    // Handles in a fixed order: member files first (so members keep their master-data order), then orders.
    let mut handles: Vec<Option<u32>> = Vec::new();
    let mut spans: Vec<(usize, usize)> = vec![(0, 0); files.len()];
    let order = files
        .iter()
        .enumerate()
        .filter(|(_, f)| matches!(f.data, FileData::Members(_)))
        .chain(
            files
                .iter()
                .enumerate()
                .filter(|(_, f)| matches!(f.data, FileData::Orders(_))),
        );
    for (fi, f) in order {
        let start = handles.len();
        match &f.data {
            FileData::Members(ms) => handles.extend(ms.iter().map(|m| linker.add(&m.keys))),
            FileData::Orders(o) => handles.extend(o.persons.iter().map(|p| linker.add(p))),
        }
        spans[fi] = (start, handles.len());
    }
    let (dense, n) = linker.resolve(&handles);
    let mut members: Vec<Member> = vec![Member::default(); n];
    let merge_keys = |m: &mut Member<'f>, k: &'f PersonKeys| {
        if m.keys.member_id.is_none() {
            m.keys.member_id = k.member_id.as_deref();
        }
        if m.keys.phone.is_none() {
            m.keys.phone = k.phone.as_deref();
        }
        if m.keys.email.is_none() {
            m.keys.email = k.email.as_deref();
        }
    };
    let mut counts = PopulationCounts {
        after_as_of_rows: vec![0; files.len()],
        member_returns_cents: vec![0; files.len()],
        return_rows_by_file: vec![0; files.len()],
        ..Default::default()
    };
    let mut person_member_by_file: Vec<Vec<u32>> = vec![Vec::new(); files.len()];
    for (fi, f) in files.iter().enumerate() {
        if let FileData::Orders(o) = &f.data {
            let (start, _) = spans[fi];
            person_member_by_file[fi] = (0..o.persons.len())
                .map(|p| dense[start + p].unwrap_or(NONE))
                .collect();
        }
    }
    // Each member's purchase list is allocated once, at its final size.
    let mut n_purchases = vec![0u32; n];
    for (fi, f) in files.iter().enumerate() {
        if let FileData::Orders(o) = &f.data {
            let pm = &person_member_by_file[fi];
            for ord in &o.orders {
                if ord.day <= as_of && ord.person != NONE && ord.is_purchase() {
                    n_purchases[pm[ord.person as usize] as usize] += 1;
                }
            }
        }
    }
    // Where each member's purchases start in `purchases`, and the next free place.
    let mut starts = Vec::with_capacity(n + 1);
    let mut total = 0u32;
    for k in &n_purchases {
        starts.push(total);
        total += k;
    }
    starts.push(total);
    drop(n_purchases);
    let mut next = starts.clone();
    purchases.clear();
    purchases.resize(
        total as usize,
        Purchase {
            day: 0,
            order: 0,
            net_cents: 0,
            source: 0,
            labels: [0; 3],
        },
    );
    // (paid, refunded) cents per member besides the purchases' net amounts, which are summed
    // from each member's purchases once they are in place (one after the other): here only the
    // refunds of purchases and the orders that are not purchases but were refunded, which are
    // few. One sum per order, the member's, was a cache miss per order at 10M orders (27 MB of
    // sums): a sixth of the linking.
    let mut cents: Vec<(i64, i64)> = vec![(0, 0); n];
    let mut source_labels = Vec::with_capacity(files.len());
    let mut is_source = Vec::with_capacity(files.len());
    for (fi, &f) in files.iter().enumerate() {
        source_labels.push(f.summary.source_label.clone());
        is_source.push(matches!(f.data, FileData::Orders(_)));
        let (start, _) = spans[fi];
        match &f.data {
            FileData::Members(ms) => {
                for (i, rec) in ms.iter().enumerate() {
                    let Some(m) = dense[start + i] else { continue };
                    let m = &mut members[m as usize];
                    merge_keys(m, &rec.keys);
                    if m.name.is_none() {
                        m.name = rec.name.as_deref();
                    }
                    if let Some(s) = rec.summary {
                        if s.last_day <= as_of {
                            m.summary = Some(s);
                        }
                    }
                    match &mut m.record {
                        None => m.record = Some(Box::new(rec.clone())),
                        Some(existing) => fill_missing(existing, rec),
                    }
                }
            }
            FileData::Orders(o) => {
                let person_member = std::mem::take(&mut person_member_by_file[fi]);
                for (p, keys) in o.persons.iter().enumerate() {
                    let m = &mut members[person_member[p] as usize];
                    merge_keys(m, keys);
                    if m.name.is_none() {
                        m.name = o.person_names[p].as_deref();
                    }
                    if !m.sources.contains(&(fi as u16)) {
                        m.sources.push(fi as u16);
                    }
                }
                for (oi, ord) in o.orders.iter().enumerate() {
                    if ord.day > as_of {
                        counts.after_as_of_rows[fi] += ord.rows as usize;
                        continue;
                    }
                    if ord.person != NONE && ord.refund_cents > 0 {
                        // A purchase's net amount is summed from the purchases below: its
                        // amount is that plus the refund.
                        let paid = if ord.is_purchase() {
                            ord.refund_cents
                        } else {
                            ord.amount_cents
                        };
                        let c = &mut cents[person_member[ord.person as usize] as usize];
                        c.0 += paid;
                        c.1 += ord.refund_cents;
                    }
                    if !ord.is_purchase() {
                        continue;
                    }
                    if ord.person == NONE {
                        counts.guest_orders += 1;
                        counts.guest_revenue_cents += ord.net_cents();
                        continue;
                    }
                    let slot = &mut next[person_member[ord.person as usize] as usize];
                    purchases[*slot as usize] = Purchase {
                        day: ord.day,
                        order: oi as u32,
                        net_cents: ord.net_cents(),
                        source: fi as u16,
                        labels: pack_labels(ord),
                    };
                    *slot += 1;
                }
                for r in &o.returns {
                    if r.day > as_of {
                        counts.after_as_of_rows[fi] += 1;
                        continue;
                    }
                    counts.return_rows += 1;
                    counts.return_rows_by_file[fi] += 1;
                    if r.person == NONE {
                        counts.guest_revenue_cents += r.cents;
                    } else {
                        members[person_member[r.person as usize] as usize]
                            .returns
                            .push((r.day, r.cents));
                        counts.member_returns_cents[fi] += r.cents;
                    }
                }
                person_member_by_file[fi] = person_member;
            }
        }
    }
    for w in starts.windows(2) {
        let own = &mut purchases[w[0] as usize..w[1] as usize];
        // Exports are mostly in date order already: check before sorting.
        if !own.is_sorted_by_key(|p| p.day) {
            own.sort_by_key(|p| p.day);
        }
    }
    let purchases: &'f [Purchase] = purchases;
    for ((m, w), c) in members.iter_mut().zip(starts.windows(2)).zip(cents) {
        m.purchases = &purchases[w[0] as usize..w[1] as usize];
        m.sources.sort_unstable();
        m.paid_cents += m.purchases.iter().map(|p| p.net_cents).sum::<i64>() + c.0;
        m.refund_cents += c.1;
    }
    let knows_refunds = files.iter().any(|f| match &f.data {
        FileData::Orders(o) => {
            !o.returns.is_empty()
                || f.summary
                    .columns
                    .iter()
                    .any(|c| c.role == Some(crate::ingest::Role::Refund))
        }
        FileData::Members(_) => false,
    });
    Population {
        knows_refunds,
        members,
        as_of,
        counts,
        source_labels,
        is_source,
        person_member: person_member_by_file,
        order_files: files
            .iter()
            .map(|f| match &f.data {
                FileData::Orders(o) => Some(o),
                FileData::Members(_) => None,
            })
            .collect(),
    }
}

fn fill_missing(existing: &mut MemberRecord, rec: &MemberRecord) {
    macro_rules! fill {
        ($($f:ident),*) => {$(
            if existing.$f.is_none() {
                existing.$f.clone_from(&rec.$f);
            }
        )*};
    }
    fill!(
        name,
        gender,
        birthday,
        tier,
        registered,
        reg_channel,
        store,
        points,
        guide,
        region,
        follower,
        summary
    );
    for (header, value) in &rec.extra {
        if !existing.extra.iter().any(|(h, _)| h == header) {
            existing.extra.push((header.clone(), value.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rule written plainly: the latest max(1, n / 1000) + 1 days, latest first; those
    /// above the last gap of more than 365 days among them are left out.
    fn plain(days: &[i32]) -> Option<(i32, Vec<i32>)> {
        let mut all = days.to_vec();
        all.sort_unstable_by(|a, b| b.cmp(a));
        let first = *all.first()?;
        if all.len() < MIN_PURCHASES_FOR_OUTLIERS {
            return Some((first, Vec::new()));
        }
        let top = ((all.len() / 1000).max(1) + 1).min(all.len());
        let tail = &all[..top];
        let mut cut = 0;
        for i in 0..tail.len() - 1 {
            if tail[i] - tail[i + 1] > 365 {
                cut = i + 1;
            }
        }
        Some((tail[cut], tail[..cut].to_vec()))
    }

    #[test]
    fn the_latest_plausible_day_follows_the_rule_over_narrow_and_wide_spans() {
        let mut rng = crate::analysis::forecast::simulate::Rng::new(0x9e37_79b9_7f4a_7c15);
        let mut next = |n: u64| rng.below(n);
        for round in 0..40 {
            let n = [0, 1, 50, 299, 300, 2_500, 20_000][round % 7];
            let mut days: Vec<i32> = (0..n).map(|_| 19_000 + next(1_500) as i32).collect();
            // Typos: a few far-future days, some past any per-day count (over a million days).
            for _ in 0..next(8) {
                if !days.is_empty() {
                    let far = if round % 2 == 0 { 30_000 } else { 2_000_000 };
                    let i = next(days.len() as u64) as usize;
                    days[i] = far + next(4_000) as i32;
                }
            }
            let got = plausible_latest(|f| days.iter().for_each(|&d| f(d)));
            assert_eq!(got, plain(&days), "round {round}, {n} days");
        }
    }
}
