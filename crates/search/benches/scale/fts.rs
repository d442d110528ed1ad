//! The SQLite FTS5 side: the same emails in an FTS5 table `docs(subject,
//! body, sender)` beside an ordinary table `meta` with the date (indexed)
//! and the facet values, as an application built on SQLite would keep them.

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use rusqlite::{Connection, params};

use crate::corpus::{Corpus, Query};
use crate::{Build, Run, Timed};

const COMMIT_EVERY: u64 = 100_000;

/// Opens the database with settings a read-mostly search would use: WAL as
/// the catalog does, a 64 MB page cache and the file memory-mapped (as
/// tantivy maps its files), so FTS5 is not slowed by defaults meant for
/// small devices.
pub fn open(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = NORMAL;
         PRAGMA cache_size = -65536;
         PRAGMA mmap_size = 68719476736;",
    )?;
    Ok(conn)
}

/// Loads `docs` emails; with `merge`, runs FTS5's `optimize` (one b-tree,
/// like one tantivy segment) afterwards, timed apart.
pub fn build(path: &Path, corpus: &Corpus, docs: u64, merge: bool) -> rusqlite::Result<Build> {
    let started = Instant::now();
    let mut conn = open(path)?;
    conn.execute_batch(
        "CREATE VIRTUAL TABLE docs USING fts5(subject, body, sender,
             tokenize = 'unicode61 remove_diacritics 2');
         CREATE TABLE meta(rowid INTEGER PRIMARY KEY, date INTEGER NOT NULL,
             domain TEXT NOT NULL, month TEXT NOT NULL, kind TEXT NOT NULL,
             attachment INTEGER NOT NULL);",
    )?;
    let mut n = 0;
    while n < docs {
        let tx = conn.transaction()?;
        {
            let mut doc = tx.prepare(
                "INSERT INTO docs(rowid, subject, body, sender) VALUES (?1, ?2, ?3, ?4)",
            )?;
            let mut meta = tx.prepare(
                "INSERT INTO meta(rowid, date, domain, month, kind, attachment)
                 VALUES (?1, ?2, ?3, ?4, 'email', ?5)",
            )?;
            let end = (n + COMMIT_EVERY).min(docs);
            while n < end {
                let e = corpus.email(n);
                let from = &corpus.people[e.from];
                let sender = format!("{} <{}>", from.name, from.address);
                let month = chrono::DateTime::from_timestamp(e.date, 0)
                    .map(|d| d.format("%Y-%m").to_string())
                    .unwrap_or_default();
                // rowid 0 is legal but unusual; count from 1 like SQLite does.
                let rowid = n as i64 + 1;
                doc.execute(params![rowid, e.subject, e.body, sender])?;
                meta.execute(params![
                    rowid,
                    e.date,
                    from.domain,
                    month,
                    e.attachments > 0
                ])?;
                n += 1;
            }
        }
        tx.commit()?;
        crate::progress("fts5", n, docs, started);
    }
    // The date index is built after the load, as one does for bulk loads.
    conn.execute_batch("CREATE INDEX meta_date ON meta(date); ANALYZE meta;")?;
    conn.pragma_update(None, "wal_checkpoint", "TRUNCATE")?;
    let seconds = started.elapsed().as_secs_f64();
    let merge_seconds = if merge {
        let t = Instant::now();
        conn.execute("INSERT INTO docs(docs) VALUES ('optimize')", [])?;
        conn.pragma_update(None, "wal_checkpoint", "TRUNCATE")?;
        Some(t.elapsed().as_secs_f64())
    } else {
        None
    };
    // Where the bytes are, by table and index (`docs_content` is FTS5's
    // copy of the texts, `docs_data` its inverted index).
    let mut parts: Vec<(String, u64)> = conn
        .prepare("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC")?
        .query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))?
        .collect::<rusqlite::Result<_>>()?;
    let listed: u64 = parts.iter().map(|p| p.1).sum();
    drop(conn);
    let size = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.len());
    let bytes = size(path) + size(&path.with_extension("sqlite-wal"));
    if bytes > listed {
        parts.push(("free pages and WAL".into(), bytes - listed));
    }
    Ok(Build {
        seconds,
        merge_seconds,
        bytes,
        parts,
        segments: 0,
        segments_built: 0,
    })
}

/// Facet counts of the matching rows, by facet then value.
#[derive(Default)]
struct Facets([HashMap<String, u64>; 4]);

impl Facets {
    fn add(&mut self, i: usize, value: &str) {
        match self.0[i].get_mut(value) {
            Some(n) => *n += 1,
            None => {
                self.0[i].insert(value.to_string(), 1);
            }
        }
    }
}

/// The ten best (lowest) ranks seen so far and their rowids, best first.
#[derive(Default)]
struct Top(Vec<(f64, i64)>);

impl Top {
    fn offer(&mut self, rank: f64, rowid: i64) {
        if self.0.len() < 10 || rank < self.0[9].0 {
            let at = self.0.partition_point(|&(r, _)| r <= rank);
            self.0.insert(at, (rank, rowid));
            self.0.truncate(10);
        }
    }
}

/// Runs each query in one pass over its matches: the top 10 by FTS5's
/// bm25 `rank` and the total, plus the facet counts for boolean queries.
///
/// One pass because it is the fastest way found to get both: `ORDER BY
/// rank LIMIT 10` scores every match anyway, and a second `count(*)`
/// statement (or four `GROUP BY`s for the facets) walks the matches again;
/// at 20,000 emails the pass was twice as fast for term queries.
pub fn run(conn: &Connection, queries: &[Query], facets: bool) -> rusqlite::Result<Run> {
    let mut out = Run::default();
    for q in queries {
        let (expr, dates) = q.fts5();
        let t = Instant::now();
        let mut top = Top::default();
        let mut counts = Facets::default();
        let mut total = 0;
        let mut stmt;
        let mut rows = match dates {
            None if facets => {
                stmt = conn.prepare_cached(
                    "SELECT docs.rowid, docs.rank, m.domain, m.month, m.kind, m.attachment
                     FROM docs JOIN meta m ON m.rowid = docs.rowid WHERE docs MATCH ?1",
                )?;
                stmt.query(params![expr])?
            }
            None => {
                stmt = conn.prepare_cached("SELECT rowid, rank FROM docs WHERE docs MATCH ?1")?;
                stmt.query(params![expr])?
            }
            Some((from, to)) => {
                stmt = conn.prepare_cached(
                    "SELECT docs.rowid, docs.rank FROM docs JOIN meta m ON m.rowid = docs.rowid
                     WHERE docs MATCH ?1 AND m.date >= ?2 AND m.date < ?3",
                )?;
                stmt.query(params![expr, from, to])?
            }
        };
        while let Some(r) = rows.next()? {
            total += 1;
            top.offer(r.get(1)?, r.get(0)?);
            if facets {
                for i in 0..3 {
                    counts.add(i, r.get_ref(2 + i)?.as_str()?);
                }
                counts.add(3, if r.get::<_, bool>(5)? { "yes" } else { "no" });
            }
        }
        std::hint::black_box((&top.0, &counts.0));
        out.push(Timed {
            took: t.elapsed(),
            total,
            hits: top.0.len(),
        });
    }
    Ok(out)
}

/// True when this SQLite has FTS5 compiled in.
pub fn has_fts5() -> bool {
    Connection::open_in_memory()
        .and_then(|c| c.execute_batch("CREATE VIRTUAL TABLE t USING fts5(x)"))
        .is_ok()
}
