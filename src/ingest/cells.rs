//! Interning of a row's identity-key cells (member id, phone, e-mail as written) within one
//! part of an orders file, with lookups run a few rows behind their rows.
//!
//! Each row probes a table of all distinct key cells seen so far: about one cache miss a row
//! on a large export (the table holds every buyer). Rows are probed in batches of 32: natively
//! the prefetch issued when a row was read brings its slot into the cache in the meantime; in
//! Wasm, which has no prefetch, the batch's slots are first read one after the other
//! ([`CellsTable::touch`]), so that their misses overlap instead of coming one per row.

use rustc_hash::FxHashMap;

/// Key cells of up to this many bytes sit in the table itself (a phone, a card and a
/// phone); longer ones (e-mails) in a side map.
const INLINE: usize = 27;

/// One table slot: the key's length and bytes, and its id + 1 (0 for an empty slot).
#[derive(Clone, Copy)]
#[repr(C, align(32))]
struct Slot {
    len: u8,
    bytes: [u8; INLINE],
    id_plus_one: u32,
}

const EMPTY: Slot = Slot {
    len: 0,
    bytes: [0; INLINE],
    id_plus_one: 0,
};

/// Open-addressing table of short keys, linear probing, at most three quarters full.
pub(crate) struct CellsTable {
    slots: Vec<Slot>,
    len: usize,
    long: FxHashMap<Box<[u8]>, u32>,
}

impl Default for CellsTable {
    fn default() -> Self {
        CellsTable {
            slots: vec![EMPTY; 1024],
            len: 0,
            long: FxHashMap::default(),
        }
    }
}

impl CellsTable {
    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    /// Asks the CPU to start loading the slot `hash` starts probing at.
    pub(crate) fn prefetch(&self, hash: u64) {
        #[cfg(target_arch = "x86_64")]
        {
            let i = hash as usize & self.mask();
            // SAFETY: `i` is within `slots`; a prefetch reads nothing and cannot fault.
            unsafe {
                use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
                _mm_prefetch::<_MM_HINT_T0>(self.slots.as_ptr().add(i) as *const i8);
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = hash;
    }

    /// Reads the slot each hash starts probing at, and the slot two after it, all before any
    /// is used: a batch of loads whose cache misses overlap, which is what a prefetch would
    /// give where there is none. With two slots a cache line, the two loads bring in the
    /// first three slots of the probe at least: with linear probing up to three quarters full,
    /// 28% of the lookups of a 1M-order file go past the first slot's line.
    pub(crate) fn touch(&self, hashes: impl Iterator<Item = u64>) {
        let mask = self.mask();
        let mut seen = 0u32;
        for h in hashes {
            let i = h as usize & mask;
            seen ^= self.slots[i].id_plus_one ^ self.slots[(i + 2) & mask].id_plus_one;
        }
        std::hint::black_box(seen);
    }

    /// The id of `key`, or registers it under `new_id`; true when it was new. `hash` must be
    /// `hash64_bytes(key)` (growing rehashes with it).
    pub(crate) fn get_or_insert(&mut self, key: &[u8], hash: u64, new_id: u32) -> (u32, bool) {
        if key.len() > INLINE {
            return match self.long.get(key) {
                Some(&id) => (id, false),
                None => {
                    self.long.insert(key.into(), new_id);
                    (new_id, true)
                }
            };
        }
        // Slots are zero past their key: whole fixed-size arrays compare without a call.
        let mut padded = [0u8; INLINE];
        padded[..key.len()].copy_from_slice(key);
        let mask = self.mask();
        let mut i = hash as usize & mask;
        loop {
            let s = &self.slots[i];
            if s.id_plus_one == 0 {
                break;
            }
            if s.len as usize == key.len() && s.bytes == padded {
                return (s.id_plus_one - 1, false);
            }
            i = (i + 1) & mask;
        }
        let slot = Slot {
            len: key.len() as u8,
            bytes: padded,
            id_plus_one: new_id + 1,
        };
        self.slots[i] = slot;
        self.len += 1;
        if self.len * 4 > self.slots.len() * 3 {
            self.grow();
        }
        (new_id, true)
    }

    fn grow(&mut self) {
        let bigger = vec![EMPTY; self.slots.len() * 2];
        let old = std::mem::replace(&mut self.slots, bigger);
        let mask = self.mask();
        for s in old.into_iter().filter(|s| s.id_plus_one != 0) {
            let key = &s.bytes[..s.len as usize];
            let h = super::rows::hash64_bytes(key);
            let mut i = h as usize & mask;
            while self.slots[i].id_plus_one != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interns_short_and_long_keys_through_growth() {
        let mut t = CellsTable::default();
        let keys: Vec<String> = (0..5000)
            .map(|i| {
                if i % 10 == 0 {
                    format!("long-member-{i}@example.com\u{1F}\u{1F}")
                } else {
                    format!("\u{1F}138{i:08}\u{1F}\u{1F}")
                }
            })
            .collect();
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(
                t.get_or_insert(k.as_bytes(), crate::ingest::rows::hash64(k), i as u32),
                (i as u32, true)
            );
        }
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(
                t.get_or_insert(k.as_bytes(), crate::ingest::rows::hash64(k), 99_999),
                (i as u32, false)
            );
        }
        // Same hash, different keys: told apart.
        assert_eq!(t.get_or_insert(b"a", 7, 6000), (6000, true));
        assert_eq!(t.get_or_insert(b"b", 7, 6001), (6001, true));
        assert_eq!(t.get_or_insert(b"a", 7, 1), (6000, false));
    }
}
