use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, io};

/// One line of `custody.jsonl`: a source as it was when ingested.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustodyEntry {
    /// `started` or `finished`.
    pub event: String,
    /// Absolute path of the source.
    pub path: String,
    /// `file` or `folder`.
    pub source_kind: String,
    /// SHA-256 of a file; for a folder, of its manifest (sorted `path<TAB>sha256` lines).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Bytes in the source (all files of a folder).
    pub size: u64,
    /// Files in the source.
    pub files: u64,
    /// When (RFC 3339, UTC).
    pub time: String,
    /// The operator's note (`--note`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Who ran it (`$USER`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    /// leakcheck version.
    pub tool: String,
    /// On `finished`: the containers of the source that passwords opened,
    /// so that the run can be reproduced.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub opened_with: Vec<OpenedWith>,
}

/// A container opened with passwords (`ingest --passwords`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct OpenedWith {
    /// The container's item id (SHA-256).
    pub container: String,
    /// Where it was found in the source.
    pub path: String,
    /// The password that opened it first, then any others its members needed.
    pub passwords: Vec<String>,
}

/// The append-only custody log of a case.
pub struct Custody {
    file: File,
    path: PathBuf,
}

impl Custody {
    pub(crate) fn open(root: &Path) -> Result<Custody> {
        let path = root.join("custody.jsonl");
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(io(&path))?;
        Ok(Custody { file, path })
    }

    /// Every entry so far, oldest first.
    pub fn entries(&self) -> Result<Vec<CustodyEntry>> {
        let text = std::fs::read_to_string(&self.path).map_err(io(&self.path))?;
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .enumerate()
            .map(|(n, line)| {
                serde_json::from_str(line).map_err(|e| {
                    Error::Corrupt(format!("{} line {}: {e}", self.path.display(), n + 1))
                })
            })
            .collect()
    }

    /// Appends one entry and flushes it to disk.
    pub fn append(&mut self, entry: &CustodyEntry) -> Result<()> {
        let mut line = serde_json::to_vec(entry).expect("custody entry serialises");
        line.push(b'\n');
        self.file.write_all(&line).map_err(io(&self.path))?;
        self.file.sync_data().map_err(io(&self.path))
    }
}
