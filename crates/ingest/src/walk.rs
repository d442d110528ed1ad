//! Turns the sources named on the command line into top-level files, each
//! keyed by its folder, and counts what every folder holds.
//!
//! The list lives in a private temporary SQLite database rather than in
//! memory: a few hundred bytes of paths a file is a few hundred megabytes
//! for a dump of a million files, held for the whole run. It is read back a
//! page at a time, and each file's item id is written back to it for the
//! custody manifest.

use std::collections::HashMap;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use leakcheck_core::{ItemId, Record};
use leakcheck_extract::readers::rar::volume_name;
use leakcheck_store::scratch;
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};
use walkdir::WalkDir;

use crate::volumes::{VolumeSet, find_sets};
use crate::{IngestError, Result};

/// Page cache of the list, in KiB: it is written in one pass and read in
/// order, so a small cache does.
const CACHE_KIB: i64 = 8 * 1024;

/// A file to ingest, or a place that could not be read.
pub struct TopFile {
    /// Its row in the list, to record its item against.
    pub row: i64,
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
    /// Why it cannot be read, when it cannot (a link, unreadable...).
    pub error: Option<String>,
    /// The volume set it belongs to, and its number in it.
    pub set: Option<(Arc<VolumeSet>, u32)>,
}

/// What walking found: every place once, in `(folder, name)` order.
pub struct Walked {
    conn: Connection,
    /// Files of volume sets, by row: few, and each needs its whole set.
    sets: HashMap<i64, (Arc<VolumeSet>, u32)>,
}

pub fn walk(sources: &[PathBuf], case_root: &Path) -> Result<Walked> {
    let case_root = fs::canonicalize(case_root).map_err(|e| IngestError::Source {
        path: case_root.to_path_buf(),
        source: e,
    })?;
    let mut conn = scratch::open(CACHE_KIB)?;
    // `(parent, name)` is the key: two sources may overlap (a folder and a
    // file inside it), and the first source to name a place keeps it. A
    // name another file already has (see `text_of`) gets a number.
    conn.execute_batch(
        "CREATE TABLE files (
             parent TEXT NOT NULL, name TEXT NOT NULL, path BLOB NOT NULL,
             size INTEGER NOT NULL, source INTEGER NOT NULL, error TEXT,
             rel TEXT NOT NULL, volumes TEXT, item TEXT,
             PRIMARY KEY (parent, name));",
    )?;
    let tx = conn.transaction()?;
    {
        let mut add = tx.prepare(
            "INSERT OR IGNORE INTO files
                 (parent, name, path, size, source, error, rel, volumes)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        let mut holder = tx.prepare("SELECT path FROM files WHERE parent = ?1 AND name = ?2")?;
        let mut add =
            |root: &Path, path: &Path, size: u64, source: usize, error: Option<String>| {
                let (parent, base) = container_of(path);
                let bytes = path.as_os_str().as_bytes();
                let rel = path
                    .strip_prefix(root)
                    .unwrap_or(path)
                    .display()
                    .to_string();
                let mut name = base.clone();
                // Who holds a name is asked only when it is taken: rarely.
                for n in 2.. {
                    let volumes = error
                        .is_none()
                        .then(|| volume_name(&name).map(|v| v.set))
                        .flatten();
                    let added = add.execute(params![
                        parent,
                        name,
                        bytes,
                        size as i64,
                        source as i64,
                        error,
                        rel,
                        volumes
                    ])?;
                    if added == 1 {
                        break;
                    }
                    let other: Vec<u8> = holder.query_row(params![parent, name], |r| r.get(0))?;
                    if other == bytes {
                        break; // the same place, from an earlier source
                    }
                    name = format!("{base} ({n})");
                }
                Ok::<(), IngestError>(())
            };
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
                add(
                    root.parent().unwrap_or(&root),
                    &root,
                    meta.len(),
                    source,
                    None,
                )?;
                continue;
            }
            // Sorted, so positions are the same every run.
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
                        add(&root, &path, 0, source, Some(reason))?;
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
                let error = if ft.is_symlink() {
                    let target = fs::read_link(entry.path())
                        .map(|t| t.display().to_string())
                        .unwrap_or_default();
                    Some(format!("symbolic link to {target:?}, not followed"))
                } else if !ft.is_file() {
                    Some("not a regular file (device, socket or pipe)".to_string())
                } else {
                    None
                };
                let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
                add(&root, entry.path(), size, source, error)?;
            }
        }
    }
    tx.commit()?;
    let sets = volume_sets(&conn)?;
    Ok(Walked { conn, sets })
}

