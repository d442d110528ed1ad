//! Redacted copies for publication: each chosen item's text (an email's
//! headers and body, a document's text layer) with the personal data the
//! redact crate finds replaced by its kind (`[PHONE]`), as text and HTML,
//! and a log of every span. Originals are not touched, and the log names
//! where each value was, never the value.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use leakcheck_core::{EmailMeta, ItemId};
use leakcheck_redact::{Detector, Span, redact};
use leakcheck_store::Catalog;
use serde::Serialize;

use crate::export::addresses;
use crate::html::{esc, page};
use crate::{Result, io_at};

/// One redacted span, as the log lists it.
#[derive(Clone, Debug, Serialize)]
pub struct LoggedSpan {
    /// The item.
    pub item: String,
    /// The rule that found it (`email`, `phone`, `iban`, `card`, `nir`,
    /// `birth-date`, `postal-address`, `name`).
    pub rule: String,
    /// Byte offsets in the item's rendering before redaction.
    pub start: usize,
    /// End of the span (exclusive).
    pub end: usize,
    /// What replaced it.
    pub replacement: String,
    /// Who approved it: the operator who ran the redaction.
    pub approved_by: String,
}

/// What a redaction wrote.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RedactStats {
    /// Items rendered redacted.
    pub items: u64,
    /// Spans redacted.
    pub spans: u64,
    /// Spans by rule.
    pub by_rule: BTreeMap<String, u64>,
    /// Items not rendered and why (no text to redact).
    pub not_rendered: Vec<(String, String)>,
}

/// Writes redacted renderings of `ids` into `out` (created; files of an
/// earlier redaction are replaced): `<id>.txt`, `<id>.html`, and
/// `redaction-log.jsonl`.
pub fn write_redacted(
    catalog: &Catalog,
    ids: &[ItemId],
    detector: &Detector,
    approved_by: &str,
    out: &Path,
) -> Result<RedactStats> {
    fs::create_dir_all(out).map_err(io_at(out))?;
    let mut stats = RedactStats::default();
    let mut log = String::new();
    for id in ids {
        let text = match rendering(catalog, id)? {
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
            };
            log.push_str(&serde_json::to_string(&entry)?);
            log.push('\n');
            *stats.by_rule.entry(entry.rule).or_default() += 1;
        }
        stats.spans += spans.len() as u64;
        let redacted = redact(&text, &spans);
        write(&out.join(format!("{id}.txt")), redacted.as_bytes())?;
        let body = format!("<h1>{id} (redacted)</h1><pre>{}</pre>", esc(&redacted));
        write(
            &out.join(format!("{id}.html")),
            page(&format!("{id} (redacted)"), &body).as_bytes(),
        )?;
        stats.items += 1;
    }
    write(&out.join("redaction-log.jsonl"), log.as_bytes())?;
    Ok(stats)
}

/// The text [`redact`] writes in place of a span.
fn replacement(s: &Span) -> String {
    format!("[{}]", s.kind.as_str().to_uppercase())
}

/// The item's text as published: an email's displayed headers and body, a
/// document's text; why not, when it has none.
fn rendering(catalog: &Catalog, id: &ItemId) -> Result<std::result::Result<String, String>> {
    let d = catalog.item(id)?;
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
            let _ = writeln!(s, "{name}: {}", addresses(list));
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
