//! The case's index (`CASE/index/`), kept in step with the catalog: a sync
//! adds the items the index lacks and rewrites those whose verdict changed.
//! The catalog's `search_indexed` table says what the index holds, so a
//! sync after an interrupted one simply carries on.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use leakcheck_core::doc::{key, parse_date};
use leakcheck_core::{Address, DocMeta, EmailMeta, ItemId};
use leakcheck_store::{Case, MAX_PLAIN_TEXT, SearchCatalog, SearchRow};
use tantivy::directory::error::LockError;
use tantivy::schema::{Facet, Value};
use tantivy::{DateTime, Index, IndexWriter, TantivyDocument, TantivyError, Term};

use crate::Result;
use crate::schema::{Fields, Lang, register};

/// Dates indexed: 1900-01-01 to 2200-01-01 (UTC).
const INDEXABLE_SECONDS: std::ops::RangeInclusive<i64> = -2_208_988_800..=7_258_118_400;
/// Plain texts read from the blob store and held at once by `sync`.
const GROUP_TEXT_BYTES: u64 = 64 << 20;
/// Items read from the catalog at a time.
const BATCH: usize = 2000;
/// Items indexed between commits. Each commit closes a segment that
/// tantivy then merges: committing every batch made merging a third of
/// re-indexing 10,000 emails after `verify`. An interrupted sync loses at
/// most this many items' work (the catalog records only committed ones).
const COMMIT_ITEMS: usize = 50_000;
/// Text indexed between commits, in bytes. tantivy's writer queues up to
/// 10,000 documents ahead of its threads, whatever their size, and only a
/// commit waits for them: this bounds what the queue can hold (a dump of
/// large documents would otherwise queue gigabytes).
const COMMIT_TEXT_BYTES: usize = 64 << 20;
/// Memory for the index writer.
const WRITER_BYTES: usize = 128 << 20;
/// How long a sync waits for another process's to end.
pub const WRITER_WAIT: Duration = Duration::from_secs(120);

/// An open index and its fields.
pub struct SearchIndex {
    /// The tantivy index.
    pub index: Index,
    /// Its fields.
    pub fields: Fields,
}

/// What a sync did.
#[derive(Clone, Copy, Debug, Default, serde::Serialize)]
pub struct SyncStats {
    /// Items written to the index (new or changed).
    pub indexed: u64,
    /// Items in the index afterwards.
    pub total: u64,
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it when absent.
    pub fn open(dir: &Path) -> Result<SearchIndex> {
        let (schema, fields) = Fields::schema();
        std::fs::create_dir_all(dir)?;
        let index = if dir.join("meta.json").exists() {
            Index::open_in_dir(dir)?
        } else {
            Index::create_in_dir(dir, schema)?
        };
        register(index.tokenizers());
        Ok(SearchIndex { index, fields })
    }

    /// The index of a case. An index written with another schema (by an
    /// older leakcheck) is emptied, and the catalog told so: the next sync
    /// indexes everything again.
    pub fn of_case(case: &Case) -> Result<SearchIndex> {
        SearchIndex::of_case_on(case, &mut case.catalog()?)
    }

    /// [`SearchIndex::of_case`], the catalog told through `catalog`.
    pub fn of_case_on(case: &Case, catalog: &mut impl SearchCatalog) -> Result<SearchIndex> {
        let dir = case.root().join("index");
        let idx = SearchIndex::open(&dir)?;
        if idx.index.schema() == Fields::schema().0 {
            return Ok(idx);
        }
        drop(idx);
        std::fs::remove_dir_all(&dir)?;
        catalog.clear_indexed()?;
        SearchIndex::open(&dir)
    }

    /// A writer with the index's memory budget.
    /// Another process syncing the same index (`index --follow`, a
    /// server, `search`, `verify`) holds its lock until its sync ends:
    /// this waits for it, up to [`WRITER_WAIT`], rather than fail.
    pub fn writer(&self) -> Result<IndexWriter> {
        let until = Instant::now() + WRITER_WAIT;
        loop {
            match self.index.writer(WRITER_BYTES) {
                Err(TantivyError::LockFailure(LockError::LockBusy, _))
                    if Instant::now() < until =>
                {
                    thread::sleep(Duration::from_millis(200))
                }
                other => return Ok(other?),
            }
        }
    }

