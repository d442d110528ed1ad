//! The catalog's ingest side on PostgreSQL: the records ingest writes,
//! applied as the embedded catalog applies them (`Catalog::apply` in
//! crates/store), and the counts `stats` derives from them.

use std::collections::HashMap;

use leakcheck_core::{ItemId, Kind, Record};
use leakcheck_store::{
    ContainerStat, ContainerTotals, ProblemRow, Stats, parse_id, settle_paths_sql,
};
use postgres::error::SqlState;
use postgres::{Client, Statement};

use crate::{Result, TeamError};

/// A case's catalog in PostgreSQL, migrated already (see [`crate::migrate`]).
pub struct PgCatalog {
    pub(crate) client: Client,
    statements: Option<Statements>,
}

impl PgCatalog {
    /// The catalog of the database `client` is connected to.
    pub fn new(client: Client) -> PgCatalog {
        PgCatalog {
            client,
            statements: None,
        }
    }

    /// Applies `records` as if one by one, in one transaction. Applying
    /// the same records again changes nothing: every row is keyed by what
    /// it describes, as in the embedded catalog.
    ///
    /// Each table gets one statement per batch, its rows passed as arrays
    /// (`unnest`): a statement per record was a round trip each, and made
    /// PostgreSQL 2.9 times slower than SQLite on the same batches.
    ///
    /// Workers apply batches at once: two upserting the same rows in other
    /// orders can deadlock, and PostgreSQL then aborts one of them, which
    /// is tried again.
    pub fn apply(&mut self, records: &[Record]) -> Result<()> {
        let b = Batch::of(records);
        let mut tries = 0;
        loop {
            match self.write(&b) {
                Err(TeamError::Db(e))
                    if tries < DEADLOCK_TRIES
                        && e.code() == Some(&SqlState::T_R_DEADLOCK_DETECTED) =>
                {
                    tries += 1
                }
                done => return done,
            }
        }
    }

    /// One transaction; tables the batch has no rows for are not sent a
    /// statement (a round trip each, for nothing).
    fn write(&mut self, b: &Batch) -> Result<()> {
        let st = match &self.statements {
            Some(st) => st.clone(),
            None => {
                let st = Statements::prepare(&mut self.client)?;
                self.statements = Some(st.clone());
                st
            }
        };
        let mut tx = self.client.transaction()?;
        if !b.item_id.is_empty() {
            tx.execute(&st.items, &[&b.item_id, &b.item_size, &b.item_kind])?;
        }
        if !b.occ_parent.is_empty() {
            tx.execute(
                &st.occurrences,
                &[
                    &b.occ_parent,
                    &b.occ_path,
                    &b.occ_position,
                    &b.occ_display,
                    &b.occ_depth,
                    &b.occ_item,
                    &b.occ_stage,
                    &b.occ_error,
                    &b.occ_extra,
                ],
            )?;
        }
        if !b.err_item.is_empty() {
            tx.execute(&st.item_errors, &[&b.err_item, &b.err_stage, &b.err_reason])?;
        }
        if !b.cont_key.is_empty() {
            tx.execute(
                &st.containers,
                &[&b.cont_key, &b.cont_kind, &b.cont_expected, &b.cont_detail],
            )?;
        }
        if !b.email_item.is_empty() {
            tx.execute(
                &st.emails,
                &[
                    &b.email_item,
                    &b.email_message_id,
                    &b.email_subject,
                    &b.email_date,
                    &b.email_from,
                    &b.email_meta,
                ],
            )?;
        }
        if !b.doc_item.is_empty() {
            tx.execute(
                &st.documents,
                &[&b.doc_item, &b.doc_format, &b.doc_meta, &b.doc_text],
            )?;
        }
        // After the items: a done mark is for an item of this batch or an earlier one.
        if !b.done.is_empty() {
            tx.execute(&st.done, &[&b.done])?;
        }
        tx.execute(BUMP_GENERATION, &[])?;
        tx.commit()?;
        Ok(())
    }

    /// Gives each occurrence inside a container the display path and depth
    /// of the container's first place, as the embedded catalog's
    /// `settle_paths` does: which worker opened a container first must not
    /// change the result.
    pub fn settle_paths(&mut self, max_passes: u32) -> Result<()> {
        let sql = settle_paths_sql();
        for _ in 0..max_passes {
            if self.client.execute(&sql, &[])? == 0 {
                break;
            }
        }
        self.client.execute(BUMP_GENERATION, &[])?;
        Ok(())
    }

