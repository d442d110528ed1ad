//! Turns the sources named on the command line into top-level files, each
//! keyed by its folder, and counts what every folder holds.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use leakcheck_core::{Record, Stage};
use walkdir::WalkDir;

use crate::volumes::{VolumeSet, find_sets};
use crate::{IngestError, Result};

/// A file to ingest, or a place that could not be read.
pub struct TopFile {
    /// Container key: `dir:<folder>` or `maildir:<folder>`.
    pub parent: String,
    /// Name within that container.
    pub name: String,
    /// Absolute path.
    pub path: PathBuf,
    /// Size from the file system.
    pub size: u64,
    /// Which source (index into the sources list) it came from.
    pub source: usize,
    /// Set when the file cannot be ingested (a link, unreadable...).
    pub error: Option<(Stage, String)>,
    /// The volume set it belongs to, and its number in it.
    pub set: Option<(Arc<VolumeSet>, u32)>,
}

/// What walking found.
pub struct Walked {
    pub files: Vec<TopFile>,
    /// One container record per folder.
    pub folders: Vec<Record>,
}

pub fn walk(sources: &[PathBuf], case_root: &Path) -> Result<Walked> {
    let case_root = fs::canonicalize(case_root).map_err(|e| IngestError::Source {
        path: case_root.to_path_buf(),
        source: e,
    })?;
    let mut files = Vec::new();
    let mut counts: BTreeMap<String, (String, u64)> = BTreeMap::new();
    for (source, raw) in sources.iter().enumerate() {
        let root = fs::canonicalize(raw).map_err(|e| IngestError::Source {
            path: raw.clone(),
            source: e,
        })?;
        if root.starts_with(&case_root) {
            return Err(IngestError::InsideCase(raw.clone()));
        }
        let meta = fs::metadata(&root).map_err(|e| IngestError::Source {
            path: raw.clone(),
            source: e,
        })?;
        if meta.is_file() {
            files.push(top_file(&root, meta.len(), source, None));
            continue;
        }
        // Sorted, so positions and the folder manifest are the same every run.
        for entry in WalkDir::new(&root).follow_links(false).sort_by_file_name() {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let path = e
                        .path()
                        .map(Path::to_path_buf)
                        .unwrap_or_else(|| root.clone());
                    let reason = e
                        .io_error()
                        .map(|io| io.to_string())
                        .unwrap_or_else(|| e.to_string());
                    files.push(top_file(&path, 0, source, Some((Stage::Read, reason))));
                    continue;
                }
            };
            if entry.path().starts_with(&case_root) {
                continue;
            }
            let ft = entry.file_type();
            if ft.is_dir() {
                continue;
            }
            let path = entry.path().to_path_buf();
            let error = if ft.is_symlink() {
                let target = fs::read_link(&path)
                    .map(|t| t.display().to_string())
                    .unwrap_or_default();
                Some((
                    Stage::Read,
                    format!("symbolic link to {target:?}, not followed"),
                ))
            } else if !ft.is_file() {
                Some((
                    Stage::Read,
                    "not a regular file (device, socket or pipe)".to_string(),
                ))
            } else {
                None
            };
            let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
            files.push(top_file(&path, size, source, error));
        }
    }
    // Two sources may overlap (a folder and a file inside it): keep one of each place.
    files.sort_by(|a, b| (&a.parent, &a.name).cmp(&(&b.parent, &b.name)));
    files.dedup_by(|a, b| a.parent == b.parent && a.name == b.name);
    find_sets(&mut files);
    for f in &files {
        let kind = if f.parent.starts_with("maildir:") {
            "maildir"
        } else {
            "dir"
        };
        counts
            .entry(f.parent.clone())
            .or_insert((kind.to_string(), 0))
            .1 += 1;
    }
    let folders = counts
        .into_iter()
        .map(|(key, (kind, expected))| Record::Container {
            key,
            kind,
            expected,
            detail: None,
        })
        .collect();
    Ok(Walked { files, folders })
}

fn top_file(path: &Path, size: u64, source: usize, error: Option<(Stage, String)>) -> TopFile {
    let (parent, name) = container_of(path);
    TopFile {
        parent,
        name,
        path: path.to_path_buf(),
        size,
        source,
        error,
        set: None,
    }
}

/// A file in `M/cur`, `M/new` or `M/tmp` where `M` has both `cur` and `new`
/// belongs to the maildir `M`; any other file belongs to its folder.
fn container_of(path: &Path) -> (String, String) {
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let dir = path.parent().unwrap_or(Path::new("/"));
    if let (Some(sub), Some(maildir)) = (dir.file_name(), dir.parent())
        && matches!(sub.to_str(), Some("cur" | "new" | "tmp"))
        && maildir.join("cur").is_dir()
        && maildir.join("new").is_dir()
    {
        return (
            format!("maildir:{}", maildir.display()),
            format!("{}/{}", sub.to_string_lossy(), file_name),
        );
    }
    (format!("dir:{}", dir.display()), file_name)
}
