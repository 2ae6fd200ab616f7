//! The CLI's allocator. Small blocks go to the system allocator; large ones (1 MiB and up)
//! are mapped directly and, when freed, kept in a small cache for the next large block
//! instead of being handed back to the kernel.
//!
//! Why: a large export is read through a handful of large arrays that live one after the
//! other (the text, the row records, the orders, the members, the member table). Handed
//! back to the kernel and mapped again, every one of them is touched afresh, and on a VM a
//! fresh page costs a fault, a zeroing and often the host backing it on the spot. Reusing
//! a block that is already mapped costs none of that: on the 1M-order benchmark the run
//! went from 0.46-0.49 s to 0.41-0.42 s (median of 11), with the same peak memory. The
//! cache is bounded ([`SLOTS`] blocks, [`CACHE_MAX`] bytes), and a cached block reused for a
//! smaller one gives its tail back, so the peak does not grow.
//!
//! Blocks of 4 MiB and more are also advised to use transparent huge pages: a few hundred
//! faults instead of ~100,000 for the few hundred MB a large run maps.
//!
//! (The library does not depend on this: the page and embedders use their own allocator.)
//!
//! It stays while it beats mimalloc: `scripts/bench_alloc.sh` compares them, the figures are
//! in docs/performance.md (mimalloc is faster only with 44% more memory at the peak).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Mutex;

/// Blocks at least this large are mapped directly.
const BIG: usize = 1 << 20;
/// Blocks at least this large are advised to use huge pages.
const HUGE_MIN: usize = 4 << 20;
const PAGE: usize = 4096;
/// Freed blocks kept for reuse: at most this many, and at most [`CACHE_MAX`] bytes.
const SLOTS: usize = 8;
const CACHE_MAX: usize = 64 << 20;

pub struct CachingAlloc;

/// Freed mappings (address, length), oldest first.
struct Cache {
    blocks: [(usize, usize); SLOTS],
    n: usize,
    bytes: usize,
}

static CACHE: Mutex<Cache> = Mutex::new(Cache {
    blocks: [(0, 0); SLOTS],
    n: 0,
    bytes: 0,
});

fn is_big(size: usize, align: usize) -> bool {
    size >= BIG && align <= PAGE
}

fn map_len(size: usize) -> usize {
    size.div_ceil(PAGE) * PAGE
}

impl Cache {
    fn remove(&mut self, i: usize) -> (usize, usize) {
        let b = self.blocks[i];
        self.blocks.copy_within(i + 1..self.n, i);
        self.n -= 1;
        self.bytes -= b.1;
        b
    }

    /// The smallest block of at least `len` bytes, else the largest one.
    fn take(&mut self, len: usize) -> Option<(usize, usize)> {
        let blocks = &self.blocks[..self.n];
        let fit = (0..blocks.len())
            .filter(|&i| blocks[i].1 >= len)
            .min_by_key(|&i| blocks[i].1);
        let i = fit.or_else(|| (0..blocks.len()).max_by_key(|&i| blocks[i].1))?;
        Some(self.remove(i))
    }
}

/// A fresh mapping of `len` bytes (zeroed), or null.
unsafe fn map(len: usize) -> *mut u8 {
    // SAFETY: an anonymous private mapping; no existing memory is touched.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        return std::ptr::null_mut();
    }
    advise(p as *mut u8, len);
    p as *mut u8
}

fn advise(p: *mut u8, len: usize) {
    if len >= HUGE_MIN {
        // SAFETY: the range is a mapping of ours; MADV_HUGEPAGE changes no content and only
        // advises the kernel. A failure (e.g. THP disabled) changes nothing.
        unsafe {
            libc::madvise(p as *mut libc::c_void, len, libc::MADV_HUGEPAGE);
        }
    }
}

/// Resizes a mapping (its pages keep their content), or null.
unsafe fn remap(p: *mut u8, old: usize, new: usize) -> *mut u8 {
    if old == new {
        return p;
    }
    // SAFETY: `p..p+old` is a mapping of ours, used by no one else during the call.
    let q = unsafe { libc::mremap(p as *mut libc::c_void, old, new, libc::MREMAP_MAYMOVE) };
    if q == libc::MAP_FAILED {
        return std::ptr::null_mut();
    }
    advise(q as *mut u8, new);
    q as *mut u8
}

unsafe fn unmap(p: usize, len: usize) {
    // SAFETY: the range is a mapping of ours that nothing refers to any more.
    unsafe {
        libc::munmap(p as *mut libc::c_void, len);
    }
}

