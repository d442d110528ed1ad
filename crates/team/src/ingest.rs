//! `ingest` on a team case: the walk's list cut into page jobs that
//! workers on any machine do ([`do_page`]), and the run finished once they
//! are all done ([`finish`]): the same catalog and custody log as one
//! embedded run of the same sources.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use leakcheck_core::{ItemId, Record};
use leakcheck_extract::native::DecoderCommand;
use leakcheck_ingest::{Claims, Openers, PageJob, Plan, Summary, run_page};
use leakcheck_store::{Case, OpenedWith, parse_id};
use postgres::{Client, Statement};
use serde::{Deserialize, Serialize};

use crate::{Lease, Links, PgCatalog, Queue, Result, TeamError};

/// The kind of an ingest page job.
pub const INGEST_PAGE: &str = "ingest-page";

/// Leases a page job may have before it is left failed.
pub(crate) const ATTEMPTS: i32 = 3;

/// Folder records applied at once.
const FOLDER_BATCH: usize = 4096;

/// A page job's payload.
#[derive(Serialize, Deserialize)]
struct Payload {
    run: i64,
    page: PageJob,
    /// The passwords `ingest --passwords` was given: those a leak is
    /// published with, for the archives it locks.
    passwords: Vec<String>,
}

/// Starts a run: records the folders walked and queues the pages of at
/// most `page_files` files. Gives the run's number and its jobs.
pub fn enqueue(
    connect: &dyn Fn() -> Result<Client>,
    plan: &Plan,
    page_files: usize,
    passwords: &[String],
    worker: &str,
) -> Result<(i64, u64)> {
    let mut catalog = PgCatalog::new(connect()?);
    let mut folders = Vec::new();
    plan.folders(|r| folders.push(r))?;
    for batch in folders.chunks(FOLDER_BATCH) {
        catalog.apply(batch)?;
    }
    let run: i64 = connect()?
        .query_one("INSERT INTO ingest_runs DEFAULT VALUES RETURNING id", &[])?
        .get(0);
    let mut queue = Queue::new(connect()?, worker);
    let mut jobs = 0;
    plan.jobs(page_files, |page| {
        let payload = Payload {
            run,
            page,
            passwords: passwords.to_vec(),
        };
        let payload = serde_json::to_value(payload).expect("a page job is plain data");
        queue
            .enqueue(INGEST_PAGE, &payload, ATTEMPTS)
            .map_err(|e| leakcheck_ingest::IngestError::Catalog(e.to_string()))?;
        jobs += 1;
        Ok(())
    })?;
    Ok((run, jobs))
}

/// Where a run's jobs stand.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RunState {
    /// Jobs queued or leased.
    pub open: u64,
    /// Jobs done.
    pub done: u64,
    /// Jobs out of attempts, with their last error.
    pub failed: Vec<(i64, String)>,
    /// Top-level files of the done jobs.
    pub files: u64,
    /// Their bytes.
    pub bytes: u64,
}

/// Where run `run`'s jobs stand.
pub fn run_state(client: &mut Client, run: i64) -> Result<RunState> {
    let RunJobs { open, done, failed } = jobs_of(client, INGEST_PAGE, run)?;
    let files = client.query_one(
        "SELECT coalesce(sum(files), 0)::bigint, coalesce(sum(bytes), 0)::bigint
         FROM ingest_pages WHERE run = $1",
        &[&run],
    )?;
    Ok(RunState {
        open,
        done,
        failed,
        files: files.get::<_, i64>(0) as u64,
        bytes: files.get::<_, i64>(1) as u64,
    })
}

/// Where the jobs of one run stand.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunJobs {
    /// Jobs queued or leased.
    pub open: u64,
    /// Jobs done.
    pub done: u64,
    /// Jobs out of attempts, with their last error.
    pub failed: Vec<(i64, String)>,
}

