//! One item's journey: bytes → blob store → kind → records → members.

use std::cell::RefCell;
use std::fs::File;
use std::io::{BufReader, Cursor, Read, Seek};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crossbeam_channel::{Sender, TrySendError};
use leakcheck_core::{ItemId, Kind, Limits, Record, Stage};
use leakcheck_extract::native::Isolation;
use leakcheck_extract::readers::rar::{RarSource, Volume};
use leakcheck_extract::{self as extract, Flow, Listing, Member, MemberData, SNIFF_LEN, guard};
use leakcheck_store::{BlobStore, OpenedWith, Spooled};
use serde_json::Value;

use crate::Progress;
use crate::claims::Claims;
use crate::done::DoneGuard;
use crate::limited::Limited;
use crate::volumes::VolumeSet;

/// Items up to this size are handled in memory; larger ones are streamed
/// through the blob store and read back from there.
const INLINE_MAX: u64 = 16 << 20;

/// Shared by all workers of a run.
pub struct Ctx {
    pub blobs: BlobStore,
    pub limits: Limits,
    pub records: Sender<Record>,
    pub queue: Sender<Option<Unit>>,
    /// Who opens which item.
    pub claims: Box<dyn Claims>,
    pub pending: AtomicU64,
    pub progress: Arc<Progress>,
    /// Top-level files' rows in the walk's list and their items, until
    /// the list records them (for the custody manifest).
    pub tops: Mutex<Vec<(i64, ItemId)>>,
    /// How native decoders run (in a child process), when configured.
    pub isolation: Option<Isolation>,
    /// Passwords to try on encrypted archives.
    pub passwords: Vec<String>,
    /// Containers that passwords opened, with their source's number, for
    /// the custody log.
    pub opened: Mutex<Vec<(usize, OpenedWith)>>,
}

/// A place to process: where it is, and how to get its bytes.
pub struct Unit {
    pub parent: String,
    pub path: String,
    pub position: u64,
    pub display: String,
    pub depth: u32,
    pub data: Data,
    pub extra: Option<Value>,
    /// The container's guard: it is not done until this unit is.
    pub guard: Option<Arc<DoneGuard>>,
    /// Bytes this top-level source may still expand to.
    pub budget: Arc<AtomicU64>,
    /// The number of the source (as given to ingest) it comes from.
    pub source: usize,
    /// Set on files named by the walk: their row in its list and size
    /// (for custody and progress).
    pub top: Option<(i64, u64)>,
    /// The volume set a top-level file belongs to, and its number in it.
    pub set: Option<(Arc<VolumeSet>, u32)>,
}

pub enum Data {
    File(PathBuf),
    Bytes(Vec<u8>),
    Stored(ItemId, u64),
    Error(Stage, String),
}

/// An item's bytes once stored: in memory when small, else in the blob store.
struct Body {
    id: ItemId,
    size: u64,
    /// Shared so that a document reader's thread can hold it without a copy.
    mem: Option<Arc<Vec<u8>>>,
}

/// Loaded units a thread may hold for one claim, by their bytes in memory.
pub(crate) const HELD_MAX: u64 = 64 << 20;

/// Units a thread loaded but has not claimed yet. Kept per thread because
/// members are found deep inside a container's reader, which has only the
/// shared context to hand them to; each pool thread holds its own, and
/// flushes them before it waits for more work.
#[derive(Default)]
struct Held {
    units: Vec<Loaded>,
    bytes: u64,
}

thread_local! {
    static HELD: RefCell<Held> = RefCell::default();
}

/// A unit whose bytes are stored and whose place is recorded, waiting
/// for the claim that says whether it is opened here.
pub struct Loaded {
    body: Body,
    kind: Kind,
    /// Bytes before a self-extracting archive's own.
    stub: u64,
    /// Why its kind could not be read, when it could not.
    unread: Option<String>,
    ext: String,
    file_name: String,
    /// The kind its name promises, for the kinds that are checked.
    named: Option<Kind>,
    /// An earlier PDF revision, not cut into revisions again.
    derived: bool,
    display: String,
    depth: u32,
    guard: Option<Arc<DoneGuard>>,
    budget: Arc<AtomicU64>,
    source: usize,
    set: Option<(Arc<VolumeSet>, u32)>,
}

