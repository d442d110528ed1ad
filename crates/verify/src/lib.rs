//! Verification: a check reads an item's evidence and makes a
//! [`Finding`](leakcheck_core::Finding); findings roll up into the item's
//! [`Verdict`](leakcheck_core::Verdict).
//!
//! Check families, one module each, with stable ids: [`dkim`]
//! (`email.dkim`), [`window`] (`email.leak-window`), [`duplicates`]
//! (`email.duplicate-message-id`), and proof carried from a signed email to
//! its attachments and their contents ([`run`], `archive.provenance`).
#![warn(missing_docs)]

pub use dkim::{KeySet, SignatureResult};
pub use run::{ItemReport, Summary, run};

pub mod dkim;
pub mod duplicates;
mod run;
pub mod window;
