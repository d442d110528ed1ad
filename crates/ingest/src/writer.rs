//! The one thread that writes the catalog. SQLite takes one writer at a time,
//! so workers send records here and never wait on each other for the database;
//! a team worker's records go to PostgreSQL the same way, a batch a statement.

use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, TryRecvError};
use leakcheck_core::Record;

/// Records per transaction: large enough to amortise the commit, small
/// enough that a crash loses little work.
const BATCH: usize = 4096;

/// How often a lingering batch looks for more records.
const TICK: Duration = Duration::from_millis(10);

/// Applies the records that arrive, in batches, with `apply`, until every
/// sender is gone; the first error is returned then. A batch takes what is
/// waiting, and records that come within `linger` of its first one: a
/// remote database pays a round trip per statement, so it is sent fewer,
/// fuller batches.
pub fn spawn<E: Send + 'static>(
    mut apply: impl FnMut(&[Record]) -> Result<(), E> + Send + 'static,
    records: Receiver<Record>,
    linger: Duration,
) -> JoinHandle<Result<(), E>> {
    thread::Builder::new()
        .name("catalog-writer".into())
        .spawn(move || {
            let mut failed = None;
            let mut batch = Vec::with_capacity(BATCH);
            while let Ok(first) = records.recv() {
                let until = Instant::now() + linger;
                batch.push(first);
                // Records that come while it lingers are picked up every
                // tick, not each as it comes: waking for each record cost
                // a one-thread worker more CPU (65,000 yields and as many
                // wake-ups on the scale-0.1 dump) than writing them.
                while batch.len() < BATCH {
                    match records.try_recv() {
                        Ok(r) => batch.push(r),
                        Err(TryRecvError::Disconnected) => break,
                        Err(TryRecvError::Empty) => {
                            let left = until.saturating_duration_since(Instant::now());
                            if left.is_zero() {
                                break;
                            }
                            thread::sleep(left.min(TICK));
                        }
                    }
                }
                // After a failure keep draining, so workers never block on a
                // full channel; the error is returned when the run ends.
                if failed.is_none()
                    && let Err(e) = apply(&batch)
                {
                    failed = Some(e);
                }
                batch.clear();
            }
            failed.map_or(Ok(()), Err)
        })
        .expect("spawn catalog writer")
}