impl Loaded {
    /// Bytes it keeps in memory until it is opened.
    pub fn held(&self) -> u64 {
        self.body.mem.as_ref().map_or(0, |m| m.len() as u64)
    }
}

trait ReadSeek: Read + Seek {}
impl<T: Read + Seek> ReadSeek for T {}

impl Ctx {
    fn send(&self, r: Record) {
        // The writer lives until every sender is dropped.
        let _ = self.records.send(r);
    }

    fn item_error(&self, id: &ItemId, stage: Stage, reason: String) {
        self.progress.problems.fetch_add(1, Ordering::Relaxed);
        self.send(Record::ItemError {
            id: id.clone(),
            stage,
            reason,
        });
    }

    /// Queues a unit for any worker, or takes it on here when the queue is
    /// full: work is shared without ever blocking a worker on another.
    /// Taken on here, it is loaded now and opened with the next batch this
    /// thread claims ([`Ctx::flush`]).
    pub fn dispatch(&self, unit: Unit) {
        self.pending.fetch_add(1, Ordering::SeqCst);
        match self.queue.try_send(Some(unit)) {
            Ok(()) => {}
            Err(TrySendError::Full(Some(unit)) | TrySendError::Disconnected(Some(unit))) => {
                match self.load_unit(unit) {
                    Some(loaded) => self.hold(loaded),
                    None => {
                        self.pending.fetch_sub(1, Ordering::SeqCst);
                    }
                }
            }
            Err(_) => unreachable!("dispatch sends Some"),
        }
    }

    /// Keeps a loaded unit for this thread's next claim, claiming at once
    /// when the batch is full.
    fn hold(&self, loaded: Loaded) {
        let full = HELD.with_borrow_mut(|held| {
            held.bytes += loaded.held();
            held.units.push(loaded);
            held.units.len() >= self.claims.batch() || held.bytes >= HELD_MAX
        });
        if full {
            self.flush();
        }
    }

    /// Claims and opens what this thread holds, and what opening that
    /// makes it hold, until it holds nothing.
    pub fn flush(&self) {
        loop {
            let batch = HELD.with_borrow_mut(|held| {
                held.bytes = 0;
                std::mem::take(&mut held.units)
            });
            if batch.is_empty() {
                return;
            }
            let n = batch.len() as u64;
            self.open_all(batch);
            self.pending.fetch_sub(n, Ordering::SeqCst);
        }
    }

    /// Claims the items of `batch` at once, and opens those this worker
    /// got: a claim in a shared catalog is a round trip, paid once a batch.
    /// Each unit is done (no longer pending) once opened.
    pub fn open_all(&self, batch: Vec<Loaded>) {
        let ids: Vec<ItemId> = batch.iter().map(|l| l.body.id.clone()).collect();
        let claims = self.claims.claim(&ids);
        for (i, loaded) in batch.into_iter().enumerate() {
            let claim = match &claims {
                Ok(got) => got
                    .get(i)
                    .copied()
                    .ok_or_else(|| format!("{} answers for {} items", got.len(), ids.len())),
                Err(e) => Err(e.clone()),
            };
            self.open(loaded, claim);
        }
    }

