//! A run's worker threads: they take top-level files, and everything found
//! inside them, until the run has none left.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crossbeam_channel::{Receiver, Sender};
use leakcheck_core::{ItemId, Limits, Record, Stage};
use leakcheck_extract::native::Isolation;
use leakcheck_store::{BlobStore, OpenedWith};

use crate::claims::Claims;
use crate::walk::TopFile;
use crate::worker::{Ctx, Data, HELD_MAX, Unit};
use crate::{Openers, Progress};

/// What the workers share besides their queue.
pub struct Shared {
    pub blobs: BlobStore,
    pub limits: Limits,
    pub records: Sender<Record>,
    pub claims: Box<dyn Claims>,
    pub progress: Arc<Progress>,
    pub openers: Openers,
}

pub struct Pool {
    ctx: Arc<Ctx>,
    workers: Vec<JoinHandle<()>>,
    /// Bytes each source may still expand to.
    budgets: Vec<Arc<AtomicU64>>,
}

impl Pool {
    pub fn start(shared: Shared, threads: usize, sources: usize) -> Pool {
        let (queue_tx, queue_rx) = crossbeam_channel::bounded::<Option<Unit>>(threads * 4);
        let budgets = (0..sources)
            .map(|_| Arc::new(AtomicU64::new(shared.limits.max_expanded_bytes)))
            .collect();
        let isolation = shared.openers.decoder.map(|command| Isolation {
            command,
            max_seconds: shared.limits.max_store_seconds,
        });
        let ctx = Arc::new(Ctx {
            blobs: shared.blobs,
            limits: shared.limits,
            records: shared.records,
            queue: queue_tx,
            claims: shared.claims,
            pending: AtomicU64::new(0),
            progress: shared.progress,
            tops: Mutex::new(Vec::new()),
            isolation,
            passwords: shared.openers.passwords,
            opened: Mutex::new(Vec::new()),
        });
        let workers = (0..threads)
            .map(|i| {
                let ctx = ctx.clone();
                let rx = queue_rx.clone();
                thread::Builder::new()
                    .name(format!("ingest-{i}"))
                    // Containers inside containers are processed inline when
                    // the queue is full, so give nesting room.
                    .stack_size(32 << 20)
                    .spawn(move || work(&ctx, &rx))
                    .expect("spawn ingest worker")
            })
            .collect();
        Pool {
            ctx,
            workers,
            budgets,
        }
    }

    /// Queues a top-level file (waiting while the queue is full).
    pub fn submit(&self, f: TopFile) {
        self.ctx.pending.fetch_add(1, Ordering::SeqCst);
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
            budget: self.budgets[f.source].clone(),
            source: f.source,
            top: Some((f.row, f.size)),
            set: f.set,
        };
        // The workers hold the receiver until `finish`.
        let _ = self.ctx.queue.send(Some(unit));
    }

    /// The top-level files finished since the last call, with the items
    /// they were stored as.
    pub fn take_tops(&self) -> Vec<(i64, ItemId)> {
        std::mem::take(&mut *self.ctx.tops.lock().unwrap())
    }

    /// Waits for everything queued, stops the threads, and gives the last
    /// finished files and the containers passwords opened (sorted: workers
    /// finish in any order, and the custody log should not depend on it).
    pub fn finish(self) -> Finished {
        while self.ctx.pending.load(Ordering::SeqCst) > 0 {
            thread::sleep(Duration::from_millis(5));
        }
        for _ in 0..self.workers.len() {
            let _ = self.ctx.queue.send(None);
        }
        for w in self.workers {
            if let Err(panic) = w.join() {
                std::panic::resume_unwind(panic);
            }
        }
        let tops = std::mem::take(&mut *self.ctx.tops.lock().unwrap());
        let mut opened = std::mem::take(&mut *self.ctx.opened.lock().unwrap());
        opened.sort();
        Finished { tops, opened }
    }
}

/// A worker thread's loop: it loads the units waiting (their bytes stored,
/// their places recorded), up to what one claim covers, then claims and
/// opens them, until it is told to stop.
fn work(ctx: &Ctx, rx: &Receiver<Option<Unit>>) {
    let most = ctx.claims.batch().max(1);
    let mut next = rx.recv().ok().flatten();
    while let Some(first) = next.take() {
        let (mut batch, mut units, mut held) = (Vec::new(), 0u64, 0u64);
        let mut stop = false;
        let mut unit = Some(first);
        while let Some(u) = unit.take() {
            units += 1;
            if let Some(loaded) = ctx.load_unit(u) {
                held += loaded.held();
                batch.push(loaded);
            }
            if batch.len() < most && held < HELD_MAX {
                match rx.try_recv() {
                    Ok(Some(u)) => unit = Some(u),
                    Ok(None) => stop = true,
                    Err(_) => {}
                }
            }
        }
        ctx.open_all(batch);
        ctx.pending.fetch_sub(units, Ordering::SeqCst);
        ctx.flush();
        if !stop {
            next = rx.recv().ok().flatten();
        }
    }
}

/// What a pool leaves when it stops.
pub struct Finished {
    /// Top-level files finished since the last `take_tops`, with their items.
    pub tops: Vec<(i64, ItemId)>,
    /// Containers passwords opened, with their source's number.
    pub opened: Vec<(usize, OpenedWith)>,
}
