//! Redacted copies for publication: each chosen item's text (an email's
//! headers and body, a document's text layer) with the personal data the
//! redact crate finds replaced by its kind (`[PHONE]`), as text and HTML,
//! and a log of every span. A PDF is also rebuilt as pictures of its pages
//! with the values painted over in black ([`crate::redacted_pdf`]).
//! Originals are not touched, and the log names where each value was,
//! never the value.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::time::Duration;

use leakcheck_core::{Address, EmailMeta, ItemId};
use leakcheck_redact::{Detector, Span, redact};
use leakcheck_store::{BlobStore, Catalog, ItemDetail};
use serde::Serialize;

use crate::html::{esc, page};
use crate::redacted_pdf::redact_pdf;
use crate::{Result, io_at};

/// One redacted span, as the log lists it.
#[derive(Clone, Debug, Serialize)]
pub struct LoggedSpan {
    /// The item.
    pub item: String,
    /// The rule that found it (`email`, `phone`, `iban`, `card`, `nir`,
    /// `birth-date`, `postal-address`, `name`).
    pub rule: String,
    /// Byte offsets in the item's rendering before redaction: its text, or
    /// for a PDF's page (`page` set) the page's text as rebuilt from
    /// poppler's words.
    pub start: usize,
    /// End of the span (exclusive).
    pub end: usize,
    /// What replaced it.
    pub replacement: String,
    /// Who approved it: the operator who ran the redaction.
    pub approved_by: String,
    /// The page (from 1) of the redacted PDF the span was painted over on;
    /// absent for the text and HTML renderings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
}

/// What a redaction wrote.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RedactStats {
    /// Items rendered redacted.
    pub items: u64,
    /// Spans redacted, one per line of the log: in the texts and on the
    /// PDFs' pages.
    pub spans: u64,
    /// Spans by rule.
    pub by_rule: BTreeMap<String, u64>,
    /// Redacted PDFs written (`<id>.pdf`).
    pub pdfs: u64,
    /// Pages of those PDFs.
    pub pdf_pages: u64,
    /// Pages painted black whole, since what they show could not be
    /// checked: item, and `page N: why`.
    pub blacked_out: Vec<(String, String)>,
    /// Items not rendered and why (no text to redact), and PDFs not
    /// written and why (their text renderings are written).
    pub not_rendered: Vec<(String, String)>,
}

/// Time each poppler call may take on one page of a PDF.
const PAGE_LIMIT: Duration = Duration::from_secs(60);

/// Writes redacted renderings of `ids` into `out` (created; files of an
/// earlier redaction are replaced): `<id>.txt`, `<id>.html`, for a PDF
/// `<id>.pdf` (pictures of its pages at
/// [`DPI`](crate::redacted_pdf::DPI) dots per inch, from a copy of its blob in
/// `blobs`), and `redaction-log.jsonl`.
pub fn write_redacted(
    catalog: &Catalog,
    blobs: &BlobStore,
    ids: &[ItemId],
    detector: &Detector,
    approved_by: &str,
    out: &Path,
) -> Result<RedactStats> {
    fs::create_dir_all(out).map_err(io_at(out))?;
    let mut stats = RedactStats::default();
    let mut log = String::new();
    for id in ids {
        let d = catalog.item(id)?;
        let text = match rendering(catalog, id, &d)? {
            Ok(t) => t,
            Err(why) => {
                stats.not_rendered.push((id.to_string(), why));
                continue;
            }
        };
        let spans = detector.find(&text);
        for s in &spans {
            let entry = LoggedSpan {
                item: id.to_string(),
                rule: s.kind.as_str().into(),
                start: s.start,
                end: s.end,
                replacement: replacement(s),
                approved_by: approved_by.into(),
                page: None,
            };
            logged(&mut log, &mut stats, entry)?;
        }
        let redacted = redact(&text, &spans);
        write(&out.join(format!("{id}.txt")), redacted.as_bytes())?;
        let body = format!("<h1>{id} (redacted)</h1><pre>{}</pre>", esc(&redacted));
        write(
            &out.join(format!("{id}.html")),
            page(&format!("{id} (redacted)"), &body).as_bytes(),
        )?;
        stats.items += 1;
        if d.kind == "pdf" {
            redacted_pdf(blobs, id, detector, approved_by, out, &mut log, &mut stats)?;
        }
    }
    write(&out.join("redaction-log.jsonl"), log.as_bytes())?;
    Ok(stats)
}

