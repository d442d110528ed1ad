use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use leakcheck_core::{ItemId, Record};
use leakcheck_extract::native::DecoderCommand;
use leakcheck_store::scratch::IdMap;
use leakcheck_store::{Case, Custody, CustodyEntry, OpenedWith};
use serde::Serialize;
use serde_json::Value;

use crate::pool::{Finished, Pool, Shared};
use crate::walk::{TopFile, Walked, walk};
use crate::{Result, writer};

/// How to run an ingest.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Note for the custody log (where the dump came from, when).
    pub note: Option<String>,
    /// Who runs it, for the custody log.
    pub operator: Option<String>,
    /// Worker threads; 0 means one per core.
    pub threads: usize,
}

/// How containers that need more than their bytes are opened.
#[derive(Clone, Debug, Default)]
pub struct Openers {
    /// How to start a native decoder's child process (RAR). Without one,
    /// such containers are stored and an item error says why they were not
    /// opened.
    pub decoder: Option<DecoderCommand>,
    /// Passwords to try on encrypted archives, in order.
    pub passwords: Vec<String>,
}

/// Live counters, for a progress bar. All are monotonic.
#[derive(Debug, Default)]
pub struct Progress {
    /// Top-level files found by the walk.
    pub files_total: AtomicU64,
    /// Their bytes.
    pub bytes_total: AtomicU64,
    /// Top-level files finished.
    pub files_done: AtomicU64,
    /// Their bytes.
    pub bytes_done: AtomicU64,
    /// Places recorded so far (files, members, messages, attachments).
    pub places: AtomicU64,
    /// Problems recorded so far.
    pub problems: AtomicU64,
}

/// What one run did, per source.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    /// Each source as recorded in the custody log.
    pub sources: Vec<SourceSummary>,
    /// Places recorded in this run (including ones already known).
    pub places: u64,
    /// Problems recorded in this run.
    pub problems: u64,
    /// Wall-clock seconds.
    pub seconds: f64,
}

/// One source of a run.
#[derive(Clone, Debug, Serialize)]
pub struct SourceSummary {
    /// Absolute path.
    pub path: String,
    /// `file` or `folder`.
    pub kind: String,
    /// SHA-256 of the file, or of the folder manifest.
    pub sha256: Option<String>,
    /// Files in it.
    pub files: u64,
    /// Their bytes.
    pub bytes: u64,
}

/// Top-level files read from the walk's list at once.
const WALK_PAGE: usize = 1024;

/// Records waiting for the catalog writer, at most.
pub(crate) const RECORD_BACKLOG: usize = 2048;

/// Ingests `sources` into `case`. Problems with single items are recorded in
/// the catalog and never stop the run; an `Err` means the run itself failed
/// (unreadable source, catalog error).
pub fn run(
    case: &Case,
    sources: &[PathBuf],
    options: &Options,
    progress: Arc<Progress>,
) -> Result<Summary> {
    run_with(case, sources, options, &Openers::default(), progress)
}

/// [`run`], with a decoder process for native formats and passwords.
pub fn run_with(
    case: &Case,
    sources: &[PathBuf],
    options: &Options,
    openers: &Openers,
    progress: Arc<Progress>,
) -> Result<Summary> {
    let mut plan = plan(case, sources, options)?;
    // Nobody else writes this case's blobs now: what a killed run left
    // half-written can go.
    case.blobs().clean_temp()?;
    let (files, bytes) = plan.totals()?;
    progress.files_total.store(files, Ordering::Relaxed);
    progress.bytes_total.store(bytes, Ordering::Relaxed);
    let threads = if options.threads == 0 {
        thread::available_parallelism().map_or(2, |n| n.get())
    } else {
        options.threads
    };
    // Records carry emails' and documents' fields and texts: a backlog of
    // them waiting for the writer is memory, so it is kept short (the
    // writer still commits up to its whole backlog at once).
    let (record_tx, record_rx) = crossbeam_channel::bounded(RECORD_BACKLOG);
    let mut catalog = case.catalog()?;
    let writer = writer::spawn(move |batch| catalog.apply(batch), record_rx, Duration::ZERO);
    plan.folders(|r| {
        let _ = record_tx.send(r);
    })?;
    let pool = Pool::start(
        Shared {
            blobs: case.blobs().clone(),
            limits: case.settings.limits.clone(),
            records: record_tx,
            claims: Box::new(Mutex::new(done_items(case)?)),
            progress: progress.clone(),
            openers: openers.clone(),
        },
        threads,
        sources.len(),
    );
    // Files go to the workers a page at a time; between pages, the items
    // the finished ones were stored as go back into the list. A failure of
    // the list stops the run once the workers have stopped.
    let mut after = None;
    let mut failed = None;
    loop {
        let page = match plan.page(&mut after, WALK_PAGE) {
            Ok(page) if page.is_empty() => break,
            Ok(page) => page,
            Err(e) => break failed = Some(e),
        };
        for f in page {
            pool.submit(f);
        }
        if let Err(e) = plan.record_items(&pool.take_tops()) {
            break failed = Some(e);
        }
    }
    let Finished {
        tops: last_tops,
        opened,
    } = pool.finish();
    writer.join().expect("catalog writer panicked")?;
    if let Some(e) = failed {
        return Err(e);
    }
    plan.record_items(&last_tops)?;
    // Which occurrence of a container got to open it depends on thread
    // timing; settle the derived paths so a run's result does not.
    case.catalog()?
        .settle_paths(case.settings.limits.max_depth + 2)?;
    plan.finish(
        opened,
        progress.places.load(Ordering::Relaxed),
        progress.problems.load(Ordering::Relaxed),
    )
}

