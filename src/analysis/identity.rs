//! Identity linking (全渠道会员打通): one member per connected set of keys
//! (member id/card, normalised phone, normalised e-mail) across all files.

use rustc_hash::FxHashMap;

use crate::model::PersonKeys;

/// Union-find over key strings.
#[derive(Default)]
pub struct Linker {
    ids: FxHashMap<String, u32>,
    parent: Vec<u32>,
}

impl Linker {
    fn node(&mut self, key: String) -> u32 {
        if let Some(&i) = self.ids.get(&key) {
            return i;
        }
        let i = self.parent.len() as u32;
        self.parent.push(i);
        self.ids.insert(key, i);
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

    fn key_nodes(&mut self, k: &PersonKeys) -> Vec<u32> {
        let mut v = Vec::with_capacity(3);
        // Keys of different kinds live in one namespace, told apart by a prefix.
        let tagged = |tag: char, x: &str| {
            let mut s = String::with_capacity(x.len() + 2);
            s.push(tag);
            s.push('\u{1F}');
            s.push_str(x);
            s
        };
        if let Some(x) = &k.member_id {
            v.push(self.node(tagged('i', x)));
        }
        if let Some(x) = &k.phone {
            v.push(self.node(tagged('p', x)));
        }
        if let Some(x) = &k.email {
            v.push(self.node(tagged('e', x)));
        }
        v
    }

    /// Registers a key set (all its keys are the same person); returns a handle for [`Linker::resolve`].
    pub fn add(&mut self, k: &PersonKeys) -> Option<u32> {
        let nodes = self.key_nodes(k);
        let first = *nodes.first()?;
        for &n in &nodes[1..] {
            self.union(first, n);
        }
        Some(first)
    }

    /// Turns handles into dense member indexes (0..n, in first-registration order); returns them and n.
    pub fn resolve(&mut self, handles: &[Option<u32>]) -> (Vec<Option<u32>>, usize) {
        let mut dense: FxHashMap<u32, u32> = FxHashMap::default();
        let mut out = Vec::with_capacity(handles.len());
        for h in handles {
            out.push(h.map(|h| {
                let root = self.find(h);
                let n = dense.len() as u32;
                *dense.entry(root).or_insert(n)
            }));
        }
        (out, dense.len())
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
        let mut l = Linker::default();
        let h = vec![
            l.add(&keys(Some("VIP1"), Some("13800000000"), None)), // member master
            l.add(&keys(Some("VIP1"), None, None)),                // POS by card
            l.add(&keys(None, Some("13800000000"), None)),         // online by phone
            l.add(&keys(None, Some("13900000000"), None)),         // someone else
            l.add(&keys(None, None, None)),                        // guest
        ];
        let (m, n) = l.resolve(&h);
        assert_eq!(n, 2);
        assert_eq!(m, vec![Some(0), Some(0), Some(0), Some(1), None]);
    }

    #[test]
    fn transitive_links_merge() {
        let mut l = Linker::default();
        let h = vec![
            l.add(&keys(Some("A"), None, Some("x@y.z"))),
            l.add(&keys(Some("B"), Some("138"), None)),
            l.add(&keys(None, Some("138"), Some("x@y.z"))),
        ];
        let (m, n) = l.resolve(&h);
        assert_eq!(n, 1);
        assert!(m.iter().all(|x| *x == Some(0)));
    }
}
