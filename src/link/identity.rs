//! Identity linking (全渠道会员打通): one member per connected set of keys
//! (member id/card, normalised phone, normalised e-mail) across all files.

use rustc_hash::FxHashMap;

use crate::model::PersonKeys;

/// Kinds of key, kept apart: a card number and a phone with the same digits are different keys.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum KeyKind {
    MemberId,
    Phone,
    Email,
}

/// Union-find over keys borrowed from the files (no copy per key).
#[derive(Default)]
pub struct Linker<'a> {
    ids: FxHashMap<(KeyKind, &'a str), u32>,
    parent: Vec<u32>,
}

impl<'a> Linker<'a> {
    /// Room for `n` keys, taken once (a table grown by doubling rehashes every key each time).
    pub fn reserve(&mut self, n: usize) {
        self.ids.reserve(n);
        self.parent.reserve(n);
    }

    fn node(&mut self, kind: KeyKind, key: &'a str) -> u32 {
        let next = self.parent.len() as u32;
        let i = *self.ids.entry((kind, key)).or_insert(next);
        if i == next {
            self.parent.push(i);
        }
        i
    }

    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let gp = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = gp;
            x = gp;
        }
        x
    }

    fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent[hi as usize] = lo;
        }
    }

    /// Registers a key set (all its keys are the same person); returns a handle for [`Linker::resolve`].
    pub fn add(&mut self, k: &'a PersonKeys) -> Option<u32> {
        let mut first = None;
        for (kind, key) in [
            (KeyKind::MemberId, &k.member_id),
            (KeyKind::Phone, &k.phone),
            (KeyKind::Email, &k.email),
        ] {
            if let Some(x) = key {
                let n = self.node(kind, x);
                match first {
                    None => first = Some(n),
                    Some(f) => self.union(f, n),
                }
            }
        }
        first
    }

    /// Turns handles into dense member indexes (0..n, in first-registration order); returns them and n.
    pub fn resolve(&mut self, handles: &[Option<u32>]) -> (Vec<Option<u32>>, usize) {
        const UNSEEN: u32 = u32::MAX;
        let mut dense = vec![UNSEEN; self.parent.len()];
        let mut n = 0u32;
        let mut out = Vec::with_capacity(handles.len());
        for h in handles {
            out.push(h.map(|h| {
                let root = self.find(h) as usize;
                if dense[root] == UNSEEN {
                    dense[root] = n;
                    n += 1;
                }
                dense[root]
            }));
        }
        (out, n as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(id: Option<&str>, phone: Option<&str>, email: Option<&str>) -> PersonKeys {
        PersonKeys {
            member_id: id.map(String::from),
            phone: phone.map(String::from),
            email: email.map(String::from),
        }
    }

    #[test]
    fn card_and_phone_link_pos_to_online() {
        let ks = [
            keys(Some("VIP1"), Some("13800000000"), None), // member master
            keys(Some("VIP1"), None, None),                // POS by card
            keys(None, Some("13800000000"), None),         // online by phone
            keys(None, Some("13900000000"), None),         // someone else
            keys(None, None, None),                        // guest
        ];
        let mut l = Linker::default();
        let h: Vec<_> = ks.iter().map(|k| l.add(k)).collect();
        let (m, n) = l.resolve(&h);
        assert_eq!(n, 2);
        assert_eq!(m, vec![Some(0), Some(0), Some(0), Some(1), None]);
    }

    /// Against a plain computation: persons are linked when they share a key of the same
    /// kind, transitively; members are numbered by the first handle that reaches them.
    #[test]
    fn matches_a_plain_linking_of_random_key_sets() {
        let mut rng = crate::analysis::forecast::simulate::Rng::new(0x2545_f491_4f6c_dd1d);
        let mut next = |n: u64| rng.below(n);
        for round in 0..20 {
            let pool = 5 + round * 7;
            let ks: Vec<PersonKeys> = (0..300)
                .map(|_| {
                    let mut pick =
                        |tag: &str| (next(3) == 0).then(|| format!("{tag}{}", next(pool as u64)));
                    // Phones and ids share digits on purpose: different kinds never link.
                    PersonKeys {
                        member_id: pick(""),
                        phone: pick(""),
                        email: pick("e"),
                    }
                })
                .collect();
            let mut l = Linker::default();
            let h: Vec<_> = ks.iter().map(|k| l.add(k)).collect();
            let (got, n) = l.resolve(&h);
            // Plain: a person's group is every person reachable through shared keys.
            let shares = |a: &PersonKeys, b: &PersonKeys| {
                (a.member_id.is_some() && a.member_id == b.member_id)
                    || (a.phone.is_some() && a.phone == b.phone)
                    || (a.email.is_some() && a.email == b.email)
            };
            let mut group: Vec<Option<usize>> = vec![None; ks.len()];
            let mut want: Vec<Option<u32>> = vec![None; ks.len()];
            let mut members = 0u32;
            for i in 0..ks.len() {
                if h[i].is_none() {
                    assert!(
                        ks[i].member_id.is_none() && ks[i].phone.is_none() && ks[i].email.is_none()
                    );
                    continue;
                }
                if group[i].is_none() {
                    let mut stack = vec![i];
                    group[i] = Some(i);
                    while let Some(x) = stack.pop() {
                        for y in 0..ks.len() {
                            if group[y].is_none() && shares(&ks[x], &ks[y]) {
                                group[y] = Some(i);
                                stack.push(y);
                            }
                        }
                    }
                }
                let g = group[i].unwrap();
                want[i] = match want[g] {
                    Some(m) if g != i => Some(m),
                    _ => {
                        members += 1;
                        Some(members - 1)
                    }
                };
            }
            assert_eq!(got, want, "round {round}");
            assert_eq!(n, members as usize);
        }
    }

    #[test]
    fn transitive_links_merge() {
        let ks = [
            keys(Some("A"), None, Some("x@y.z")),
            keys(Some("B"), Some("138"), None),
            keys(None, Some("138"), Some("x@y.z")),
        ];
        let mut l = Linker::default();
        let h: Vec<_> = ks.iter().map(|k| l.add(k)).collect();
        let (m, n) = l.resolve(&h);
        assert_eq!(n, 1);
        assert!(m.iter().all(|x| *x == Some(0)));
    }
}
