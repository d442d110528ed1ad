//! Ingest spread over team workers: the walk's list cut into pages, each
//! page a job a worker on any machine can do ([`run_page`]), its records
//! going to the shared catalog and its bytes to the shared blob store.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use leakcheck_core::{ItemId, Record};
use leakcheck_extract::readers::rar::Volume;
use leakcheck_store::{Case, OpenedWith};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::claims::Claims;
use crate::pool::{Finished, Pool, Shared};
use crate::run::{Plan, RECORD_BACKLOG};
use crate::volumes::VolumeSet;
use crate::walk::TopFile;
use crate::{IngestError, Openers, Progress, Result, writer};

/// How long a team worker's writer waits to fill a batch: each batch is a
/// transaction of several statements on a database across the network.
const LINGER: Duration = Duration::from_millis(100);

/// Top-level files of one run, for one worker to ingest.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PageJob {
    /// The files, in the walk's order.
    pub files: Vec<JobFile>,
}

/// A top-level file as the walk found it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct JobFile {
    /// Its row in the walk's list.
    pub row: i64,
    /// Container key of its folder.
    pub parent: String,
    /// Name in that folder.
    pub name: String,
    /// Absolute path: workers see the sources where the walk did.
    #[serde(with = "os_path")]
    pub path: PathBuf,
    /// Size from the file system.
    pub size: u64,
    /// Which source it came from.
    pub source: usize,
    /// Why it cannot be read, when it cannot.
    pub error: Option<String>,
    /// Its volume set, when it is one of several volumes.
    pub set: Option<JobSet>,
}

/// The volume set a file belongs to.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct JobSet {
    /// This file's number in it.
    pub number: u32,
    /// The volumes present: name, path and number.
    pub volumes: Vec<JobVolume>,
    /// Numbers missing below the highest found.
    pub missing: Vec<u32>,
    /// Byte-split pieces rather than RAR volumes.
    pub joined: bool,
}

/// One volume of a set.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct JobVolume {
    /// File name.
    pub name: String,
    /// Where to read it.
    #[serde(with = "os_path")]
    pub path: PathBuf,
    /// Number in the set.
    pub number: u32,
}

impl From<TopFile> for JobFile {
    fn from(f: TopFile) -> JobFile {
        JobFile {
            set: f.set.map(|(set, number)| JobSet {
                number,
                volumes: set
                    .volumes
                    .iter()
                    .map(|v| JobVolume {
                        name: v.name.clone(),
                        path: v.path.clone(),
                        number: v.number,
                    })
                    .collect(),
                missing: set.missing.clone(),
                joined: set.joined,
            }),
            row: f.row,
            parent: f.parent,
            name: f.name,
            path: f.path,
            size: f.size,
            source: f.source,
            error: f.error,
        }
    }
}

impl From<JobFile> for TopFile {
    fn from(f: JobFile) -> TopFile {
        TopFile {
            set: f.set.map(|s| {
                let set = VolumeSet {
                    volumes: s
                        .volumes
                        .into_iter()
                        .map(|v| Volume {
                            name: v.name,
                            path: v.path,
                            number: v.number,
                        })
                        .collect(),
                    missing: s.missing,
                    joined: s.joined,
                };
                (Arc::new(set), s.number)
            }),
            row: f.row,
            parent: f.parent,
            name: f.name,
            path: f.path,
            size: f.size,
            source: f.source,
            error: f.error,
        }
    }
}

/// What a worker learnt doing a page, for the run's custody entry.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PageOutcome {
    /// Each top-level file's row and the item it was stored as.
    pub tops: Vec<(i64, ItemId)>,
    /// Containers passwords opened, by source number.
    pub opened: Vec<(usize, OpenedWith)>,
    /// Places recorded (files, members, messages, attachments).
    pub places: u64,
    /// Problems recorded.
    pub problems: u64,
}

impl Plan {
    /// The whole list as page jobs of up to `size` files.
    pub fn jobs(&self, size: usize, mut each: impl FnMut(PageJob) -> Result<()>) -> Result<()> {
        let mut after = None;
        loop {
            let page = self.page(&mut after, size)?;
            if page.is_empty() {
                return Ok(());
            }
            each(PageJob {
                files: page.into_iter().map(JobFile::from).collect(),
            })?;
        }
    }
}

/// Ingests one page into `case`'s blob store with `threads` threads,
/// deciding who opens an item with `claims` and writing records with
/// `apply` (in batches, from one thread). Returns once every record of
/// the page is applied: a job finished after this loses nothing.
pub fn run_page(
    case: &Case,
    job: PageJob,
    openers: &Openers,
    claims: Box<dyn Claims>,
    threads: usize,
    apply: impl FnMut(&[Record]) -> std::result::Result<(), String> + Send + 'static,
) -> Result<PageOutcome> {
    let (record_tx, record_rx) = crossbeam_channel::bounded(RECORD_BACKLOG);
    let writer = writer::spawn(apply, record_rx, LINGER);
    let sources = job.files.iter().map(|f| f.source + 1).max().unwrap_or(0);
    // Each page has each source's whole expansion budget: the limit is on
    // what one job may unpack, as pages do not share memory.
    let progress = Arc::new(Progress::default());
    let pool = Pool::start(
        Shared {
            blobs: case.blobs().clone(),
            limits: case.settings.limits.clone(),
            records: record_tx,
            claims,
            progress: progress.clone(),
            openers: openers.clone(),
        },
        threads.max(1),
        sources,
    );
    for f in job.files {
        pool.submit(f.into());
    }
    let Finished { tops, opened } = pool.finish();
    writer
        .join()
        .expect("catalog writer panicked")
        .map_err(IngestError::Catalog)?;
    Ok(PageOutcome {
        tops,
        opened,
        places: progress.places.load(Ordering::Relaxed),
        problems: progress.problems.load(Ordering::Relaxed),
    })
}

/// Paths as text when they are UTF-8, else as their bytes: a hostile dump
/// may name files in any encoding, and JSON strings hold only Unicode.
mod os_path {
    use super::*;

    #[derive(Serialize, Deserialize)]
    #[serde(untagged)]
    enum Repr {
        Text(String),
        Bytes(Vec<u8>),
    }

    pub fn serialize<S: Serializer>(
        p: &std::path::Path,
        s: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        match p.to_str() {
            Some(t) => Repr::Text(t.to_string()),
            None => Repr::Bytes(p.as_os_str().as_bytes().to_vec()),
        }
        .serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<PathBuf, D::Error> {
        Ok(match Repr::deserialize(d)? {
            Repr::Text(t) => PathBuf::from(t),
            Repr::Bytes(b) => PathBuf::from(OsStr::from_bytes(&b)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_that_is_not_utf8_survives_the_job_payload() {
        let path = PathBuf::from(OsStr::from_bytes(b"/dump/caf\xe9.eml"));
        let f = JobFile {
            row: 7,
            parent: "dir:/dump".into(),
            name: "caf\\xE9.eml".into(),
            path: path.clone(),
            size: 3,
            source: 0,
            error: None,
            set: None,
        };
        let json = serde_json::to_string(&PageJob { files: vec![f] }).unwrap();
        let back: PageJob = serde_json::from_str(&json).unwrap();
        assert_eq!(back.files[0].path, path);
        let text: PageJob = serde_json::from_str(
            r#"{"files":[{"row":1,"parent":"dir:/d","name":"a","path":"/d/a","size":1,"source":0,"error":null,"set":null}]}"#,
        )
        .unwrap();
        assert_eq!(text.files[0].path, PathBuf::from("/d/a"));
    }
}
