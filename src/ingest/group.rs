//! Exact grouping of many keys by first occurrence (duplicate lines, order ids), cache-friendly.
//!
//! A hash map probed once per row in row order misses the cache on every probe once it
//! outgrows it (a million rows make a 30–40 MB table). Here the (hash, row) pairs are first
//! scattered into buckets by the hash's top bits, keeping row order within each bucket, and
//! each bucket is then grouped with a small table that stays in cache. Equal hashes are
//! confirmed with `same`, so the result is exact even when two different keys share a hash.

/// Rows without a key (never grouped with anything).
pub(crate) const NO_KEY: u32 = u32::MAX;

/// For every row `i`, the first row `j <= i` whose key equals row `i`'s key (`i` itself
/// when it is the first). Rows are numbered across `parts` in order; a hash of 0 marks a row
/// without a key: it gets [`NO_KEY`]. `same(a, b)` compares the keys of two rows whose hashes
/// are equal.
pub(crate) fn first_occurrence(parts: &[&[u64]], same: impl Fn(u32, u32) -> bool) -> Vec<u32> {
    let n: usize = parts.iter().map(|p| p.len()).sum();
    // The passes over every row go block by block, a call each (see [`group_bucket`]), each
    // block with the number of its first row.
    let blocks = || {
        parts
            .iter()
            .flat_map(|p| p.chunks(BLOCK))
            .scan(0u32, |at, b| {
                let first_row = *at;
                *at += b.len() as u32;
                Some((first_row, b))
            })
    };
    // Every keyed row starts as its own first occurrence; only the later rows of a group are
    // written again below, so a file with few repeats writes few rows out of order.
    let mut first: Vec<u32> = Vec::with_capacity(n);
    for (at, b) in blocks() {
        own_rows(b, at, &mut first);
    }
    if n == 0 {
        return first;
    }
    // About eight thousand rows per bucket: a bucket's table (~400 KB) stays in L2, and the
    // scatter writes to at most a thousand places at once (more thrash the TLB: 16,384
    // buckets made the grouping of ten million rows 2.5 times slower per row than of one
    // million).
    let bits = (usize::BITS - (n / 8192).max(1).leading_zeros()).clamp(1, 10);
    let shift = 64 - bits;
    let buckets = 1usize << bits;
    let mut starts = vec![0u32; buckets + 1];
    for (_, b) in blocks() {
        count_buckets(b, shift, &mut starts);
    }
    for b in 0..buckets {
        starts[b + 1] += starts[b];
    }
    let mut fill = starts.clone();
    // (low hash bits, row) pairs by bucket, rows in increasing order within a bucket: the
    // bucket already fixed the top bits, and `same` settles equal low bits exactly.
    let mut scattered: Vec<(u32, u32)> = vec![(0, 0); starts[buckets] as usize];
    for (at, b) in blocks() {
        scatter(b, at, shift, &mut fill, &mut scattered);
    }
    drop(fill);
    // One open-addressing table for every bucket, at most half full, sized for the largest:
    // a slot belongs to the bucket whose number + 1 it is stamped with, so that nothing is
    // cleared between buckets. (hashbrown's map took 7 times as long in Wasm, which has no
    // SIMD group probing, as natively: 1.3 s for ten million rows.)
    let largest = (0..buckets)
        .map(|b| starts[b + 1] - starts[b])
        .max()
        .unwrap_or(0) as usize;
    let mut slots: Vec<Slot> = vec![Slot::default(); (2 * largest).next_power_of_two().max(2)];
    for b in 0..buckets {
        let pairs = &scattered[starts[b] as usize..starts[b + 1] as usize];
        group_bucket(pairs, b as u32 + 1, &mut slots, &mut first, &same);
    }
    first
}

/// Rows per call of the passes over every row of [`first_occurrence`].
const BLOCK: usize = 1 << 14;

/// Appends each row's own number (the rows of `hashes` from row `at` on), or [`NO_KEY`]
/// for a row without a key.
#[inline(never)]
fn own_rows(hashes: &[u64], at: u32, first: &mut Vec<u32>) {
    first.extend(
        hashes
            .iter()
            .zip(at..)
            .map(|(&h, i)| if h == 0 { NO_KEY } else { i }),
    );
}

