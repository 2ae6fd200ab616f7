//! mimalloc as the CLI's allocator instead of its own (feature `mimalloc`), so that
//! scripts/bench_alloc.sh can compare the two on the same code. Set up as it did best here:
//! freed memory returned at once (docs/performance.md has the figures).

#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc.h (the Rust bindings name only some options; the
/// enum keeps its values across versions, deprecated ones included).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// mimalloc keeps freed memory for a second (mimalloc 3) before giving it back; the large
/// arrays of a run then add up: 255 MB at the peak instead of 188 MB on the 1M-order
/// benchmark. The `MIMALLOC_PURGE_DELAY` environment variable still decides when it is set.
pub fn return_freed_memory_at_once() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets one of mimalloc's options (atomics), before any other thread runs.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The option number is mimalloc's purge delay: its default (1000 ms in mimalloc 3,
    /// 10 ms in 2), then 0.
    #[test]
    fn freed_memory_is_returned_at_once() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
            return;
        }
        // SAFETY: reads an option.
        let before = unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
        assert!(before == 1000 || before == 10, "{before}");
        return_freed_memory_at_once();
        // SAFETY: reads an option.
        let after = unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
        assert_eq!(after, 0);
    }
}