impl Walked {
    /// How many files, and their bytes; of source `source` only when given.
    pub fn totals(&self, source: Option<usize>) -> Result<(u64, u64)> {
        let (files, bytes): (i64, i64) = self.conn.query_row(
            "SELECT count(*), coalesce(sum(size), 0) FROM files
                 WHERE ?1 IS NULL OR source = ?1",
            [source.map(|s| s as i64)],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok((files as u64, bytes as u64))
    }

    /// One container record per folder, with the number of files it holds.
    pub fn for_each_folder(&self, mut each: impl FnMut(Record)) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare("SELECT parent, count(*) FROM files GROUP BY parent ORDER BY parent")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let key: String = row.get(0)?;
            let expected: i64 = row.get(1)?;
            let kind = if key.starts_with("maildir:") {
                "maildir"
            } else {
                "dir"
            };
            each(Record::Container {
                key,
                kind: kind.to_string(),
                expected: expected as u64,
                detail: None,
            });
        }
        Ok(())
    }

    /// Up to `limit` files after `after` (a `(parent, name)` key), in order.
    pub fn page(&self, after: Option<&(String, String)>, limit: usize) -> Result<Vec<TopFile>> {
        let (parent, name) = after.map_or((None, None), |(p, n)| (Some(p), Some(n)));
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {FILE} FROM files
             WHERE ?1 IS NULL OR (parent, name) > (?1, ?2)
             ORDER BY parent, name LIMIT ?3"
        ))?;
        let rows = stmt.query_map(params![parent, name, limit as i64], top_file)?;
        let mut page = Vec::new();
        for row in rows {
            let mut file = row?;
            file.set = self.sets.get(&file.row).cloned();
            page.push(file);
        }
        Ok(page)
    }

    /// Records the item that files (by row) were stored as.
    pub fn record_items(&mut self, items: &[(i64, ItemId)]) -> Result<()> {
        let tx = self.conn.transaction()?;
        {
            let mut set = tx.prepare_cached("UPDATE files SET item = ?2 WHERE rowid = ?1")?;
            for (row, id) in items {
                set.execute(params![row, id.as_str()])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// A file's own hash; for a folder, the hash of its manifest: one line
    /// per file, `relative path<TAB>sha256` (or `-` when unreadable), sorted.
    pub fn source_hash(&self, sources: &[PathBuf], i: usize) -> Result<Option<String>> {
        let Ok(root) = fs::canonicalize(&sources[i]) else {
            return Ok(None);
        };
        if root.is_file() {
            // Looked up by place: an earlier folder source may hold it.
            let (parent, name) = container_of(&root);
            let item: Option<Option<String>> = self
                .conn
                .query_row(
                    "SELECT item FROM files WHERE parent = ?1 AND name = ?2",
                    [parent, name],
                    |r| r.get(0),
                )
                .optional()?;
            return Ok(item.flatten());
        }
        // Ordered as the lines themselves sort (bytewise, as Rust's strings).
        let mut stmt = self.conn.prepare(
            "SELECT rel || char(9) || coalesce(item, '-') || char(10) AS line
                 FROM files WHERE source = ?1 ORDER BY line",
        )?;
        let mut rows = stmt.query([i as i64])?;
        let mut h = Sha256::new();
        while let Some(row) = rows.next()? {
            let line: String = row.get(0)?;
            h.update(line.as_bytes());
        }
        Ok(Some(hex::encode(h.finalize())))
    }
}

/// The columns [`top_file`] reads.
const FILE: &str = "rowid, parent, name, path, size, source, error";

/// A file of the list, from a row of [`FILE`]; its volume set is the
/// caller's to add.
fn top_file(r: &rusqlite::Row<'_>) -> rusqlite::Result<TopFile> {
    Ok(TopFile {
        row: r.get(0)?,
        parent: r.get(1)?,
        name: r.get(2)?,
        path: PathBuf::from(std::ffi::OsStr::from_bytes(&r.get::<_, Vec<u8>>(3)?)),
        size: r.get::<_, i64>(4)? as u64,
        source: r.get::<_, i64>(5)? as usize,
        error: r.get(6)?,
        set: None,
    })
}

/// The files whose names make volume sets of two or more in one folder.
fn volume_sets(conn: &Connection) -> Result<HashMap<i64, (Arc<VolumeSet>, u32)>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {FILE} FROM files
         WHERE volumes IS NOT NULL AND (parent, volumes) IN (
             SELECT parent, volumes FROM files WHERE volumes IS NOT NULL
             GROUP BY parent, volumes HAVING count(*) > 1)
         ORDER BY parent, name"
    ))?;
    let mut files = stmt
        .query_map([], top_file)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    find_sets(&mut files);
    Ok(files
        .into_iter()
        .filter_map(|f| Some((f.row, f.set?)))
        .collect())
}