    /// Stores a unit's bytes and records its place: what comes before the
    /// claim that decides whether it is opened here. `None` when there is
    /// nothing to open (its bytes could not be had).
    pub fn load_unit(&self, unit: Unit) -> Option<Loaded> {
        let Unit {
            parent,
            path,
            position,
            display,
            depth,
            data,
            extra,
            guard: parent_guard,
            budget,
            source,
            top,
            set,
        } = unit;
        let loaded = self.load(data);
        if let Some((row, size)) = &top {
            if let Ok(body) = &loaded {
                self.tops.lock().unwrap().push((*row, body.id.clone()));
            }
            self.progress.files_done.fetch_add(1, Ordering::Relaxed);
            self.progress.bytes_done.fetch_add(*size, Ordering::Relaxed);
        }
        self.progress.places.fetch_add(1, Ordering::Relaxed);
        let body = match loaded {
            Ok(b) => b,
            Err(error) => {
                self.progress.problems.fetch_add(1, Ordering::Relaxed);
                self.send(Record::Occurrence {
                    parent,
                    path,
                    position,
                    display,
                    depth,
                    item: None,
                    error: Some(error),
                    extra,
                });
                return None;
            }
        };
        let (kind, unread) = self.kind_of(&body);
        let (kind, stub) = match kind {
            Kind::Binary => self.self_extracting(&body),
            k => (k, 0),
        };
        let ext = extension(&path).to_string();
        let file_name = path.rsplit(['/', '\\']).next().unwrap_or(&path).to_string();
        let named = Kind::expected_for_extension(&ext);
        // An earlier PDF revision is not cut into revisions again.
        let derived = extra.as_ref().is_some_and(|e| e.get("derived").is_some());
        self.send(Record::Item {
            id: body.id.clone(),
            size: body.size,
            kind,
        });
        self.send(Record::Occurrence {
            parent,
            path,
            position,
            display: display.clone(),
            depth,
            item: Some(body.id.clone()),
            error: None,
            extra,
        });
        Some(Loaded {
            body,
            kind,
            stub,
            unread,
            ext,
            file_name,
            named,
            derived,
            display,
            depth,
            guard: parent_guard,
            budget,
            source,
            set,
        })
    }

    /// Opens a loaded unit's item when `claim` says this worker should
    /// (it expands an archive, reads an email) and keeps what it holds.
    pub fn open(&self, loaded: Loaded, claim: Result<bool, String>) {
        let Loaded {
            body,
            kind,
            stub,
            unread,
            ext,
            file_name,
            named,
            derived,
            display,
            depth,
            guard: parent_guard,
            budget,
            source,
            set,
        } = loaded;
        match claim {
            Ok(true) => {}
            Ok(false) => return, // seen before: its contents are (being) recorded once
            // Opening it again is harmless (records are keyed by place),
            // so it is opened, and the failure said.
            Err(e) => self.item_error(
                &body.id,
                Stage::Read,
                format!("ingest's list of items opened could not be read ({e}); opened anyway"),
            ),
        }
        let guard = DoneGuard::new(body.id.clone(), self.records.clone(), parent_guard);
        if let Some(why) = unread {
            self.item_error(&body.id, Stage::Read, format!("{why}; taken as {kind}"));
        }
        if let Some(expected) = named.filter(|k| *k != kind) {
            self.item_error(
                &body.id,
                Stage::Parse,
                format!(
                    "named .{} but not {}: its bytes are {kind}",
                    ext,
                    match expected {
                        Kind::Pst => "an Outlook store (PST)",
                        _ => "an Outlook message",
                    }
                ),
            );
        }
        if kind.is_expanded_container() && depth >= self.limits.max_depth {
            self.item_error(
                &body.id,
                Stage::Limit,
                format!(
                    "nested {depth} levels deep (max_depth is {}): stored but not opened",
                    self.limits.max_depth
                ),
            );
            return;
        }
        let parent = Parent {
            id: &body.id,
            display: &display,
            depth,
            guard: &guard,
            budget: &budget,
            source,
        };
        match kind {
            Kind::Email => self.email(&body, &parent),
            Kind::Mbox => self.container(&body, kind, &parent, |r, sink| {
                extract::readers::mbox::expand(
                    BufReader::with_capacity(64 << 10, r),
                    self.limits.max_item_bytes,
                    sink,
                )
            }),
            Kind::Zip => self.container(&body, kind, &parent, |r, sink| {
                extract::readers::zip::expand(r, &self.passwords, sink)
            }),
            Kind::Tar => self.container(&body, kind, &parent, |r, sink| {
                extract::readers::tar::expand(r, sink)
            }),
            Kind::Gzip => {
                let size = body.size;
                self.container(&body, kind, &parent, |r, sink| {
                    extract::readers::gzip::expand(r, size, sink)
                })
            }
            Kind::SevenZip => self.container(&body, kind, &parent, |r, sink| {
                extract::readers::sevenz::expand(
                    extract::readers::sfx::Offset::new(r, stub)?,
                    &self.passwords,
                    sink,
                )
            }),
            Kind::Tnef | Kind::Emlx if body.size > self.limits.max_email_bytes => self.item_error(
                &body.id,
                Stage::Limit,
                format!(
                    "{} bytes: larger than max_email_bytes ({}); stored but not opened",
                    body.size, self.limits.max_email_bytes
                ),
            ),
            Kind::Emlx => self.container(&body, kind, &parent, |mut r, sink| {
                let mut bytes = Vec::new();
                r.read_to_end(&mut bytes)?;
                extract::readers::emlx::expand(&bytes, sink)
            }),
            Kind::Tnef => self.container(&body, kind, &parent, |mut r, sink| {
                let mut bytes = Vec::new();
                r.read_to_end(&mut bytes)?;
                extract::readers::tnef::expand(&bytes, self.limits.max_email_bytes, sink)
            }),
            Kind::Rar => self.rar(&body, &file_name, set.as_ref(), &parent),
            Kind::Bzip2 | Kind::Xz | Kind::Zstd => {
                let name = extract::readers::compress::member_name(kind, &file_name);
                let size = body.size;
                self.container(&body, kind, &parent, |r, sink| {
                    extract::readers::compress::expand(kind, r, name, size, sink)
                })
            }
            Kind::Msg if body.size > self.limits.max_email_bytes => self.item_error(
                &body.id,
                Stage::Limit,
                format!(
                    "{} bytes: larger than max_email_bytes ({}); stored but not opened",
                    body.size, self.limits.max_email_bytes
                ),
            ),
            Kind::Msg => self.container(&body, kind, &parent, |mut r, sink| {
                let mut bytes = Vec::new();
                r.read_to_end(&mut bytes)?;
                extract::outlook::expand_msg(&bytes, &self.outlook_limits(), sink)
            }),
            Kind::Pst => match self.owned_reader(&body) {
                Ok(owned) => self.container(&body, kind, &parent, |_, sink| {
                    extract::outlook::pst::expand(owned, &self.outlook_limits(), sink)
                }),
                Err(e) => self.item_error(&body.id, Stage::Read, e.to_string()),
            },
            k if extract::doc::handles(k) => self.document(&body, kind, &parent, derived),
            _ => {}
        }
    }

