//! Team mode: one case that many people and machines share, kept in
//! PostgreSQL.
//!
//! So far this crate holds the parts every team command stands on: the
//! schema's numbered migrations ([`migrate`]) and the job queue that
//! workers on any number of machines take work from ([`Queue`]), with
//! leases that expire when a worker stops answering, so a killed worker
//! loses nothing.
#![warn(missing_docs)]

pub use error::{Result, TeamError};
pub use migrate::{MIGRATIONS, migrate};
pub use queue::{Failure, JobState, Lease, LeaseRow, Queue, Status};

mod error;
mod migrate;
mod queue;
