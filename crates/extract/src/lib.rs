//! Format detection and per-format extractors.
//!
//! [`detect`] names an item's [`Kind`](leakcheck_core::Kind) from its first
//! bytes. Container extractors ([`zip`](mod@zip), [`tar`](mod@tar), [`gzip`],
//! [`sevenz`], [`rar`], [`mbox`]) push each member to a [`Sink`] as a [`Member`];
//! [`email::parse`] turns an email's bytes into its catalog fields and its
//! attachments. Native decoders run in a child process ([`native`]).
//! Nothing here touches the case: ingest decides what to keep.
#![warn(missing_docs)]

pub use detect::{SNIFF_LEN, detect, ole_kind, sniff};
pub use error::{ExtractError, Result, guard};
pub use member::{Flow, Listing, Member, MemberData, Sink};

pub mod compress;
mod detect;
pub mod doc;
pub mod email;
pub mod emlx;
mod error;
pub mod gzip;
pub mod mbox;
mod member;
pub mod native;
pub mod outlook;
pub mod rar;
pub mod sevenz;
pub mod sfx;
pub mod tar;
pub mod tnef;
pub mod zip;
