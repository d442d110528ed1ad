use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use leakcheck_core::Stage;
use leakcheck_extract::native::{DecoderCommand, Isolation};
use leakcheck_store::scratch::IdMap;
use leakcheck_store::{Case, CustodyEntry, OpenedWith};
use serde::Serialize;
use serde_json::Value;

use crate::walk::walk;
use crate::worker::{Ctx, Data, Unit};
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
const RECORD_BACKLOG: usize = 2048;

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
    let started = Instant::now();
    let mut walked = walk(sources, case.root())?;
    let (files, bytes) = walked.totals(None)?;
    progress.files_total.store(files, Ordering::Relaxed);
    progress.bytes_total.store(bytes, Ordering::Relaxed);
    case.blobs().clean_temp()?;
    let mut custody = case.custody()?;
    let entry = |event: &str, s: &SourceSummary, opened_with: Vec<OpenedWith>| CustodyEntry {
        event: event.into(),
        path: s.path.clone(),
        source_kind: s.kind.clone(),
        sha256: s.sha256.clone(),
        size: s.bytes,
        files: s.files,
        time: chrono::Utc::now().to_rfc3339(),
        note: options.note.clone(),
        operator: options.operator.clone(),
        tool: concat!("leakcheck ", env!("CARGO_PKG_VERSION")).into(),
        opened_with,
    };
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
    for s in &summaries {
        custody.append(&entry("started", s, Vec::new()))?;
    }

    let threads = if options.threads == 0 {
        thread::available_parallelism().map_or(2, |n| n.get())
    } else {
        options.threads
    };
    // Records carry emails' and documents' fields and texts: a backlog of
    // them waiting for the writer is memory, so it is kept short (the
    // writer still commits up to its whole backlog at once).
    let (record_tx, record_rx) = crossbeam_channel::bounded(RECORD_BACKLOG);
    let writer = writer::spawn(case.catalog()?, record_rx);
    let (queue_tx, queue_rx) = crossbeam_channel::bounded::<Option<Unit>>(threads * 4);
    let ctx = Arc::new(Ctx {
        blobs: case.blobs().clone(),
        limits: case.settings.limits.clone(),
        records: record_tx,
        queue: queue_tx,
        claimed: Mutex::new(done_items(case)?),
        pending: AtomicU64::new(0),
        progress: progress.clone(),
        tops: Mutex::new(Vec::new()),
        isolation: openers.decoder.clone().map(|command| Isolation {
            command,
            max_seconds: case.settings.limits.max_store_seconds,
        }),
        passwords: openers.passwords.clone(),
        opened: Mutex::new(Vec::new()),
    });
    walked.for_each_folder(|r| {
        let _ = ctx.records.send(r);
    })?;
    let workers: Vec<_> = (0..threads)
        .map(|i| {
            let ctx = ctx.clone();
            let rx = queue_rx.clone();
            thread::Builder::new()
                .name(format!("ingest-{i}"))
                // Containers inside containers are processed inline when the
                // queue is full, so give nesting room.
                .stack_size(32 << 20)
                .spawn(move || {
                    while let Ok(Some(unit)) = rx.recv() {
                        ctx.process(unit);
                        ctx.pending.fetch_sub(1, Ordering::SeqCst);
                    }
                })
                .expect("spawn ingest worker")
        })
        .collect();
    let budgets: Vec<Arc<AtomicU64>> = (0..sources.len())
        .map(|_| Arc::new(AtomicU64::new(case.settings.limits.max_expanded_bytes)))
        .collect();
    // Files go to the workers a page at a time; between pages, the items
    // the finished ones were stored as go back into the list. A failure of
    // the list stops the run once the workers have stopped.
    let mut after = None;
    let mut failed = None;
    'pages: loop {
        let page = match walked.page(after.as_ref(), WALK_PAGE) {
            Ok(page) => page,
            Err(e) => break failed = Some(e),
        };
        let Some(last) = page.last() else { break };
        after = Some((last.parent.clone(), last.name.clone()));
        for f in page {
            ctx.pending.fetch_add(1, Ordering::SeqCst);
            let data = match f.error {
                Some(why) => Data::Error(Stage::Read, why),
                None => Data::File(f.path.clone()),
            };
            let unit = Unit {
                parent: f.parent,
                path: f.name,
                position: 0,
                display: f.path.display().to_string(),
                depth: 0,
                data,
                extra: f.set.as_ref().map(|(set, n)| set.occurrence_extra(*n)),
                guard: None,
                budget: budgets[f.source].clone(),
                source: f.source,
                top: Some((f.row, f.size)),
                set: f.set,
            };
            if ctx.queue.send(Some(unit)).is_err() {
                break 'pages;
            }
        }
        if let Err(e) = walked.record_items(&std::mem::take(&mut *ctx.tops.lock().unwrap())) {
            break failed = Some(e);
        }
    }
    while ctx.pending.load(Ordering::SeqCst) > 0 {
        thread::sleep(Duration::from_millis(5));
    }
    for _ in 0..threads {
        let _ = ctx.queue.send(None);
    }
    for w in workers {
        if let Err(panic) = w.join() {
            std::panic::resume_unwind(panic);
        }
    }
    let last_tops = std::mem::take(&mut *ctx.tops.lock().unwrap());
    let mut opened = std::mem::take(&mut *ctx.opened.lock().unwrap());
    // Workers finish in any order; the log should not depend on it.
    opened.sort();
    drop(ctx);
    writer.join().expect("catalog writer panicked")?;
    if let Some(e) = failed {
        return Err(e);
    }
    walked.record_items(&last_tops)?;
    // Which occurrence of a container got to open it depends on thread
    // timing; settle the derived paths so a run's result does not.
    case.catalog()?
        .settle_paths(case.settings.limits.max_depth + 2)?;

    for (i, s) in summaries.iter_mut().enumerate() {
        s.sha256 = walked.source_hash(sources, i)?;
        let mine = opened
            .iter()
            .filter(|(source, _)| *source == i)
            .map(|(_, o)| o.clone())
            .collect();
        custody.append(&entry("finished", s, mine))?;
    }
    Ok(Summary {
        sources: summaries,
        places: progress.places.load(Ordering::Relaxed),
        problems: progress.problems.load(Ordering::Relaxed),
        seconds: started.elapsed().as_secs_f64(),
    })
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