    /// One item as an index document.
    pub fn document(&self, row: &SearchRow, plain_text: Option<&str>) -> TantivyDocument {
        let f = &self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.id, row.id.as_str());
        doc.add_text(f.kind, &row.kind);
        doc.add_text(f.path, &row.path);
        doc.add_u64(f.size, row.size);
        let verdict = row.verdict.map_or("unverified", |v| v.as_str());
        doc.add_text(f.verdict, verdict);
        for c in &row.checks {
            doc.add_text(f.check, c);
        }
        for t in &row.tags {
            doc.add_text(f.tag, t);
        }
        doc.add_facet(f.facets, Facet::from_path(["kind", row.kind.as_str()]));
        doc.add_facet(f.facets, Facet::from_path(["verdict", verdict]));
        let mut body = plain_text.unwrap_or_default().to_string();
        let mut date = None;
        if let Some(e) = &row.email {
            body = e.text.clone().unwrap_or_default();
            date = e.date_unix;
            self.email_fields(&mut doc, e);
        }
        if let Some((meta, text)) = &row.document {
            body = text.clone();
            date = doc_date(meta);
            if let Some((_, t)) = meta.fields(key::TITLE).next() {
                doc.add_text(f.subject, &t.value);
            }
            for k in [key::AUTHOR, key::LAST_MODIFIED_BY] {
                for (_, a) in meta.fields(k) {
                    doc.add_text(f.from, &a.value);
                }
            }
        }
        let lang = row
            .lang
            .as_deref()
            .and_then(Lang::from_code)
            .unwrap_or_else(|| Lang::detect(&body));
        doc.add_text(f.lang, lang.code());
        doc.add_text(f.body(lang), &body);
        if let Some(ocr) = &row.ocr {
            doc.add_text(f.ocr, ocr);
        }
        // tantivy counts nanoseconds in an i64: a hostile Date far off
        // (year 1 or 99999) would overflow it, and is no date to sort by.
        if let Some(secs) = date.filter(|s| INDEXABLE_SECONDS.contains(s)) {
            doc.add_date(f.date, DateTime::from_timestamp_secs(secs));
            if let Some(d) = chrono::DateTime::from_timestamp(secs, 0) {
                let month = d.format("%Y-%m").to_string();
                doc.add_facet(f.facets, Facet::from_path(["month", month.as_str()]));
            }
        }
        doc
    }

    /// Many items as index documents, in order, built on every core.
    /// Language detection costs about 0.2 ms a text whatever its length
    /// (whatlang scores every Latin-script language), more than tantivy's
    /// own indexing of it: on the one thread that feeds the writer it kept
    /// the writer's threads waiting.
    pub fn documents(&self, items: &[(&SearchRow, Option<&str>)]) -> Vec<TantivyDocument> {
        leakcheck_core::parallel::par_map(items, |(r, t)| self.document(r, *t))
    }

    fn email_fields(&self, doc: &mut TantivyDocument, e: &EmailMeta) {
        let f = &self.fields;
        if let Some(s) = &e.subject {
            doc.add_text(f.subject, s);
        }
        for (field, list) in [(f.from, &e.from), (f.to, &e.to), (f.cc, &e.cc)] {
            for a in list {
                doc.add_text(field, address_text(a));
            }
        }
        if let Some(domain) = e
            .from
            .iter()
            .find_map(|a| a.address.as_deref()?.rsplit_once('@'))
            .map(|(_, d)| d.to_lowercase())
        {
            doc.add_facet(f.facets, Facet::from_path(["domain", domain.as_str()]));
        }
        let has = if e.attachments > 0 { "yes" } else { "no" };
        doc.add_facet(f.facets, Facet::from_path(["attachment", has]));
    }
}

fn address_text(a: &Address) -> String {
    match (&a.name, &a.address) {
        (Some(n), Some(x)) => format!("{n} <{x}>"),
        (Some(n), None) => n.clone(),
        (None, Some(x)) => x.clone(),
        (None, None) => String::new(),
    }
}

/// A document's date: its last modification, else its creation (a date
/// with no zone is read as UTC).
fn doc_date(meta: &DocMeta) -> Option<i64> {
    let first = |k: &str| {
        meta.fields(k).find_map(|(_, f)| {
            let (local, zone): (NaiveDateTime, Option<i32>) = parse_date(f.date.as_deref()?)?;
            Some(local.and_utc().timestamp() - i64::from(zone.unwrap_or(0)) * 60)
        })
    };
    first(key::MODIFIED).or_else(|| first(key::CREATED))
}

/// Bytes of a plain-text item's own text, which `sync` reads from the blob
/// store (0 for items whose text is in the catalog row, or too large).
fn plain_text_size(row: &SearchRow) -> u64 {
    let plain = row.email.is_none() && row.document.is_none() && row.kind == "text";
    if plain && row.size <= MAX_PLAIN_TEXT {
        row.size
    } else {
        0
    }
}

