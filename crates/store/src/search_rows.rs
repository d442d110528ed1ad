//! What the search index (and the near-copy finder) needs from the catalog:
//! each item's searchable fields and text, and what the index already holds.

use leakcheck_core::{DocMeta, EmailMeta, ItemId, Verdict};
use rusqlite::{OptionalExtension, params};

use crate::BlobStore;
use crate::catalog::{Catalog, doc_meta, email_meta, json_column, parse_id};
use crate::error::{Error, Result};

/// One item as the search index sees it.
#[derive(Clone, Debug)]
pub struct SearchRow {
    /// The item.
    pub id: ItemId,
    /// Its kind.
    pub kind: String,
    /// Its size in bytes.
    pub size: u64,
    /// The first place it was found (shallowest).
    pub path: String,
    /// Its parsed headers and text, when it is an email.
    pub email: Option<EmailMeta>,
    /// Its metadata and text, when it is a document or image.
    pub document: Option<(DocMeta, String)>,
    /// Its verdict, once `verify` has run.
    pub verdict: Option<Verdict>,
    /// The checks that flagged it (authentic, altered or suspicious findings).
    pub checks: Vec<String>,
    /// Tags people put on it, alphabetically.
    pub tags: Vec<String>,
    /// The language code the index detected for its text when it last
    /// indexed it (the text never changes, so neither does its language).
    pub lang: Option<String>,
    /// The text OCR read in its pictures, kept apart from its own.
    pub ocr: Option<String>,
}

/// Plain-text items larger than this are not read as text.
pub const MAX_PLAIN_TEXT: u64 = 4 << 20;

impl SearchRow {
    /// The item's text: an email's or a document's as the catalog keeps it,
    /// or a plain-text item's bytes (up to [`MAX_PLAIN_TEXT`]).
    pub fn text(&self, blobs: &BlobStore) -> Option<String> {
        if let Some(e) = &self.email {
            return e.text.clone();
        }
        if let Some((_, t)) = &self.document {
            return Some(t.clone());
        }
        plain_text(blobs, &self.id, &self.kind, self.size)
    }

    /// What must change for the index entry to be stale: the verdict, the
    /// flagging checks and the tags (the content of an item never changes).
    pub fn state(&self) -> String {
        format!(
            "{}|{}|{}",
            self.verdict.map_or("-", Verdict::as_str),
            self.checks.join(","),
            self.tags.join(",")
        )
    }
}

/// One item as the near-copy finder reads it: its text, and no more of
/// its email's fields than that.
#[derive(Clone, Debug)]
pub struct TextRow {
    /// The item.
    pub id: ItemId,
    /// Its kind.
    pub kind: String,
    /// Its size in bytes.
    pub size: u64,
    /// The first place it was found (shallowest).
    pub path: String,
    /// Its verdict, once `verify` has run.
    pub verdict: Option<Verdict>,
    /// An email's fields as stored (JSON), read for the text only.
    email: Option<String>,
    /// A document's text.
    doc_text: Option<String>,
    /// What OCR read in it.
    ocr_text: Option<String>,
}

impl TextRow {
    /// A row from the columns either catalog reads: id, kind, size, first
    /// place, verdict, and the stored email fields, document text and OCR
    /// text.
    pub fn from_columns(
        id: &str,
        kind: String,
        size: i64,
        path: Option<String>,
        verdict: Option<String>,
        [email, doc_text, ocr_text]: [Option<String>; 3],
    ) -> Result<TextRow> {
        Ok(TextRow {
            id: parse_id(id)?,
            kind,
            size: size as u64,
            path: path.unwrap_or_default(),
            verdict: verdict_of(id, verdict)?,
            email,
            doc_text,
            ocr_text,
        })
    }

    /// The item's text, as [`SearchRow::text`] gives it. An email's is read
    /// out of its stored fields here rather than by the query, so that
    /// callers can do it on every core; stored fields that no longer parse
    /// are an error, not an item without text.
    pub fn text(&self, blobs: &BlobStore) -> Result<Option<String>> {
        #[derive(serde::Deserialize)]
        struct Text {
            text: Option<String>,
        }
        if let Some(json) = &self.email {
            return Ok(json_column::<Text>("email", self.id.as_str(), json)?.text);
        }
        // A scan's own text layer is empty or a few stray marks: its
        // near-copies are found by what OCR read on its pages.
        let own = self.doc_text.as_deref().filter(|t| !too_little(t));
        if let Some(t) = own.or(self.ocr_text.as_deref().filter(|t| !too_little(t))) {
            return Ok(Some(t.to_string()));
        }
        if let Some(t) = &self.doc_text {
            return Ok(Some(t.clone()));
        }
        Ok(plain_text(blobs, &self.id, &self.kind, self.size))
    }
}