    fn load(&self, data: Data) -> Result<Body, (Stage, String)> {
        let max = self.limits.max_item_bytes;
        let too_large = |n: u64| {
            (
                Stage::Limit,
                format!("{n} bytes: larger than max_item_bytes ({max})"),
            )
        };
        let store_err = |e: leakcheck_store::Error| (Stage::Store, e.to_string());
        match data {
            Data::Error(stage, why) => Err((stage, why)),
            Data::Bytes(bytes) => {
                if bytes.len() as u64 > max {
                    return Err(too_large(bytes.len() as u64));
                }
                let id = ItemId::of(&bytes);
                self.blobs.put(&id, &bytes).map_err(store_err)?;
                Ok(Body {
                    id,
                    size: bytes.len() as u64,
                    mem: Some(Arc::new(bytes)),
                })
            }
            Data::Stored(id, size) => Ok(Body {
                id,
                size,
                mem: None,
            }),
            Data::File(path) => {
                let mut file = File::open(&path).map_err(|e| (Stage::Read, e.to_string()))?;
                let size = file
                    .metadata()
                    .map_err(|e| (Stage::Read, e.to_string()))?
                    .len();
                if size > max {
                    return Err(too_large(size));
                }
                if size <= INLINE_MAX {
                    let mut bytes = Vec::with_capacity(size as usize);
                    (&mut file)
                        .take(max + 1)
                        .read_to_end(&mut bytes)
                        .map_err(|e| (Stage::Read, e.to_string()))?;
                    return self.load(Data::Bytes(bytes));
                }
                match self.blobs.put_stream(&mut file, max).map_err(store_err)? {
                    Spooled::Stored { id, size } => Ok(Body {
                        id,
                        size,
                        mem: None,
                    }),
                    Spooled::TooLarge { read } => Err(too_large(read)),
                }
            }
        }
    }

