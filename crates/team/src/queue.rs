//! The job queue, kept in PostgreSQL so that workers on many machines can
//! share it: a worker leases the oldest open job with `FOR UPDATE SKIP
//! LOCKED` (two workers never take the same one, and neither waits for the
//! other), keeps the lease alive with heartbeats, and finishes or fails it.
//! A lease nobody renews expires, and the job goes to the next worker that
//! asks: a worker killed at any moment loses nothing, because what it had
//! not finished is done again, and records are keyed so that doing a job
//! twice gives what doing it once does.

use std::time::{Duration, Instant};

use postgres::Client;
use postgres::fallible_iterator::FallibleIterator;
use serde_json::Value;

use crate::{Result, TeamError};

/// A job leased to this worker.
#[derive(Clone, Debug, PartialEq)]
pub struct Lease {
    /// The job.
    pub id: i64,
    /// What to do, as the enqueuer named it.
    pub kind: String,
    /// With what.
    pub payload: Value,
    /// This lease's number among the job's leases (1 for the first).
    pub attempt: i32,
}

/// Where a failed job went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobState {
    /// Back to the queue, for another attempt.
    Queued,
    /// Out of attempts: it stays failed, with its error, for a person.
    Failed,
}

/// A job being worked on.
#[derive(Clone, Debug, PartialEq)]
pub struct LeaseRow {
    /// The job.
    pub id: i64,
    /// Its kind.
    pub kind: String,
    /// The worker holding it.
    pub worker: String,
    /// Its attempt.
    pub attempt: i32,
    /// Seconds until the lease expires (negative: expired, not yet taken).
    pub seconds_left: f64,
}

/// A job out of attempts.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    /// The job.
    pub id: i64,
    /// Its kind.
    pub kind: String,
    /// Leases it had.
    pub attempts: i32,
    /// The last error.
    pub error: String,
}

/// The queue at a glance.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Status {
    /// Waiting for a worker.
    pub queued: u64,
    /// Leased (including expired leases not yet taken again).
    pub leased: u64,
    /// Done.
    pub done: u64,
    /// Out of attempts.
    pub failed: u64,
    /// Jobs done in the last minute.
    pub done_last_minute: u64,
    /// The leases, oldest job first.
    pub leases: Vec<LeaseRow>,
    /// The failed jobs, oldest first.
    pub failures: Vec<Failure>,
}

/// Has `client` told when a job moves: queued (again), leased, done or
/// failed (see [`wait`]). Call it before looking at the queue, so that
/// nothing that happens after the look goes unheard.
pub fn listen(client: &mut Client) -> Result<()> {
    let schema: String = client.query_one("SELECT current_schema()", &[])?.get(0);
    // The schema is checked when the case is opened: plain lowercase.
    client.batch_execute(&format!("LISTEN \"leakcheck jobs {schema}\""))?;
    Ok(())
}

/// Waits until a job has become one of `states` (`queued`, `leased`,
/// `done`, `failed`) since the last wait, or since [`listen`], or until
/// `timeout` has passed: the timeout covers what no statement announces,
/// a lease that expires.
pub fn wait(client: &mut Client, timeout: Duration, states: &[&str]) -> Result<()> {
    let until = Instant::now() + timeout;
    let mut heard = client.notifications();
    loop {
        let left = until.saturating_duration_since(Instant::now());
        match heard.timeout_iter(left).next()? {
            None => return Ok(()),
            Some(n) if states.contains(&n.payload()) => break,
            Some(_) => {}
        }
    }
    // The caller looks at the queue next: what else was heard is seen then.
    while heard.iter().next()?.is_some() {}
    Ok(())
}

/// One worker's (or enqueuer's) handle on the queue: a connection and the
/// name its leases are taken under (`host:pid` is a good one).
pub struct Queue {
    client: Client,
    worker: String,
}

impl Queue {
    /// The queue of the database `client` is connected to, migrated
    /// already (see [`crate::migrate`]).
    pub fn new(client: Client, worker: impl Into<String>) -> Queue {
        Queue {
            client,
            worker: worker.into(),
        }
    }

    /// Has this connection told when a job moves ([`listen`]).
    pub fn listen(&mut self) -> Result<()> {
        listen(&mut self.client)
    }

    /// Waits, at most `timeout`, for a job to be queued ([`wait`]).
    pub fn wait_for_work(&mut self, timeout: Duration) -> Result<()> {
        wait(&mut self.client, timeout, &["queued"])
    }

    /// Adds a job; it may be leased up to `max_attempts` times before it
    /// is left failed.
    pub fn enqueue(&mut self, kind: &str, payload: &Value, max_attempts: i32) -> Result<i64> {
        let row = self.client.query_one(
            "INSERT INTO jobs (kind, payload, max_attempts) VALUES ($1, $2, $3) RETURNING id",
            &[&kind, payload, &max_attempts],
        )?;
        Ok(row.get(0))
    }

