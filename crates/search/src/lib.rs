//! What is in a case: who wrote to whom and when, how messages hang
//! together, and (with the index) where a word occurs.
//!
//! Each view is a pure function of the catalog's emails
//! (`Catalog::emails()`): [`threads`] rebuilds conversations into
//! [`Thread`] trees, [`correspondents`] counts [`Pair`]s and [`Person`]s,
//! [`timeline`] counts messages per [`Period`].
#![warn(missing_docs)]

pub use people::{Correspondents, Pair, Person, correspondents};
pub use threads::{MAX_THREAD_DEPTH, Node, Thread, base_subject, thread_of, threads};
pub use timeline::{Bucket, Period, Timeline, timeline};

mod messages;
mod people;
mod threads;
mod timeline;
