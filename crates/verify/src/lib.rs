//! Verification: a check reads an item's evidence and makes a
//! [`Finding`](leakcheck_core::Finding); findings roll up into the item's
//! [`Verdict`](leakcheck_core::Verdict).
//!
//! Check families, one module each, with stable ids: [`dkim`]
//! (`email.dkim`), [`headers`] (`email.received-chain`, `email.date-skew`,
//! `email.message-id`), [`window`] (`email.leak-window`), [`thread_quote`]
//! (`email.thread-quote`), [`duplicates`]
//! (`email.duplicate-message-id`), [`thread`] (`email.thread-order`), and
//! proof carried from a signed email to its attachments and their contents
//! (`archive.provenance`); [`near`] flags changed near-copies of authentic
//! items (`archive.near-duplicate`); [`doc`] checks the metadata of documents and
//! images (`doc.*`, `image.*`); [`outlook`] says why a message rebuilt from
//! Outlook properties gets no DKIM result (`email.dkim`, unverifiable).
//! [`keys`] holds the case's keys for DKIM and ARC alike; [`recover`]
//! recomputes an RSA key from the dump's own signatures. Every check id,
//! with what it looks at and what its verdicts mean, is a
//! [`CheckId`](leakcheck_core::CheckId) in core's table.
#![warn(missing_docs)]

pub use dkim::{DkimResult, SignatureResult};
pub use keys::KeySet;
pub use run::{
    ItemReport, Mode, Profile, Snapshot, Staged, Summary, check_emails, emails_to_check, reports,
    reports_on, run, run_on, run_staged,
};
pub use transcript::{DkimTranscript, dkim_transcript};

pub mod arc;
pub mod dkim;
pub mod doc;
pub mod duplicates;
pub mod headers;
pub mod keys;
mod links;
pub mod near;
mod near_scratch;
pub mod outlook;
pub mod recover;
mod run;
pub mod selectors;
pub mod signature_time;
mod signed;
pub mod thread;
pub mod thread_quote;
pub mod transcript;
pub mod window;
