//! Follow a leak outside the dump: posts from social networks, forums and
//! chat channels imported from their exports ([`import`]), each matched
//! against the dump ([`matcher`]) and classed by what it carries, now:
//! authentic material, altered material, unverifiable material, material
//! that claims to come from the leak and is not in it, or unrelated. The
//! posts are kept in the case's catalog apart from the dump's items, and
//! every import is written to the custody log like a source.
#![warn(missing_docs)]

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use leakcheck_core::parallel::par_map;
use leakcheck_store::{Case, Catalog, CustodyEntry, NewPost, SpreadFilter};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

pub mod import;
pub mod matcher;

/// What can go wrong.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The case's catalog or blobs.
    #[error(transparent)]
    Store(#[from] leakcheck_store::Error),
    /// Comparing with the dump.
    #[error(transparent)]
    Variants(#[from] leakcheck_variants::Error),
    /// A file could not be read.
    #[error("{0}: {1}")]
    Io(String, #[source] std::io::Error),
    /// A file is not what it should be.
    #[error("{0}: {1}")]
    Format(String, String),
}

/// Results of this crate.
pub type Result<T> = std::result::Result<T, Error>;

/// Words, tags or link parts by which a post says it comes from the leak,
/// when the import is given none (case-insensitive, anywhere in the text
/// or links: "leak" also finds #MacronLeaks).
pub const DEFAULT_CLAIMS: [&str; 4] = ["leak", "fuite", "dump", "piratage"];

/// Posts imported at a time (one catalog transaction each).
const BATCH: usize = 2000;

/// Problems listed in an import's summary (all are counted): a broken
/// export of a million lines must not fill memory with them.
pub const LISTED_PROBLEMS: usize = 1000;

/// Problems met, counted, the first ones kept.
#[derive(Default)]
struct Problems {
    found: u64,
    listed: Vec<String>,
}

impl Problems {
    fn add(&mut self, why: String) {
        self.found += 1;
        if self.listed.len() < LISTED_PROBLEMS {
            self.listed.push(why);
        }
    }
}

/// The SHA-256 of a file, read in pieces; None for a folder (an archive's
/// export is a folder) or an unreadable file.
fn file_sha256(path: &Path) -> Option<String> {
    let mut file = std::fs::File::open(path).ok()?;
    let mut hash = Sha256::new();
    std::io::copy(&mut file, &mut hash).ok()?;
    Some(hex::encode(hash.finalize()))
}

/// What an import did.
#[derive(Debug, Serialize)]
pub struct Summary {
    /// The export read.
    pub path: String,
    /// Its platform.
    pub platform: &'static str,
    /// The name it was given.
    pub source: String,
    /// Posts recorded.
    pub posts: u64,
    /// Posts of an earlier import under the same name, replaced.
    pub replaced: u64,
    /// Posts that matched something in the dump.
    pub matched: u64,
    /// Texts of the dump indexed for matching.
    pub dump_texts: usize,
    /// Posts or media that could not be read.
    pub problems_found: u64,
    /// The first [`LISTED_PROBLEMS`] of them, with where and why.
    pub problems: Vec<String>,
    /// This source's posts per class, now.
    pub by_class: Vec<(String, u64)>,
}

/// Whether `text` or `links` carry one of `claims`.
pub fn claims_leak(text: &str, links: &[String], claims: &[String]) -> bool {
    let hay = format!("{} {}", text, links.join(" ")).to_lowercase();
    claims.iter().any(|c| hay.contains(&c.to_lowercase()))
}

/// Reads the export at `path`, matches every post against the case, and
/// records the posts under `source`; `done` counts posts matched.
pub fn import(
    case: &Case,
    path: &Path,
    source: &str,
    claims: &[String],
    operator: Option<String>,
    done: &AtomicU64,
) -> Result<Summary> {
    let export = import::read(path)?;
    let mut posts = export.posts;
    let mut catalog = case.catalog()?;
    let index = matcher::DumpIndex::of_case(case)?;
    // Matching runs on every core, each with a catalog connection of its
    // own (SQLite connections are used by one thread at a time).
    let pool: Mutex<Vec<Catalog>> = Mutex::new(Vec::new());
    let replaced = catalog.remove_posts_of(source)?;
    let limits = case.settings.limits.clone();
    let mut problems = Problems::default();
    let (mut read, mut matched) = (0, 0);
    loop {
        // A batch at a time from the export, so memory does not grow with it.
        let mut chunk = Vec::with_capacity(BATCH);
        for entry in posts.by_ref() {
            match entry {
                Ok(p) => chunk.push(p),
                Err(why) => problems.add(why),
            }
            if chunk.len() == BATCH {
                break;
            }
        }
        if chunk.is_empty() {
            break;
        }
        read += chunk.len() as u64;
        let results = par_map(&chunk, |p| {
            let pooled = pool.lock().unwrap_or_else(|e| e.into_inner()).pop();
            let cat = match pooled {
                Some(c) => c,
                None => case.catalog()?,
            };
            let r = matcher::match_post(case, &cat, &index, p, &limits);
            pool.lock().unwrap_or_else(|e| e.into_inner()).push(cat);
            done.fetch_add(1, Ordering::Relaxed);
            r
        });
        let mut batch = Vec::with_capacity(chunk.len());
        for (p, r) in chunk.into_iter().zip(results) {
            let (found, trouble) = r?;
            trouble.into_iter().for_each(|t| problems.add(t));
            matched += u64::from(!found.is_empty());
            let post = NewPost {
                id: format!("{}:{source}:{}", export.platform, p.id),
                source: source.to_string(),
                platform: export.platform.to_string(),
                claims: claims_leak(&p.text, &p.links, claims),
                detail: json!({
                    "links": p.links,
                    "media": p.media.iter().map(|m| json!({
                        "name": m.name,
                        "kept": m.path.is_some(),
                        "md5": m.md5,
                        "size": m.size,
                    })).collect::<Vec<_>>(),
                    "relations": p.relations.iter().map(|(k, id)| json!({"kind": k, "post": id})).collect::<Vec<_>>(),
                }),
                post_id: p.id,
                time_unix: p.time_unix,
                author: p.author,
                author_id: p.author_id,
                text: p.text,
            };
            batch.push((post, found));
        }
        catalog.put_posts(&batch)?;
    }
    case.custody()?.append(&CustodyEntry {
        event: "posts".into(),
        path: std::fs::canonicalize(path)
            .unwrap_or_else(|_| path.to_path_buf())
            .display()
            .to_string(),
        source_kind: export.platform.into(),
        sha256: file_sha256(path),
        size: std::fs::metadata(path).map_or(0, |m| m.len()),
        files: read,
        time: chrono::Utc::now().to_rfc3339(),
        note: Some(format!("posts imported as {source:?}")),
        operator,
        tool: format!("leakcheck {}", env!("CARGO_PKG_VERSION")),
        opened_with: Vec::new(),
    })?;
    let by_class = catalog.spread_totals(&SpreadFilter {
        source: Some(source.to_string()),
        ..SpreadFilter::default()
    })?;
    Ok(Summary {
        path: path.display().to_string(),
        platform: export.platform,
        source: source.to_string(),
        posts: read,
        replaced,
        matched,
        dump_texts: index.texts(),
        problems_found: problems.found,
        problems: problems.listed,
        by_class,
    })
}
