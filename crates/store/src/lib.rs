//! The case directory: where one investigation keeps everything.
//!
//! A [`Case`] owns a [`BlobStore`] (originals, content-addressed, write-once and
//! read-only), a [`Catalog`] (what is where: items, occurrences, containers,
//! emails, errors) and a [`Custody`] log (every source ingested, append-only).
//! Ingest writes the catalog only through [`Catalog::apply`], a narrow interface
//! that a PostgreSQL catalog can implement for team mode.
#![warn(missing_docs)]

pub use aggregates::{MailAggregates, MailTotals, Pair, Person};
pub use blobs::{BlobStore, Spooled};
pub use case::{Case, CaseSettings, OcrMode, OcrSettings, TeamSettings, Window};
pub use catalog::{
    Catalog, ContainerStat, ContainerTotals, ItemDetail, ItemRow, KEYS_SQL, OccurrenceRow,
    OutlookTotals, ProblemRow, Stats, doc_meta, email_meta, parse_id, settle_paths_sql,
};
pub use custody::{Custody, CustodyEntry, OpenedWith};
pub use error::{Error, Result};
pub use ocr_rows::{OcrCandidate, OcrLayer, OcrOutcome, OcrPageRow, OcrWaiting};
pub use posts::{
    Account, CLASSES, FirstSeen, HourCount, NewPost, PostMatch, PostRow, SpreadFilter,
};
pub use redactions::{Decision, MAX_MANUAL_SPANS, RENDERING, RedactionDecision, SpanRef};
pub use search_catalog::SearchCatalog;
pub use search_rows::{MAX_PLAIN_TEXT, SearchRow, TextRow, replica_changed};
pub use shared::{Shared, SharedSession, check_span, note_text};
pub use team::{Access, Note, Role, Tag, User, check_user_name, normal_tag, now};
pub use verification::EmailLink;
pub use verify_catalog::VerifyCatalog;

mod aggregates;
mod blobs;
mod case;
mod catalog;
mod custody;
mod error;
mod ocr_rows;
mod posts;
mod redactions;
mod remote;
mod schema;
pub mod scratch;
mod search_catalog;
mod search_rows;
mod shared;
mod team;
mod verification;
mod verify_catalog;

/// What the catalog's unit tests share.
#[cfg(test)]
mod testutil {
    use leakcheck_core::{ItemId, Kind, Record};

    use crate::{Case, CaseSettings, Catalog};

    /// A new case whose catalog holds one item (the bytes `x`).
    pub fn case_with_item() -> (tempfile::TempDir, Catalog, ItemId) {
        let dir = tempfile::tempdir().unwrap();
        let settings = CaseSettings::named("t");
        let case = Case::init(&dir.path().join("c"), settings).unwrap();
        let mut cat = case.catalog().unwrap();
        let id = ItemId::of(b"x");
        cat.apply(&[Record::Item {
            id: id.clone(),
            size: 1,
            kind: Kind::Text,
        }])
        .unwrap();
        (dir, cat, id)
    }
}