    fn reader<'a>(&self, body: &'a Body) -> std::io::Result<Box<dyn ReadSeek + Send + 'a>> {
        Ok(match &body.mem {
            Some(bytes) => Box::new(Cursor::new(bytes.as_slice())),
            None => Box::new(
                self.blobs
                    .open_blob(&body.id)
                    .map_err(std::io::Error::other)?,
            ),
        })
    }

    /// A reader that owns what it reads (the PST crate keeps its reader).
    fn owned_reader(&self, body: &Body) -> std::io::Result<Box<dyn extract::outlook::pst::Reader>> {
        Ok(match &body.mem {
            Some(bytes) => Box::new(Cursor::new(Shared(bytes.clone()))),
            None => Box::new(
                self.blobs
                    .open_blob(&body.id)
                    .map_err(std::io::Error::other)?,
            ),
        })
    }

    fn outlook_limits(&self) -> extract::outlook::OutlookLimits {
        extract::outlook::OutlookLimits {
            max_depth: self.limits.max_depth,
            max_part_bytes: self.limits.max_email_bytes,
            max_seconds: self.limits.max_store_seconds,
        }
    }

    /// The item's kind from its first bytes (and, for ZIP and OLE files, a
    /// look inside), with the read error met on the way, if any: the kind
    /// is then only what the bytes read could tell.
    fn kind_of(&self, body: &Body) -> (Kind, Option<String>) {
        let (head, mut problem) = match &body.mem {
            Some(b) => (b[..b.len().min(SNIFF_LEN)].to_vec(), None),
            None => sniff(self.reader(body)),
        };
        let kind = extract::detect(&head);
        let reader = match kind {
            Kind::Zip | Kind::OleDocument => match self.reader(body) {
                Ok(r) => Some(r),
                Err(e) => {
                    problem.get_or_insert(format!("could not reopen it to tell its kind: {e}"));
                    None
                }
            },
            _ => None,
        };
        let refined = reader.map(|r| {
            if kind == Kind::Zip {
                guard(|| Ok(extract::readers::zip::refine(r)))
            } else {
                guard(|| Ok(extract::ole_kind(r)))
            }
        });
        match refined {
            Some(Ok(k)) => (k, problem),
            _ => (kind, problem),
        }
    }

    /// A Windows executable carrying a RAR, 7z or zip payload is that
    /// container (its stub stays part of the item); with where the payload
    /// starts. Anything else stays binary.
    fn self_extracting(&self, body: &Body) -> (Kind, u64) {
        let owned;
        let bytes = match &body.mem {
            Some(b) => b.as_slice(),
            None => {
                let mut head = Vec::new();
                if let Ok(r) = self.reader(body) {
                    let _ = r.take(8 << 20).read_to_end(&mut head);
                }
                owned = head;
                owned.as_slice()
            }
        };
        match extract::readers::sfx::payload(bytes) {
            Some((Kind::Zip, _)) => (Kind::Zip, 0), // the zip reader finds its own start
            Some((kind, at)) => (kind, at),
            None => (Kind::Binary, 0),
        }
    }

    fn email(&self, body: &Body, parent: &Parent<'_>) {
        if body.size > self.limits.max_email_bytes {
            self.item_error(
                parent.id,
                Stage::Limit,
                format!(
                    "{} bytes: larger than max_email_bytes ({}); stored but not parsed",
                    body.size, self.limits.max_email_bytes
                ),
            );
            return;
        }
        let owned;
        let bytes = match &body.mem {
            Some(b) => b.as_slice(),
            None => match self.blobs.read(&body.id) {
                Ok(b) => {
                    owned = b;
                    owned.as_slice()
                }
                Err(e) => return self.item_error(parent.id, Stage::Read, e.to_string()),
            },
        };
        let parsed = match extract::email::parse(bytes) {
            Ok(p) => p,
            Err(e) => return self.item_error(parent.id, Stage::Parse, e.to_string()),
        };
        let count = parsed.attachments.len() as u64;
        for a in parsed.attachments {
            let name = a.name.unwrap_or_else(|| {
                format!(
                    "part {} ({})",
                    a.part,
                    a.content_type.as_deref().unwrap_or("no type")
                )
            });
            self.dispatch(parent.child(name, a.part as u64, Data::Bytes(a.bytes), None));
        }
        if count > 0 {
            self.send(Record::Container {
                key: parent.id.to_string(),
                kind: "email".into(),
                expected: count,
                detail: None,
            });
        }
        self.send(Record::email(parent.id.clone(), parsed.meta));
    }

    /// Reads a document's metadata and text on a thread of its own, so that
    /// a file that makes a parser spin costs one thread, not the run: after
    /// `max_document_seconds` the item is recorded as failed and the run
    /// goes on without waiting for it.
    fn document(&self, body: &Body, kind: Kind, parent: &Parent<'_>, derived: bool) {
        let limits = &self.limits;
        if body.size > limits.max_document_bytes {
            return self.item_error(
                parent.id,
                Stage::Limit,
                format!(
                    "{} bytes: larger than max_document_bytes ({}); stored but not read",
                    body.size, limits.max_document_bytes
                ),
            );
        }
        let bytes: Arc<Vec<u8>> = match &body.mem {
            Some(b) => b.clone(),
            None => match self.blobs.read(&body.id) {
                Ok(b) => Arc::new(b),
                Err(e) => return self.item_error(parent.id, Stage::Read, e.to_string()),
            },
        };
        let (tx, rx) = crossbeam_channel::bounded(1);
        let input = bytes.clone();
        let spawned = std::thread::Builder::new()
            .name("document".into())
            .spawn(move || {
                let doc_limits = extract::doc::DocLimits::default();
                let _ = tx.send(guard(|| extract::doc::extract(kind, &input, &doc_limits)));
            });
        if let Err(e) = spawned {
            return self.item_error(
                parent.id,
                Stage::Parse,
                format!("no thread to read it: {e}"),
            );
        }
        let wait = std::time::Duration::from_secs(limits.max_document_seconds);
        let extracted = match rx.recv_timeout(wait) {
            Ok(Ok(x)) => x,
            Ok(Err(e)) => return self.item_error(parent.id, Stage::Parse, e.to_string()),
            Err(_) => {
                return self.item_error(
                    parent.id,
                    Stage::Limit,
                    format!(
                        "reading its metadata took longer than max_document_seconds ({}); abandoned",
                        limits.max_document_seconds
                    ),
                );
            }
        };
        let revisions: Vec<u64> = match &extracted.meta.pdf {
            Some(layout) if !derived && layout.revisions.len() > 1 => layout
                .revisions
                .iter()
                .map(|r| r.end)
                .take(layout.revisions.len() - 1)
                .collect(),
            _ => Vec::new(),
        };
        self.send(Record::document(
            parent.id.clone(),
            extracted.meta,
            extracted.text,
        ));
        let of = revisions.len() + 1;
        let mut emitted = 0u64;
        for (i, end) in revisions.iter().enumerate() {
            let Some(prefix) = bytes.get(..*end as usize) else {
                continue;
            };
            emitted += 1;
            let name = format!("revision {} of {of}", i + 1);
            let extra = serde_json::json!({"derived": "pdf-revision", "revision": i + 1, "of": of, "end": end});
            self.dispatch(parent.child(name, i as u64, Data::Bytes(prefix.to_vec()), Some(extra)));
        }
        if !revisions.is_empty() {
            self.send(Record::Container {
                key: parent.id.to_string(),
                kind: "pdf-revisions".into(),
                expected: emitted,
                detail: Some(serde_json::json!({"revisions": of})),
            });
        }
    }

    /// Opens a RAR archive, or the volume set whose first volume it is, in a
    /// decoder child. A later volume of a set is stored, not opened.
    fn rar(
        &self,
        body: &Body,
        name: &str,
        set: Option<&(Arc<VolumeSet>, u32)>,
        parent: &Parent<'_>,
    ) {
        let Some(iso) = &self.isolation else {
            return self.item_error(
                parent.id,
                Stage::Open,
                "not opened: RAR is decoded in a child process and none was configured".into(),
            );
        };
        let (volumes, missing, joined) = match set {
            Some((set, n)) if *n != set.first() => return,
            Some((set, _)) => (set.volumes.clone(), set.missing.clone(), set.joined),
            None => {
                let volume = Volume {
                    name: name.to_string(),
                    path: self.blobs.path(&body.id),
                    number: 1,
                };
                (vec![volume], Vec::new(), false)
            }
        };
        let source = RarSource {
            volumes,
            joined,
            missing,
            passwords: self.passwords.clone(),
            max_item_bytes: self.limits.max_item_bytes,
        };
        self.container(body, Kind::Rar, parent, |_, sink| {
            extract::readers::rar::expand(&source, iso, sink)
        });
    }

    /// Opens a container and dispatches each member as a child unit.
    fn container<F>(&self, body: &Body, kind: Kind, parent: &Parent<'_>, open: F)
    where
        F: FnOnce(
            Box<dyn ReadSeek + Send + '_>,
            &mut dyn extract::Sink,
        ) -> extract::Result<Listing>,
    {
        let reader = match self.reader(body) {
            Ok(r) => r,
            Err(e) => return self.item_error(parent.id, Stage::Read, e.to_string()),
        };
        let mut count = 0u64;
        let mut sink = |m: Member<'_>| -> Flow {
            count += 1;
            if count > self.limits.max_entries {
                self.item_error(
                    parent.id,
                    Stage::Limit,
                    format!(
                        "more than max_entries ({}) members: the rest were not read",
                        self.limits.max_entries
                    ),
                );
                return Flow::Stop;
            }
            let (data, flow) = self.member_data(m.data, m.compressed_size, parent.budget);
            self.dispatch(parent.child(m.name, m.index, data, m.extra));
            flow
        };
        match guard(|| open(reader, &mut sink)) {
            Ok(listing) => {
                if let Some(w) = listing.warning {
                    self.item_error(parent.id, Stage::Open, w);
                }
                let passwords = listing.detail.as_ref().map(opened_with).unwrap_or_default();
                if !passwords.is_empty() {
                    self.opened.lock().unwrap().push((
                        parent.source,
                        OpenedWith {
                            container: parent.id.to_string(),
                            path: parent.display.to_string(),
                            passwords,
                        },
                    ));
                }
                self.send(Record::Container {
                    key: parent.id.to_string(),
                    kind: kind.as_str().into(),
                    expected: listing.expected,
                    detail: listing.detail,
                });
            }
            Err(e) => {
                self.item_error(parent.id, Stage::Open, e.to_string());
                // Whatever came out before the failure is still accounted for.
                self.send(Record::Container {
                    key: parent.id.to_string(),
                    kind: kind.as_str().into(),
                    expected: count,
                    detail: None,
                });
            }
        }
    }

    /// Reads a member's bytes within the limits. The flow says whether the
    /// container may go on (not when the source's expansion budget is spent).
    fn member_data(
        &self,
        data: MemberData<'_>,
        compressed: Option<u64>,
        budget: &Arc<AtomicU64>,
    ) -> (Data, Flow) {
        let max = self.limits.max_item_bytes;
        match data {
            MemberData::Unreadable(why) => (Data::Error(Stage::Read, why), Flow::Continue),
            MemberData::TooLarge(n) => (
                Data::Error(
                    Stage::Limit,
                    format!("larger than max_item_bytes ({n} bytes)"),
                ),
                Flow::Continue,
            ),
            MemberData::Bytes(b) if b.len() as u64 > max => (
                Data::Error(
                    Stage::Limit,
                    format!("{} bytes: larger than max_item_bytes ({max})", b.len()),
                ),
                Flow::Continue,
            ),
            MemberData::Bytes(b) => (Data::Bytes(b), Flow::Continue),
            MemberData::Reader(r) => {
                let mut limited = Limited::new(r, compressed, &self.limits, budget);
                let mut head = Vec::new();
                let result = (&mut limited)
                    .take(INLINE_MAX + 1)
                    .read_to_end(&mut head)
                    .and_then(|_| {
                        if head.len() as u64 <= INLINE_MAX {
                            return Ok(Data::Bytes(std::mem::take(&mut head)));
                        }
                        let mut rest = Cursor::new(std::mem::take(&mut head)).chain(&mut limited);
                        match self.blobs.put_stream(&mut rest, max) {
                            Ok(Spooled::Stored { id, size }) => Ok(Data::Stored(id, size)),
                            Ok(Spooled::TooLarge { read }) => Ok(Data::Error(
                                Stage::Limit,
                                format!("over {read} bytes: larger than max_item_bytes ({max})"),
                            )),
                            Err(e) => Err(std::io::Error::other(e)),
                        }
                    });
                let flow = if budget.load(Ordering::Relaxed) == 0 {
                    Flow::Stop
                } else {
                    Flow::Continue
                };
                match (result, limited.exceeded) {
                    (_, Some(why)) => (Data::Error(Stage::Limit, why), flow),
                    (Ok(d), None) => (d, flow),
                    (Err(e), None) => (Data::Error(Stage::Read, e.to_string()), flow),
                }
            }
        }
    }
}

