//! Variants and provenance: which items of a dump are near-copies of one
//! another and what differs between them, and whether a file circulating
//! outside the dump is in it, changed or not.
//!
//! [`minhash`] measures text resemblance, [`diff`] says what changed,
//! [`cluster`] groups a case's near-copies (texts and images), [`check`]
//! compares outside files with the case.
#![warn(missing_docs)]

pub use check::{CheckResult, check};
pub use cluster::{Cluster, Corpus, Entry, Member, MetaChange, clusters};
pub use diff::{Change, Diff, diff};

pub mod check;
pub mod cluster;
pub mod diff;
pub mod minhash;

/// What can go wrong.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The case's catalog or blobs.
    #[error(transparent)]
    Store(#[from] leakcheck_store::Error),
}

/// Results of this crate.
pub type Result<T> = std::result::Result<T, Error>;