impl Catalog {
    /// Every item's text source in id order after `after`, at most `limit`.
    pub fn text_rows(&self, after: Option<&ItemId>, limit: usize) -> Result<Vec<TextRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT i.id, i.kind, i.size,
               (SELECT display FROM occurrences o WHERE o.item = i.id
                ORDER BY o.depth, o.parent, o.position LIMIT 1),
               v.verdict, e.meta, d.text,
               (SELECT group_concat(text, char(10) || char(12) || char(10)) FROM
                    (SELECT text FROM ocr_pages p WHERE p.item = i.id ORDER BY page))
             FROM items i
             LEFT JOIN emails e ON e.item = i.id
             LEFT JOIN documents d ON d.item = i.id
             LEFT JOIN verdicts v ON v.item = i.id
             WHERE i.id > ?1 ORDER BY i.id LIMIT ?2",
        )?;
        let after = after.map_or("", |a| a.as_str());
        let rows = stmt.query_map(params![after, limit as i64], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, Option<String>>(7)?,
            ))
        })?;
        rows.map(|row| {
            let (id, kind, size, path, verdict, email, doc_text, ocr_text) = row?;
            TextRow::from_columns(&id, kind, size, path, verdict, [email, doc_text, ocr_text])
        })
        .collect()
    }

    /// Items whose index entry is missing or stale (every item when `all`),
    /// in id order after `after`, at most `limit` of them.
    pub fn search_rows(
        &self,
        all: bool,
        after: Option<&ItemId>,
        limit: usize,
    ) -> Result<Vec<SearchRow>> {
        self.rows_where(all, after, None, limit)
    }

    /// One item as the index sees it, stale or not.
    pub fn search_row(&self, id: &ItemId) -> Result<Option<SearchRow>> {
        Ok(self.rows_where(true, None, Some(id), 1)?.pop())
    }

    fn rows_where(
        &self,
        all: bool,
        after: Option<&ItemId>,
        only: Option<&ItemId>,
        limit: usize,
    ) -> Result<Vec<SearchRow>> {
        let mut stmt = self.conn.prepare(
            "WITH rows AS (
               SELECT i.id, i.kind, i.size,
                 (SELECT display FROM occurrences o WHERE o.item = i.id
                  ORDER BY o.depth, o.parent, o.position LIMIT 1) AS path,
                 e.meta AS email, d.meta AS doc, d.text AS text, v.verdict,
                 (SELECT group_concat(check_id, ',') FROM
                    (SELECT check_id FROM findings f WHERE f.item = i.id
                     AND f.verdict IN ('authentic', 'altered', 'suspicious') ORDER BY check_id)) AS checks,
                 (SELECT group_concat(tag, ',') FROM
                    (SELECT tag FROM tags t WHERE t.item = i.id ORDER BY tag)) AS tags,
                 s.state AS indexed, s.lang AS lang,
                 (SELECT group_concat(text, char(10) || char(12) || char(10)) FROM
                    (SELECT text FROM ocr_pages p WHERE p.item = i.id ORDER BY page)) AS ocr
               FROM items i
               LEFT JOIN emails e ON e.item = i.id
               LEFT JOIN documents d ON d.item = i.id
               LEFT JOIN verdicts v ON v.item = i.id
               LEFT JOIN search_indexed s ON s.item = i.id
               WHERE i.id > ?3 AND (?4 = '' OR i.id = ?4))
             SELECT id, kind, size, path, email, doc, text, verdict, checks, tags, lang, ocr FROM rows
             WHERE ?1 OR indexed IS NULL
                OR indexed <> coalesce(verdict, '-') || '|' || coalesce(checks, '')
                              || '|' || coalesce(tags, '')
             ORDER BY id LIMIT ?2",
        )?;
        let after = after.map_or("", |a| a.as_str());
        let only = only.map_or("", |a| a.as_str());
        let rows = stmt.query_map(params![all, limit as i64, after, only], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, Option<String>>(7)?,
                r.get::<_, Option<String>>(8)?,
                r.get::<_, Option<String>>(9)?,
                r.get::<_, Option<String>>(10)?,
                r.get::<_, Option<String>>(11)?,
            ))
        })?;
        let list = |v: Option<String>| -> Vec<String> {
            v.map(|c| c.split(',').map(String::from).collect())
                .unwrap_or_default()
        };
        rows.map(|row| {
            let (id, kind, size, path, email, doc, text, verdict, checks, tags, lang, ocr) = row?;
            let email = email.map(|m| email_meta(&id, &m)).transpose()?;
            let document = match doc {
                Some(m) => Some((doc_meta(&id, &m)?, text.unwrap_or_default())),
                None => None,
            };
            Ok(SearchRow {
                id: parse_id(&id)?,
                kind,
                size: size as u64,
                path: path.unwrap_or_default(),
                email,
                document,
                verdict: verdict_of(&id, verdict)?,
                checks: list(checks),
                tags: list(tags),
                lang,
                ocr,
            })
        })
        .collect()
    }

    /// Records that the index now holds these items in these states, with
    /// the language code each text was indexed as.
    pub fn mark_indexed(&mut self, done: &[(ItemId, String, String)]) -> Result<()> {
        let tx = self.conn.transaction()?;
        {
            let mut stmt = tx.prepare(
                "INSERT OR REPLACE INTO search_indexed (item, state, lang) VALUES (?1, ?2, ?3)",
            )?;
            for (id, state, lang) in done {
                stmt.execute(params![id.as_str(), state, lang])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// One item's text, as [`SearchRow::text`] gives it.
    pub fn item_text(&self, blobs: &BlobStore, id: &ItemId, kind: &str) -> Result<Option<String>> {
        if let Some(e) = self.email(id)? {
            return Ok(e.text);
        }
        if let Some((_, t)) = self.document(id)? {
            return Ok(Some(t));
        }
        Ok(plain_text(blobs, id, kind, 0))
    }

    /// One email's parsed fields, if the item is an email.
    pub fn email(&self, id: &ItemId) -> Result<Option<EmailMeta>> {
        let meta: Option<String> = self
            .conn
            .query_row(
                "SELECT meta FROM emails WHERE item = ?1",
                [id.as_str()],
                |r| r.get(0),
            )
            .optional()?;
        meta.map(|m| email_meta(id.as_str(), &m)).transpose()
    }

    /// How many emails the catalog holds (cheap: for caches of the emails).
    pub fn email_count(&self) -> Result<u64> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM emails", [], |r| r.get(0))?;
        Ok(n as u64)
    }

    /// Forgets what the index holds (before a rebuild).
    pub fn clear_indexed(&mut self) -> Result<()> {
        self.conn.execute("DELETE FROM search_indexed", [])?;
        bump_search_generation(&self.conn)?;
        Ok(())
    }

    /// The search generation now, and the one the index was last brought
    /// up to (`None` before the first sync). Equal means nothing the index
    /// shows has changed since: a sync can stop at that, where listing
    /// stale rows reads every item of the case.
    pub fn search_generation(&self) -> Result<(i64, Option<i64>)> {
        let get = |key: &str| -> Result<Option<i64>> {
            let v: Option<String> = self
                .conn
                .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
                .optional()?;
            v.map(|v| {
                v.parse()
                    .map_err(|_| Error::Corrupt(format!("{key} {v:?}")))
            })
            .transpose()
        };
        Ok((
            get("search_generation")?.unwrap_or(0),
            get("search_synced")?,
        ))
    }

    /// Records that the index is up to date as of `generation`.
    pub fn set_search_synced(&mut self, generation: i64) -> Result<()> {
        self.conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('search_synced', ?1)",
            [generation.to_string()],
        )?;
        Ok(())
    }

    /// How many items the index is recorded as holding.
    pub fn indexed_count(&self) -> Result<u64> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM search_indexed", [], |r| r.get(0))?;
        Ok(n as u64)
    }

    /// How many items the catalog holds.
    pub fn item_count(&self) -> Result<u64> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM items", [], |r| r.get(0))?;
        Ok(n as u64)
    }
}