/// Bytes in memory shared with a reader that must own them.
struct Shared(Arc<Vec<u8>>);

impl AsRef<[u8]> for Shared {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// A file name's extension, as written.
fn extension(path: &str) -> &str {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    name.rsplit_once('.').map_or("", |(_, e)| e)
}

/// The container a member came from.
/// The passwords a container's detail says opened it: zip's `passwords`,
/// 7z's `password`, RAR's `password` then `other_passwords`.
fn opened_with(detail: &Value) -> Vec<String> {
    let one = detail["password"].as_str().map(str::to_string);
    let many = ["passwords", "other_passwords"].into_iter().flat_map(|k| {
        detail[k]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p.as_str().map(str::to_string))
    });
    one.into_iter().chain(many).collect()
}

struct Parent<'a> {
    id: &'a ItemId,
    display: &'a str,
    depth: u32,
    guard: &'a Arc<DoneGuard>,
    budget: &'a Arc<AtomicU64>,
    source: usize,
}

impl Parent<'_> {
    fn child(&self, name: String, position: u64, data: Data, extra: Option<Value>) -> Unit {
        Unit {
            parent: self.id.to_string(),
            display: format!("{} ! {}", self.display, name),
            path: name,
            position,
            depth: self.depth + 1,
            data,
            extra,
            guard: Some(self.guard.clone()),
            budget: self.budget.clone(),
            source: self.source,
            top: None,
            set: None,
        }
    }
}