/// Writes `<id>.pdf` and logs its spans, or records why not. Only a whole
/// document is written: a page that fails fails it (an earlier file of
/// that name is removed), never leaving a page unredacted.
fn redacted_pdf(
    blobs: &BlobStore,
    id: &ItemId,
    detector: &Detector,
    approved_by: &str,
    out: &Path,
    log: &mut String,
    stats: &mut RedactStats,
) -> Result<()> {
    let path = out.join(format!("{id}.pdf"));
    let made = redact_pdf(&blobs.path(id), detector, PAGE_LIMIT);
    let made = match made {
        Ok(m) => m,
        Err(e) => {
            if path.exists() {
                fs::remove_file(&path).map_err(io_at(&path))?;
            }
            stats
                .not_rendered
                .push((id.to_string(), format!("PDF not written: {e}")));
            return Ok(());
        }
    };
    for (n, p) in (1..).zip(&made.pages) {
        for s in &p.spans {
            let entry = LoggedSpan {
                item: id.to_string(),
                rule: s.kind.as_str().into(),
                start: s.start,
                end: s.end,
                replacement: "black box".into(),
                approved_by: approved_by.into(),
                page: Some(n),
            };
            logged(log, stats, entry)?;
        }
        if let Some(why) = &p.blacked_out {
            stats
                .blacked_out
                .push((id.to_string(), format!("page {n}: {why}")));
        }
    }
    write(&path, &made.bytes)?;
    stats.pdfs += 1;
    stats.pdf_pages += made.pages.len() as u64;
    Ok(())
}

/// Adds a span to the log and the counts.
fn logged(log: &mut String, stats: &mut RedactStats, entry: LoggedSpan) -> Result<()> {
    log.push_str(&serde_json::to_string(&entry)?);
    log.push('\n');
    stats.spans += 1;
    *stats.by_rule.entry(entry.rule).or_default() += 1;
    Ok(())
}

/// The text [`redact`] writes in place of a span.
fn replacement(s: &Span) -> String {
    format!("[{}]", s.kind.as_str().to_uppercase())
}

/// The item's text as published: an email's displayed headers and body, a
/// document's text; why not, when it has none.
fn rendering(
    catalog: &Catalog,
    id: &ItemId,
    d: &ItemDetail,
) -> Result<std::result::Result<String, String>> {
    if let Some(m) = &d.email {
        return Ok(Ok(email_text(m)));
    }
    match catalog.document(id)? {
        Some((_, text)) if !text.trim().is_empty() => Ok(Ok(text)),
        _ => Ok(Err(format!(
            "{}: no text to redact (pictures and scans are not rendered)",
            d.kind
        ))),
    }
}

fn email_text(m: &EmailMeta) -> String {
    let mut s = String::new();
    for (name, list) in [("From", &m.from), ("To", &m.to), ("Cc", &m.cc)] {
        if !list.is_empty() {
            let _ = writeln!(s, "{name}: {}", Address::list(list));
        }
    }
    if let Some(d) = m.date.as_deref().or(m.date_raw.as_deref()) {
        let _ = writeln!(s, "Date: {d}");
    }
    if let Some(subject) = &m.subject {
        let _ = writeln!(s, "Subject: {subject}");
    }
    s.push('\n');
    s.push_str(m.text.as_deref().unwrap_or(""));
    if m.text_truncated {
        s.push_str("\n[the rest of the text is not rendered: cut at the catalog's text limit]\n");
    }
    s
}

/// Writes a file, replacing an earlier one.
fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    fs::write(path, bytes).map_err(io_at(path))
}
