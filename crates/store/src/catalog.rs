use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use leakcheck_core::{
    CheckId, DocMeta, EmailMeta, Finding, ItemId, KeyOrigin, KeyRecord, Record, Verdict,
};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::schema;
use crate::search_rows::bump_search_generation;

/// The most of the catalog file read through a memory map (see `open`).
const MMAP_BYTES: i64 = 64 << 20;

/// The SQLite catalog of a case (WAL mode; one writer, many readers).
pub struct Catalog {
    pub(crate) conn: Connection,
}

/// Counts that always add up: `files_seen = items + duplicates + errors`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stats {
    /// Every place bytes were found (files, members, messages, attachments).
    pub files_seen: u64,
    /// Unique items (distinct SHA-256).
    pub items: u64,
    /// Places whose bytes were already seen elsewhere.
    pub duplicates: u64,
    /// Places whose bytes could not be read at all (each with a reason).
    pub errors: u64,
    /// Items stored but not fully understood (parse failures, limits).
    pub item_errors: u64,
    /// Items that are containers leakcheck cannot open yet (TNEF, rar...).
    pub unsupported: u64,
    /// Unique emails.
    pub emails: u64,
    /// Unique documents and images whose metadata was read.
    pub documents: u64,
    /// Characters of document text kept in the catalog.
    pub document_text_chars: u64,
    /// Bytes of all unique items.
    pub bytes: u64,
    /// Unique items per kind.
    pub by_kind: BTreeMap<String, u64>,
    /// Per container: what it declared, what came out, what failed.
    pub containers: ContainerTotals,
    /// Items per verdict, once `verify` has run (empty before).
    pub by_verdict: BTreeMap<String, u64>,
    /// Outlook stores and .msg files: what they declare and what came out.
    pub outlook: OutlookTotals,
}

/// Outlook containers summed over the case (from each one's detail).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct OutlookTotals {
    /// .pst/.ost stores opened.
    pub stores: u64,
    /// .msg files opened.
    pub msg_files: u64,
    /// Messages the stores declare (folder content counts) plus one per .msg.
    pub messages_expected: u64,
    /// Messages rebuilt.
    pub messages_emitted: u64,
    /// Messages that could not be read (each an unreadable place).
    pub messages_failed: u64,
    /// Attachments the messages list (embedded messages included).
    pub attachments_expected: u64,
    /// Attachments written into the rebuilt messages.
    pub attachments_emitted: u64,
}

/// Container reconciliation summed over the case, plus the containers that
/// do not reconcile.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ContainerTotals {
    /// Containers recorded.
    pub count: u64,
    /// Members they declare.
    pub expected: u64,
    /// Members that came out as items.
    pub emitted: u64,
    /// Members that failed.
    pub failed: u64,
    /// Containers where expected != emitted + failed.
    pub unreconciled: Vec<ContainerStat>,
}

impl ContainerTotals {
    /// The totals of every container's reconciliation, and of the Outlook
    /// ones (stores and .msg files) among them, from each one's detail.
    pub fn of(all: Vec<ContainerStat>) -> (ContainerTotals, OutlookTotals) {
        let mut outlook = OutlookTotals::default();
        for c in all.iter().filter(|c| c.kind == "pst" || c.kind == "msg") {
            let d = c.detail.clone().unwrap_or_default();
            let n = |k: &str| d.get(k).and_then(|v| v.as_u64()).unwrap_or(0);
            if c.kind == "pst" {
                outlook.stores += 1;
            } else {
                outlook.msg_files += 1;
            }
            outlook.messages_expected += c.expected;
            outlook.messages_emitted += c.emitted;
            outlook.messages_failed += c.failed;
            outlook.attachments_expected += n("attachments_expected");
            outlook.attachments_emitted += n("attachments_emitted");
        }
        let containers = ContainerTotals {
            count: all.len() as u64,
            expected: all.iter().map(|c| c.expected).sum(),
            emitted: all.iter().map(|c| c.emitted).sum(),
            failed: all.iter().map(|c| c.failed).sum(),
            unreconciled: all
                .into_iter()
                .filter(|c| c.expected != c.emitted + c.failed)
                .collect(),
        };
        (containers, outlook)
    }
}

/// One pass of `settle_paths`, in SQL both catalogs run (SQLite and
/// PostgreSQL): a member's display and depth from its container's
/// shallowest place.
pub fn settle_paths_sql() -> String {
    const PARENT: &str = "(SELECT p.display FROM occurrences p WHERE p.item = o.parent ORDER BY p.depth, p.display LIMIT 1)";
    const DEPTH: &str = "(SELECT min(p.depth) FROM occurrences p WHERE p.item = o.parent)";
    format!(
        "UPDATE occurrences AS o SET display = {PARENT} || ' ! ' || o.path, depth = {DEPTH} + 1
         WHERE o.parent NOT LIKE 'dir:%' AND o.parent NOT LIKE 'maildir:%'
           AND {PARENT} IS NOT NULL
           AND (o.display IS DISTINCT FROM {PARENT} || ' ! ' || o.path
                OR o.depth IS DISTINCT FROM {DEPTH} + 1)"
    )
}

