use thiserror::Error;

/// Why a team operation failed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum TeamError {
    /// The database refused or could not be reached.
    #[error("PostgreSQL: {0}")]
    Db(#[from] postgres::Error),
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
