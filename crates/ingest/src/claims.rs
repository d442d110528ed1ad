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
    /// True when the caller should open `id`: nobody has, and nobody is.
    fn claim(&self, id: &ItemId) -> Result<bool, String>;
}

/// One run's list: the items finished by earlier runs, then the ones this
/// run opens.
impl Claims for Mutex<IdMap> {
    fn claim(&self, id: &ItemId) -> Result<bool, String> {
        self.lock()
            .unwrap()
            .insert(id, &Value::Null)
            .map_err(|e| e.to_string())
    }
}
