//! `verify` spread over workers. The per-email step (reading each original,
//! DKIM and ARC, dates and headers) grows with the mail and its signatures,
//! and needs no other email: `verify` queues the emails a pass would check as jobs,
//! workers check them and stage their findings, and the pass that follows
//! reads those instead of checking the emails itself, then runs the
//! cross-item checks (duplicates, threads, populations, provenance,
//! near-copies) over the whole case and replaces the last pass at once.
//!
//! A job done twice (its worker was killed) stages the same findings
//! again, in place of the first attempt's: each job's findings are
//! written in one transaction, keyed by run, email and check.

use std::collections::HashMap;

use leakcheck_core::{CheckId, EmailMeta, Finding, ItemId, Verdict};
use leakcheck_store::{Case, VerifyCatalog};
use leakcheck_verify::KeySet;
use postgres::Client;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::catalog::text;
use crate::error::describe;
use crate::ingest::{ATTEMPTS, RunJobs, jobs_of};
use crate::{Lease, Links, Queue, Result, TeamError};

/// The job kind: emails to check.
pub const VERIFY_EMAILS: &str = "verify-emails";

/// What a job carries: its run, and each email with where it was rebuilt
/// from when Outlook properties are all there is of it.
#[derive(Serialize, Deserialize)]
struct Payload {
    run: i64,
    emails: Vec<(String, Option<Value>)>,
}

/// Starts a verification run and queues `emails` (as
/// `leakcheck_verify::emails_to_check` lists them) as jobs of `per_job`
/// emails. Returns the run, how many emails and jobs it queued, and what
/// `emails` returned.
pub fn enqueue<T>(
    connect: &dyn Fn() -> Result<Client>,
    emails: impl FnOnce(
        &mut dyn FnMut(Vec<(ItemId, Option<Value>)>) -> leakcheck_store::Result<()>,
    ) -> leakcheck_store::Result<T>,
    per_job: usize,
    worker: &str,
) -> Result<(i64, u64, u64, T)> {
    let run: i64 = connect()?
        .query_one("INSERT INTO verify_runs DEFAULT VALUES RETURNING id", &[])?
        .get(0);
    let mut queue = Queue::new(connect()?, worker);
    let (mut count, mut jobs) = (0u64, 0u64);
    let listed = emails(&mut |page| {
        for chunk in page.chunks(per_job.max(1)) {
            let payload = Payload {
                run,
                emails: chunk
                    .iter()
                    .map(|(id, origin)| (id.to_string(), origin.clone()))
                    .collect(),
            };
            let payload = serde_json::to_value(payload).expect("a job is plain data");
            queue
                .enqueue(VERIFY_EMAILS, &payload, ATTEMPTS)
                .map_err(|e| leakcheck_store::Error::Team(e.to_string()))?;
            count += chunk.len() as u64;
            jobs += 1;
        }
        Ok(())
    })?;
    Ok((run, count, jobs, listed))
}

/// Where run `run`'s jobs stand.
pub fn state(client: &mut Client, run: i64) -> Result<RunJobs> {
    jobs_of(client, VERIFY_EMAILS, run)
}

/// Emails whose findings run `run`'s workers staged so far.
pub fn checked(client: &mut Client, run: i64) -> Result<u64> {
    let row = client.query_one(
        "SELECT count(DISTINCT item) FROM verify_staged WHERE run = $1",
        &[&run],
    )?;
    Ok(row.get::<_, i64>(0) as u64)
}

