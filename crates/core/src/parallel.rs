//! One parallel map for the CPU-bound passes (DKIM over every email, text
//! signatures over every item): scoped threads, one per core, taking work
//! from a shared counter so that a few slow items do not leave cores idle.
//! Small enough to keep here rather than depend on a thread pool.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Items a thread claims at a time: few enough to balance uneven items,
/// enough to keep the shared counter cold.
const CLAIM: usize = 8;

/// `f` applied to every item on every core; results in the items' order.
/// A panic in `f` is raised again in the caller.
pub fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    par_map_on(0, items, f)
}

/// [`par_map`] on at most `threads` threads (0: one per core), for a
/// process told how many cores it may take (a team worker's `--threads`).
pub fn par_map_on<T: Sync, R: Send>(
    threads: usize,
    items: &[T],
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = match threads {
        0 => cores,
        n => n,
    }
    .min(items.len().div_ceil(CLAIM));
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let parts: Vec<Vec<(usize, R)>> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let start = next.fetch_add(CLAIM, Ordering::Relaxed);
                        if start >= items.len() {
                            return out;
                        }
                        let end = (start + CLAIM).min(items.len());
                        out.extend((start..end).map(|i| (i, f(&items[i]))));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    let mut all: Vec<(usize, R)> = parts.into_iter().flatten().collect();
    all.sort_unstable_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_order_of_the_items() {
        let items: Vec<u64> = (0..1000).collect();
        assert_eq!(
            par_map(&items, |x| x * 2),
            items.iter().map(|x| x * 2).collect::<Vec<_>>()
        );
        assert!(par_map(&[] as &[u8], |x| *x).is_empty());
        assert_eq!(par_map(&[7u8], |x| *x + 1), vec![8]);
    }

    #[test]
    #[should_panic(expected = "item 500")]
    fn a_panic_reaches_the_caller() {
        let items: Vec<u32> = (0..1000).collect();
        par_map(&items, |x| assert_ne!(*x, 500, "item 500"));
    }
}