/// The first bytes an item's kind is told by, and the error that cut them
/// short (the kind is then told from fewer bytes, or none).
fn sniff(reader: std::io::Result<impl Read>) -> (Vec<u8>, Option<String>) {
    let mut head = Vec::with_capacity(SNIFF_LEN);
    let read = reader.and_then(|r| r.take(SNIFF_LEN as u64).read_to_end(&mut head));
    let problem = read
        .err()
        .map(|e| format!("reading its first bytes to tell its kind failed: {e}"));
    (head, problem)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that gives some bytes, then fails.
    struct Failing(&'static [u8]);

    impl Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.0.is_empty() {
                return Err(std::io::Error::other("disk gone"));
            }
            let n = self.0.len().min(buf.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn a_read_error_while_telling_the_kind_is_kept() {
        let (head, problem) = sniff(Ok(Failing(b"%PDF-1.4")));
        assert_eq!(head, b"%PDF-1.4");
        assert_eq!(
            problem.as_deref(),
            Some("reading its first bytes to tell its kind failed: disk gone")
        );
        let (head, problem) = sniff(Err::<&[u8], _>(std::io::Error::other("no blob")));
        assert!(head.is_empty());
        assert!(problem.unwrap().ends_with("no blob"));
        let (head, problem) = sniff(Ok(&b"plain"[..]));
        assert_eq!((head.as_slice(), problem), (&b"plain"[..], None));
    }
}
