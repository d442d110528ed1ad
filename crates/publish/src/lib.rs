//! From verdicts to publication.
//!
//! An [`Evidence`] gathers everything the catalog knows about one item and
//! why it has its verdict; a report ([`write_report`]) renders the evidence
//! of chosen items as HTML and JSON beside a case report, the originals,
//! the public keys and a script that re-checks the hashes and signatures
//! with independent tools; an export ([`export`]) streams every item, or a
//! chosen few, as JSON lines, CSV or FollowTheMoney entities; a redaction
//! ([`write_redacted`]) renders chosen items' texts with their personal
//! data replaced, and PDFs as pictures with it painted over
//! ([`redact_pdf`]), and logs every span.

#![warn(missing_docs)]

pub use case_report::{CaseSummary, Chart, case_charts, summarise};
pub use evidence::{Evidence, KeyFile, evidence};
pub use export::{ExportStats, Format, export};
pub use redacted::{LoggedSpan, RedactStats, rendered_text, write_redacted};
pub use redacted_pdf::{PdfError, RedactedPage, RedactedPdf, redact_pdf};
pub use report::{ReportStats, write_report};
pub use review::{Review, Reviewed, ReviewedText, review};

mod case_report;
mod charts;
mod evidence;
mod export;
mod ftm;
mod html;
mod recheck;
mod redacted;
pub mod redacted_pdf;
mod report;
mod review;

/// What can go wrong while publishing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The catalog or blob store failed.
    #[error(transparent)]
    Store(#[from] leakcheck_store::Error),
    /// Writing the output failed.
    #[error("{path}: {source}")]
    Write {
        /// The file or folder being written.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A JSON value could not be written.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
}

/// The crate's results.
pub type Result<T> = std::result::Result<T, Error>;

/// An I/O error on `path`, named.
pub(crate) fn io_at(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Write {
        path: path.display().to_string(),
        source,
    }
}
