use thiserror::Error;

/// Why a team operation failed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum TeamError {
    /// The database refused or could not be reached.
    #[error("PostgreSQL: {}", describe(.0))]
    Db(postgres::Error),
    /// The case's team settings are wrong (address, schema, password file).
    #[error("{0}")]
    Config(String),
    /// Ingest failed in a way that is not the database's.
    #[error(transparent)]
    Ingest(#[from] leakcheck_ingest::IngestError),
    /// A stored value did not decode.
    #[error("catalog data is corrupt: {0}")]
    Corrupt(String),
    /// The catalog, read as `verify` reads it, failed.
    #[error(transparent)]
    Catalog(#[from] leakcheck_store::Error),
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

// Not `#[from]`: that would make the error its own source, and a report
// of the chain would say the server's message twice.
impl From<postgres::Error> for TeamError {
    fn from(e: postgres::Error) -> TeamError {
        TeamError::Db(e)
    }
}

/// Result with [`TeamError`].
pub type Result<T> = std::result::Result<T, TeamError>;

/// The server's own message when it sent one (its `Display` says only
/// "db error"), with its detail and hint; else the error with its causes
/// (a TLS handshake's names the certificate's fault).
pub(crate) fn describe(e: &postgres::Error) -> String {
    let Some(d) = e.as_db_error() else {
        let mut s = e.to_string();
        let mut cause = std::error::Error::source(e);
        while let Some(c) = cause {
            s.push_str(&format!(": {c}"));
            cause = c.source();
        }
        return s;
    };
    let mut s = format!("{}: {}", d.severity(), d.message());
    for (what, part) in [
        ("detail", d.detail()),
        ("hint", d.hint()),
        ("where", d.where_()),
    ] {
        if let Some(p) = part {
            s.push_str(&format!(" ({what}: {p})"));
        }
    }
    s
}