/// One container's reconciliation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ContainerStat {
    /// Item id or folder key.
    pub key: String,
    /// zip, mbox, email, dir...
    pub kind: String,
    /// Members it declares.
    pub expected: u64,
    /// Members that came out as items.
    pub emitted: u64,
    /// Members that failed.
    pub failed: u64,
    /// Format facts (mbox variant...).
    pub detail: Option<serde_json::Value>,
}

/// A line of `ls`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ItemRow {
    /// Item id.
    pub id: String,
    /// Kind.
    pub kind: String,
    /// Size in bytes.
    pub size: u64,
    /// One place it was found.
    pub path: String,
    /// Email subject, when an email.
    pub subject: Option<String>,
    /// Email date, when an email.
    pub date: Option<String>,
    /// Verdict, once `verify` has run.
    pub verdict: Option<String>,
}

/// A place an item was found, or a child of an item.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OccurrenceRow {
    /// Container key.
    pub parent: String,
    /// Name in the container.
    pub path: String,
    /// Index in the container.
    pub position: u64,
    /// Human path from the source.
    pub display: String,
    /// Nesting depth.
    pub depth: u32,
    /// The item, if readable.
    pub item: Option<String>,
    /// Kind of that item.
    pub kind: Option<String>,
    /// Why it could not be read.
    pub error: Option<String>,
    /// Stage of that error.
    pub stage: Option<String>,
    /// Container facts.
    pub extra: Option<serde_json::Value>,
}

/// A recorded problem (unreadable place or item error).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProblemRow {
    /// The item, if its bytes are stored.
    pub item: Option<String>,
    /// Where.
    pub display: String,
    /// Stage.
    pub stage: String,
    /// What went wrong.
    pub reason: String,
}

/// Everything the catalog knows about one item.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ItemDetail {
    /// Item id.
    pub id: String,
    /// Kind.
    pub kind: String,
    /// Size.
    pub size: u64,
    /// True once all its children are recorded.
    pub done: bool,
    /// Where it was found.
    pub occurrences: Vec<OccurrenceRow>,
    /// What it contains.
    pub children: Vec<OccurrenceRow>,
    /// Its own reconciliation, if a container.
    pub container: Option<ContainerStat>,
    /// Problems recorded on it.
    pub errors: Vec<ProblemRow>,
    /// Email fields, if an email.
    pub email: Option<EmailMeta>,
    /// Metadata, if a document or image.
    pub document: Option<DocMeta>,
}

/// A JSON column read back. What the catalog wrote and can no longer parse
/// is a corrupt row, reported as such, never taken for "absent".
pub(crate) fn json_column<T: serde::de::DeserializeOwned>(
    what: &str,
    id: &str,
    json: &str,
) -> Result<T> {
    serde_json::from_str(json).map_err(|e| Error::Corrupt(format!("{what} {id}: {e}")))
}

/// Every DKIM key, imported then recovered under each name: the same
/// query in both catalogs.
pub const KEYS_SQL: &str = "SELECT name, txt, source, obtained, added_by, added_at, first_seen,
        last_seen, private_published, 0
     FROM dkim_keys
     UNION ALL
     SELECT name, txt, source, NULL, added_by, added_at, NULL, NULL, NULL, 1
     FROM recovered_keys
     ORDER BY 1, 10, 6";

/// A document's stored metadata (the `documents.meta` column of either
/// catalog).
pub fn doc_meta(id: &str, json: &str) -> Result<DocMeta> {
    json_column("document", id, json)
}

/// An email's stored fields: the one decoder of the `emails.meta` column.
pub fn email_meta(id: &str, json: &str) -> Result<EmailMeta> {
    json_column("email", id, json)
}

