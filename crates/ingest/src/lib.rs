//! Ingest: sources in, catalog records out.
//!
//! [`run`] walks the sources ([`walk`]), hands each file to a pool of workers
//! that hash it, store it, detect its kind and expand it ([`worker`]), and
//! funnels every [`Record`](leakcheck_core::Record) through one writer thread
//! into the catalog ([`writer`]). Every record is keyed by its place, so a
//! second run (after a crash or on the same sources) converges on the same
//! catalog; items marked done are not opened again.
#![warn(missing_docs)]

pub use claims::Claims;
pub use error::{IngestError, Result};
pub use job::{JobFile, JobSet, JobVolume, PageJob, PageOutcome, run_page};
pub use ocr::{OcrProgress, OcrSummary};
pub use run::{Openers, Options, Plan, Progress, SourceSummary, Summary, plan, run, run_with};

mod claims;
mod done;
mod error;
mod job;
mod limited;
pub mod ocr;
mod pool;
mod run;
mod volumes;
mod walk;
mod worker;
mod writer;
