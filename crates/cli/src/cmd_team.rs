//! Team cases: the catalog and job queue in PostgreSQL, ingest spread over
//! `leakcheck worker` processes on any number of machines that see the
//! case folder (its blob store) and the sources at the same paths.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::Args;
use leakcheck_core::words::count;
use leakcheck_store::{Case, TeamSettings, VerifyCatalog};
use leakcheck_team::Links;
use leakcheck_team::ingest::{self, INGEST_PAGE};
use leakcheck_team::verify_jobs::{self, VERIFY_EMAILS};
use leakcheck_team::{PgCatalog, Queue, WorkerOptions};
use postgres::Client;

use crate::cli::{IngestArgs, MigrateArgs, Output, TeamOptions, VerifyArgs};
use crate::common::{json_line, open, operator, stdout};

#[derive(Args, Debug)]
pub struct WorkerArgs {
    /// The team case (its folder: settings and blob store).
    pub case: PathBuf,
    /// Threads for a job (its files, or its emails' checks; default: one per core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Stop once no job is queued or running, instead of waiting for more.
    #[arg(long)]
    pub until_drained: bool,
    /// Seconds a job's lease lasts without a heartbeat: a worker that stops
    /// answering for that long gives its job to the next worker.
    #[arg(long, default_value_t = 60)]
    pub lease_seconds: u64,
    #[command(flatten)]
    pub out: Output,
}

#[derive(Args, Debug)]
pub struct JobsArgs {
    /// The team case.
    pub case: PathBuf,
    #[command(flatten)]
    pub out: Output,
}

/// The team settings `init` was given, checked and migrated.
pub fn team_settings(catalog: Option<&str>, o: &TeamOptions) -> Result<Option<TeamSettings>> {
    let Some(catalog) = catalog.map(str::to_string) else {
        if o.schema.is_some() || o.catalog_password_file.is_some() || o.catalog_ca_file.is_some() {
            bail!(
                "--schema, --catalog-password-file and --catalog-ca-file go with --catalog postgres://..."
            );
        }
        return Ok(None);
    };
    let schema = o.schema.clone();
    leakcheck_team::check_catalog(&catalog)?;
    if let Some(s) = &schema {
        leakcheck_team::check_schema(s)?;
    }
    // Kept as absolute paths: workers start from other folders.
    let absolute = |f: &Option<PathBuf>| {
        f.as_ref()
            .map(|f| std::fs::canonicalize(f).with_context(|| format!("{}", f.display())))
            .transpose()
    };
    let team = TeamSettings {
        catalog,
        schema,
        password_file: absolute(&o.catalog_password_file)?,
        ca_file: absolute(&o.catalog_ca_file)?,
    };
    leakcheck_team::open(&team)
        .with_context(|| format!("creating the team catalog's tables in {}", team.catalog))?;
    Ok(Some(team))
}

/// Adds keys to the case's catalog, embedded or shared; how many were new.
pub fn add_keys(case: &Case, keys: &[leakcheck_core::KeyRecord]) -> Result<usize> {
    Ok(match case.settings.team {
        Some(_) => catalog(case)?.add_keys(keys)?,
        None => case.catalog()?.add_keys(keys)?,
    })
}

/// `leakcheck migrate CASE --to postgres://…`: the embedded catalog copied
/// into PostgreSQL, and the case made a team case.
pub fn migrate(a: MigrateArgs) -> Result<u8> {
    let mut case = open(&a.case)?;
    if case.settings.team.is_some() {
        bail!("{}: already a team case", case.root().display());
    }
    // Brings an older catalog's schema up to date before it is read.
    drop(case.catalog()?);
    let file = case.catalog_file();
    let from = leakcheck_team::copy::open(&file)?;
    let team = team_settings(Some(&a.to), &a.team)?.expect("an address was given");
    let mut client = leakcheck_team::open(&team)?;
    let copied = leakcheck_team::copy::copy(&from, &mut client)
        .with_context(|| format!("copying {} to {}", file.display(), team.catalog))?;
    drop(from);
    case.make_team(team)?;
    let mut out = stdout();
    if a.out.json {
        let tables: serde_json::Map<String, serde_json::Value> = copied
            .iter()
            .map(|(t, n)| (t.to_string(), (*n).into()))
            .collect();
        json_line(
            &mut out,
            &serde_json::json!({"type": "migrate", "tables": tables}),
        )?;
    } else if !a.out.quiet {
        let rows: u64 = copied.iter().map(|(_, n)| n).sum();
        writeln!(
            out,
            "{}: a team case now; {} rows copied ({}), every table's count checked; \
             the SQLite catalog is kept as {}.migrated",
            case.root().display(),
            rows,
            copied
                .iter()
                .filter(|(_, n)| *n > 0)
                .map(|(t, n)| format!("{t} {n}"))
                .collect::<Vec<_>>()
                .join(", "),
            file.display()
        )?;
    }
    out.flush()?;
    Ok(0)
}

