//! Which run opens an item. Ingest stores every place it finds, but opens
//! each item (expands an archive, reads an email) once: the first worker
//! to claim it does, the others only record where else it was found.
//! Opening twice is harmless (records are keyed by place), only slower, so
//! a claim that cannot be checked is taken.

use std::sync::Mutex;

use leakcheck_core::ItemId;
use leakcheck_store::scratch::IdMap;
use serde_json::Value;

/// Who may open an item: a run's own list (embedded), or one shared by the
/// workers of a team case.
pub trait Claims: Send + Sync {
    /// For each of `ids`, in order: true when the caller should open it
    /// (nobody has, and nobody is). An id given twice is the caller's at
    /// most once.
    fn claim(&self, ids: &[ItemId]) -> Result<Vec<bool>, String>;

    /// How many items are worth claiming at once: one when a claim costs
    /// nothing (a list in memory), so that no item waits for others; more
    /// when each claim is a round trip to a database.
    fn batch(&self) -> usize {
        1
    }
}

/// One run's list: the items finished by earlier runs, then the ones this
/// run opens.
impl Claims for Mutex<IdMap> {
    fn claim(&self, ids: &[ItemId]) -> Result<Vec<bool>, String> {
        let mut list = self.lock().unwrap();
        ids.iter()
            .map(|id| list.insert(id, &Value::Null).map_err(|e| e.to_string()))
            .collect()
    }
}