/// Fewer letters than a line of text: no text to compare by.
fn too_little(text: &str) -> bool {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .take(40)
        .count()
        < 40
}

/// Moves the search generation on: called by every write that changes
/// what the index shows (items and their places, verdicts and findings,
/// tags), inside the write's transaction.
pub(crate) fn bump_search_generation(conn: &rusqlite::Connection) -> Result<()> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('search_generation', '1')
         ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
        [],
    )?;
    Ok(())
}

/// Marks the catalog on `conn` as changed by a team case's replica refresh:
/// the search generation moves on, so the index syncs; when the catalog's
/// own tables were copied (`catalog`), the mail aggregates are computed
/// again too.
pub fn replica_changed(conn: &rusqlite::Connection, catalog: bool) -> Result<()> {
    bump_search_generation(conn)?;
    if catalog {
        conn.execute(
            "DELETE FROM meta WHERE key = ?1",
            [crate::aggregates::STAMP],
        )?;
    }
    Ok(())
}

/// A stored verdict, read back: a name the catalog does not know is a
/// corrupt row, not "no verdict".
fn verdict_of(id: &str, v: Option<String>) -> Result<Option<Verdict>> {
    v.map(|v| Verdict::parse(&v).ok_or_else(|| Error::Corrupt(format!("item {id}: verdict {v:?}"))))
        .transpose()
}

/// A plain-text item's bytes as text (`size` 0: not known yet).
pub(crate) fn plain_text(blobs: &BlobStore, id: &ItemId, kind: &str, size: u64) -> Option<String> {
    if kind != "text" || size > MAX_PLAIN_TEXT {
        return None;
    }
    let bytes = blobs.read(id).ok()?;
    let cut = bytes.len().min(MAX_PLAIN_TEXT as usize);
    Some(String::from_utf8_lossy(&bytes[..cut]).into_owned())
}