    /// The figures of `leakcheck stats`, by the embedded catalog's queries.
    pub fn stats(&mut self) -> Result<Stats> {
        let mut count = |sql: &str| -> Result<u64> {
            Ok(self.client.query_one(sql, &[])?.get::<_, i64>(0) as u64)
        };
        let files_seen = count("SELECT count(*) FROM occurrences")?;
        let items = count("SELECT count(DISTINCT item) FROM occurrences WHERE item IS NOT NULL")?;
        let with_item = count("SELECT count(*) FROM occurrences WHERE item IS NOT NULL")?;
        let errors = count("SELECT count(*) FROM occurrences WHERE item IS NULL")?;
        let item_errors = count("SELECT count(DISTINCT item) FROM item_errors")?;
        let unsupported: Vec<&str> = Kind::ALL
            .iter()
            .filter(|k| k.is_unsupported_container())
            .map(|k| k.as_str())
            .collect();
        let unsupported = self
            .client
            .query_one(
                "SELECT count(*) FROM items WHERE kind = ANY($1::text[])",
                &[&unsupported],
            )?
            .get::<_, i64>(0) as u64;
        let mut count = |sql: &str| -> Result<u64> {
            Ok(self.client.query_one(sql, &[])?.get::<_, i64>(0) as u64)
        };
        let emails = count("SELECT count(*) FROM emails")?;
        let documents = count("SELECT count(*) FROM documents")?;
        let document_text_chars =
            count("SELECT coalesce(sum(char_length(text)), 0)::bigint FROM documents")?;
        let bytes = count("SELECT coalesce(sum(size), 0)::bigint FROM items")?;
        let by_kind = self
            .client
            .query("SELECT kind, count(*) FROM items GROUP BY kind", &[])?
            .iter()
            .map(|r| (r.get::<_, String>(0), r.get::<_, i64>(1) as u64))
            .collect();
        let by_verdict = self
            .client
            .query(
                "SELECT verdict, count(*) FROM verdicts GROUP BY verdict",
                &[],
            )?
            .iter()
            .map(|r| (r.get::<_, String>(0), r.get::<_, i64>(1) as u64))
            .collect();
        let all = self.container_stats()?;
        let (containers, outlook) = ContainerTotals::of(all);
        Ok(Stats {
            files_seen,
            items,
            duplicates: with_item - items,
            errors,
            item_errors,
            unsupported,
            emails,
            documents,
            document_text_chars,
            bytes,
            by_kind,
            containers,
            by_verdict,
            outlook,
        })
    }

    /// What `leakcheck errors` lists: unreadable places and item errors,
    /// by display path, at most `limit`.
    pub fn problems(&mut self, limit: u64) -> Result<Vec<ProblemRow>> {
        Ok(self
            .client
            .query(
                "SELECT NULL, display, stage, error FROM occurrences WHERE item IS NULL
                 UNION ALL
                 SELECT e.item, (SELECT min(display) FROM occurrences o WHERE o.item = e.item),
                        e.stage, e.reason
                 FROM item_errors e
                 ORDER BY 2 NULLS FIRST LIMIT $1",
                &[&(limit.min(i64::MAX as u64) as i64)],
            )?
            .iter()
            .map(|r| ProblemRow {
                item: r.get(0),
                display: r.get::<_, Option<String>>(1).unwrap_or_default(),
                stage: r.get::<_, Option<String>>(2).unwrap_or_default(),
                reason: r.get::<_, Option<String>>(3).unwrap_or_default(),
            })
            .collect())
    }

    /// Every item's id and size, by id (for `audit`).
    pub fn all_items(&mut self) -> Result<Vec<(ItemId, u64)>> {
        self.client
            .query("SELECT id, size FROM items ORDER BY id", &[])?
            .iter()
            .map(|r| {
                let id: String = r.get(0);
                let parsed = parse_id(&id)
                    .map_err(|e| TeamError::Corrupt(format!("item id {id:?}: {e}")))?;
                Ok((parsed, r.get::<_, i64>(1) as u64))
            })
            .collect()
    }

    /// Every container's reconciliation, by key.
    fn container_stats(&mut self) -> Result<Vec<ContainerStat>> {
        let rows = self.client.query(
            "SELECT c.key, c.kind, c.expected, c.detail,
                    (SELECT count(*) FROM occurrences o WHERE o.parent = c.key AND o.item IS NOT NULL),
                    (SELECT count(*) FROM occurrences o WHERE o.parent = c.key AND o.item IS NULL)
             FROM containers c ORDER BY c.key",
            &[],
        )?;
        rows.iter()
            .map(|r| {
                let key: String = r.get(0);
                let detail = r
                    .get::<_, Option<String>>(3)
                    .map(|d| {
                        serde_json::from_str(&d).map_err(|e| {
                            TeamError::Corrupt(format!("container {key}: detail: {e}"))
                        })
                    })
                    .transpose()?;
                Ok(ContainerStat {
                    kind: r.get(1),
                    expected: r.get::<_, i64>(2) as u64,
                    emitted: r.get::<_, i64>(4) as u64,
                    failed: r.get::<_, i64>(5) as u64,
                    detail,
                    key,
                })
            })
            .collect()
    }
}

