//! A worker's loop: lease a job, do it while a second connection keeps the
//! lease alive, finish or fail it, and ask for the next. What `leakcheck
//! worker` will run; killing its process at any moment loses nothing, as
//! the lease it held expires and the job is done again by whoever asks
//! next.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use postgres::Client;

use crate::{JobState, Lease, Queue, Result, TeamError};

/// How a worker runs.
#[derive(Clone, Debug)]
pub struct WorkerOptions {
    /// How long a lease lasts without a heartbeat. Heartbeats come three
    /// times a lease, so a worker is given up on after about one.
    pub lease: Duration,
    /// Only jobs of this kind, when given.
    pub kind: Option<String>,
    /// How long to wait for news of a job before asking again when none is
    /// open: the queue tells its listeners when a job is queued, so this
    /// only bounds how long an expired lease waits for a worker.
    pub idle: Duration,
    /// Stop once no job is queued or leased (rather than wait for more).
    pub until_drained: bool,
}

/// What a worker did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorkSummary {
    /// Jobs it finished.
    pub finished: u64,
    /// Jobs it gave back with an error.
    pub failed: u64,
    /// Jobs whose lease it lost before it could finish them.
    pub lost: u64,
}

/// Runs jobs with `handle` until stopped (see [`WorkerOptions`]). Each of
/// `connect`'s clients is used by one thread: the loop's, and the
/// heartbeat's. An error from `handle` fails the job (queued again while it
/// has attempts left); an error from the database stops the worker.
pub fn work(
    connect: impl Fn() -> Result<Client>,
    name: &str,
    options: &WorkerOptions,
    mut handle: impl FnMut(&Lease) -> std::result::Result<(), String>,
) -> Result<WorkSummary> {
    let mut queue = Queue::new(connect()?, name);
    queue.listen()?;
    let current: Arc<Mutex<Option<Lease>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let heartbeat = {
        let (mut queue, current, stop) =
            (Queue::new(connect()?, name), current.clone(), stop.clone());
        let (lease, beat) = (options.lease, options.lease / 3);
        thread::spawn(move || -> Result<()> {
            while !stop.load(Ordering::Relaxed) {
                thread::sleep(beat);
                let held = current.lock().unwrap().clone();
                if let Some(held) = held {
                    match queue.heartbeat(&held, lease) {
                        // Lost: the loop finds out when it finishes the job.
                        Ok(()) | Err(TeamError::LeaseLost { .. }) => {}
                        Err(e) => return Err(e),
                    }
                }
            }
            Ok(())
        })
    };
    let mut summary = WorkSummary::default();
    let outcome = (|| -> Result<()> {
        loop {
            if heartbeat.is_finished() {
                return Ok(()); // its error is reported below
            }
            let Some(lease) = queue.lease(options.kind.as_deref(), options.lease)? else {
                if options.until_drained {
                    let status = queue.status()?;
                    if status.queued == 0 && status.leased == 0 {
                        return Ok(());
                    }
                }
                queue.wait_for_work(options.idle)?;
                continue;
            };
            *current.lock().unwrap() = Some(lease.clone());
            let done = handle(&lease);
            *current.lock().unwrap() = None;
            let recorded = match done {
                Ok(()) => queue.finish(&lease).map(|()| summary.finished += 1),
                Err(why) => queue.fail(&lease, &why).map(|state| {
                    summary.failed += u64::from(state == JobState::Failed);
                }),
            };
            match recorded {
                Err(TeamError::LeaseLost { .. }) => summary.lost += 1,
                other => other?,
            }
        }
    })();
    stop.store(true, Ordering::Relaxed);
    let beat = heartbeat.join().expect("heartbeat thread panicked");
    outcome?;
    beat?;
    Ok(summary)
}
