//! Team mode: one case that many people and machines share, kept in
//! PostgreSQL.
//!
//! So far this crate holds the parts every team command stands on: the
//! schema's numbered migrations ([`migrate`]); the job queue that workers
//! on any number of machines take work from ([`Queue`]), with leases that
//! expire when a worker stops answering, so a killed worker loses nothing;
//! the loop a worker runs ([`work`]); the catalog's ingest side
//! ([`PgCatalog`]): ingest's records applied as the embedded catalog
//! applies them, with the same `stats`; and ingest spread over workers as
//! page jobs ([`ingest`]); and the catalog's verification side, so that
//! `verify` runs on a team case (`PgCatalog` implements
//! `leakcheck_store::VerifyCatalog`); and the workbench's side
//! ([`TeamShared`]): its writes, sessions and access log in PostgreSQL, and
//! the local replica a server reads ([`replica`]).
#![warn(missing_docs)]

pub use catalog::PgCatalog;
pub use connect::{PASSWORD_ENV, check_catalog, check_schema, connect, open};
pub use error::{Result, TeamError};
pub use links::Links;
pub use migrate::{MIGRATIONS, migrate};
pub use queue::{Failure, JobState, Lease, LeaseRow, Queue, Status, listen, wait};
pub use workbench::TeamShared;
pub use worker::{WorkSummary, WorkerOptions, work};

mod catalog;
mod connect;
pub mod copy;
mod error;
pub mod ingest;
mod links;
mod migrate;
mod queue;
pub mod replica;
mod search;
mod verify;
pub mod verify_jobs;
mod workbench;
mod worker;
