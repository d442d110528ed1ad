//! Writes an evidence report folder:
//!
//! ```text
//! index.html, case.json        the case report
//! items/<sha256>.html, .json   each chosen item's evidence
//! originals/<sha256>.<ext>     their original bytes (unless left out)
//! keys/<name>.<n>.txt          every DKIM key of the case, as a TXT record
//! SHA256SUMS                   for `sha256sum -c`
//! expected.json, recheck.py    leakcheck's results, and the script that
//! RECHECK.md                   compares them with independent tools
//! ```

use std::fs;
use std::path::Path;

use leakcheck_core::{ItemId, Kind, Verdict};
use leakcheck_store::{Case, Catalog};
use serde::Serialize;

use crate::case_report::{case_page, summarise};
use crate::evidence::{KeyFile, evidence};
use crate::html::item_page;
use crate::recheck::{Expected, SCRIPT, guide};
use crate::{Error, Result, io_at};

/// Pictures embedded in their page at most, in bytes; larger ones are
/// linked as originals only.
const MAX_EMBEDDED_IMAGE: u64 = 4 << 20;

/// What a report holds.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ReportStats {
    /// Items with a page.
    pub items: u64,
    /// Originals copied.
    pub originals: u64,
    /// Key files written.
    pub keys: u64,
    /// DKIM signatures the re-check script compares.
    pub signatures: u64,
    /// The chosen items by verdict.
    pub by_verdict: std::collections::BTreeMap<String, u64>,
}

/// Writes the report of `ids` (and of the case) into `out`, which must be
/// empty, absent, or an earlier report (it is then overwritten).
/// `progress` is called after each item.
pub fn write_report(
    case: &Case,
    catalog: &Catalog,
    ids: &[ItemId],
    out: &Path,
    with_originals: bool,
    mut progress: impl FnMut(u64),
) -> Result<ReportStats> {
    prepare(out)?;
    let mut stats = ReportStats::default();
    let keys = KeyFile::all(catalog.keys()?);
    for k in &keys {
        put(&out.join(&k.file), format!("{}\n", k.record.txt).as_bytes())?;
        stats.keys += 1;
    }
    let mut sums = String::new();
    let mut expected = Vec::with_capacity(ids.len());
    let mut listed = Vec::with_capacity(ids.len());
    for id in ids {
        let e = evidence(case, catalog, id, &keys)?;
        let ext = if e.email.is_some() {
            "eml"
        } else {
            e.kind.as_str()
        };
        let original = format!("originals/{id}.{ext}");
        let image_kind = e.kind.parse::<Kind>().is_ok_and(Kind::is_image);
        let needs_bytes = with_originals || (image_kind && e.size <= MAX_EMBEDDED_IMAGE);
        let bytes = if needs_bytes {
            Some(case.blobs().read(id)?)
        } else {
            None
        };
        if with_originals && let Some(b) = &bytes {
            put(&out.join(&original), b)?;
            sums.push_str(&format!("{id}  {original}\n"));
            stats.originals += 1;
        }
        let image = bytes
            .as_deref()
            .filter(|b| image_kind && b.len() as u64 <= MAX_EMBEDDED_IMAGE);
        let link = with_originals.then(|| format!("../{original}"));
        put(
            &out.join(format!("items/{id}.html")),
            item_page(&e, link.as_deref(), image).as_bytes(),
        )?;
        put(
            &out.join(format!("items/{id}.json")),
            &serde_json::to_vec_pretty(&e)?,
        )?;
        let x = Expected::of(&e, Some(original));
        stats.signatures += x.signatures() as u64;
        expected.push(x);
        let title = e
            .email
            .as_ref()
            .and_then(|m| m.subject.clone())
            .or_else(|| e.places.first().cloned())
            .unwrap_or_default();
        *stats
            .by_verdict
            .entry(e.verdict.map_or("unverified", Verdict::as_str).into())
            .or_default() += 1;
        listed.push((e.id, title, e.verdict));
        stats.items += 1;
        progress(stats.items);
    }
    let summary = summarise(case, catalog)?;
    put(
        &out.join("case.json"),
        &serde_json::to_vec_pretty(&summary)?,
    )?;
    put(
        &out.join("index.html"),
        case_page(&summary, &listed).as_bytes(),
    )?;
    put(&out.join("SHA256SUMS"), sums.as_bytes())?;
    put(
        &out.join("expected.json"),
        &serde_json::to_vec_pretty(&serde_json::json!({ "items": expected }))?,
    )?;
    put(&out.join("recheck.py"), SCRIPT.as_bytes())?;
    put(
        &out.join("RECHECK.md"),
        guide(ids.len(), with_originals).as_bytes(),
    )?;
    Ok(stats)
}

/// The folder made ready: created, or checked to be empty or a report.
fn prepare(out: &Path) -> Result<()> {
    if out.exists() {
        let mut entries = fs::read_dir(out).map_err(io_at(out))?;
        let empty = entries.next().is_none();
        if !empty && !out.join("RECHECK.md").exists() {
            return Err(Error::Write {
                path: out.display().to_string(),
                source: std::io::Error::other(
                    "exists and is neither empty nor an earlier report; not writing into it",
                ),
            });
        }
    }
    for sub in ["items", "originals", "keys"] {
        let dir = out.join(sub);
        fs::create_dir_all(&dir).map_err(io_at(&dir))?;
    }
    Ok(())
}

/// Writes a file, replacing an earlier one (originals copied from the blob
/// store may have kept a read-only mode in an earlier report).
fn put(path: &Path, bytes: &[u8]) -> Result<()> {
    if path.exists() {
        fs::remove_file(path).map_err(io_at(path))?;
    }
    fs::write(path, bytes).map_err(io_at(path))
}
