use thiserror::Error;

/// Why a team operation failed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum TeamError {
    /// The database refused or could not be reached.
    #[error("PostgreSQL: {0}")]
    Db(#[from] postgres::Error),
    /// The case's team settings are wrong (address, schema, password file).
    #[error("{0}")]
    Config(String),
    /// Ingest failed in a way that is not the database's.
    #[error(transparent)]
    Ingest(#[from] leakcheck_ingest::IngestError),
    /// A stored value did not decode.
    #[error("catalog data is corrupt: {0}")]
    Corrupt(String),
    /// The lease expired (its worker stopped answering for too long) and
    /// the job went back to the queue: another worker may hold it now, and
    /// this one's result must not be recorded.
    #[error(
        "job {id}: the lease of attempt {attempt} was lost (it expired; the job went back to the queue)"
    )]
    LeaseLost {
        /// The job.
        id: i64,
        /// The attempt whose lease it was.
        attempt: i32,
    },
}

/// Result with [`TeamError`].
pub type Result<T> = std::result::Result<T, TeamError>;
