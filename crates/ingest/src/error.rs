use std::path::PathBuf;

use thiserror::Error;

/// Errors that stop an ingest run (problems with single items never do:
/// they are recorded in the catalog).
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum IngestError {
    /// A source given on the command line cannot be read.
    #[error("{path}: {source}")]
    Source {
        /// The source path.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A source lies inside the case folder (it would ingest the case itself).
    #[error("{0}: is inside the case folder; ingest sources from elsewhere")]
    InsideCase(PathBuf),
    /// The case store failed (disk full, catalog locked...).
    #[error(transparent)]
    Store(#[from] leakcheck_store::Error),
    /// The catalog a team worker writes to (PostgreSQL) failed.
    #[error("catalog: {0}")]
    Catalog(String),
}

/// Result with [`IngestError`].
pub type Result<T> = std::result::Result<T, IngestError>;

impl From<rusqlite::Error> for IngestError {
    /// Ingest's own scratch databases fail as the store's do.
    fn from(e: rusqlite::Error) -> Self {
        IngestError::Store(e.into())
    }
}
