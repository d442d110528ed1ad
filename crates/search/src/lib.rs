//! What is in a case: who wrote to whom and when, how messages hang
//! together, and where a word occurs (a tantivy index per case).
//!
//! The views are pure functions of the catalog's emails
//! (`Catalog::emails()`): [`threads`] rebuilds conversations into [`Thread`]
//! trees, [`correspondents`] counts [`Pair`]s and [`Person`]s, [`timeline`]
//! counts messages per [`Period`]. At a leak's scale they are read from the
//! aggregates the catalog keeps ([`fresh`] refreshes them from the emails
//! one at a time): [`thread_in`], [`correspondents_in`], [`timeline_in`]. The index: [`index`] keeps `CASE/index/`
//! in step with the catalog; [`query`] parses the query language; [`search`]
//! runs a query into ranked hits, snippets and facet counts; [`schema`]
//! names the fields and their analysers.
#![warn(missing_docs)]

pub use aggregates::{fresh, refresh};
pub use index::{SearchIndex, SyncStats, rebuild, rebuild_on, sync, sync_on, update};
pub use people::{Correspondents, Pair, Person, correspondents, correspondents_in};
pub use query::Refused;
pub use search::{
    Found, Hit, MAX_LIMIT, MAX_OFFSET, Page, SearchResult, Sort, find, matching, search, search_in,
};
pub use tantivy::{IndexReader, Searcher};
pub use threads::{
    MAX_THREAD_DEPTH, Node, Row, Thread, base_subject, thread_in, thread_of, threads,
};
pub use timeline::{Bucket, Period, Timeline, timeline, timeline_in};

mod aggregates;
pub mod index;
mod messages;
mod people;
pub mod query;
pub mod schema;
pub mod search;
mod threads;
mod timeline;

/// What can go wrong while indexing or searching.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The index itself.
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// Its folder.
    #[error("search index folder: {0}")]
    Io(#[from] std::io::Error),
    /// The case's catalog.
    #[error(transparent)]
    Store(#[from] leakcheck_store::Error),
    /// A query or page beyond the engine's limits (the caller's mistake).
    #[error(transparent)]
    Refused(#[from] query::Refused),
}

/// Results of this crate.
pub type Result<T> = std::result::Result<T, Error>;