/// A run walked and announced in the custody log. Its files go to workers
/// a page at a time, here or on other machines; [`Plan::finish`] writes
/// what they were stored as into the log.
pub struct Plan {
    walked: Walked,
    sources: Vec<PathBuf>,
    summaries: Vec<SourceSummary>,
    custody: Custody,
    options: Options,
    started: Instant,
}

/// Walks `sources` for `case` and logs the run as started.
pub fn plan(case: &Case, sources: &[PathBuf], options: &Options) -> Result<Plan> {
    let started = Instant::now();
    let walked = walk(sources, case.root())?;
    let mut summaries = Vec::with_capacity(sources.len());
    for (i, p) in sources.iter().enumerate() {
        let (files, bytes) = walked.totals(Some(i))?;
        let abs = std::fs::canonicalize(p).unwrap_or_else(|_| p.clone());
        summaries.push(SourceSummary {
            kind: if abs.is_dir() { "folder" } else { "file" }.into(),
            path: abs.display().to_string(),
            sha256: None,
            files,
            bytes,
        });
    }
    let mut plan = Plan {
        walked,
        sources: sources.to_vec(),
        summaries,
        custody: case.custody()?,
        options: options.clone(),
        started,
    };
    for i in 0..plan.summaries.len() {
        let entry = plan.entry("started", i, Vec::new());
        plan.custody.append(&entry)?;
    }
    Ok(plan)
}

impl Plan {
    /// Files and bytes of all sources.
    pub fn totals(&self) -> Result<(u64, u64)> {
        self.walked.totals(None)
    }

    /// The records of the folders walked (how many files each holds).
    pub fn folders(&self, each: impl FnMut(Record)) -> Result<()> {
        self.walked.for_each_folder(each)
    }

    /// Up to `limit` files after the cursor `after`, which moves past them.
    pub(crate) fn page(
        &self,
        after: &mut Option<(String, String)>,
        limit: usize,
    ) -> Result<Vec<TopFile>> {
        let page = self.walked.page(after.as_ref(), limit)?;
        if let Some(last) = page.last() {
            *after = Some((last.parent.clone(), last.name.clone()));
        }
        Ok(page)
    }

    /// Records the items top-level files (by row) were stored as.
    pub fn record_items(&mut self, items: &[(i64, ItemId)]) -> Result<()> {
        self.walked.record_items(items)
    }

    /// Hashes each source (its manifest, for a folder) and logs the run as
    /// finished, with the containers passwords opened; `places` and
    /// `problems` are the run's counts.
    pub fn finish(
        mut self,
        opened: Vec<(usize, OpenedWith)>,
        places: u64,
        problems: u64,
    ) -> Result<Summary> {
        for i in 0..self.summaries.len() {
            self.summaries[i].sha256 = self.walked.source_hash(&self.sources, i)?;
            let mine = opened
                .iter()
                .filter(|(source, _)| *source == i)
                .map(|(_, o)| o.clone())
                .collect();
            let entry = self.entry("finished", i, mine);
            self.custody.append(&entry)?;
        }
        Ok(Summary {
            sources: self.summaries,
            places,
            problems,
            seconds: self.started.elapsed().as_secs_f64(),
        })
    }

    fn entry(&self, event: &str, i: usize, opened_with: Vec<OpenedWith>) -> CustodyEntry {
        let s = &self.summaries[i];
        CustodyEntry {
            event: event.into(),
            path: s.path.clone(),
            source_kind: s.kind.clone(),
            sha256: s.sha256.clone(),
            size: s.bytes,
            files: s.files,
            time: chrono::Utc::now().to_rfc3339(),
            note: self.options.note.clone(),
            operator: self.options.operator.clone(),
            tool: concat!("leakcheck ", env!("CARGO_PKG_VERSION")).into(),
            opened_with,
        }
    }
}

/// The items an earlier run finished: they are not opened again.
fn done_items(case: &Case) -> Result<IdMap> {
    let mut done = IdMap::new()?;
    let mut page = Vec::with_capacity(WALK_PAGE);
    case.catalog()?.for_each_done_item(|id| {
        page.push((id, Value::Null));
        if page.len() == WALK_PAGE {
            done.insert_new(&std::mem::take(&mut page))?;
        }
        Ok(())
    })?;
    done.insert_new(&page)?;
    Ok(done)
}
