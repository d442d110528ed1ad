use thiserror::Error;

/// Why a container or an item could not be read.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ExtractError {
    /// The container's structure is broken (truncated, bad header...).
    #[error("{format}: {reason}")]
    Malformed {
        /// The format being read.
        format: &'static str,
        /// What is wrong, in a sentence.
        reason: String,
    },
    /// Reading failed; `offset` is the byte position in the container, when known.
    #[error("read error{}: {source}", offset.map(|o| format!(" at byte {o}")).unwrap_or_default())]
    Io {
        /// Position in the container.
        offset: Option<u64>,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A native decoder's child process failed: crashed, hung, or broke
    /// the protocol ("decoder crashed: signal 11").
    #[error("{0}")]
    Native(String),
    /// The parser panicked; the panic was caught and the item recorded.
    #[error("parser crashed: {0}")]
    Panic(String),
}

impl ExtractError {
    pub(crate) fn malformed(format: &'static str, reason: impl ToString) -> ExtractError {
        ExtractError::Malformed {
            format,
            reason: reason.to_string(),
        }
    }
}

impl From<std::io::Error> for ExtractError {
    fn from(source: std::io::Error) -> ExtractError {
        ExtractError::Io {
            offset: None,
            source,
        }
    }
}

/// Result with [`ExtractError`].
pub type Result<T> = std::result::Result<T, ExtractError>;

/// Runs `f`, turning a panic into [`ExtractError::Panic`]: third-party parsers
/// meet hostile input here, and one bad item must not stop the run.
pub fn guard<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(p) => {
            let msg = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(ExtractError::Panic(msg))
        }
    }
}