/// The statements `apply` sends, prepared once per connection: sending a
/// statement's text each time costs a round trip more to parse it.
#[derive(Clone)]
struct Statements {
    items: Statement,
    occurrences: Statement,
    item_errors: Statement,
    containers: Statement,
    emails: Statement,
    documents: Statement,
    done: Statement,
}

impl Statements {
    fn prepare(client: &mut Client) -> Result<Statements> {
        Ok(Statements {
            items: client.prepare(ITEMS)?,
            occurrences: client.prepare(OCCURRENCES)?,
            item_errors: client.prepare(ITEM_ERRORS)?,
            containers: client.prepare(CONTAINERS)?,
            emails: client.prepare(EMAILS)?,
            documents: client.prepare(DOCUMENTS)?,
            done: client.prepare(DONE)?,
        })
    }
}

const ITEMS: &str = "INSERT INTO items (id, size, kind)
     SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[])
     ON CONFLICT (id) DO NOTHING";

const OCCURRENCES: &str =
    "INSERT INTO occurrences (parent, path, position, display, depth, item, stage, error, extra)
     SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::int[],
                          $6::text[], $7::text[], $8::text[], $9::text[])
     ON CONFLICT (parent, path, position) DO UPDATE SET
       display = excluded.display, depth = excluded.depth, item = excluded.item,
       stage = excluded.stage, error = excluded.error, extra = excluded.extra";

const ITEM_ERRORS: &str = "INSERT INTO item_errors (item, stage, reason)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
     ON CONFLICT (item, stage) DO UPDATE SET reason = excluded.reason";

const CONTAINERS: &str = "INSERT INTO containers (key, kind, expected, detail)
     SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[])
     ON CONFLICT (key) DO UPDATE SET
       kind = excluded.kind, expected = excluded.expected, detail = excluded.detail";

const EMAILS: &str = "INSERT INTO emails (item, message_id, subject, date_unix, from_addr, meta)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[])
     ON CONFLICT (item) DO UPDATE SET
       message_id = excluded.message_id, subject = excluded.subject,
       date_unix = excluded.date_unix, from_addr = excluded.from_addr, meta = excluded.meta";

const DOCUMENTS: &str = "INSERT INTO documents (item, format, meta, text)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
     ON CONFLICT (item) DO UPDATE SET
       format = excluded.format, meta = excluded.meta, text = excluded.text";

const DONE: &str = "UPDATE items SET done = 1 WHERE id = ANY($1::text[])";

/// Times a batch is tried when PostgreSQL chose it to break a deadlock.
const DEADLOCK_TRIES: u32 = 5;

/// Every write the search index must follow bumps the search generation;
/// it changes the catalog that replicas follow too.
pub(crate) const BUMP_GENERATION: &str =
    "INSERT INTO meta (key, value) VALUES ('search_generation', '1'), ('catalog_generation', '1')
     ON CONFLICT (key) DO UPDATE SET value = (meta.value::bigint + 1)::text";

/// Moves the catalog generation on alone: what servers' replicas follow,
/// for a change the search index does not show (keys).
pub(crate) const BUMP_CATALOG: &str =
    "INSERT INTO meta (key, value) VALUES ('catalog_generation', '1')
     ON CONFLICT (key) DO UPDATE SET value = (meta.value::bigint + 1)::text";

/// Moves the workbench generation on: a user, a tag, a note or a redaction
/// decision changed, which replicas copy again.
pub(crate) const BUMP_WORKBENCH: &str =
    "INSERT INTO meta (key, value) VALUES ('workbench_generation', '1')
     ON CONFLICT (key) DO UPDATE SET value = (meta.value::bigint + 1)::text";

/// Moves both the search generation and the workbench's on: a tag, which
/// the index shows.
pub(crate) const BUMP_TAGS: &str =
    "INSERT INTO meta (key, value) VALUES ('search_generation', '1'), ('workbench_generation', '1')
     ON CONFLICT (key) DO UPDATE SET value = (meta.value::bigint + 1)::text";

/// PostgreSQL's text cannot hold NUL, which a hostile dump's names, headers
/// and texts can: it becomes U+FFFD, one character for one, so counts of
/// characters agree with the embedded catalog's.
pub(crate) fn text(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains('\0') {
        s.replace('\0', "\u{FFFD}").into()
    } else {
        s.into()
    }
}

