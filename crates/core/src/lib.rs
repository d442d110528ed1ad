//! Domain types shared by every leakcheck crate.
//!
//! An [`ItemId`] names a unique byte string (its SHA-256). Ingest finds items at
//! places ([occurrences](Record::Occurrence)) inside sources and containers,
//! classifies each by content into a [`Kind`], and emits [`Record`]s that the
//! catalog stores. [`Limits`] bound the work done on hostile input. Checks
//! produce [`Finding`]s, and findings roll up into an item's [`Verdict`]; every
//! check is named by a [`CheckId`] whose row in [`CHECKS`] says what it looks
//! at and what each of its verdicts means.
#![warn(missing_docs)]

pub use check::{CHECKS, CheckId, CheckInfo, Family};
pub use doc::{DocMeta, Field, ImageFacts, PdfLayout, PdfRevision, Store, Thumbnail, ZipEntry};
pub use email::{Address, EmailMeta};
pub use error::{Error, Result};
pub use finding::{Finding, Verdict};
pub use id::ItemId;
pub use key::{KeyOrigin, KeyRecord};
pub use kind::Kind;
pub use limits::Limits;
pub use message_index::{MessageIndex, normalise_message_id};
pub use record::{Record, Stage};

mod check;
pub mod doc;
mod email;
mod error;
mod finding;
mod id;
mod key;
mod kind;
mod limits;
mod message_index;
pub mod parallel;
mod record;
pub mod sanitize;
pub mod testing;
pub mod time;
pub mod words;
