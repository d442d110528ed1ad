//! A server's local replica of a team case's catalog: an embedded catalog
//! that the workbench reads with the embedded catalog's own queries, so
//! that every page shows the figures the embedded mode would.
//!
//! It follows two generations of the shared catalog. The catalog
//! generation moves with every write of ingest, verify and `keys`: the
//! replica then copies the catalog's tables again. The workbench
//! generation moves with every user, tag, note and redaction decision: it
//! copies those again, which are small. Both are read in one snapshot
//! with the rows, so a replica is always some state the shared catalog
//! was in. The access log and the sessions are not copied: the server
//! reads and writes them in the shared catalog.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use postgres::fallible_iterator::FallibleIterator;
use postgres::{Client, IsolationLevel, SimpleQueryMessage};
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, TransactionBehavior};

use crate::copy::{CATALOG_TABLES, Col, Table, WORKBENCH_TABLES};
use crate::{Result, TeamError};

/// The replica's own meta keys: the generations it holds.
const HELD_CATALOG: &str = "replica_catalog_generation";
const HELD_WORKBENCH: &str = "replica_workbench_generation";

/// What a refresh copied.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Refreshed {
    /// The catalog's tables were copied again.
    pub catalog: bool,
    /// The workbench's were.
    pub workbench: bool,
}

fn sqlite(e: rusqlite::Error) -> TeamError {
    TeamError::Corrupt(format!("the replica: {e}"))
}

fn held(conn: &rusqlite::Connection, key: &str) -> Result<Option<String>> {
    conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()
        .map_err(sqlite)
}

/// A replica: its embedded catalog's connection, and the generations it
/// was last seen holding.
pub struct Replica {
    conn: Mutex<rusqlite::Connection>,
    held: Mutex<Option<Generations>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Replica {
    /// The replica whose embedded catalog is the file `file` (made
    /// already, as `Case::replica` makes it).
    pub fn open(file: &Path) -> Result<Replica> {
        let conn = rusqlite::Connection::open(file)
            .map_err(|e| TeamError::Corrupt(format!("{}: {e}", file.display())))?;
        conn.busy_timeout(Duration::from_secs(60))
            .map_err(|e| TeamError::Corrupt(format!("{}: {e}", file.display())))?;
        Ok(Replica {
            conn: Mutex::new(conn),
            held: Mutex::new(None),
        })
    }

    /// Brings the replica in step with the shared catalog `from`. Two
    /// servers sharing one replica take turns.
    pub fn refresh(&self, from: &mut Client) -> Result<Refreshed> {
        // One round trip when nothing changed, which is most requests: the
        // simple protocol, outside the snapshot's transaction (which costs
        // three more), compared with what this process saw the replica
        // hold (another process may only have brought it further on).
        let quick = Marks::of(
            from.simple_query(MARKS)?
                .into_iter()
                .filter_map(|m| match m {
                    SimpleQueryMessage::Row(r) => Some((
                        r.get(0).unwrap_or_default().to_string(),
                        r.get(1).unwrap_or_default().to_string(),
                    )),
                    _ => None,
                })
                .collect(),
        );
        if lock(&self.held).as_ref() == Some(&quick.generations) {
            return Ok(Refreshed::default());
        }
        let mut to = lock(&self.conn);
        let copy = refresh(from, &mut to)?;
        *lock(&self.held) = Some(copy.1);
        Ok(copy.0)
    }
}

/// Copies what the replica `to` lacks of the shared catalog `from`, in one
/// snapshot of it; says what, and what the replica holds now.
fn refresh(from: &mut Client, to: &mut rusqlite::Connection) -> Result<(Refreshed, Generations)> {
    let mut tx = from
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()?;
    let marks = Marks::of(
        tx.query(MARKS, &[])?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect(),
    );
    let local = to
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(sqlite)?;
    // Another server on this replica may have refreshed it meanwhile.
    let copy = stale(&local, &marks)?;
    if copy.catalog {
        for table in CATALOG_TABLES {
            replace(&mut tx, &local, table)?;
        }
        local
            .execute("DELETE FROM meta WHERE key = 'verify_state'", [])
            .map_err(sqlite)?;
        if let Some(state) = &marks.verify_state {
            local
                .execute(
                    "INSERT INTO meta (key, value) VALUES ('verify_state', ?1)",
                    [state],
                )
                .map_err(sqlite)?;
        }
    }
    if copy.workbench {
        for table in WORKBENCH_TABLES.iter().filter(|(t, _)| *t != "access_log") {
            replace(&mut tx, &local, table)?;
        }
    }
    if copy != Refreshed::default() {
        leakcheck_store::replica_changed(&local, copy.catalog)?;
    }
    for (key, value) in [
        (HELD_CATALOG, &marks.generations.catalog),
        (HELD_WORKBENCH, &marks.generations.workbench),
    ] {
        local
            .execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [key, value.as_str()],
            )
            .map_err(sqlite)?;
    }
    local.commit().map_err(sqlite)?;
    tx.commit()?;
    Ok((copy, marks.generations))
}