/// A team case's database: a first connection (the schema migrated on the
/// way), and how to open more.
fn connector(case: &Case) -> Result<(Client, impl Fn() -> leakcheck_team::Result<Client> + use<>)> {
    let Some(team) = case.settings.team.clone() else {
        bail!(
            "{}: not a team case (it was made without --catalog): workers and jobs are for cases kept in PostgreSQL",
            case.root().display()
        );
    };
    let client = leakcheck_team::open(&team)
        .with_context(|| format!("opening the team catalog {}", team.catalog))?;
    Ok((client, move || leakcheck_team::connect(&team)))
}

/// How long a worker, or a command waiting on workers, waits for news of
/// the queue before looking again: the queue announces jobs queued and
/// settled, but not a lease that expires.
const NEWS: Duration = Duration::from_secs(1);

/// This process's name on leases: host and process id.
fn worker_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "host".into());
    format!("{host}:{}", std::process::id())
}

/// `ingest` on a team case: walks here, queues the pages as jobs, waits
/// for the workers, and finishes the run (custody log, settled paths).
pub fn ingest(case: &Case, a: &IngestArgs) -> Result<u8> {
    let (mut client, connect) = connector(case)?;
    leakcheck_team::listen(&mut client)?;
    let options = leakcheck_ingest::Options {
        note: a.note.clone(),
        operator: operator(),
        threads: a.threads,
    };
    let plan = leakcheck_ingest::plan(case, &a.sources, &options)
        .with_context(|| format!("walking the sources for {}", case.root().display()))?;
    let (files, bytes) = plan.totals()?;
    let passwords = match &a.passwords {
        Some(file) => crate::cmd::read_passwords(file)?,
        None => Vec::new(),
    };
    let (run, jobs) = ingest::enqueue(
        &connect,
        &plan,
        a.job_files as usize,
        &passwords,
        &worker_name(),
    )
    .context("queueing the ingest jobs")?;
    let quiet = a.out.json || a.out.quiet;
    if !quiet {
        eprintln!(
            "ingest run {run}: {} in {} queued; waiting for workers \
             (start them with `leakcheck worker {}`)",
            count(files, "file", "files"),
            count(jobs, "job", "jobs"),
            case.root().display()
        );
    }
    let counters = Arc::new(leakcheck_ingest::Progress::default());
    counters.files_total.store(files, Ordering::Relaxed);
    counters.bytes_total.store(bytes, Ordering::Relaxed);
    let bar = (!quiet && io::stderr().is_terminal())
        .then(|| crate::progress::Bar::start(counters.clone()));
    let state = loop {
        let state = ingest::run_state(&mut client, run)?;
        counters.files_done.store(state.files, Ordering::Relaxed);
        counters.bytes_done.store(state.bytes, Ordering::Relaxed);
        if state.open == 0 {
            break state;
        }
        leakcheck_team::wait(&mut client, NEWS, &["done", "failed"])?;
    };
    if let Some(bar) = bar {
        bar.finish();
    }
    if !state.failed.is_empty() {
        let list: Vec<String> = state
            .failed
            .iter()
            .map(|(id, e)| format!("job {id}: {e}"))
            .collect();
        bail!(
            "ingest run {run}: {} failed after every attempt, so their files are not all in \
             the catalog (run the same ingest again to retry them):\n  {}",
            count(state.failed.len() as u64, "job", "jobs"),
            list.join("\n  ")
        );
    }
    let summary = ingest::finish(&connect, run, plan, case.settings.limits.max_depth)
        .with_context(|| format!("finishing ingest run {run}"))?;
    let stats = PgCatalog::new(client).stats()?;
    let mut out = stdout();
    if a.out.json {
        json_line(
            &mut out,
            &serde_json::json!({"type": "ingest", "run": run, "jobs": jobs, "summary": summary, "stats": stats}),
        )?;
    } else if !a.out.quiet {
        crate::cmd::print_ingested(&mut out, &summary, &stats, case.root())?;
    }
    out.flush()?;
    Ok(if summary.problems > 0 { 1 } else { 0 })
}