/// Does one job: checks its emails with the case's keys on `threads`
/// threads (0: every core), and stages the findings.
pub fn do_emails(case: &Case, links: &mut Links, lease: &Lease, threads: usize) -> Result<()> {
    let Payload { run, emails } = serde_json::from_value(lease.payload.clone())
        .map_err(|e| TeamError::Corrupt(format!("job {}: {e}", lease.id)))?;
    let catalog = links.catalog()?;
    let keys = KeySet::new(catalog.keys()?);
    let ids = emails
        .iter()
        .map(|(id, _)| leakcheck_store::parse_id(id))
        .collect::<leakcheck_store::Result<Vec<ItemId>>>()?;
    let metas: HashMap<ItemId, EmailMeta> = catalog.emails_of(&ids)?.into_iter().collect();
    let mut todo = Vec::with_capacity(ids.len());
    for (id, (_, origin)) in ids.iter().zip(&emails) {
        let meta = metas.get(id).ok_or_else(|| {
            TeamError::Corrupt(format!(
                "job {}: {id} is not an email of the case",
                lease.id
            ))
        })?;
        todo.push((id, meta, origin.as_ref()));
    }
    let found = leakcheck_verify::check_emails(case, &keys, &todo, threads);
    let mut cols: [Vec<String>; 5] = Default::default();
    for (id, findings) in ids.iter().zip(found) {
        // One finding per check, the last made (as the catalog keeps them).
        let mut last: HashMap<CheckId, Finding> = HashMap::new();
        for f in findings {
            last.insert(f.check, f);
        }
        for f in last.into_values() {
            cols[0].push(id.to_string());
            cols[1].push(f.check.as_str().into());
            cols[2].push(f.verdict.as_str().into());
            cols[3].push(text(&f.summary).into_owned());
            cols[4].push(f.evidence.to_string());
        }
    }
    let client = &mut catalog.client;
    let mut tx = client.transaction()?;
    tx.execute(
        "DELETE FROM verify_staged WHERE run = $1 AND item = ANY($2::text[])",
        &[
            &run,
            &emails.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(),
        ],
    )?;
    tx.execute(
        "INSERT INTO verify_staged (run, item, check_id, verdict, summary, evidence)
         SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[])",
        &[&run, &cols[0], &cols[1], &cols[2], &cols[3], &cols[4]],
    )?;
    tx.commit()?;
    Ok(())
}

/// The findings run `run`'s workers staged for these emails, each
/// email's in the order given: what the pass reads in place of checking.
pub fn staged(
    client: &mut Client,
    run: i64,
    ids: &[ItemId],
) -> leakcheck_store::Result<Vec<Vec<Finding>>> {
    let wanted: Vec<&str> = ids.iter().map(|i| i.as_str()).collect();
    let rows = client
        .query(
            "SELECT item, check_id, verdict, summary, evidence FROM verify_staged
             WHERE run = $1 AND item = ANY($2::text[]) ORDER BY item, check_id",
            &[&run, &wanted],
        )
        .map_err(|e| leakcheck_store::Error::Team(describe(&e)))?;
    let mut by_id: HashMap<&str, Vec<Finding>> = HashMap::new();
    for r in &rows {
        let (check, verdict): (&str, &str) = (r.get(1), r.get(2));
        let corrupt = |what: String| leakcheck_store::Error::Corrupt(what);
        let f = Finding {
            check: CheckId::parse(check).ok_or_else(|| corrupt(format!("check {check:?}")))?,
            verdict: Verdict::parse(verdict)
                .ok_or_else(|| corrupt(format!("verdict {verdict:?}")))?,
            summary: r.get(3),
            evidence: serde_json::from_str(r.get(4)).map_err(|e| corrupt(e.to_string()))?,
        };
        by_id.entry(r.get(0)).or_default().push(f);
    }
    // Every email gets a DKIM finding at least: none means no worker
    // checked it, and the pass must not go on as if it had been.
    wanted
        .iter()
        .map(|id| {
            by_id.remove(id).ok_or_else(|| {
                leakcheck_store::Error::Team(format!(
                    "verify run {run}: no worker staged the findings of email {id} \
                     (was the case changed while it ran?)"
                ))
            })
        })
        .collect()
}

/// Ends run `run` once its pass is committed: its staged findings go.
pub fn finish(client: &mut Client, run: i64) -> Result<()> {
    let mut tx = client.transaction()?;
    tx.execute("DELETE FROM verify_staged WHERE run = $1", &[&run])?;
    tx.execute(
        "UPDATE verify_runs SET finished = now() WHERE id = $1",
        &[&run],
    )?;
    tx.commit()?;
    Ok(())
}