/// Brings the case's index up to date; `done` counts items written.
pub fn sync(case: &Case, done: &AtomicU64) -> Result<SyncStats> {
    let mut catalog = case.catalog()?;
    crate::aggregates::fresh(&mut catalog)?; // the mail's aggregates follow ingest too
    sync_on(case, &mut catalog, done)
}

/// Brings the case's index up to date with `catalog` (the embedded one,
/// or a team case's); `done` counts items written.
pub fn sync_on(
    case: &Case,
    catalog: &mut impl SearchCatalog,
    done: &AtomicU64,
) -> Result<SyncStats> {
    let idx = SearchIndex::of_case_on(case, catalog)?;
    // Nothing the index shows has changed since it was last brought up to
    // date, and it still holds every item: no need to list stale rows,
    // which reads every item of the case (seconds at a million).
    let (mut generation, synced) = catalog.search_generation()?;
    let total = idx.index.reader()?.searcher().num_docs();
    if synced == Some(generation) && total == catalog.item_count()? {
        return Ok(SyncStats { indexed: 0, total });
    }
    if total < catalog.indexed_count()? {
        // The index lost documents the catalog says it holds (its folder
        // was deleted or replaced by hand): index every item again.
        catalog.clear_indexed()?;
        generation = catalog.search_generation()?.0;
    }
    let mut writer = idx.writer()?;
    let mut stats = SyncStats::default();
    let mut after = None;
    let mut states = Vec::new();
    let mut text_bytes = 0;
    loop {
        let rows = catalog.search_rows(false, after.as_ref(), BATCH)?;
        let Some(last) = rows.last() else { break };
        after = Some(last.id.clone());
        // Plain texts come from the blob store: read a group at a time (up
        // to GROUP_TEXT_BYTES), so that a batch of 4 MB texts is never held
        // at once; each group's documents are built on every core.
        let mut rest = &rows[..];
        while !rest.is_empty() {
            let mut bytes = 0;
            let n = rest
                .iter()
                .take_while(|r| {
                    bytes += plain_text_size(r);
                    bytes <= GROUP_TEXT_BYTES
                })
                .count()
                .max(1);
            let (group, tail) = rest.split_at(n);
            rest = tail;
            let texts: Vec<Option<String>> = group.iter().map(|r| own_text(case, r)).collect();
            let items: Vec<(&SearchRow, Option<&str>)> = group
                .iter()
                .zip(&texts)
                .map(|(r, t)| (r, t.as_deref()))
                .collect();
            text_bytes += items.iter().map(|(r, t)| body_len(r, *t)).sum::<usize>();
            for (row, doc) in group.iter().zip(idx.documents(&items)) {
                states.push(replace(&writer, &idx, row, doc)?);
                done.fetch_add(1, Ordering::Relaxed);
            }
            if states.len() >= COMMIT_ITEMS || text_bytes >= COMMIT_TEXT_BYTES {
                writer.commit()?;
                catalog.mark_indexed(&std::mem::take(&mut states))?;
                text_bytes = 0;
            }
        }
        stats.indexed += rows.len() as u64;
    }
    if !states.is_empty() {
        writer.commit()?;
        catalog.mark_indexed(&states)?;
    }
    writer.wait_merging_threads()?;
    catalog.set_search_synced(generation)?;
    stats.total = idx.index.reader()?.searcher().num_docs();
    Ok(stats)
}

/// Indexes these items again now (after their tags changed), whatever
/// the index holds for them.
pub fn update(case: &Case, idx: &SearchIndex, items: &[ItemId]) -> Result<()> {
    let mut catalog = case.catalog()?;
    let mut writer = idx.writer()?;
    let mut states = Vec::with_capacity(items.len());
    for id in items {
        let Some(row) = catalog.search_row(id)? else {
            continue;
        };
        let doc = idx.document(&row, own_text(case, &row).as_deref());
        states.push(replace(&writer, idx, &row, doc)?);
    }
    writer.commit()?;
    catalog.mark_indexed(&states)?;
    Ok(())
}

/// Bytes of the texts an item's document holds (its body and OCR text).
fn body_len(row: &SearchRow, plain_text: Option<&str>) -> usize {
    let body = match (&row.email, &row.document) {
        (Some(e), _) => e.text.as_deref().map_or(0, str::len),
        (None, Some((_, text))) => text.len(),
        (None, None) => plain_text.map_or(0, str::len),
    };
    body + row.ocr.as_deref().map_or(0, str::len)
}

/// A plain-text item's text, which the index reads from the blob store
/// (the others' is in their catalog row).
fn own_text(case: &Case, row: &SearchRow) -> Option<String> {
    (plain_text_size(row) > 0)
        .then(|| row.text(case.blobs()))
        .flatten()
}