impl Catalog {
    pub(crate) fn open(path: &Path) -> Result<Catalog> {
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(30))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // Measured: with SQLite's 2 MB default cache, page reads and writes
        // were a fifth of ingest time. 64 MB of cache and fewer checkpoints.
        conn.pragma_update(None, "cache_size", -65536)?;
        conn.pragma_update(None, "wal_autocheckpoint", 16384)?;
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        // Reads through a bounded mmap: pages come from the page cache, not
        // copies into freshly allocated memory (measured: 15 % off `verify`,
        // 8 % off ingest, on small cases). Bounded because every mapped page
        // a pass touches counts as resident: a 1 GB map made `verify`'s index
        // sync and `ingest` peak at 1.5 and 1.1 GB on a 9 GB dump, growing
        // with the catalog; beyond the map, pages go through the cache above.
        conn.pragma_update(None, "mmap_size", MMAP_BYTES)?;
        schema::migrate(&mut conn)?;
        Ok(Catalog { conn })
    }

    /// Applies records in one transaction. Applying them again changes nothing;
    /// a later record for the same place replaces the earlier one.
    pub fn apply(&mut self, records: &[Record]) -> Result<()> {
        let tx = self.conn.transaction()?;
        {
            let mut item = tx.prepare_cached(
                "INSERT INTO items (id, size, kind) VALUES (?1, ?2, ?3) ON CONFLICT(id) DO NOTHING",
            )?;
            let mut occ = tx.prepare_cached(
                "INSERT INTO occurrences (parent, path, position, display, depth, item, stage, error, extra)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT(parent, path, position) DO UPDATE SET
                   display = excluded.display, depth = excluded.depth, item = excluded.item,
                   stage = excluded.stage, error = excluded.error, extra = excluded.extra",
            )?;
            let mut err = tx.prepare_cached(
                "INSERT OR REPLACE INTO item_errors (item, stage, reason) VALUES (?1, ?2, ?3)",
            )?;
            let mut cont = tx.prepare_cached(
                "INSERT OR REPLACE INTO containers (key, kind, expected, detail) VALUES (?1, ?2, ?3, ?4)",
            )?;
            let mut email = tx.prepare_cached(
                "INSERT OR REPLACE INTO emails (item, message_id, subject, date_unix, from_addr, meta)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            let mut document = tx.prepare_cached(
                "INSERT OR REPLACE INTO documents (item, format, meta, text) VALUES (?1, ?2, ?3, ?4)",
            )?;
            let mut done = tx.prepare_cached("UPDATE items SET done = 1 WHERE id = ?1")?;
            for r in records {
                match r {
                    Record::Item { id, size, kind } => {
                        item.execute(params![id.as_str(), *size as i64, kind.as_str()])?;
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
                        occ.execute(params![
                            parent,
                            path,
                            *position as i64,
                            display,
                            depth,
                            item.as_ref().map(|i| i.as_str()),
                            error.as_ref().map(|(s, _)| s.as_str()),
                            error.as_ref().map(|(_, m)| m.as_str()),
                            extra.as_ref().map(|v| v.to_string()),
                        ])?;
                    }
                    Record::ItemError { id, stage, reason } => {
                        err.execute(params![id.as_str(), stage.as_str(), reason])?;
                    }
                    Record::Container {
                        key,
                        kind,
                        expected,
                        detail,
                    } => {
                        cont.execute(params![
                            key,
                            kind,
                            *expected as i64,
                            detail.as_ref().map(|v| v.to_string())
                        ])?;
                    }
                    Record::Email { id, meta, json } => {
                        let from = meta.from.first().and_then(|a| a.address.clone());
                        email.execute(params![
                            id.as_str(),
                            meta.message_id,
                            meta.subject,
                            meta.date_unix,
                            from,
                            json,
                        ])?;
                    }
                    Record::Document {
                        id,
                        meta,
                        json,
                        text,
                    } => {
                        document.execute(params![id.as_str(), meta.format, json, text])?;
                    }
                    Record::Done { id } => {
                        done.execute([id.as_str()])?;
                    }
                }
            }
        }
        bump_search_generation(&tx)?;
        tx.commit()?;
        Ok(())
    }

    /// Makes the derived place names independent of the order in which
    /// workers happened to open things: a member's display becomes its
    /// container's shallowest display (the smallest on a tie) plus its own
    /// name, and its depth one more than that. Runs one nesting level per pass, to a
    /// fixed point (bounded, in case a dump nests an item inside itself).
    pub fn settle_paths(&mut self, max_passes: u32) -> Result<()> {
        let sql = settle_paths_sql();
        for _ in 0..max_passes {
            if self.conn.execute(&sql, [])? == 0 {
                break;
            }
        }
        bump_search_generation(&self.conn)?;
        Ok(())
    }

    /// Each item whose whole subtree is recorded (ingest need not open
    /// it again), read without holding them all.
    pub fn for_each_done_item(&self, mut each: impl FnMut(ItemId) -> Result<()>) -> Result<()> {
        let mut stmt = self.conn.prepare("SELECT id FROM items WHERE done = 1")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            each(parse_id(&row.get::<_, String>(0)?)?)?;
        }
        Ok(())
    }

    /// The figures of `leakcheck stats`, all derived from the tables.
    pub fn stats(&self) -> Result<Stats> {
        let c = &self.conn;
        let count =
            |sql: &str| -> Result<u64> { Ok(c.query_row(sql, [], |r| r.get::<_, i64>(0))? as u64) };
        let files_seen = count("SELECT count(*) FROM occurrences")?;
        let items = count("SELECT count(DISTINCT item) FROM occurrences WHERE item IS NOT NULL")?;
        let with_item = count("SELECT count(*) FROM occurrences WHERE item IS NOT NULL")?;
        let errors = count("SELECT count(*) FROM occurrences WHERE item IS NULL")?;
        let item_errors = count("SELECT count(DISTINCT item) FROM item_errors")?;
        let unsupported = count(&format!(
            "SELECT count(*) FROM items WHERE kind IN ({})",
            leakcheck_core::Kind::ALL
                .iter()
                .filter(|k| k.is_unsupported_container())
                .map(|k| format!("'{}'", k.as_str()))
                .collect::<Vec<_>>()
                .join(",")
        ))?;
        let emails = count("SELECT count(*) FROM emails")?;
        let documents = count("SELECT count(*) FROM documents")?;
        let document_text_chars = count("SELECT coalesce(sum(length(text)), 0) FROM documents")?;
        let bytes = count("SELECT coalesce(sum(size), 0) FROM items")?;
        let mut by_kind = BTreeMap::new();
        let mut stmt = c.prepare("SELECT kind, count(*) FROM items GROUP BY kind")?;
        for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
            let (k, n) = row?;
            by_kind.insert(k, n as u64);
        }
        let mut by_verdict = BTreeMap::new();
        let mut stmt = c.prepare("SELECT verdict, count(*) FROM verdicts GROUP BY verdict")?;
        for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
            let (k, n) = row?;
            by_verdict.insert(k, n as u64);
        }
        let all = self.container_stats(None)?;
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

    /// Reconciliation of every container, or of one.
    pub fn container_stats(&self, key: Option<&str>) -> Result<Vec<ContainerStat>> {
        let mut stmt = self.conn.prepare(
            "SELECT c.key, c.kind, c.expected, c.detail,
                    (SELECT count(*) FROM occurrences o WHERE o.parent = c.key AND o.item IS NOT NULL),
                    (SELECT count(*) FROM occurrences o WHERE o.parent = c.key AND o.item IS NULL)
             FROM containers c WHERE ?1 IS NULL OR c.key = ?1 ORDER BY c.key",
        )?;
        let rows = stmt.query_map([key], |r| {
            Ok((
                ContainerStat {
                    key: r.get(0)?,
                    kind: r.get(1)?,
                    expected: r.get::<_, i64>(2)? as u64,
                    detail: None,
                    emitted: r.get::<_, i64>(4)? as u64,
                    failed: r.get::<_, i64>(5)? as u64,
                },
                r.get::<_, Option<String>>(3)?,
            ))
        })?;
        rows.map(|row| {
            let (mut stat, detail) = row?;
            stat.detail = detail
                .map(|d| json_column("container detail", &stat.key, &d))
                .transpose()?;
            Ok(stat)
        })
        .collect()
    }

    /// Lists items, optionally of one kind and one verdict, in a stable order
    /// (by first path).
    pub fn list(
        &self,
        kind: Option<&str>,
        verdict: Option<&str>,
        limit: u64,
        offset: u64,
    ) -> Result<Vec<ItemRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT i.id, i.kind, i.size,
                    (SELECT min(display) FROM occurrences o WHERE o.item = i.id) AS path,
                    e.subject, e.date_unix, v.verdict
             FROM items i LEFT JOIN emails e ON e.item = i.id LEFT JOIN verdicts v ON v.item = i.id
             WHERE (?1 IS NULL OR i.kind = ?1) AND (?2 IS NULL OR v.verdict = ?2)
             ORDER BY path, i.id LIMIT ?3 OFFSET ?4",
        )?;
        let rows = stmt.query_map(params![kind, verdict, limit as i64, offset as i64], |r| {
            Ok(ItemRow {
                id: r.get(0)?,
                kind: r.get(1)?,
                size: r.get::<_, i64>(2)? as u64,
                path: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                subject: r.get(4)?,
                date: r
                    .get::<_, Option<i64>>(5)?
                    .and_then(leakcheck_core::time::rfc3339),
                verdict: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every recorded problem: unreadable places and item errors.
    pub fn problems(&self, limit: u64) -> Result<Vec<ProblemRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT NULL, display, stage, error FROM occurrences WHERE item IS NULL
             UNION ALL
             SELECT e.item, (SELECT min(display) FROM occurrences o WHERE o.item = e.item), e.stage, e.reason
             FROM item_errors e
             ORDER BY 2 LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |r| {
            Ok(ProblemRow {
                item: r.get(0)?,
                display: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                stage: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                reason: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Finds the one item whose id starts with `prefix`.
    pub fn resolve(&self, prefix: &str) -> Result<ItemId> {
        let p = prefix.trim().to_ascii_lowercase();
        if !ItemId::is_prefix(&p) {
            return Err(Error::NoSuchItem(prefix.to_string()));
        }
        let mut stmt = self.conn.prepare(
            "SELECT id FROM items WHERE id >= ?1 AND id < ?1 || 'g' ORDER BY id LIMIT 2",
        )?;
        let ids: Vec<String> = stmt
            .query_map([&p], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        match ids.len() {
            0 => Err(Error::NoSuchItem(prefix.to_string())),
            1 => parse_id(&ids[0]),
            _ => {
                let count: i64 = self.conn.query_row(
                    "SELECT count(*) FROM items WHERE id >= ?1 AND id < ?1 || 'g'",
                    [&p],
                    |r| r.get(0),
                )?;
                Err(Error::Ambiguous {
                    prefix: prefix.to_string(),
                    count: count as usize,
                })
            }
        }
    }

    /// Everything about one item.
    pub fn item(&self, id: &ItemId) -> Result<ItemDetail> {
        let (kind, size, done) = self
            .conn
            .query_row(
                "SELECT kind, size, done FROM items WHERE id = ?1",
                [id.as_str()],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, i64>(2)?,
                    ))
                },
            )
            .optional()?
            .ok_or_else(|| Error::NoSuchItem(id.to_string()))?;
        let occurrences = self.occurrences("o.item = ?1", id.as_str())?;
        let children = self.occurrences("o.parent = ?1", id.as_str())?;
        let container = self.container_stats(Some(id.as_str()))?.pop();
        let mut stmt = self
            .conn
            .prepare("SELECT stage, reason FROM item_errors WHERE item = ?1 ORDER BY stage")?;
        let display = occurrences
            .first()
            .map(|o| o.display.clone())
            .unwrap_or_default();
        let errors = stmt
            .query_map([id.as_str()], |r| {
                Ok(ProblemRow {
                    item: Some(id.to_string()),
                    display: display.clone(),
                    stage: r.get(0)?,
                    reason: r.get(1)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let email = self
            .conn
            .query_row(
                "SELECT meta FROM emails WHERE item = ?1",
                [id.as_str()],
                |r| r.get::<_, String>(0),
            )
            .optional()?
            .map(|s| email_meta(id.as_str(), &s))
            .transpose()?;
        let document = self
            .conn
            .query_row(
                "SELECT meta FROM documents WHERE item = ?1",
                [id.as_str()],
                |r| r.get::<_, String>(0),
            )
            .optional()?
            .map(|m| doc_meta(id.as_str(), &m))
            .transpose()?;
        Ok(ItemDetail {
            id: id.to_string(),
            kind,
            size: size as u64,
            done: done != 0,
            occurrences,
            children,
            container,
            errors,
            email,
            document,
        })
    }

    /// A document's metadata without its text, if it is one (an export
    /// reads every document's metadata; the texts can be large).
    pub fn document_meta(&self, id: &ItemId) -> Result<Option<DocMeta>> {
        self.conn
            .prepare_cached("SELECT meta FROM documents WHERE item = ?1")?
            .query_row([id.as_str()], |r| r.get::<_, String>(0))
            .optional()?
            .map(|meta| doc_meta(id.as_str(), &meta))
            .transpose()
    }

    /// A document's metadata and text, if it is one.
    pub fn document(&self, id: &ItemId) -> Result<Option<(DocMeta, String)>> {
        self.conn
            .query_row(
                "SELECT meta, text FROM documents WHERE item = ?1",
                [id.as_str()],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
            )
            .optional()?
            .map(|(meta, text)| Ok((doc_meta(id.as_str(), &meta)?, text)))
            .transpose()
    }

    /// Emails whose bytes leakcheck rebuilt from Outlook properties (a
    /// message of a .pst or .msg, or a message nested in one), found nowhere
    /// as original bytes: each with where it was rebuilt from (source,
    /// container, folder, and the rebuilt message it is nested in, if any),
    /// in id order. Of an email rebuilt at several places, the origin is
    /// the first not nested in another message, by container, folder and
    /// source (bytewise): the same in either catalog.
    pub fn for_each_rebuilt_from_outlook(
        &self,
        mut each: impl FnMut(ItemId, serde_json::Value) -> Result<()>,
    ) -> Result<()> {
        let mut stmt = self.conn.prepare(
            "WITH RECURSIVE rebuilt(item, source, folder, container, inside) AS (
                SELECT o.item, json_extract(o.extra, '$.source'), json_extract(o.extra, '$.folder'),
                       o.parent, NULL
                FROM occurrences o
                WHERE o.item IS NOT NULL AND json_extract(o.extra, '$.derived') = 'outlook'
                UNION
                SELECT o.item, r.source, r.folder, r.container, r.item
                FROM occurrences o JOIN rebuilt r ON o.parent = r.item JOIN emails e ON e.item = o.item
             )
             SELECT item, source, folder, container, inside FROM rebuilt r
             WHERE NOT EXISTS (
                SELECT 1 FROM occurrences o WHERE o.item = r.item
                  AND coalesce(json_extract(o.extra, '$.derived'), '') <> 'outlook'
                  AND o.parent NOT IN (SELECT item FROM rebuilt))
             ORDER BY item, inside IS NOT NULL, container, folder, source",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
            ))
        })?;
        // The first row of each item is its origin (the ORDER BY's rule).
        let mut last: Option<String> = None;
        for row in rows {
            let (id, source, folder, container, inside) = row?;
            if last.as_ref() == Some(&id) {
                continue;
            }
            let item = parse_id(&id)?;
            last = Some(id);
            let mut e = serde_json::json!({"source": source, "container": container});
            if let Some(f) = folder {
                e["folder"] = f.into();
            }
            if let Some(i) = inside {
                e["inside"] = i.into();
            }
            each(item, e)?;
        }
        Ok(())
    }

    /// Every document with its metadata, and whether it is derived from
    /// another item (an earlier PDF revision cut from the file) rather than
    /// found in the dump as such.
    pub fn documents(&self) -> Result<Vec<(ItemId, DocMeta, bool)>> {
        let mut stmt = self.conn.prepare(
            "SELECT d.item, d.meta, EXISTS(SELECT 1 FROM occurrences o WHERE o.item = d.item
                 AND json_extract(o.extra, '$.derived') IS NOT NULL)
             FROM documents d ORDER BY d.item",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, bool>(2)?,
            ))
        })?;
        rows.map(|row| {
            let (id, meta, derived) = row?;
            Ok((parse_id(&id)?, doc_meta(&id, &meta)?, derived))
        })
        .collect()
    }

    fn occurrences(&self, filter: &str, arg: &str) -> Result<Vec<OccurrenceRow>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT o.parent, o.path, o.position, o.display, o.depth, o.item, i.kind, o.error, o.stage, o.extra
             FROM occurrences o LEFT JOIN items i ON i.id = o.item
             WHERE {filter} ORDER BY o.parent, o.position, o.path"
        ))?;
        let rows = stmt.query_map([arg], |r| {
            Ok((
                OccurrenceRow {
                    parent: r.get(0)?,
                    path: r.get(1)?,
                    position: r.get::<_, i64>(2)? as u64,
                    display: r.get(3)?,
                    depth: r.get(4)?,
                    item: r.get(5)?,
                    kind: r.get(6)?,
                    error: r.get(7)?,
                    stage: r.get(8)?,
                    extra: None,
                },
                r.get::<_, Option<String>>(9)?,
            ))
        })?;
        rows.map(|row| {
            let (mut occ, extra) = row?;
            occ.extra = extra
                .map(|x| json_column("occurrence extra", &occ.display, &x))
                .transpose()?;
            Ok(occ)
        })
        .collect()
    }

    /// Every item id and size, for `audit`.
    pub fn all_items(&self) -> Result<Vec<(ItemId, u64)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, size FROM items ORDER BY id")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        rows.map(|row| {
            let (id, size) = row?;
            Ok((parse_id(&id)?, size as u64))
        })
        .collect()
    }
}

