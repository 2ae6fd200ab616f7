//! The CLI's allocator: the system one, asking Linux for transparent huge pages on large
//! blocks. Reading a large export allocates a few hundred MB in large arrays; in 4 KiB
//! pages that is ~100,000 page faults, a fifth of the run. With 2 MiB pages it is a few
//! hundred. (The library does not depend on this: the page and embedders use their own
//! allocator.)

use std::alloc::{GlobalAlloc, Layout, System};

/// Blocks at least this large are advised to use huge pages.
const HUGE_MIN: usize = 4 << 20;

pub struct HugePageAlloc;

fn advise(p: *mut u8, size: usize) {
    if p.is_null() || size < HUGE_MIN {
        return;
    }
    let page = 4096;
    let start = (p as usize).div_ceil(page) * page;
    let end = (p as usize + size) / page * page;
    if end > start {
        // SAFETY: the range lies inside the block just allocated; MADV_HUGEPAGE changes no
        // content and only advises the kernel. A failure (e.g. THP disabled) changes nothing.
        unsafe {
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
        }
    }
}

// SAFETY: every call is forwarded to `System` unchanged; `advise` only adds a hint.
unsafe impl GlobalAlloc for HugePageAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        advise(p, layout.size());
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        advise(p, layout.size());
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        advise(p, new_size);
        p
    }
}