/// Puts `doc` in place of whatever the index holds for `row`; the state to
/// record, with the language code the text was indexed as.
fn replace(
    writer: &IndexWriter,
    idx: &SearchIndex,
    row: &SearchRow,
    doc: TantivyDocument,
) -> Result<(ItemId, String, String)> {
    let lang = lang_of(idx, &doc);
    writer.delete_term(Term::from_field_text(idx.fields.id, row.id.as_str()));
    writer.add_document(doc)?;
    Ok((row.id.clone(), row.state(), lang))
}

/// The language code a document was indexed as.
fn lang_of(idx: &SearchIndex, doc: &TantivyDocument) -> String {
    doc.get_first(idx.fields.lang)
        .and_then(|v| v.as_str())
        .unwrap_or(Lang::Other.code())
        .to_string()
}

/// Empties the index and indexes everything again.
pub fn rebuild(case: &Case, done: &AtomicU64) -> Result<SyncStats> {
    empty(case, &mut case.catalog()?)?;
    sync(case, done)
}

/// [`rebuild`] with `catalog` (the embedded one, or a team case's).
pub fn rebuild_on(
    case: &Case,
    catalog: &mut impl SearchCatalog,
    done: &AtomicU64,
) -> Result<SyncStats> {
    empty(case, catalog)?;
    sync_on(case, catalog, done)
}

fn empty(case: &Case, catalog: &mut impl SearchCatalog) -> Result<()> {
    let idx = SearchIndex::of_case_on(case, catalog)?;
    let mut writer = idx.writer()?;
    writer.delete_all_documents()?;
    writer.commit()?;
    drop(writer);
    catalog.clear_indexed()?;
    Ok(())
}
#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::schema::document::Document;

    #[test]
    fn a_sync_waits_for_another_to_release_the_index() {
        let dir = tempfile::tempdir().unwrap();
        let first = SearchIndex::open(dir.path()).unwrap();
        let held = first.writer().unwrap();
        let started = Instant::now();
        let waiter = thread::spawn({
            let dir = dir.path().to_path_buf();
            move || SearchIndex::open(&dir).unwrap().writer().map(drop)
        });
        thread::sleep(Duration::from_millis(600));
        assert!(!waiter.is_finished(), "the second writer did not wait");
        drop(held);
        waiter.join().unwrap().unwrap();
        assert!(started.elapsed() >= Duration::from_millis(600));
    }

    /// A plain-text item with these bytes, found at `path`, never verified.
    fn text_row(bytes: &[u8], path: &str) -> SearchRow {
        SearchRow {
            id: ItemId::of(bytes),
            kind: "text".into(),
            size: bytes.len() as u64,
            path: path.into(),
            email: None,
            document: None,
            verdict: None,
            checks: Vec::new(),
            tags: Vec::new(),
            lang: None,
            ocr: None,
        }
    }

    #[test]
    fn a_language_once_detected_is_not_detected_again() {
        let dir = tempfile::tempdir().unwrap();
        let idx = SearchIndex::open(dir.path()).unwrap();
        let english =
            "Hello everyone, the kickoff meeting will take place next Monday in the large room.";
        let mut row = text_row(english.as_bytes(), "note.txt");
        assert_eq!(lang_of(&idx, &idx.document(&row, Some(english))), "en");
        // The catalog's record is what counts once there is one.
        row.lang = Some("fr".into());
        assert_eq!(lang_of(&idx, &idx.document(&row, Some(english))), "fr");
    }

    #[test]
    fn documents_on_every_core_keep_their_order() {
        let dir = tempfile::tempdir().unwrap();
        let idx = SearchIndex::open(dir.path()).unwrap();
        let texts = [
            "Bonjour à tous, la réunion de lancement aura lieu lundi prochain dans la grande salle.",
            "Hello everyone, the kickoff meeting will take place next Monday in the large room.",
        ];
        // Enough rows for several threads; each row's number is in its path.
        let rows: Vec<SearchRow> = (0..300u32)
            .map(|n| text_row(&n.to_le_bytes(), &format!("dump/{n}.txt")))
            .collect();
        let items: Vec<(&SearchRow, Option<&str>)> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| (r, Some(texts[i % 2])))
            .collect();
        let schema = idx.index.schema();
        let json = |d: &TantivyDocument| d.to_json(&schema);
        let one_by_one: Vec<String> = items
            .iter()
            .map(|(r, t)| json(&idx.document(r, *t)))
            .collect();
        let together: Vec<String> = idx.documents(&items).iter().map(json).collect();
        assert_eq!(together, one_by_one);
    }
}
