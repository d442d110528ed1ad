use thiserror::Error;

/// Errors from the domain types.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// A string that should name an item is not 64 lower-case hex digits.
    #[error("not a SHA-256 item id: {0:?}")]
    BadItemId(String),
    /// A kind name that leakcheck does not know.
    #[error("unknown kind: {0:?}")]
    UnknownKind(String),
}

/// Result with the domain [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
