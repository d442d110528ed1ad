//! The one thread that writes the catalog. SQLite takes one writer at a time,
//! so workers send records here and never wait on each other for the database.

use std::thread::{self, JoinHandle};

use crossbeam_channel::Receiver;
use leakcheck_core::Record;
use leakcheck_store::Catalog;

/// Records per transaction: large enough to amortise the commit, small
/// enough that a crash loses little work.
const BATCH: usize = 4096;

pub fn spawn(
    mut catalog: Catalog,
    records: Receiver<Record>,
) -> JoinHandle<leakcheck_store::Result<()>> {
    thread::Builder::new()
        .name("catalog-writer".into())
        .spawn(move || {
            let mut failed = None;
            let mut batch = Vec::with_capacity(BATCH);
            while let Ok(first) = records.recv() {
                batch.push(first);
                while batch.len() < BATCH {
                    match records.try_recv() {
                        Ok(r) => batch.push(r),
                        Err(_) => break,
                    }
                }
                // After a failure keep draining, so workers never block on a
                // full channel; the error is returned when the run ends.
                if failed.is_none()
                    && let Err(e) = catalog.apply(&batch)
                {
                    failed = Some(e);
                }
                batch.clear();
            }
            failed.map_or(Ok(()), Err)
        })
        .expect("spawn catalog writer")
}