/// `verify` on a team case: queues the emails to check as jobs, waits for
/// the workers, then runs the pass on their findings here.
pub fn verify(case: &Case, a: &VerifyArgs) -> Result<leakcheck_verify::Summary> {
    let (mut client, connect) = connector(case)?;
    leakcheck_team::listen(&mut client)?;
    let mut catalog = PgCatalog::new(connect()?);
    let (run, emails, jobs, snapshot) = verify_jobs::enqueue(
        &connect,
        |each| leakcheck_verify::emails_to_check(case, &mut catalog, a.all, each),
        a.job_emails as usize,
        &worker_name(),
    )
    .context("queueing the emails to check")?;
    let quiet = a.out.json || a.out.quiet;
    if !quiet && jobs > 0 {
        eprintln!(
            "verify run {run}: {} in {} queued; waiting for workers \
             (start them with `leakcheck worker {}`)",
            count(emails, "email", "emails"),
            count(jobs, "job", "jobs"),
            case.root().display()
        );
    }
    let show = !quiet && io::stderr().is_terminal();
    let done = std::sync::atomic::AtomicU64::new(0);
    let failed =
        crate::progress::counted(show, "emails checked by workers", emails, &done, || {
            loop {
                let jobs = verify_jobs::state(&mut client, run)?;
                done.store(verify_jobs::checked(&mut client, run)?, Ordering::Relaxed);
                if jobs.open == 0 {
                    return Ok::<_, anyhow::Error>(jobs.failed);
                }
                leakcheck_team::wait(&mut client, NEWS, &["done", "failed"])?;
            }
        })?;
    if !failed.is_empty() {
        let list: Vec<String> = failed
            .iter()
            .map(|(id, e)| format!("job {id}: {e}"))
            .collect();
        bail!(
            "verify run {run}: {} failed after every attempt, so the last pass stands \
             (run verify again to retry):\n  {}",
            count(failed.len() as u64, "job", "jobs"),
            list.join("\n  ")
        );
    }
    let mut staged = connect()?;
    let mut read = |ids: &[leakcheck_core::ItemId]| verify_jobs::staged(&mut staged, run, ids);
    let done = std::sync::atomic::AtomicU64::new(0);
    let total = catalog.email_count()?;
    let summary = crate::progress::counted(show, "emails read", total, &done, || {
        leakcheck_verify::run_staged(case, catalog, a.all, &done, (&snapshot, &mut read))
    })?;
    verify_jobs::finish(&mut client, run)?;
    Ok(summary)
}

