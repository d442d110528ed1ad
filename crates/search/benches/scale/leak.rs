//! The leakcheck side: the same calls `leakcheck search` and `sync` make
//! (`SearchIndex::open`, `writer`, `document`, `find`), on generated rows.

use std::path::Path;
use std::time::Instant;

use leakcheck_core::{Address, EmailMeta, ItemId};
use leakcheck_search::{Page, SearchIndex, Sort, find};
use leakcheck_store::SearchRow;
use tantivy::Searcher;

use crate::corpus::{Corpus, Email, Person, Query};
use crate::{Build, Run, Timed};

/// Commit every this many documents: bounds what a crash would lose
/// without making many small segments (the writer flushes by memory anyway).
const COMMIT_EVERY: u64 = 100_000;
/// Rows read at a time, as `sync` reads them from the catalog.
const BATCH: u64 = 2000;

fn address(p: &Person) -> Address {
    Address {
        name: Some(p.name.clone()),
        address: Some(p.address.clone()),
    }
}

/// The catalog row `sync` would read for this email.
fn row(corpus: &Corpus, n: u64, e: Email) -> SearchRow {
    SearchRow {
        id: ItemId::of(&n.to_le_bytes()),
        kind: "email".into(),
        size: (e.subject.len() + e.body.len()) as u64,
        path: format!("dump/mail-{n}.eml"),
        email: Some(EmailMeta {
            subject: Some(e.subject),
            from: vec![address(&corpus.people[e.from])],
            to: e.to.iter().map(|&p| address(&corpus.people[p])).collect(),
            date_unix: Some(e.date),
            text: Some(e.body),
            attachments: e.attachments,
            ..EmailMeta::default()
        }),
        document: None,
        verdict: None,
        checks: Vec::new(),
        tags: Vec::new(),
        lang: None,
        ocr: None,
    }
}

/// Indexes `docs` emails into `dir`; with `merge`, merges what is left
/// into one segment afterwards (timed apart).
pub fn build(
    dir: &Path,
    corpus: &Corpus,
    docs: u64,
    merge: bool,
) -> leakcheck_search::Result<Build> {
    let started = Instant::now();
    let idx = SearchIndex::open(dir)?;
    let mut writer = idx.writer()?;
    let mut n = 0;
    while n < docs {
        // As `sync` does: a batch of rows, their documents built on every
        // core by `documents`, then fed to the writer in order.
        let end = (n + BATCH).min(docs);
        let rows: Vec<SearchRow> = (n..end).map(|i| row(corpus, i, corpus.email(i))).collect();
        let items: Vec<(&SearchRow, Option<&str>)> = rows.iter().map(|r| (r, None)).collect();
        for doc in idx.documents(&items) {
            writer.add_document(doc)?;
        }
        n = end;
        if n % COMMIT_EVERY == 0 {
            writer.commit()?;
            crate::progress("leakcheck", n, docs, started);
        }
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    let seconds = started.elapsed().as_secs_f64();
    let segments_built = idx.index.searchable_segment_ids()?.len();
    let merge_seconds = if merge && segments_built > 1 {
        let t = Instant::now();
        let mut writer = idx.writer()?;
        let ids = idx.index.searchable_segment_ids()?;
        writer.merge(&ids).wait()?;
        writer.wait_merging_threads()?;
        Some(t.elapsed().as_secs_f64())
    } else {
        None
    };
    let parts = crate::dir_parts(dir);
    Ok(Build {
        seconds,
        merge_seconds,
        bytes: parts.iter().map(|p| p.1).sum(),
        parts,
        segments: idx.index.searchable_segment_ids()?.len(),
        segments_built,
    })
}

/// Runs each query through `find` (parsing included) on one searcher:
/// the top 10 by relevance and the total, plus facet counts for boolean
/// queries.
pub fn run(
    searcher: &Searcher,
    idx: &SearchIndex,
    queries: &[Query],
    facets: bool,
) -> leakcheck_search::Result<Run> {
    let page = Page {
        limit: 10,
        offset: 0,
        sort: Sort::Relevance,
    };
    let mut out = Run::default();
    for q in queries {
        let text = q.leakcheck();
        let t = Instant::now();
        let found = find(idx, searcher, &text, page, facets)?;
        let took = t.elapsed();
        // Read the answer so that nothing is left for the optimiser to skip.
        std::hint::black_box((&found.docs, &found.facets));
        out.push(Timed {
            took,
            total: found.total,
            hits: found.docs.len(),
        });
    }
    Ok(out)
}
