//! An embedded case's catalog copied into PostgreSQL (`leakcheck migrate
//! CASE --to postgres://…`): what ingest and verify recorded and what the
//! workbench holds, row for row, so that a case moves to team mode without
//! being ingested again. What is derived again on demand (the search
//! index's bookkeeping, the mail aggregates) is left behind.
//!
//! The same table lists say what a server's replica copies back
//! ([`crate::replica`]).

use std::path::Path;

use postgres::Client;
use postgres::types::ToSql;
use rusqlite::types::ValueRef;

use crate::catalog::text;
use crate::{Result, TeamError};

/// A column's type on the PostgreSQL side.
#[derive(Clone, Copy)]
pub(crate) enum Col {
    Text,
    Int,
    BigInt,
    Real,
}

use Col::{BigInt, Int, Real, Text};

/// A table and its columns, named alike in both catalogs.
pub(crate) type Table = (&'static str, &'static [(&'static str, Col)]);

/// What ingest and verify recorded, with their columns in both catalogs.
pub(crate) const CATALOG_TABLES: &[Table] = &[
    (
        "items",
        &[
            ("id", Text),
            ("size", BigInt),
            ("kind", Text),
            ("done", Int),
        ],
    ),
    (
        "occurrences",
        &[
            ("parent", Text),
            ("path", Text),
            ("position", BigInt),
            ("display", Text),
            ("depth", Int),
            ("item", Text),
            ("stage", Text),
            ("error", Text),
            ("extra", Text),
        ],
    ),
    (
        "item_errors",
        &[("item", Text), ("stage", Text), ("reason", Text)],
    ),
    (
        "containers",
        &[
            ("key", Text),
            ("kind", Text),
            ("expected", BigInt),
            ("detail", Text),
        ],
    ),
    (
        "emails",
        &[
            ("item", Text),
            ("message_id", Text),
            ("subject", Text),
            ("date_unix", BigInt),
            ("from_addr", Text),
            ("meta", Text),
        ],
    ),
    (
        "documents",
        &[
            ("item", Text),
            ("format", Text),
            ("meta", Text),
            ("text", Text),
        ],
    ),
    (
        "dkim_keys",
        &[
            ("name", Text),
            ("txt", Text),
            ("source", Text),
            ("obtained", Text),
            ("added_by", Text),
            ("added_at", Text),
            ("first_seen", Text),
            ("last_seen", Text),
            ("private_published", Text),
        ],
    ),
    (
        "recovered_keys",
        &[
            ("name", Text),
            ("txt", Text),
            ("source", Text),
            ("added_by", Text),
            ("added_at", Text),
        ],
    ),
    (
        "findings",
        &[
            ("item", Text),
            ("check_id", Text),
            ("verdict", Text),
            ("summary", Text),
            ("evidence", Text),
        ],
    ),
    ("verdicts", &[("item", Text), ("verdict", Text)]),
    (
        "ocr_items",
        &[
            ("item", Text),
            ("status", Text),
            ("engine", Text),
            ("languages", Text),
            ("seconds", Real),
            ("detail", Text),
        ],
    ),
    (
        "ocr_pages",
        &[
            ("item", Text),
            ("page", BigInt),
            ("text", Text),
            ("confidence", Real),
            ("words", BigInt),
            ("embedded", Text),
            ("error", Text),
        ],
    ),
];

/// The workbench's records. The access log comes last: a replica does not
/// copy it back (it is read from the shared catalog).
pub(crate) const WORKBENCH_TABLES: &[Table] = &[
    (
        "users",
        &[
            ("name", Text),
            ("role", Text),
            ("password", Text),
            ("created", Text),
        ],
    ),
    (
        "tags",
        &[
            ("item", Text),
            ("tag", Text),
            ("added_by", Text),
            ("added_at", Text),
        ],
    ),
    (
        "notes",
        &[
            ("seq", BigInt),
            ("item", Text),
            ("author", Text),
            ("at", Text),
            ("text", Text),
        ],
    ),
    (
        "redaction_decisions",
        &[
            ("item", Text),
            ("text", Text),
            ("start_byte", BigInt),
            ("end_byte", BigInt),
            ("kind", Text),
            ("decision", Text),
            ("\"user\"", Text),
            ("at", Text),
        ],
    ),
    (
        "posts",
        &[
            ("id", Text),
            ("source", Text),
            ("platform", Text),
            ("post_id", Text),
            ("time_unix", BigInt),
            ("author", Text),
            ("author_id", Text),
            ("text", Text),
            ("claims", Int),
            ("detail", Text),
        ],
    ),
    (
        "post_matches",
        &[
            ("post", Text),
            ("what", Text),
            ("item", Text),
            ("basis", Text),
            ("similarity", Real),
            ("changed", Int),
            ("evidence", Text),
        ],
    ),
    (
        "access_log",
        &[
            ("seq", BigInt),
            ("at", Text),
            ("\"user\"", Text),
            ("action", Text),
            ("item", Text),
            ("detail", Text),
            ("peer", Text),
        ],
    ),
];

/// Rows sent to PostgreSQL in one statement.
const BATCH: usize = 2048;

/// One column's values of a batch.
enum Values {
    Text(Vec<Option<String>>),
    Int(Vec<Option<i32>>),
    BigInt(Vec<Option<i64>>),
    Real(Vec<Option<f64>>),
}

impl Values {
    fn new(col: Col) -> Values {
        match col {
            Text => Values::Text(Vec::new()),
            Int => Values::Int(Vec::new()),
            BigInt => Values::BigInt(Vec::new()),
            Real => Values::Real(Vec::new()),
        }
    }

    fn push(&mut self, v: ValueRef<'_>, table: &str) -> Result<()> {
        let wrong = || TeamError::Corrupt(format!("{table}: a value of an unexpected type"));
        match (self, v) {
            (Values::Text(c), ValueRef::Null) => c.push(None),
            (Values::Int(c), ValueRef::Null) => c.push(None),
            (Values::BigInt(c), ValueRef::Null) => c.push(None),
            (Values::Real(c), ValueRef::Null) => c.push(None),
            // NUL cannot be in PostgreSQL's text: U+FFFD, as ingest writes it.
            (Values::Text(c), ValueRef::Text(t)) => {
                c.push(Some(text(&String::from_utf8_lossy(t)).into_owned()))
            }
            (Values::Int(c), ValueRef::Integer(i)) => {
                c.push(Some(i32::try_from(i).map_err(|_| wrong())?))
            }
            (Values::BigInt(c), ValueRef::Integer(i)) => c.push(Some(i)),
            (Values::Real(c), ValueRef::Real(r)) => c.push(Some(r)),
            (Values::Real(c), ValueRef::Integer(i)) => c.push(Some(i as f64)),
            _ => return Err(wrong()),
        }
        Ok(())
    }

    fn param(&self) -> &(dyn ToSql + Sync) {
        match self {
            Values::Text(c) => c,
            Values::Int(c) => c,
            Values::BigInt(c) => c,
            Values::Real(c) => c,
        }
    }

    fn cast(col: Col) -> &'static str {
        match col {
            Text => "text[]",
            Int => "int[]",
            BigInt => "bigint[]",
            Real => "double precision[]",
        }
    }
}

/// Opens the embedded catalog `file` to read it.
pub fn open(file: &Path) -> Result<rusqlite::Connection> {
    rusqlite::Connection::open_with_flags(file, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| TeamError::Corrupt(format!("{}: {e}", file.display())))
}

fn sqlite(e: rusqlite::Error) -> TeamError {
    TeamError::Corrupt(format!("the embedded catalog: {e}"))
}

/// Copies the rows of `table` from `from` into `to`, a batch a statement;
/// `conflict` ends each statement (an `ON CONFLICT` clause, or nothing).
/// Returns the rows written.
fn copy_table(
    from: &rusqlite::Connection,
    to: &mut postgres::Transaction<'_>,
    (table, cols): &Table,
    conflict: &str,
) -> Result<u64> {
    let names: Vec<&str> = cols.iter().map(|(n, _)| *n).collect();
    let casts: Vec<String> = cols
        .iter()
        .enumerate()
        .map(|(i, (_, c))| format!("${}::{}", i + 1, Values::cast(*c)))
        .collect();
    let insert = to.prepare(&format!(
        "INSERT INTO {table} ({}) SELECT * FROM unnest({}) {conflict}",
        names.join(", "),
        casts.join(", ")
    ))?;
    let mut stmt = from
        .prepare(&format!("SELECT {} FROM {table}", names.join(", ")))
        .map_err(sqlite)?;
    let mut rows = stmt.query([]).map_err(sqlite)?;
    let mut batch: Vec<Values> = cols.iter().map(|(_, c)| Values::new(*c)).collect();
    let (mut n, mut in_batch) = (0u64, 0usize);
    loop {
        let row = rows.next().map_err(sqlite)?;
        if let Some(row) = row {
            for (i, values) in batch.iter_mut().enumerate() {
                values.push(row.get_ref(i).map_err(sqlite)?, table)?;
            }
            in_batch += 1;
        }
        if in_batch > 0 && (in_batch == BATCH || row.is_none()) {
            let params: Vec<&(dyn ToSql + Sync)> = batch.iter().map(Values::param).collect();
            n += to.execute(&insert, &params)?;
            batch = cols.iter().map(|(_, c)| Values::new(*c)).collect();
            in_batch = 0;
        }
        if row.is_none() {
            return Ok(n);
        }
    }
}

/// What a command run on a private replica wrote, sent to the shared
/// catalog: every row of each table named, replacing the row of the same
/// key (`OCR` and `posts import` on a team case run the embedded code on a
/// replica of their own, then push). Ends by moving on the generations
/// that `bump` moves, in the same transaction. Returns each table's rows.
pub fn push(
    from: &rusqlite::Connection,
    to: &mut Client,
    tables: &[(&str, &[&str])],
    bump: Bump,
) -> Result<Vec<(&'static str, u64)>> {
    let mut tx = to.transaction()?;
    let mut pushed = Vec::new();
    for (name, key) in tables {
        let table = CATALOG_TABLES
            .iter()
            .chain(WORKBENCH_TABLES)
            .find(|(t, _)| t == name)
            .ok_or_else(|| TeamError::Config(format!("no table {name} to push")))?;
        let set: Vec<String> = table
            .1
            .iter()
            .filter(|(c, _)| !key.contains(c))
            .map(|(c, _)| format!("{c} = excluded.{c}"))
            .collect();
        let conflict = format!(
            "ON CONFLICT ({}) DO UPDATE SET {}",
            key.join(", "),
            set.join(", ")
        );
        pushed.push((table.0, copy_table(from, &mut tx, table, &conflict)?));
    }
    tx.execute(
        match bump {
            Bump::Catalog => crate::catalog::BUMP_GENERATION,
            Bump::Workbench => crate::catalog::BUMP_WORKBENCH,
        },
        &[],
    )?;
    tx.commit()?;
    Ok(pushed)
}

/// Which generations a push moves on.
#[derive(Clone, Copy, Debug)]
pub enum Bump {
    /// The catalog's and the search index's: rows the index shows (OCR).
    Catalog,
    /// The workbench's: rows only the workbench reads (posts).
    Workbench,
}

/// Copies the catalog `from` into the migrated, empty schema `to` is set
/// to, in one transaction, and checks every table's count after. Returns
/// each table with its rows.
pub fn copy(from: &rusqlite::Connection, to: &mut Client) -> Result<Vec<(&'static str, u64)>> {
    let present: i64 = to.query_one("SELECT count(*) FROM items", &[])?.get(0);
    if present > 0 {
        return Err(TeamError::Config(format!(
            "the team catalog already holds {present} items: migrate into an empty schema"
        )));
    }
    let mut tx = to.transaction()?;
    let mut copied = Vec::new();
    for table in CATALOG_TABLES.iter().chain(WORKBENCH_TABLES) {
        copied.push((table.0, copy_table(from, &mut tx, table, "")?));
    }
    // What the last verification pass was derived from: with it, `verify`
    // on the team case finds nothing changed.
    let state: Option<String> = from
        .query_row(
            "SELECT value FROM meta WHERE key = 'verify_state'",
            [],
            |r| r.get(0),
        )
        .map_or_else(
            |e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(sqlite(e)),
            },
            |v| Ok(Some(v)),
        )?;
    if let Some(state) = state {
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('verify_state', $1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            &[&state],
        )?;
    }
    // The numbers the workbench gives next follow the copied ones.
    for table in ["notes", "access_log"] {
        tx.execute(
            &format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'seq'),
                               coalesce((SELECT max(seq) FROM {table}), 0) + 1, false)"
            ),
            &[],
        )?;
    }
    tx.execute(crate::catalog::BUMP_GENERATION, &[])?;
    for (table, n) in &copied {
        let there: i64 = tx
            .query_one(&format!("SELECT count(*) FROM {table}"), &[])?
            .get(0);
        if there as u64 != *n {
            return Err(TeamError::Corrupt(format!(
                "{table}: {n} rows copied, {there} in the team catalog"
            )));
        }
    }
    tx.commit()?;
    Ok(copied)
}