/// Counts the keyed rows of `hashes` by bucket (the top bits, from `shift` on), into
/// `starts[bucket + 1]`.
#[inline(never)]
fn count_buckets(hashes: &[u64], shift: u32, starts: &mut [u32]) {
    for &h in hashes {
        if h != 0 {
            starts[(h >> shift) as usize + 1] += 1;
        }
    }
}

/// Writes the (low hash bits, row) pairs of the keyed rows of `hashes` (from row `at` on)
/// into their buckets' places in `scattered`, `fill[bucket]` being the next free one.
#[inline(never)]
fn scatter(hashes: &[u64], at: u32, shift: u32, fill: &mut [u32], scattered: &mut [(u32, u32)]) {
    for (&h, i) in hashes.iter().zip(at..) {
        if h != 0 {
            let b = (h >> shift) as usize;
            scattered[fill[b] as usize] = (h as u32, i);
            fill[b] += 1;
        }
    }
}

/// Groups one bucket's (hash bits, row) pairs with the table `slots`, its slots stamped with
/// `stamp`: writes each row's first equal row into `first` when it is not the row itself.
///
/// A call per bucket, never inlined: V8 (Chrome, Node) runs a Wasm function as its baseline
/// compiler (Liftoff) made it until a call after its optimised code is ready, so a single
/// call over all the buckets would run unoptimised to the end.
#[inline(never)]
fn group_bucket(
    pairs: &[(u32, u32)],
    stamp: u32,
    slots: &mut [Slot],
    first: &mut [u32],
    same: &impl Fn(u32, u32) -> bool,
) {
    let mask = slots.len() - 1;
    for &(h, i) in pairs {
        let mut at = h as usize & mask;
        // Every slot with the same hash bits is compared: different keys that share them
        // sit in slots of their own, so the grouping is exact.
        let f = loop {
            let s = &mut slots[at];
            if s.stamp != stamp {
                *s = Slot {
                    key: h,
                    row: i,
                    stamp,
                };
                break i;
            }
            if s.key == h && same(i, s.row) {
                break s.row;
            }
            at = (at + 1) & mask;
        };
        if f != i {
            first[i as usize] = f;
        }
    }
}

/// A slot of [`first_occurrence`]'s table: hash bits, the first row with them, and the
/// bucket it is for (+ 1; 0 is never a bucket's).
#[derive(Clone, Copy, Default)]
struct Slot {
    key: u32,
    row: u32,
    stamp: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(keys: &[Option<&str>]) -> Vec<u32> {
        keys.iter()
            .enumerate()
            .map(|(i, k)| match k {
                None => NO_KEY,
                Some(k) => keys.iter().position(|x| *x == Some(*k)).unwrap_or(i) as u32,
            })
            .collect()
    }

    #[test]
    fn matches_a_naive_search() {
        let keys: Vec<Option<String>> = (0..5000)
            .map(|i| (i % 7 != 3).then(|| format!("k{}", (i * 7919) % 1733)))
            .collect();
        let refs: Vec<Option<&str>> = keys.iter().map(|k| k.as_deref()).collect();
        let hashes: Vec<u64> = refs
            .iter()
            .map(|k| k.map_or(0, |k| crate::ingest::rows::hash64(k).max(1)))
            .collect();
        // Uneven parts: rows are numbered across them.
        let got = first_occurrence(&[&hashes[..1234], &hashes[1234..]], |a, b| {
            refs[a as usize] == refs[b as usize]
        });
        assert_eq!(got, naive(&refs));
    }

    #[test]
    fn exact_when_different_keys_share_a_hash() {
        let keys = ["a", "b", "a", "c", "b", "c"];
        // Every key gets the same hash: grouping must still tell them apart.
        let hashes = vec![42u64; keys.len()];
        let got = first_occurrence(&[&hashes], |a, b| keys[a as usize] == keys[b as usize]);
        assert_eq!(got, vec![0, 1, 0, 3, 1, 3]);
    }
}
