//! Format detection and per-format extractors, one top-level module per
//! part of the architecture:
//!
//! - [`detect`] names an item's [`Kind`](leakcheck_core::Kind) from its first
//!   bytes;
//! - `member`: the interface every container reader shares: it
//!   pushes each member to a [`Sink`] as a [`Member`] and returns a [`Listing`];
//! - [`readers`]: zip, tar, 7z, RAR, gzip and the other compressors, mbox,
//!   `.emlx`, TNEF and self-extractors; [`outlook`]: `.msg` and `.pst`/`.ost`;
//! - [`native`]: the one place native decoders run, in a child process;
//! - [`email`]: an email's bytes to its catalog fields and attachments;
//! - [`doc`]: document and image reading (text and metadata);
//! - [`ocr`]: pictures of text to text (Tesseract and poppler, in child processes).
//!
//! Nothing here touches the case: ingest decides what to keep.
#![warn(missing_docs)]

pub use detect::{SNIFF_LEN, detect, ole_kind, sniff};
pub use error::{ExtractError, Result, guard};
pub use member::{Flow, Listing, Member, MemberData, Sink};

mod detect;
pub mod doc;
pub mod email;
mod error;
mod member;
pub mod native;
pub mod ocr;
pub mod outlook;
pub mod readers;