/// The jobs of `kind` that run `run` queued.
pub(crate) fn jobs_of(client: &mut Client, kind: &str, run: i64) -> Result<RunJobs> {
    let row = client.query_one(
        "SELECT count(*) FILTER (WHERE state IN ('queued', 'leased')),
                count(*) FILTER (WHERE state = 'done')
         FROM jobs WHERE kind = $1 AND (payload ->> 'run')::bigint = $2",
        &[&kind, &run],
    )?;
    let failed = client
        .query(
            "SELECT id, coalesce(error, '') FROM jobs
             WHERE kind = $1 AND (payload ->> 'run')::bigint = $2 AND state = 'failed'
             ORDER BY id",
            &[&kind, &run],
        )?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    Ok(RunJobs {
        open: row.get::<_, i64>(0) as u64,
        done: row.get::<_, i64>(1) as u64,
        failed,
    })
}

/// Finishes run `run` once its jobs are done: settles display paths (as
/// an embedded run does) and writes the custody log's `finished` entries
/// from what the workers stored.
pub fn finish(
    connect: &dyn Fn() -> Result<Client>,
    run: i64,
    mut plan: Plan,
    max_depth: u32,
) -> Result<Summary> {
    let client = &mut connect()?;
    let state = run_state(client, run)?;
    if state.open > 0 || !state.failed.is_empty() {
        return Err(TeamError::Config(format!(
            "ingest run {run} is not done: {} jobs open, {} failed",
            state.open,
            state.failed.len()
        )));
    }
    // A page at a time: a run of a million files has a million of them.
    let mut after = -1i64;
    loop {
        let tops = client
            .query(
                "SELECT row, item FROM ingest_tops WHERE run = $1 AND row > $2
                 ORDER BY row LIMIT 4096",
                &[&run, &after],
            )?
            .iter()
            .map(|r| Ok((r.get::<_, i64>(0), id(&r.get::<_, String>(1))?)))
            .collect::<Result<Vec<(i64, ItemId)>>>()?;
        let Some((last, _)) = tops.last() else { break };
        after = *last;
        plan.record_items(&tops)?;
    }
    let mut opened = client
        .query(
            "SELECT source, opened FROM ingest_opened WHERE run = $1",
            &[&run],
        )?
        .iter()
        .map(|r| {
            let o: OpenedWith = serde_json::from_str(&r.get::<_, String>(1))
                .map_err(|e| TeamError::Corrupt(format!("ingest_opened: {e}")))?;
            Ok((r.get::<_, i32>(0) as usize, o))
        })
        .collect::<Result<Vec<_>>>()?;
    opened.sort();
    let counts = client.query_one(
        "SELECT coalesce(sum(places), 0)::bigint, coalesce(sum(problems), 0)::bigint
         FROM ingest_pages WHERE run = $1",
        &[&run],
    )?;
    PgCatalog::new(connect()?).settle_paths(max_depth + 2)?;
    client.execute(
        "UPDATE ingest_runs SET finished = now() WHERE id = $1",
        &[&run],
    )?;
    Ok(plan.finish(
        opened,
        counts.get::<_, i64>(0) as u64,
        counts.get::<_, i64>(1) as u64,
    )?)
}

fn id(s: &str) -> Result<ItemId> {
    parse_id(s).map_err(|e| TeamError::Corrupt(format!("item id {s:?}: {e}")))
}

/// Who opens an item among the workers: the job that claims it first.
/// A later attempt of the same job takes its claims back (the earlier one
/// died), and so does any job once the holder failed for good; an item
/// already done is never opened again.
struct PgClaims {
    client: Arc<Mutex<Client>>,
    claim: Statement,
    job: i64,
    attempt: i32,
}