/// A large block: a cached mapping (trimmed or grown to `len`) or a fresh one. The flag is
/// true when its content is not known to be zero.
unsafe fn big_alloc(len: usize) -> (*mut u8, bool) {
    let cached = CACHE.lock().ok().and_then(|mut c| c.take(len));
    match cached {
        Some((p, have)) if have >= len => {
            if have > len {
                // SAFETY: the tail past `len` is ours and unused.
                unsafe { unmap(p + len, have - len) };
            }
            (p as *mut u8, true)
        }
        Some((p, have)) => {
            // SAFETY: a cached mapping of `have` bytes, ours alone now.
            let q = unsafe { remap(p as *mut u8, have, len) };
            if q.is_null() {
                unsafe { unmap(p, have) };
                (unsafe { map(len) }, false)
            } else {
                (q, true)
            }
        }
        None => (unsafe { map(len) }, false),
    }
}

/// Keeps a freed block for reuse, evicting the oldest ones beyond the cache's bounds.
unsafe fn big_free(p: *mut u8, len: usize) {
    let mut evicted = [(0usize, 0usize); SLOTS + 1];
    let mut n_evicted = 0;
    match CACHE.lock() {
        Ok(mut c) if len <= CACHE_MAX => {
            while c.n == SLOTS || c.bytes + len > CACHE_MAX {
                evicted[n_evicted] = c.remove(0);
                n_evicted += 1;
            }
            let n = c.n;
            c.blocks[n] = (p as usize, len);
            c.n += 1;
            c.bytes += len;
        }
        _ => {
            evicted[0] = (p as usize, len);
            n_evicted = 1;
        }
    }
    for &(q, l) in &evicted[..n_evicted] {
        unsafe { unmap(q, l) };
    }
}

// SAFETY: small blocks are forwarded to `System` unchanged. Large blocks are whole mappings
// of at least the requested size, page-aligned (so any alignment up to a page holds), used
// by one owner at a time: the cache only holds blocks that were freed.
unsafe impl GlobalAlloc for CachingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if !is_big(layout.size(), layout.align()) {
            return unsafe { System.alloc(layout) };
        }
        unsafe { big_alloc(map_len(layout.size())).0 }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if !is_big(layout.size(), layout.align()) {
            return unsafe { System.alloc_zeroed(layout) };
        }
        let (p, dirty) = unsafe { big_alloc(map_len(layout.size())) };
        if dirty && !p.is_null() {
            unsafe { std::ptr::write_bytes(p, 0, layout.size()) };
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if !is_big(layout.size(), layout.align()) {
            return unsafe { System.dealloc(ptr, layout) };
        }
        unsafe { big_free(ptr, map_len(layout.size())) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let (old_big, new_big) = (
            is_big(layout.size(), layout.align()),
            is_big(new_size, layout.align()),
        );
        match (old_big, new_big) {
            (false, false) => unsafe { System.realloc(ptr, layout, new_size) },
            (true, true) => unsafe { remap(ptr, map_len(layout.size()), map_len(new_size)) },
            _ => {
                // SAFETY: a block of the new layout; the old one is copied, then freed.
                let new_layout =
                    unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
                let q = unsafe { self.alloc(new_layout) };
                if !q.is_null() {
                    unsafe {
                        std::ptr::copy_nonoverlapping(ptr, q, layout.size().min(new_size));
                        self.dealloc(ptr, layout);
                    }
                }
                q
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A large block: allocated, written, grown, shrunk below the threshold, freed; a block
    /// reused from the cache keeps nothing of the last owner when asked for zeroes.
    #[test]
    fn large_blocks_are_reused_and_keep_their_content() {
        let a = CachingAlloc;
        let big = Layout::from_size_align(3 << 20, 8).unwrap();
        unsafe {
            let p = a.alloc(big);
            assert!(!p.is_null());
            std::ptr::write_bytes(p, 7, big.size());
            let q = a.realloc(p, big, 9 << 20);
            assert!(!q.is_null());
            assert_eq!(*q.add(big.size() - 1), 7);
            let big9 = Layout::from_size_align(9 << 20, 8).unwrap();
            let small = a.realloc(q, big9, 4096);
            assert_eq!(*small.add(4095), 7);
            a.dealloc(small, Layout::from_size_align(4096, 8).unwrap());
            // Free one, then ask for zeroes of a smaller size: it comes from the cache.
            let r = a.alloc(big9);
            std::ptr::write_bytes(r, 1, big9.size());
            a.dealloc(r, big9);
            let z = a.alloc_zeroed(big);
            assert!((0..big.size()).step_by(4093).all(|i| *z.add(i) == 0));
            assert_eq!(*z.add(big.size() - 1), 0);
            a.dealloc(z, big);
            // More freed blocks than the cache holds: the oldest are unmapped.
            let ps: Vec<*mut u8> = (0..SLOTS + 3).map(|_| a.alloc(big)).collect();
            for p in ps {
                a.dealloc(p, big);
            }
            let c = CACHE.lock().unwrap();
            assert!(c.n <= SLOTS && c.bytes <= CACHE_MAX);
        }
    }
}
