//! Running independent pieces of work at once (the parts of a large file, analysis passes
//! that read the same members): native threads, sequential in Wasm (the browser build runs
//! in one worker; `std::thread` is not available there).

/// Text smaller than this is read in one part: threads would cost more than they save.
pub(crate) const MIN_PARALLEL_BYTES: usize = 4 << 20;

/// How many parts to read at once.
pub(crate) fn threads() -> usize {
    if cfg!(target_arch = "wasm32") {
        1
    } else {
        std::thread::available_parallelism()
            .map(|n| n.get().clamp(1, 8))
            .unwrap_or(1)
    }
}

/// `f` over `items`, at once when threads are available; results in the items' order.
pub(crate) fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    map_owned(items.iter().collect(), f)
}

/// `f` over `items`, each moved into its call, at once when threads are available; results
/// in the items' order.
pub(crate) fn map_owned<T: Send, R: Send>(items: Vec<T>, f: impl Fn(T) -> R + Sync) -> Vec<R> {
    if threads() == 1 || items.len() < 2 {
        return items.into_iter().map(f).collect();
    }
    std::thread::scope(|s| {
        let f = &f;
        let mut items = items.into_iter();
        let first = items.next();
        let handles: Vec<_> = items.map(|it| s.spawn(move || f(it))).collect();
        let mut out: Vec<R> = first.map(f).into_iter().collect();
        out.extend(
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))),
        );
        out
    })
}

/// Runs `a` and `b` at once when threads are available.
pub(crate) fn join<A: Send, B: Send>(
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    if threads() == 1 {
        return (a(), b());
    }
    std::thread::scope(|s| {
        let hb = s.spawn(b);
        let ra = a();
        (
            ra,
            hb.join().unwrap_or_else(|e| std::panic::resume_unwind(e)),
        )
    })
}
