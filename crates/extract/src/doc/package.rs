//! ZIP packages (OOXML, ODF): the entry list with its DOS dates, and parts
//! read under a size cap.

use std::io::{Cursor, Read};

use leakcheck_core::{DocMeta, doc::ZipEntry};
use zip::ZipArchive;

use super::dates;
use crate::{ExtractError, Result};

/// Entries listed (and searched) per package; real documents have dozens.
pub const MAX_ENTRIES: usize = 10_000;

/// An opened package.
pub struct Package<'a> {
    zip: ZipArchive<Cursor<&'a [u8]>>,
    max_part: u64,
    names: Vec<String>,
}

impl<'a> Package<'a> {
    /// Opens the ZIP and records its entries in `meta.zip_entries`.
    pub fn open(
        format: &'static str,
        bytes: &'a [u8],
        max_part: u64,
        meta: &mut DocMeta,
    ) -> Result<Package<'a>> {
        let zip = ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
            ExtractError::malformed(format, format!("not a readable ZIP package: {e}"))
        })?;
        if zip.len() > MAX_ENTRIES {
            meta.warnings.push(format!(
                "{} ZIP entries; only the first {MAX_ENTRIES} were read",
                zip.len()
            ));
        }
        let mut names = Vec::new();
        for i in 0..zip.len().min(MAX_ENTRIES) {
            let Ok(entry) = zip.by_index_data(i) else {
                continue;
            };
            let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
            let modified = entry
                .last_modified()
                .and_then(|d| dates::dos(d.datepart(), d.timepart()));
            meta.zip_entries.push(ZipEntry {
                name: name.clone(),
                modified,
                size: entry.size(),
            });
            names.push(name);
        }
        Ok(Package {
            zip,
            max_part,
            names,
        })
    }

    /// Entry names, in ZIP order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// A part's bytes; `Ok(None)` when absent, `Err` (a warning) when it is
    /// larger than the cap or cannot be decompressed.
    pub fn part(&mut self, name: &str) -> std::result::Result<Option<Vec<u8>>, String> {
        let Some(i) = self.names.iter().position(|n| n == name) else {
            return Ok(None);
        };
        let mut file = self.zip.by_index(i).map_err(|e| format!("{name}: {e}"))?;
        let mut out = Vec::new();
        let cap = self.max_part;
        (&mut file)
            .take(cap.saturating_add(1))
            .read_to_end(&mut out)
            .map_err(|e| format!("{name}: {e}"))?;
        if out.len() as u64 > cap {
            return Err(format!("{name} is larger than {cap} bytes; skipped"));
        }
        Ok(Some(out))
    }

    /// A part, pushing a warning into `meta` when it cannot be read.
    pub fn part_or_warn(&mut self, name: &str, meta: &mut DocMeta) -> Option<Vec<u8>> {
        match self.part(name) {
            Ok(p) => p,
            Err(w) => {
                meta.warnings.push(w);
                None
            }
        }
    }
}