/// What a record is keyed by in a table it upserts.
#[derive(Hash, PartialEq, Eq)]
enum Key<'a> {
    Occurrence(&'a str, &'a str, u64),
    ItemError(&'a str, &'static str),
    Container(&'a str),
    Email(&'a str),
    Document(&'a str),
}

fn key(r: &Record) -> Option<Key<'_>> {
    Some(match r {
        Record::Occurrence {
            parent,
            path,
            position,
            ..
        } => Key::Occurrence(parent, path, *position),
        Record::ItemError { id, stage, .. } => Key::ItemError(id.as_str(), stage.as_str()),
        Record::Container { key, .. } => Key::Container(key),
        Record::Email { id, .. } => Key::Email(id.as_str()),
        Record::Document { id, .. } => Key::Document(id.as_str()),
        Record::Item { .. } | Record::Done { .. } => return None,
    })
}

/// A batch of records as the columns each table receives. One statement
/// cannot upsert a row twice, so of the records with the same key only
/// the last is kept: what applying them one by one leaves.
#[derive(Default)]
struct Batch {
    item_id: Vec<String>,
    item_size: Vec<i64>,
    item_kind: Vec<&'static str>,
    occ_parent: Vec<String>,
    occ_path: Vec<String>,
    occ_position: Vec<i64>,
    occ_display: Vec<String>,
    occ_depth: Vec<i32>,
    occ_item: Vec<Option<String>>,
    occ_stage: Vec<Option<&'static str>>,
    occ_error: Vec<Option<String>>,
    occ_extra: Vec<Option<String>>,
    err_item: Vec<String>,
    err_stage: Vec<&'static str>,
    err_reason: Vec<String>,
    cont_key: Vec<String>,
    cont_kind: Vec<String>,
    cont_expected: Vec<i64>,
    cont_detail: Vec<Option<String>>,
    email_item: Vec<String>,
    email_message_id: Vec<Option<String>>,
    email_subject: Vec<Option<String>>,
    email_date: Vec<Option<i64>>,
    email_from: Vec<Option<String>>,
    email_meta: Vec<String>,
    doc_item: Vec<String>,
    doc_format: Vec<String>,
    doc_meta: Vec<String>,
    doc_text: Vec<String>,
    done: Vec<String>,
}

impl Batch {
    fn of(records: &[Record]) -> Batch {
        let mut last = HashMap::new();
        for (i, r) in records.iter().enumerate() {
            if let Some(k) = key(r) {
                last.insert(k, i);
            }
        }
        let mut b = Batch::default();
        let owned = |s: &str| text(s).into_owned();
        for (i, r) in records.iter().enumerate() {
            if key(r).is_some_and(|k| last[&k] != i) {
                continue;
            }
            match r {
                Record::Item { id, size, kind } => {
                    b.item_id.push(id.to_string());
                    b.item_size.push(*size as i64);
                    b.item_kind.push(kind.as_str());
                }
                Record::Occurrence {
                    parent,
                    path,
                    position,
                    display,
                    depth,
                    item,
                    error,
                    extra,
                } => {
                    b.occ_parent.push(owned(parent));
                    b.occ_path.push(owned(path));
                    b.occ_position.push(*position as i64);
                    b.occ_display.push(owned(display));
                    b.occ_depth.push(*depth as i32);
                    b.occ_item.push(item.as_ref().map(|i| i.to_string()));
                    b.occ_stage.push(error.as_ref().map(|(s, _)| s.as_str()));
                    b.occ_error.push(error.as_ref().map(|(_, m)| owned(m)));
                    b.occ_extra.push(extra.as_ref().map(|v| v.to_string()));
                }
                Record::ItemError { id, stage, reason } => {
                    b.err_item.push(id.to_string());
                    b.err_stage.push(stage.as_str());
                    b.err_reason.push(owned(reason));
                }
                Record::Container {
                    key,
                    kind,
                    expected,
                    detail,
                } => {
                    b.cont_key.push(owned(key));
                    b.cont_kind.push(owned(kind));
                    b.cont_expected.push(*expected as i64);
                    b.cont_detail.push(detail.as_ref().map(|v| v.to_string()));
                }
                Record::Email { id, meta, json } => {
                    let from = meta.from.first().and_then(|a| a.address.as_deref());
                    b.email_item.push(id.to_string());
                    b.email_message_id
                        .push(meta.message_id.as_deref().map(owned));
                    b.email_subject.push(meta.subject.as_deref().map(owned));
                    b.email_date.push(meta.date_unix);
                    b.email_from.push(from.map(owned));
                    b.email_meta.push(json.clone());
                }
                Record::Document {
                    id,
                    meta,
                    json,
                    text: body,
                } => {
                    b.doc_item.push(id.to_string());
                    b.doc_format.push(owned(&meta.format));
                    b.doc_meta.push(json.clone());
                    b.doc_text.push(owned(body));
                }
                Record::Done { id } => b.done.push(id.to_string()),
            }
        }
        b
    }
}
