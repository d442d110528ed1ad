//! Marks an item done only when everything below it has been recorded.
//!
//! Each expanded item gets a [`DoneGuard`]; its children hold clones of it.
//! The guard sends `Record::Done` when the last clone drops, which is after
//! every descendant has sent its own records and its own `Done`. A run killed
//! before that leaves the item not done, and the next run opens it again.

use std::sync::Arc;

use crossbeam_channel::Sender;
use leakcheck_core::{ItemId, Record};

pub struct DoneGuard {
    id: ItemId,
    records: Sender<Record>,
    _parent: Option<Arc<DoneGuard>>,
}

impl DoneGuard {
    pub fn new(
        id: ItemId,
        records: Sender<Record>,
        parent: Option<Arc<DoneGuard>>,
    ) -> Arc<DoneGuard> {
        Arc::new(DoneGuard {
            id,
            records,
            _parent: parent,
        })
    }
}

impl Drop for DoneGuard {
    fn drop(&mut self) {
        // The writer outlives every guard; if it is gone the run is failing anyway.
        let _ = self.records.send(Record::Done {
            id: self.id.clone(),
        });
    }
}