    /// Leases the oldest open job (of `kind` only, when given) for `ttl`,
    /// or says there is none. A job whose lease expired is open again,
    /// unless that was its last attempt: then it is failed.
    pub fn lease(&mut self, kind: Option<&str>, ttl: Duration) -> Result<Option<Lease>> {
        let mut tx = self.client.transaction()?;
        // Rows another worker is settling are skipped, not waited for: two
        // workers never wait on each other here.
        tx.execute(
            "UPDATE jobs SET state = 'failed', finished = now(),
                 error = 'its worker ' || leased_by || ' stopped answering on the last of '
                         || attempts || ' attempts (the lease expired)'
             WHERE id IN (
                 SELECT id FROM jobs
                 WHERE state = 'leased' AND lease_until < now() AND attempts >= max_attempts
                 FOR UPDATE SKIP LOCKED)",
            &[],
        )?;
        let row = tx.query_opt(
            "UPDATE jobs SET state = 'leased', leased_by = $1, attempts = attempts + 1,
                 lease_until = now() + make_interval(secs => $2)
             WHERE id = (
                 SELECT id FROM jobs
                 WHERE (state = 'queued' OR (state = 'leased' AND lease_until < now()))
                   AND ($3::text IS NULL OR kind = $3)
                 ORDER BY id
                 FOR UPDATE SKIP LOCKED
                 LIMIT 1)
             RETURNING id, kind, payload, attempts",
            &[&self.worker, &ttl.as_secs_f64(), &kind],
        )?;
        tx.commit()?;
        Ok(row.map(|r| Lease {
            id: r.get(0),
            kind: r.get(1),
            payload: r.get(2),
            attempt: r.get(3),
        }))
    }

    /// Keeps `lease` for `ttl` from now; fails with
    /// [`TeamError::LeaseLost`] when it is no longer this worker's.
    pub fn heartbeat(&mut self, lease: &Lease, ttl: Duration) -> Result<()> {
        let n = self.client.execute(
            "UPDATE jobs SET lease_until = now() + make_interval(secs => $4)
             WHERE id = $1 AND attempts = $2 AND leased_by = $3 AND state = 'leased'",
            &[&lease.id, &lease.attempt, &self.worker, &ttl.as_secs_f64()],
        )?;
        self.held(lease, n)
    }

    /// Marks the job done; fails with [`TeamError::LeaseLost`] (and
    /// changes nothing) when the lease is no longer this worker's.
    pub fn finish(&mut self, lease: &Lease) -> Result<()> {
        let n = self.client.execute(
            "UPDATE jobs SET state = 'done', finished = now(), lease_until = NULL
             WHERE id = $1 AND attempts = $2 AND leased_by = $3 AND state = 'leased'",
            &[&lease.id, &lease.attempt, &self.worker],
        )?;
        self.held(lease, n)
    }

    /// Gives the job back with `error`: queued again while it has attempts
    /// left, else failed.
    pub fn fail(&mut self, lease: &Lease, error: &str) -> Result<JobState> {
        let row = self.client.query_opt(
            "UPDATE jobs SET error = $4, lease_until = NULL,
                 state = CASE WHEN attempts < max_attempts THEN 'queued' ELSE 'failed' END,
                 finished = CASE WHEN attempts < max_attempts THEN NULL ELSE now() END
             WHERE id = $1 AND attempts = $2 AND leased_by = $3 AND state = 'leased'
             RETURNING state",
            &[&lease.id, &lease.attempt, &self.worker, &error],
        )?;
        match row.map(|r| r.get::<_, String>(0)) {
            None => Err(lost(lease)),
            Some(s) if s == "queued" => Ok(JobState::Queued),
            Some(_) => Ok(JobState::Failed),
        }
    }

    /// The queue's counts, its leases and its failures.
    pub fn status(&mut self) -> Result<Status> {
        let mut status = Status::default();
        for r in self
            .client
            .query("SELECT state, count(*) FROM jobs GROUP BY state", &[])?
        {
            let n = r.get::<_, i64>(1) as u64;
            match r.get::<_, &str>(0) {
                "queued" => status.queued = n,
                "leased" => status.leased = n,
                "done" => status.done = n,
                _ => status.failed = n,
            }
        }
        status.done_last_minute = self
            .client
            .query_one(
                "SELECT count(*) FROM jobs
                 WHERE state = 'done' AND finished > now() - interval '1 minute'",
                &[],
            )?
            .get::<_, i64>(0) as u64;
        status.leases = self
            .client
            .query(
                "SELECT id, kind, leased_by, attempts,
                        extract(epoch FROM lease_until - now())::float8
                 FROM jobs WHERE state = 'leased' ORDER BY id",
                &[],
            )?
            .iter()
            .map(|r| LeaseRow {
                id: r.get(0),
                kind: r.get(1),
                worker: r.get(2),
                attempt: r.get(3),
                seconds_left: r.get(4),
            })
            .collect();
        status.failures = self
            .client
            .query(
                "SELECT id, kind, attempts, coalesce(error, '') FROM jobs
                 WHERE state = 'failed' ORDER BY id",
                &[],
            )?
            .iter()
            .map(|r| Failure {
                id: r.get(0),
                kind: r.get(1),
                attempts: r.get(2),
                error: r.get(3),
            })
            .collect();
        Ok(status)
    }

    /// `Ok` when a statement on `lease` changed its row (`n` rows).
    fn held(&self, lease: &Lease, n: u64) -> Result<()> {
        if n == 1 { Ok(()) } else { Err(lost(lease)) }
    }
}

fn lost(lease: &Lease) -> TeamError {
    TeamError::LeaseLost {
        id: lease.id,
        attempt: lease.attempt,
    }
}
