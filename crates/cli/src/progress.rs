//! The ingest progress bar, fed from the ingest counters, a bar with an
//! ETA for work whose total is known, and a spinner for work that only
//! counts what it has done.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use leakcheck_core::words::count;
use leakcheck_ingest::Progress;

pub struct Bar {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

impl Bar {
    pub fn start(counters: Arc<Progress>) -> Bar {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} (ETA {eta}) {msg}",
                )
                .expect("valid template"),
            );
            let started = Instant::now();
            loop {
                let done = flag.load(Ordering::Relaxed);
                bar.set_length(counters.bytes_total.load(Ordering::Relaxed));
                bar.set_position(counters.bytes_done.load(Ordering::Relaxed));
                let places = counters.places.load(Ordering::Relaxed);
                let rate = places as f64 / started.elapsed().as_secs_f64().max(0.001);
                bar.set_message(format!(
                    "{}/{} files · {} ({rate:.0}/s) · {}",
                    counters.files_done.load(Ordering::Relaxed),
                    counters.files_total.load(Ordering::Relaxed),
                    count(places, "item", "items"),
                    count(
                        counters.problems.load(Ordering::Relaxed),
                        "problem",
                        "problems"
                    )
                ));
                if done {
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            bar.finish_and_clear();
        });
        Bar { stop, thread }
    }

    pub fn finish(self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.thread.join();
    }
}

/// Runs `work` with a spinner on stderr (when `show`) that reads
/// "{count} {what}" from `done` until the work returns.
pub fn spin<T>(show: bool, what: &str, done: &AtomicU64, work: impl FnOnce() -> T) -> T {
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        let bar = show.then(|| {
            s.spawn(|| {
                let bar = ProgressBar::new_spinner();
                while !stop.load(Ordering::Relaxed) {
                    bar.set_message(format!("{} {what}", done.load(Ordering::Relaxed)));
                    bar.tick();
                    std::thread::sleep(Duration::from_millis(100));
                }
                bar.finish_and_clear();
            })
        });
        let r = work();
        stop.store(true, Ordering::Relaxed);
        if let Some(b) = bar {
            let _ = b.join();
        }
        r
    })
}

/// Runs `work` with a bar on stderr (when `show`) that reads `done` of
/// `total` {what}, with the rate and the time left, until the work returns.
pub fn counted<T>(
    show: bool,
    what: &str,
    total: u64,
    done: &AtomicU64,
    work: impl FnOnce() -> T,
) -> T {
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        let bar = show.then(|| {
            s.spawn(|| {
                let bar = ProgressBar::new(total);
                bar.set_style(
                    ProgressStyle::with_template(
                        "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} {msg} ({per_sec}, ETA {eta})",
                    )
                    .expect("valid template"),
                );
                bar.set_message(what.to_string());
                while !stop.load(Ordering::Relaxed) {
                    bar.set_position(done.load(Ordering::Relaxed).min(total));
                    std::thread::sleep(Duration::from_millis(100));
                }
                bar.finish_and_clear();
            })
        });
        let r = work();
        stop.store(true, Ordering::Relaxed);
        if let Some(b) = bar {
            let _ = b.join();
        }
        r
    })
}