impl Catalog {
    /// Adds DKIM keys; a key already present (same name and value) is kept
    /// as first recorded, except that an archive window or a private-key
    /// publication date it lacked is filled in. A recovered key goes to its
    /// own table. Returns how many were new.
    pub fn add_keys(&mut self, keys: &[KeyRecord]) -> Result<usize> {
        let tx = self.conn.transaction()?;
        let mut added = 0;
        {
            let mut imported = tx.prepare(
                "INSERT INTO dkim_keys (name, txt, source, obtained, added_by, added_at,
                                        first_seen, last_seen, private_published)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT (name, txt) DO NOTHING",
            )?;
            let mut facts = tx.prepare(
                "UPDATE dkim_keys SET first_seen = COALESCE(first_seen, ?3),
                        last_seen = COALESCE(last_seen, ?4),
                        private_published = COALESCE(private_published, ?5)
                 WHERE name = ?1 AND txt = ?2",
            )?;
            let mut recovered = tx.prepare(
                "INSERT OR IGNORE INTO recovered_keys (name, txt, source, added_by, added_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for k in keys {
                added += match k.origin {
                    KeyOrigin::Imported => {
                        let n = imported.execute(params![
                            k.name,
                            k.txt,
                            k.source,
                            k.obtained,
                            k.added_by,
                            k.added_at,
                            k.first_seen,
                            k.last_seen,
                            k.private_published
                        ])?;
                        facts.execute(params![
                            k.name,
                            k.txt,
                            k.first_seen,
                            k.last_seen,
                            k.private_published
                        ])?;
                        n
                    }
                    KeyOrigin::Recovered => recovered
                        .execute(params![k.name, k.txt, k.source, k.added_by, k.added_at])?,
                };
            }
        }
        tx.commit()?;
        Ok(added)
    }

    /// Every DKIM key of the case, by name: imported keys, then recovered ones.
    pub fn keys(&self) -> Result<Vec<KeyRecord>> {
        let mut stmt = self.conn.prepare(KEYS_SQL)?;
        let rows = stmt.query_map([], |r| {
            Ok(KeyRecord {
                name: r.get(0)?,
                txt: r.get(1)?,
                source: r.get(2)?,
                obtained: r.get(3)?,
                added_by: r.get(4)?,
                added_at: r.get(5)?,
                first_seen: r.get(6)?,
                last_seen: r.get(7)?,
                private_published: r.get(8)?,
                origin: if r.get::<_, i64>(9)? == 1 {
                    KeyOrigin::Recovered
                } else {
                    KeyOrigin::Imported
                },
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every email item with its parsed fields.
    pub fn emails(&self) -> Result<Vec<(ItemId, EmailMeta)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT item, meta FROM emails ORDER BY item")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        rows.map(|row| {
            let (id, meta) = row?;
            Ok((parse_id(&id)?, email_meta(&id, &meta)?))
        })
        .collect()
    }

    /// The items directly inside `id` (attachments, members).
    pub fn child_items(&self, id: &ItemId) -> Result<Vec<ItemId>> {
        // Cached: `verify` asks this of every authentic email.
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT item FROM occurrences WHERE parent = ?1 AND item IS NOT NULL",
        )?;
        let rows = stmt.query_map([id.as_str()], |r| r.get::<_, String>(0))?;
        rows.map(|r| parse_id(&r?)).collect()
    }

    /// Every item with its kind and the places it was found (sorted).
    pub fn items_with_paths(&self) -> Result<Vec<(ItemId, String, Vec<String>)>> {
        let mut stmt = self.conn.prepare(
            "SELECT i.id, i.kind, json_group_array(o.display)
             FROM items i JOIN occurrences o ON o.item = i.id
             GROUP BY i.id ORDER BY i.id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        rows.map(|row| {
            let (id, kind, paths) = row?;
            let mut paths: Vec<String> =
                serde_json::from_str(&paths).map_err(|e| Error::Corrupt(e.to_string()))?;
            paths.sort();
            Ok((parse_id(&id)?, kind, paths))
        })
        .collect()
    }

    /// Replaces every verification result with these (a run of `verify`
    /// re-derives all of them).
    pub fn save_verification(&mut self, results: &[(ItemId, Verdict, Vec<Finding>)]) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute_batch("DELETE FROM findings; DELETE FROM verdicts;")?;
        {
            let mut v = tx.prepare("INSERT INTO verdicts (item, verdict) VALUES (?1, ?2)")?;
            let mut f = tx.prepare(
                "INSERT OR REPLACE INTO findings (item, check_id, verdict, summary, evidence) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for (id, verdict, findings) in results {
                v.execute(params![id.as_str(), verdict.as_str()])?;
                for x in findings {
                    f.execute(params![
                        id.as_str(),
                        x.check.as_str(),
                        x.verdict.as_str(),
                        x.summary,
                        x.evidence.to_string()
                    ])?;
                }
            }
        }
        bump_search_generation(&tx)?;
        tx.commit()?;
        Ok(())
    }

    /// The verdict and findings of one item, if `verify` has run.
    pub fn verification(&self, id: &ItemId) -> Result<Option<(Verdict, Vec<Finding>)>> {
        let verdict: Option<String> = self
            .conn
            .query_row(
                "SELECT verdict FROM verdicts WHERE item = ?1",
                [id.as_str()],
                |r| r.get(0),
            )
            .optional()?;
        let Some(verdict) = verdict else {
            return Ok(None);
        };
        let verdict = Verdict::parse(&verdict)
            .ok_or_else(|| Error::Corrupt(format!("verdict {verdict:?}")))?;
        let mut stmt = self.conn.prepare(
            "SELECT check_id, verdict, summary, evidence FROM findings WHERE item = ?1 ORDER BY check_id",
        )?;
        let rows = stmt.query_map([id.as_str()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        let mut findings = Vec::new();
        for row in rows {
            let (check, v, summary, evidence) = row?;
            findings.push(Finding {
                check: CheckId::parse(&check)
                    .ok_or_else(|| Error::Corrupt(format!("check {check:?}")))?,
                verdict: Verdict::parse(&v)
                    .ok_or_else(|| Error::Corrupt(format!("verdict {v:?}")))?,
                summary,
                evidence: serde_json::from_str(&evidence)
                    .map_err(|e| Error::Corrupt(e.to_string()))?,
            });
        }
        Ok(Some((verdict, findings)))
    }
}

/// An item id read back from a database, or why it is not one.
pub fn parse_id(s: &str) -> Result<ItemId> {
    ItemId::parse(s).map_err(|e| Error::Corrupt(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use leakcheck_core::{Kind, Stage};

    fn occ(parent: &str, pos: u64, item: Option<&ItemId>) -> Record {
        Record::Occurrence {
            parent: parent.into(),
            path: format!("m{pos}"),
            position: pos,
            display: format!("x ! m{pos}"),
            depth: 1,
            item: item.cloned(),
            error: item
                .is_none()
                .then(|| (Stage::Read, "truncated".to_string())),
            extra: None,
        }
    }

    /// A recovered key and the same value imported are two records; an
    /// archive window or publication date fills in a key already present.
    #[test]
    fn keys_keep_their_origin_window_and_publication() {
        let dir = tempfile::tempdir().unwrap();
        let mut cat = Catalog::open(&dir.path().join("c.sqlite")).unwrap();
        let key = |origin, source: &str| KeyRecord {
            name: "s._domainkey.x.org".into(),
            txt: "v=DKIM1; p=AB".into(),
            source: source.into(),
            origin,
            ..KeyRecord::default()
        };
        let recovered = key(KeyOrigin::Recovered, "recovered from items a, b");
        assert_eq!(cat.add_keys(std::slice::from_ref(&recovered)).unwrap(), 1);
        assert_eq!(cat.add_keys(&[key(KeyOrigin::Imported, "dns")]).unwrap(), 1);
        let archive = KeyRecord {
            first_seen: Some("2016-01-01".into()),
            last_seen: Some("2018-01-01".into()),
            private_published: Some("2019-06-01".into()),
            ..key(KeyOrigin::Imported, "archive")
        };
        assert_eq!(cat.add_keys(&[archive]).unwrap(), 0);
        let keys = cat.keys().unwrap();
        assert_eq!(keys.len(), 2);
        assert_eq!(keys[0].origin, KeyOrigin::Imported);
        assert_eq!(keys[0].source, "dns", "kept as first recorded");
        assert_eq!(keys[0].first_seen.as_deref(), Some("2016-01-01"));
        assert_eq!(keys[0].private_published.as_deref(), Some("2019-06-01"));
        assert_eq!(keys[1], recovered);
    }

    /// Rows the catalog wrote and can no longer read are errors that name
    /// the row, never "no metadata", "no verdict" or "no text".
    #[test]
    fn corrupt_rows_are_errors_not_absent_values() {
        let dir = tempfile::tempdir().unwrap();
        let mut cat = Catalog::open(&dir.path().join("c.sqlite")).unwrap();
        let (zip, a) = (ItemId::of(b"zip"), ItemId::of(b"a"));
        cat.apply(&[
            Record::Item {
                id: zip.clone(),
                size: 3,
                kind: Kind::Zip,
            },
            Record::Item {
                id: a.clone(),
                size: 1,
                kind: Kind::Email,
            },
            occ("dir:/x", 0, Some(&zip)),
            occ(zip.as_str(), 0, Some(&a)),
            Record::Container {
                key: zip.to_string(),
                kind: "zip".into(),
                expected: 1,
                detail: None,
            },
            Record::email(a.clone(), EmailMeta::default()),
        ])
        .unwrap();
        let corrupt = |sql: &str| cat.conn.execute(sql, []).unwrap();
        corrupt("UPDATE containers SET detail = '{not json'");
        let e = cat.container_stats(None).unwrap_err().to_string();
        assert!(e.contains("container detail"), "{e}");
        corrupt("UPDATE occurrences SET extra = '[1,'");
        let e = cat.item(&a).unwrap_err().to_string();
        assert!(e.contains("occurrence extra x ! m0"), "{e}");
        corrupt("UPDATE occurrences SET extra = NULL");
        corrupt("UPDATE emails SET meta = '{\"text\": 5}'");
        let rows = cat.text_rows(None, 10).unwrap();
        let row = rows.iter().find(|r| r.id == a).unwrap();
        let blobs = crate::BlobStore::open(dir.path().join("blobs"), None).unwrap();
        let e = row.text(&blobs).unwrap_err().to_string();
        assert!(e.contains(&format!("email {a}")), "{e}");
        assert!(cat.emails().is_err());
        let whole = serde_json::to_string(&EmailMeta::default()).unwrap();
        corrupt(&format!("UPDATE emails SET meta = '{whole}'"));
        corrupt(&format!(
            "INSERT INTO verdicts (item, verdict) VALUES ('{a}', 'genuine')"
        ));
        let e = cat.search_row(&a).unwrap_err().to_string();
        assert!(e.contains("verdict \"genuine\""), "{e}");
    }

    #[test]
    fn settled_paths_do_not_depend_on_who_opened_a_container() {
        let dir = tempfile::tempdir().unwrap();
        let mut cat = Catalog::open(&dir.path().join("c.sqlite")).unwrap();
        let (outer, z, m) = (ItemId::of(b"outer"), ItemId::of(b"z"), ItemId::of(b"m"));
        let at = |parent: &str, path: &str, display: &str, depth: u32, item: &ItemId| {
            Record::Occurrence {
                parent: parent.into(),
                path: path.into(),
                position: 0,
                display: display.into(),
                depth,
                item: Some(item.clone()),
                error: None,
                extra: None,
            }
        };
        // z.zip is both a top-level file and a member of outer.zip; the
        // nested copy happened to open it, so its member got the long path.
        cat.apply(&[
            Record::Item {
                id: m.clone(),
                size: 1,
                kind: Kind::Text,
            },
            at("dir:/d", "outer.zip", "/d/outer.zip", 0, &outer),
            at("dir:/d", "z.zip", "/d/z.zip", 0, &z),
            at(outer.as_str(), "z.zip", "/d/outer.zip ! z.zip", 1, &z),
            at(z.as_str(), "m.txt", "/d/outer.zip ! z.zip ! m.txt", 2, &m),
        ])
        .unwrap();
        cat.settle_paths(5).unwrap();
        let d = cat.item(&m).unwrap();
        assert_eq!(d.occurrences[0].display, "/d/z.zip ! m.txt");
        assert_eq!(d.occurrences[0].depth, 1);
    }

    #[test]
    fn stats_add_up_and_apply_is_idempotent() {
        let dir = tempfile::tempdir().unwrap();
        let mut cat = Catalog::open(&dir.path().join("c.sqlite")).unwrap();
        let zip = ItemId::of(b"zip");
        let a = ItemId::of(b"a");
        let recs = vec![
            Record::Item {
                id: zip.clone(),
                size: 3,
                kind: Kind::Zip,
            },
            Record::Item {
                id: a.clone(),
                size: 1,
                kind: Kind::Text,
            },
            occ("dir:/x", 0, Some(&zip)),
            occ(zip.as_str(), 0, Some(&a)),
            occ(zip.as_str(), 1, Some(&a)),
            occ(zip.as_str(), 2, None),
            Record::Container {
                key: zip.to_string(),
                kind: "zip".into(),
                expected: 4,
                detail: None,
            },
            Record::Done { id: zip.clone() },
        ];
        cat.apply(&recs).unwrap();
        cat.apply(&recs).unwrap();
        let s = cat.stats().unwrap();
        assert_eq!(
            (s.files_seen, s.items, s.duplicates, s.errors),
            (4, 2, 1, 1)
        );
        assert_eq!(s.files_seen, s.items + s.duplicates + s.errors);
        assert_eq!(s.containers.unreconciled.len(), 1, "4 declared, 2 + 1 seen");
        let mut done = Vec::new();
        cat.for_each_done_item(|id| {
            done.push(id);
            Ok(())
        })
        .unwrap();
        assert_eq!(done, std::slice::from_ref(&zip));
        assert_eq!(cat.resolve(&zip.as_str()[..10]).unwrap(), zip);
        assert!(matches!(cat.resolve("zz"), Err(Error::NoSuchItem(_))));
        let detail = cat.item(&zip).unwrap();
        assert_eq!(detail.children.len(), 3);
        assert_eq!(cat.problems(10).unwrap().len(), 1);
    }
}
