use std::path::PathBuf;

use thiserror::Error;

/// Errors from the case directory.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// A file-system operation failed on `path`.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The catalog database failed.
    #[error("catalog: {0}")]
    Sql(#[from] rusqlite::Error),
    /// `case.toml` is missing or does not parse.
    #[error("{path}: {reason}")]
    BadSettings {
        /// The settings file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The folder is not a leakcheck case.
    #[error("{0}: not a leakcheck case (no case.toml); create one with `leakcheck init`")]
    NotACase(PathBuf),
    /// The case keeps its catalog in PostgreSQL, and the command asked for
    /// the embedded one.
    #[error(
        "{0}: a team case (its catalog is in PostgreSQL), asked for an embedded catalog: read its replica (`Case::replica`) or its PostgreSQL catalog"
    )]
    TeamCase(PathBuf),
    /// `init` was pointed at a folder that is not empty.
    #[error("{0}: already exists and is not empty")]
    NotEmpty(PathBuf),
    /// The catalog was written by a newer leakcheck.
    #[error(
        "catalog schema version {found} is newer than this leakcheck understands ({supported})"
    )]
    NewerSchema {
        /// Version in the file.
        found: i64,
        /// Newest version this build knows.
        supported: i64,
    },
    /// No item id starts with the given prefix.
    #[error("no item matches {0:?}")]
    NoSuchItem(String),
    /// Several item ids start with the given prefix.
    #[error("{prefix:?} matches {count} items; give more digits")]
    Ambiguous {
        /// The prefix given.
        prefix: String,
        /// How many ids start with it.
        count: usize,
    },
    /// A value given to the catalog is not acceptable (a user name, a tag...).
    #[error("{0}")]
    Invalid(String),
    /// A team case's catalog (PostgreSQL) failed.
    #[error("catalog: {0}")]
    Team(String),
    /// The blobs' remote store (S3) failed, or gave bytes that do not
    /// hash to their name.
    #[error("blobs: {0}")]
    Blobs(String),
    /// A stored value did not decode (the catalog was edited or corrupted).
    #[error("catalog data is corrupt: {0}")]
    Corrupt(String),
}

/// Result with the store [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.into();
    move |source| Error::Io { path, source }
}
