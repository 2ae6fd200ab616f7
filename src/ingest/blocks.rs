//! A growable array kept in fixed-size blocks: it grows without copying what it holds and
//! without the up-to-half-empty tail of doubling. For arrays whose final length is not known
//! in advance and that grow large (a file's distinct key cells: 1.7 million 120-byte entries
//! for ten million orders, 250 MB copied again and again while doubling, old and new alive at
//! once).

/// Entries per block (a power of two).
const BLOCK: usize = 1 << 14;

pub(crate) struct BlockVec<T> {
    blocks: Vec<Vec<T>>,
    len: usize,
}

impl<T> Default for BlockVec<T> {
    fn default() -> Self {
        BlockVec {
            blocks: Vec::new(),
            len: 0,
        }
    }
}

impl<T> BlockVec<T> {
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn push(&mut self, x: T) {
        match self.blocks.last_mut() {
            Some(b) if b.len() < BLOCK => b.push(x),
            _ => {
                let mut b = Vec::with_capacity(BLOCK);
                b.push(x);
                self.blocks.push(b);
            }
        }
        self.len += 1;
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &T> {
        self.blocks.iter().flatten()
    }
}

impl<T> std::ops::Index<usize> for BlockVec<T> {
    type Output = T;
    fn index(&self, i: usize) -> &T {
        &self.blocks[i / BLOCK][i % BLOCK]
    }
}

impl<T> std::ops::IndexMut<usize> for BlockVec<T> {
    fn index_mut(&mut self, i: usize) -> &mut T {
        &mut self.blocks[i / BLOCK][i % BLOCK]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_like_a_vec_across_blocks() {
        let mut b = BlockVec::default();
        let mut v = Vec::new();
        for i in 0..(3 * BLOCK + 17) {
            b.push(i * 7);
            v.push(i * 7);
        }
        assert_eq!(b.len(), v.len());
        assert!(b.iter().eq(v.iter()));
        for i in [0, 1, BLOCK - 1, BLOCK, 2 * BLOCK + 5, v.len() - 1] {
            assert_eq!(b[i], v[i]);
            b[i] += 1;
            assert_eq!(b[i], v[i] + 1);
        }
    }
}