/// A file in `M/cur`, `M/new` or `M/tmp` where `M` has both `cur` and `new`
/// belongs to the maildir `M`; any other file belongs to its folder.
fn container_of(path: &Path) -> (String, String) {
    let file_name = path.file_name().map(text_of).unwrap_or_default();
    let dir = path.parent().unwrap_or(Path::new("/"));
    if let (Some(sub), Some(maildir)) = (dir.file_name(), dir.parent())
        && let Some(sub @ ("cur" | "new" | "tmp")) = sub.to_str()
        && maildir.join("cur").is_dir()
        && maildir.join("new").is_dir()
    {
        return (
            format!("maildir:{}", text_of(maildir.as_os_str())),
            format!("{sub}/{file_name}"),
        );
    }
    (format!("dir:{}", text_of(dir.as_os_str())), file_name)
}

/// A name as text that keeps it apart from other names: UTF-8 as it is;
/// otherwise each byte that is not UTF-8 written `\xHH`, and backslashes
/// doubled. A lossy conversion made the names `a`+0xFF and `a`+0xFE the
/// same text, and the walk kept only one of the two files.
fn text_of(name: &std::ffi::OsStr) -> String {
    let bytes = name.as_bytes();
    if let Ok(s) = std::str::from_utf8(bytes) {
        return s.to_string();
    }
    let mut out = String::with_capacity(bytes.len() + 8);
    for chunk in bytes.utf8_chunks() {
        out.push_str(&chunk.valid().replace('\\', "\\\\"));
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A dump with a nested folder, a link and a two-volume RAR set, and a
    /// case folder beside it.
    fn dump() -> (tempfile::TempDir, PathBuf, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let dump = dir.path().join("dump");
        fs::create_dir_all(dump.join("sub")).unwrap();
        for (name, body) in [
            ("b.txt", "b"),
            ("a.txt", "a"),
            ("sub/c.txt", "c"),
            ("x.part1.rar", "1"),
            ("x.part2.rar", "2"),
            ("y.part1.rar", "y"),
        ] {
            fs::write(dump.join(name), body).unwrap();
        }
        std::os::unix::fs::symlink("a.txt", dump.join("link")).unwrap();
        let case = dir.path().join("case");
        fs::create_dir_all(&case).unwrap();
        (dir, dump, case)
    }

    fn all(walked: &Walked, limit: usize) -> Vec<TopFile> {
        let mut files = Vec::new();
        let mut after = None;
        loop {
            let page = walked.page(after.as_ref(), limit).unwrap();
            let Some(last) = page.last() else {
                return files;
            };
            after = Some((last.parent.clone(), last.name.clone()));
            files.extend(page);
        }
    }

    #[test]
    fn overlapping_sources_list_each_place_once_in_order() {
        let (_dir, dump, case) = dump();
        let dump = fs::canonicalize(dump).unwrap();
        let walked = walk(&[dump.clone(), dump.join("a.txt")], &case).unwrap();
        let files = all(&walked, 2);
        let names: Vec<_> = files.iter().map(|f| f.name.as_str()).collect();
        let top = format!("dir:{}", dump.display());
        assert_eq!(
            names,
            [
                "a.txt",
                "b.txt",
                "link",
                "x.part1.rar",
                "x.part2.rar",
                "y.part1.rar",
                "c.txt"
            ]
        );
        assert!(files[..6].iter().all(|f| f.parent == top));
        assert!(files.iter().all(|f| f.source == 0), "the folder came first");
        let link = &files[2];
        assert!(link.error.as_deref().unwrap().contains("symbolic link"));
        // Six one-byte files, and the link's own five bytes (its target's name).
        assert_eq!(walked.totals(None).unwrap(), (7, 11));
        assert_eq!(walked.totals(Some(1)).unwrap(), (0, 0));
        let mut folders = Vec::new();
        walked
            .for_each_folder(|r| {
                if let Record::Container { key, expected, .. } = r {
                    folders.push((key, expected));
                }
            })
            .unwrap();
        assert_eq!(
            folders,
            [(top, 6), (format!("dir:{}", dump.join("sub").display()), 1)]
        );
        let sets: Vec<_> = files
            .iter()
            .filter_map(|f| Some((f.name.as_str(), f.set.as_ref()?.1)))
            .collect();
        assert_eq!(sets, [("x.part1.rar", 1), ("x.part2.rar", 2)]);
    }

    #[test]
    fn names_that_are_not_utf8_stay_apart() {
        use std::ffi::OsStr;
        let dir = tempfile::tempdir().unwrap();
        let dump = fs::canonicalize(dir.path()).unwrap().join("dump");
        fs::create_dir_all(&dump).unwrap();
        // Two names a lossy conversion makes the same, and a name that is
        // valid UTF-8 and reads as the first one written out.
        for (name, body) in [
            (&b"a\xff.txt"[..], "ff"),
            (b"a\xfe.txt", "fe"),
            (br"a\xFF.txt", "text"),
        ] {
            fs::write(dump.join(OsStr::from_bytes(name)), body).unwrap();
        }
        let case = dir.path().join("case");
        fs::create_dir_all(&case).unwrap();
        let walked = walk(std::slice::from_ref(&dump), &case).unwrap();
        let mut seen: Vec<(String, String)> = all(&walked, 10)
            .into_iter()
            .map(|f| (f.name, fs::read_to_string(&f.path).unwrap()))
            .collect();
        seen.sort();
        assert_eq!(
            seen,
            [
                (r"a\xFE.txt".to_string(), "fe".to_string()),
                (r"a\xFF.txt".to_string(), "text".to_string()),
                (r"a\xFF.txt (2)".to_string(), "ff".to_string()),
            ]
        );
        assert_eq!(text_of(OsStr::from_bytes(b"x\\\xc3")), r"x\\\xC3");
    }

    #[test]
    fn the_manifest_hash_is_the_sorted_lines_of_paths_and_items() {
        let (_dir, dump, case) = dump();
        let dump = fs::canonicalize(dump).unwrap();
        let a = dump.join("a.txt");
        let mut walked = walk(&[dump.clone(), a.clone()], &case).unwrap();
        let files = all(&walked, 100);
        let items: Vec<(i64, ItemId)> = files
            .iter()
            .filter(|f| f.error.is_none())
            .map(|f| (f.row, ItemId::of(&fs::read(&f.path).unwrap())))
            .collect();
        walked.record_items(&items).unwrap();
        let id = |name: &str| ItemId::of(&fs::read(dump.join(name)).unwrap()).to_string();
        let mut lines = [
            format!("a.txt\t{}\n", id("a.txt")),
            format!("b.txt\t{}\n", id("b.txt")),
            "link\t-\n".to_string(),
            format!("sub/c.txt\t{}\n", id("sub/c.txt")),
            format!("x.part1.rar\t{}\n", id("x.part1.rar")),
            format!("x.part2.rar\t{}\n", id("x.part2.rar")),
            format!("y.part1.rar\t{}\n", id("y.part1.rar")),
        ];
        lines.sort();
        let expected = hex::encode(Sha256::digest(lines.concat()));
        let sources = [dump.clone(), a];
        assert_eq!(walked.source_hash(&sources, 0).unwrap(), Some(expected));
        assert_eq!(
            walked.source_hash(&sources, 1).unwrap(),
            Some(id("a.txt")),
            "a file already listed by a folder still has its own hash"
        );
    }
}
