//! A worker's connections, kept from one job to the next. A connection a
//! job made PostgreSQL start a backend and plan every statement again for
//! each one: on the generator's scale-0.1 dump, a one-worker ingest cost
//! the database 7.3 s of CPU in 97 page jobs, and 3.7 s in 10.
//!
//! A connection whose job failed is dropped rather than kept: it may be
//! broken, or left inside a transaction.

use std::sync::{Arc, Mutex};

use postgres::Client;

use crate::{PgCatalog, Result};

/// The connections a worker's jobs use, opened on first use.
pub struct Links<'a> {
    connect: &'a dyn Fn() -> Result<Client>,
    claims: Option<Arc<Mutex<Client>>>,
    writer: Option<Arc<Mutex<PgCatalog>>>,
    catalog: Option<PgCatalog>,
}

impl<'a> Links<'a> {
    /// Connections opened with `connect` when a job first needs them.
    pub fn new(connect: &'a dyn Fn() -> Result<Client>) -> Links<'a> {
        Links {
            connect,
            claims: None,
            writer: None,
            catalog: None,
        }
    }

    /// Runs `job` with the links it takes; they are kept for the next job
    /// only when it succeeds.
    pub fn with<T>(&mut self, job: impl FnOnce(&mut Links<'a>) -> Result<T>) -> Result<T> {
        let done = job(self);
        if done.is_err() {
            (self.claims, self.writer, self.catalog) = (None, None, None);
        }
        done
    }

    /// The connection ingest claims items on: its commits are not waited
    /// for (a claim lost in a crash only means an item opened twice).
    pub(crate) fn claims(&mut self) -> Result<Arc<Mutex<Client>>> {
        if self.claims.is_none() {
            self.claims = Some(Arc::new(Mutex::new(unhurried((self.connect)()?)?)));
        }
        Ok(self.claims.clone().expect("just set"))
    }

    /// The catalog ingest's records are written to, its commits not waited
    /// for either: a job's records are written again with it, and the job
    /// is finished on a connection that waits.
    pub(crate) fn writer(&mut self) -> Result<Arc<Mutex<PgCatalog>>> {
        if self.writer.is_none() {
            let client = unhurried((self.connect)()?)?;
            self.writer = Some(Arc::new(Mutex::new(PgCatalog::new(client))));
        }
        Ok(self.writer.clone().expect("just set"))
    }

    /// The catalog on a connection whose commits are waited for.
    pub(crate) fn catalog(&mut self) -> Result<&mut PgCatalog> {
        if self.catalog.is_none() {
            self.catalog = Some(PgCatalog::new(custom_plans((self.connect)()?)?));
        }
        Ok(self.catalog.as_mut().expect("just set"))
    }
}

fn unhurried(c: Client) -> Result<Client> {
    let mut c = custom_plans(c)?;
    c.batch_execute("SET synchronous_commit TO off")?;
    Ok(c)
}

/// Kept connections run the same prepared statements many times, and
/// PostgreSQL then plans them once for any parameters: for a batch's rows
/// passed as arrays, a plan made without knowing their length, which made
/// a one-worker ingest slower than with a connection a job.
fn custom_plans(mut c: Client) -> Result<Client> {
    c.batch_execute("SET plan_cache_mode TO force_custom_plan")?;
    Ok(c)
}
