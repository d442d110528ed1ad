//! Private temporary SQLite databases for what a pass must remember of
//! every item: held in memory, such state grows with the dump (a hundred
//! bytes an item is a hundred megabytes at a million); here it costs a
//! bounded page cache, and SQLite keeps the rest in a temporary file that
//! goes with the connection, even after a SIGKILL.

use leakcheck_core::ItemId;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

use crate::catalog::parse_id;
use crate::{Error, Result};

/// Page cache of an [`IdMap`]: its rows are short, and a lookup touches a
/// few pages of one B-tree.
const CACHE_KIB: i64 = 4 * 1024;

/// A temporary database of this connection's own (SQLite's empty file
/// name) with `cache_kib` KiB of page cache, no journal and no syncing:
/// nothing in it outlives the pass.
pub fn open(cache_kib: i64) -> Result<Connection> {
    let conn = Connection::open("")?;
    conn.execute_batch(&format!(
        "PRAGMA cache_size = -{cache_kib};
         PRAGMA temp_store = FILE;
         PRAGMA journal_mode = OFF;
         PRAGMA synchronous = OFF;"
    ))?;
    Ok(conn)
}

/// Items with a JSON value each, read back by id or in id order.
pub struct IdMap {
    conn: Connection,
}

impl IdMap {
    /// An empty map.
    pub fn new() -> Result<IdMap> {
        let conn = open(CACHE_KIB)?;
        conn.execute_batch(
            "CREATE TABLE m (id TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;",
        )?;
        Ok(IdMap { conn })
    }

    /// Adds `id` unless it is there already; says whether it was added.
    pub fn insert(&mut self, id: &ItemId, value: &Value) -> Result<bool> {
        let mut add = self
            .conn
            .prepare_cached("INSERT OR IGNORE INTO m (id, value) VALUES (?1, ?2)")?;
        Ok(add.execute(params![id.as_str(), value.to_string()])? == 1)
    }

    /// Adds the entries whose ids are not in the map yet, in one
    /// transaction; an id already there keeps its first value.
    pub fn insert_new(&mut self, entries: &[(ItemId, Value)]) -> Result<()> {
        let tx = self.conn.transaction()?;
        {
            let mut add =
                tx.prepare_cached("INSERT OR IGNORE INTO m (id, value) VALUES (?1, ?2)")?;
            for (id, value) in entries {
                add.execute(params![id.as_str(), value.to_string()])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The value of `id`, if it is in the map.
    pub fn get(&self, id: &ItemId) -> Result<Option<Value>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT value FROM m WHERE id = ?1")?;
        let value: Option<String> = stmt.query_row([id.as_str()], |r| r.get(0)).optional()?;
        value
            .map(|v| {
                serde_json::from_str(&v).map_err(|e| Error::Corrupt(format!("scratch {id}: {e}")))
            })
            .transpose()
    }

    /// Whether `id` is in the map.
    pub fn contains(&self, id: &ItemId) -> Result<bool> {
        let mut stmt = self.conn.prepare_cached("SELECT 1 FROM m WHERE id = ?1")?;
        Ok(stmt.exists([id.as_str()])?)
    }

    /// Every id, in order.
    pub fn for_each_id(&self, mut each: impl FnMut(ItemId) -> Result<()>) -> Result<()> {
        let mut stmt = self.conn.prepare("SELECT id FROM m ORDER BY id")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            each(parse_id(&row.get::<_, String>(0)?)?)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keeps_first_values_and_reads_ids_in_order() {
        let mut m = IdMap::new().unwrap();
        let (a, b, c) = (ItemId::of(b"a"), ItemId::of(b"b"), ItemId::of(b"c"));
        m.insert_new(&[(b.clone(), json!(1)), (a.clone(), json!(["x"]))])
            .unwrap();
        m.insert_new(&[(b.clone(), json!(2))]).unwrap();
        assert_eq!(m.get(&b).unwrap(), Some(json!(1)));
        assert_eq!(m.get(&a).unwrap(), Some(json!(["x"])));
        assert_eq!(m.get(&c).unwrap(), None);
        assert!(m.contains(&a).unwrap() && !m.contains(&c).unwrap());
        let mut ids = Vec::new();
        m.for_each_id(|id| {
            ids.push(id);
            Ok(())
        })
        .unwrap();
        let mut sorted = vec![a, b];
        sorted.sort();
        assert_eq!(ids, sorted);
    }
}