/// `leakcheck worker`: takes jobs until stopped (or drained).
pub fn worker(a: WorkerArgs) -> Result<u8> {
    let case = open(&a.case)?;
    let (_, connect) = connector(&case)?;
    let decoder = crate::cmd::decoder_command()?;
    let threads = if a.threads == 0 {
        std::thread::available_parallelism().map_or(2, |n| n.get())
    } else {
        a.threads
    };
    let options = WorkerOptions {
        lease: Duration::from_secs(a.lease_seconds.max(3)),
        kind: None,
        idle: NEWS,
        until_drained: a.until_drained,
    };
    let name = worker_name();
    if !a.out.quiet && !a.out.json {
        eprintln!("worker {name} on {}: taking jobs", case.root().display());
    }
    let mut links = Links::new(&connect);
    let summary = leakcheck_team::work(&connect, &name, &options, |lease| {
        match lease.kind.as_str() {
            INGEST_PAGE => {
                links.with(|l| ingest::do_page(&case, l, lease, Some(decoder.clone()), threads))
            }
            VERIFY_EMAILS => links.with(|l| verify_jobs::do_emails(&case, l, lease, threads)),
            other => return Err(format!("job {}: no worker does {other:?} jobs", lease.id)),
        }
        .map_err(|e| e.to_string())
    })
    .context("the job queue failed")?;
    let mut out = stdout();
    if a.out.json {
        json_line(
            &mut out,
            &serde_json::json!({"worker": name, "finished": summary.finished, "failed": summary.failed, "lost": summary.lost}),
        )?;
    } else if !a.out.quiet {
        writeln!(
            out,
            "worker {name}: {} finished, {} failed, {} lost to an expired lease",
            count(summary.finished, "job", "jobs"),
            summary.failed,
            summary.lost
        )?;
    }
    out.flush()?;
    Ok(if summary.failed > 0 { 1 } else { 0 })
}

/// `leakcheck jobs`: the queue, running leases, failures and throughput.
pub fn jobs(a: JobsArgs) -> Result<u8> {
    let case = open(&a.case)?;
    let (client, _) = connector(&case)?;
    let status = Queue::new(client, worker_name()).status()?;
    let mut out = stdout();
    if a.out.json {
        let leases: Vec<_> = status
            .leases
            .iter()
            .map(|l| serde_json::json!({"job": l.id, "kind": l.kind, "worker": l.worker, "attempt": l.attempt, "seconds_left": l.seconds_left}))
            .collect();
        let failures: Vec<_> = status
            .failures
            .iter()
            .map(|f| serde_json::json!({"job": f.id, "kind": f.kind, "attempts": f.attempts, "error": f.error}))
            .collect();
        json_line(
            &mut out,
            &serde_json::json!({
                "queued": status.queued, "leased": status.leased, "done": status.done,
                "failed": status.failed, "done_last_minute": status.done_last_minute,
                "leases": leases, "failures": failures,
            }),
        )?;
    } else if !a.out.quiet {
        writeln!(
            out,
            "queued {} · running {} · done {} · failed {} · {} done in the last minute",
            status.queued, status.leased, status.done, status.failed, status.done_last_minute
        )?;
        for l in &status.leases {
            let left = if l.seconds_left >= 0.0 {
                format!("lease {:.0}s left", l.seconds_left)
            } else {
                "lease expired: the next worker takes it".to_string()
            };
            writeln!(
                out,
                "  job {} ({}) on {} attempt {}: {left}",
                l.id, l.kind, l.worker, l.attempt
            )?;
        }
        for f in &status.failures {
            writeln!(
                out,
                "  job {} ({}) failed after {}: {}",
                f.id,
                f.kind,
                count(f.attempts as u64, "attempt", "attempts"),
                f.error
            )?;
        }
    }
    out.flush()?;
    Ok(if status.failed > 0 { 1 } else { 0 })
}

/// `stats` on a team case.
pub fn stats(case: &Case, o: &Output) -> Result<u8> {
    let stats = catalog(case)?.stats()?;
    let mut out = stdout();
    if o.json {
        json_line(&mut out, &stats)?;
    } else if !o.quiet {
        crate::cmd::print_stats(&mut out, &stats, case.root())?;
    }
    out.flush()?;
    Ok(0)
}

/// A team case's catalog, for `verify`.
pub fn catalog(case: &Case) -> Result<PgCatalog> {
    Ok(PgCatalog::new(connector(case)?.0))
}

/// `errors` on a team case.
pub fn problems(case: &Case, limit: u64) -> Result<Vec<leakcheck_store::ProblemRow>> {
    Ok(catalog(case)?.problems(limit)?)
}

/// Every item's id and size, for `audit` on a team case.
pub fn all_items(case: &Case) -> Result<Vec<(leakcheck_core::ItemId, u64)>> {
    Ok(catalog(case)?.all_items()?)
}