const MARKS: &str = "SELECT key, value FROM meta
     WHERE key IN ('catalog_generation', 'workbench_generation', 'verify_state')";

/// The shared catalog's generations (0 before the first write).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Generations {
    catalog: String,
    workbench: String,
}

/// The generations, and the state the last verification pass was derived
/// from.
struct Marks {
    generations: Generations,
    verify_state: Option<String>,
}

impl Marks {
    fn of(rows: Vec<(String, String)>) -> Marks {
        let mark = |key: &str| -> Option<String> {
            rows.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
        };
        Marks {
            generations: Generations {
                catalog: mark("catalog_generation").unwrap_or_else(|| "0".into()),
                workbench: mark("workbench_generation").unwrap_or_else(|| "0".into()),
            },
            verify_state: mark("verify_state"),
        }
    }
}

/// What the replica on `conn` lacks of `marks`.
fn stale(conn: &rusqlite::Connection, marks: &Marks) -> Result<Refreshed> {
    let g = &marks.generations;
    Ok(Refreshed {
        catalog: held(conn, HELD_CATALOG)?.as_deref() != Some(g.catalog.as_str()),
        workbench: held(conn, HELD_WORKBENCH)?.as_deref() != Some(g.workbench.as_str()),
    })
}

/// Replaces the replica's rows of `table` with the shared catalog's,
/// streamed.
fn replace(
    from: &mut postgres::Transaction<'_>,
    to: &rusqlite::Transaction<'_>,
    (table, cols): &Table,
) -> Result<()> {
    let names: Vec<&str> = cols.iter().map(|(n, _)| *n).collect();
    to.execute(&format!("DELETE FROM {table}"), [])
        .map_err(sqlite)?;
    let marks: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
    let mut insert = to
        .prepare(&format!(
            "INSERT INTO {table} ({}) VALUES ({})",
            names.join(", "),
            marks.join(", ")
        ))
        .map_err(sqlite)?;
    let mut rows = from.query_raw(
        &format!("SELECT {} FROM {table}", names.join(", ")),
        std::iter::empty::<&(dyn postgres::types::ToSql + Sync)>(),
    )?;
    let mut values = Vec::with_capacity(cols.len());
    while let Some(row) = rows.next()? {
        values.clear();
        for (i, (_, col)) in cols.iter().enumerate() {
            values.push(match col {
                Col::Text => row
                    .get::<_, Option<String>>(i)
                    .map_or(Value::Null, Value::Text),
                Col::Int => row
                    .get::<_, Option<i32>>(i)
                    .map_or(Value::Null, |v| Value::Integer(v.into())),
                Col::BigInt => row
                    .get::<_, Option<i64>>(i)
                    .map_or(Value::Null, Value::Integer),
                Col::Real => row
                    .get::<_, Option<f64>>(i)
                    .map_or(Value::Null, Value::Real),
            });
        }
        insert
            .execute(rusqlite::params_from_iter(values.iter()))
            .map_err(sqlite)?;
    }
    Ok(())
}