/// Claims a batch: ids in order, so that two workers claiming the same
/// ones never wait on each other in a cycle.
const CLAIM: &str = "INSERT INTO ingest_claims AS c (item, job, attempt)
     SELECT i, $2, $3 FROM (SELECT DISTINCT unnest($1::text[]) AS i) AS ids
     WHERE NOT EXISTS (SELECT 1 FROM items WHERE id = i AND done = 1)
     ORDER BY i
     ON CONFLICT (item) DO UPDATE SET job = excluded.job, attempt = excluded.attempt
     WHERE (c.job = excluded.job AND c.attempt < excluded.attempt)
        OR (c.job <> excluded.job AND NOT EXISTS (
              SELECT 1 FROM jobs j WHERE j.id = c.job AND j.state IN ('queued', 'leased')))
     RETURNING item";

/// Items claimed in one round trip. A round trip an item (10,000 on the
/// generator's scale-0.1 dump) kept a one-thread worker waiting on the
/// database for each of them.
const CLAIM_BATCH: usize = 64;

impl Claims for PgClaims {
    fn claim(&self, ids: &[ItemId]) -> std::result::Result<Vec<bool>, String> {
        let text: Vec<&str> = ids.iter().map(|id| id.as_str()).collect();
        let mut got: HashSet<String> = self
            .client
            .lock()
            .unwrap()
            .query(&self.claim, &[&text, &self.job, &self.attempt])
            .map_err(|e| e.to_string())?
            .iter()
            .map(|r| r.get(0))
            .collect();
        Ok(text.iter().map(|id| got.remove(*id)).collect())
    }

    fn batch(&self) -> usize {
        CLAIM_BATCH
    }
}

/// Does one page job: its files go through ingest here with `threads`
/// threads, their bytes into the case's blob store and their records into
/// the shared catalog; what the custody log needs is kept with the run.
pub fn do_page(
    case: &Case,
    links: &mut Links,
    lease: &Lease,
    decoder: Option<DecoderCommand>,
    threads: usize,
) -> Result<()> {
    let Payload {
        run,
        page,
        passwords,
    } = serde_json::from_value(lease.payload.clone())
        .map_err(|e| TeamError::Corrupt(format!("job {}: {e}", lease.id)))?;
    let openers = Openers { decoder, passwords };
    let (files, bytes) = (
        page.files.len() as i64,
        page.files.iter().map(|f| f.size as i64).sum::<i64>(),
    );
    let client = links.claims()?;
    let claim = client.lock().unwrap().prepare(CLAIM)?;
    let claims = PgClaims {
        client,
        claim,
        job: lease.id,
        attempt: lease.attempt,
    };
    let writer = links.writer()?;
    let outcome = run_page(
        case,
        page,
        &openers,
        Box::new(claims),
        threads,
        move |batch: &[Record]| {
            writer
                .lock()
                .unwrap()
                .apply(batch)
                .map_err(|e| e.to_string())
        },
    )?;
    let mut tx = links.catalog()?.client.transaction()?;
    let (rows, items): (Vec<i64>, Vec<String>) = outcome
        .tops
        .iter()
        .map(|(row, item)| (*row, item.to_string()))
        .unzip();
    tx.execute(
        "INSERT INTO ingest_tops (run, row, item)
         SELECT $1, * FROM unnest($2::bigint[], $3::text[])
         ON CONFLICT (run, row) DO UPDATE SET item = excluded.item",
        &[&run, &rows, &items],
    )?;
    for (source, opened) in &outcome.opened {
        tx.execute(
            "INSERT INTO ingest_opened (run, source, opened) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
            &[
                &run,
                &(*source as i32),
                &serde_json::to_string(opened).expect("plain data"),
            ],
        )?;
    }
    tx.execute(
        "INSERT INTO ingest_pages (run, job, files, bytes, places, problems)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (job) DO UPDATE SET places = excluded.places, problems = excluded.problems",
        &[
            &run,
            &lease.id,
            &files,
            &bytes,
            &(outcome.places as i64),
            &(outcome.problems as i64),
        ],
    )?;
    tx.commit()?;
    Ok(())
}
