//! Redacted copies for publication: each chosen item's text (an email's
//! headers and body, a document's text layer) with the personal data the
//! redact crate finds replaced by its kind (`[PHONE]`), as text and HTML,
//! and a log of every span. A PDF is also rebuilt as pictures of its pages
//! with the values painted over in black ([`crate::redacted_pdf`]).
//! The workbench's review decides which detections are redacted and adds
//! spans marked by hand ([`crate::review`]). Originals are not touched, and
//! the log names where each value was and who approved it, never the value.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::time::Duration;

use leakcheck_core::words::count;
use leakcheck_core::{Address, EmailMeta, ItemId};
use leakcheck_redact::{Detector, Kind, Span, redact};
use leakcheck_store::{BlobStore, Catalog, ItemDetail};
use serde::Serialize;

use crate::html::{esc, page};
use crate::redacted_pdf::redact_pdf;
use crate::review::{Review, Reviewed, ReviewedText, review};
use crate::{Result, io_at};

/// One span, as the log lists it: a redacted one, or a detection a
/// reviewer rejected (left in the text).
#[derive(Clone, Debug, Serialize)]
pub struct LoggedSpan {
    /// The item.
    pub item: String,
    /// The rule that found it (`email`, `phone`, `iban`, `card`, `nir`,
    /// `birth-date`, `postal-address`, `name`), or the kind a reviewer
    /// gave a span marked by hand.
    pub rule: String,
    /// Byte offsets in the item's rendering before redaction: its text, or
    /// for a PDF's page (`page` set) the page's text as rebuilt from
    /// poppler's words.
    pub start: usize,
    /// End of the span (exclusive).
    pub end: usize,
    /// What replaced it; `null` for a rejected detection, left in the text.
    pub replacement: Option<String>,
    /// `automatic` (found and not reviewed), `accepted`, `rejected` or
    /// `manual` (marked by hand in the workbench).
    pub review: Review,
    /// Who approved it: the reviewer who accepted it or marked it by hand;
    /// `null` for an unreviewed detection (redacted because the detector
    /// found it) and for a rejected one.
    pub approved_by: Option<String>,
    /// The reviewer (who accepted, rejected or marked it), if any.
    pub reviewed_by: Option<String>,
    /// When it was reviewed (RFC 3339).
    pub reviewed_at: Option<String>,
    /// The operator who ran the redaction.
    pub run_by: String,
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
    /// Spans redacted: in the texts and on the PDFs' pages.
    pub spans: u64,
    /// Spans redacted by rule.
    pub by_rule: BTreeMap<String, u64>,
    /// Of the texts' spans redacted, the detections no reviewer looked at.
    pub unreviewed: u64,
    /// Detections reviewers rejected, left in the texts (logged too).
    pub rejected: u64,
    /// Spans reviewers marked by hand, redacted.
    pub manual: u64,
    /// Review decisions that no longer fit their item's text (the text
    /// changed since): not applied.
    pub stale: u64,
    /// Redacted PDFs written (`<id>.pdf`).
    pub pdfs: u64,
    /// Pages of those PDFs.
    pub pdf_pages: u64,
    /// Pages painted black whole, since what they show could not be
    /// checked: item, and `page N: why`.
    pub blacked_out: Vec<(String, String)>,
    /// Items not rendered and why (no text to redact; unreviewed
    /// detections with `reviewed_only`), and PDFs not written and why
    /// (their text renderings are written).
    pub not_rendered: Vec<(String, String)>,
}

/// Time each poppler call may take on one page of a PDF.
const PAGE_LIMIT: Duration = Duration::from_secs(60);

/// Writes redacted renderings of `ids` into `out` (created; files of an
/// earlier redaction are replaced): `<id>.txt`, `<id>.html`, for a PDF
/// `<id>.pdf` (pictures of its pages at
/// [`DPI`](crate::redacted_pdf::DPI) dots per inch, from a copy of its blob in
/// `blobs`), and `redaction-log.jsonl`. The workbench's review decisions in
/// the catalog are applied ([`review`]); with `reviewed_only`, an item with
/// a detection nobody reviewed is not written (listed in `not_rendered`).
pub fn write_redacted(
    catalog: &Catalog,
    blobs: &BlobStore,
    ids: &[ItemId],
    detector: &Detector,
    run_by: &str,
    reviewed_only: bool,
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
        let reviewed = review(
            &text,
            detector.find(&text),
            &catalog.redaction_decisions(id)?,
        );
        if reviewed_only && reviewed.unreviewed() > 0 {
            stats.not_rendered.push((
                id.to_string(),
                format!(
                    "{} not reviewed in the workbench",
                    count(reviewed.unreviewed() as u64, "detection", "detections")
                ),
            ));
            continue;
        }
        stats.stale += reviewed.stale as u64;
        for r in &reviewed.spans {
            logged(&mut log, &mut stats, entry(id, r, run_by, None))?;
        }
        let redacted = redact(&text, &reviewed.to_redact());
        write(&out.join(format!("{id}.txt")), redacted.as_bytes())?;
        let body = format!("<h1>{id} (redacted)</h1><pre>{}</pre>", esc(&redacted));
        write(
            &out.join(format!("{id}.html")),
            page(&format!("{id} (redacted)"), &body).as_bytes(),
        )?;
        stats.items += 1;
        if d.kind == "pdf" {
            let pages = PageReview::of(&reviewed);
            let find = |t: &str| pages.find(detector, t);
            redacted_pdf(blobs, id, &find, &pages, run_by, out, &mut log, &mut stats)?;
        }
    }
    write(&out.join("redaction-log.jsonl"), log.as_bytes())?;
    Ok(stats)
}

/// The log line of a span.
fn entry(id: &ItemId, r: &Reviewed, run_by: &str, page: Option<u32>) -> LoggedSpan {
    let approved = matches!(r.review, Review::Accepted | Review::Manual);
    LoggedSpan {
        item: id.to_string(),
        rule: r.span.kind.as_str().into(),
        start: r.span.start,
        end: r.span.end,
        replacement: r.redacted().then(|| match page {
            Some(_) => "black box".to_string(),
            None => replacement(&r.span),
        }),
        review: r.review,
        approved_by: r.by.clone().filter(|_| approved),
        reviewed_by: r.by.clone(),
        reviewed_at: r.at.clone(),
        run_by: run_by.into(),
        page,
    }
}

/// The review carried to a PDF's pages, whose texts (rebuilt from
/// poppler's words) are not the rendering the decisions address: by value.
/// A detection on a page with the value and kind of a rejected one is left;
/// of an accepted one, it is logged as accepted; a hand-made span's value
/// is painted wherever a page's text holds it as written.
struct PageReview {
    rejected: Vec<(Kind, String)>,
    approved: Vec<Reviewed>,
}

impl PageReview {
    fn of(reviewed: &ReviewedText) -> PageReview {
        let (rejected, approved): (Vec<&Reviewed>, Vec<&Reviewed>) = reviewed
            .spans
            .iter()
            .filter(|r| r.review != Review::Automatic)
            .partition(|r| r.review == Review::Rejected);
        PageReview {
            rejected: rejected
                .into_iter()
                .map(|r| (r.span.kind, r.span.text.clone()))
                .collect(),
            approved: approved.into_iter().cloned().collect(),
        }
    }

    /// The spans to paint on a page whose text is `text`.
    fn find(&self, detector: &Detector, text: &str) -> Vec<Span> {
        let mut spans: Vec<Span> = detector
            .find(text)
            .into_iter()
            .filter(|s| !self.rejected.contains(&(s.kind, s.text.clone())))
            .collect();
        for m in self.approved.iter().filter(|r| r.review == Review::Manual) {
            for (start, value) in text.match_indices(m.span.text.as_str()) {
                spans.push(Span {
                    start,
                    end: start + value.len(),
                    kind: m.span.kind,
                    text: value.to_string(),
                });
            }
        }
        spans.sort_by_key(|s| (s.start, s.end));
        spans
    }

    /// A page's span with the review its value had in the rendering.
    fn reviewed(&self, span: &Span) -> Reviewed {
        let same = |r: &&Reviewed| r.span.kind == span.kind && r.span.text == span.text;
        match self.approved.iter().find(same) {
            Some(r) => Reviewed {
                span: span.clone(),
                ..r.clone()
            },
            None => Reviewed {
                span: span.clone(),
                review: Review::Automatic,
                by: None,
                at: None,
            },
        }
    }
}

/// Writes `<id>.pdf` and logs its spans, or records why not. Only a whole
/// document is written: a page that fails fails it (an earlier file of
/// that name is removed), never leaving a page unredacted.
#[allow(clippy::too_many_arguments)]
fn redacted_pdf(
    blobs: &BlobStore,
    id: &ItemId,
    find: &dyn Fn(&str) -> Vec<Span>,
    pages: &PageReview,
    run_by: &str,
    out: &Path,
    log: &mut String,
    stats: &mut RedactStats,
) -> Result<()> {
    let path = out.join(format!("{id}.pdf"));
    let made = match blobs.local(id) {
        Ok(original) => redact_pdf(&original, find, PAGE_LIMIT).map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
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
            logged(log, stats, entry(id, &pages.reviewed(s), run_by, Some(n)))?;
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
    match entry.review {
        Review::Rejected => {
            stats.rejected += 1;
            return Ok(());
        }
        Review::Manual if entry.page.is_none() => stats.manual += 1,
        Review::Automatic if entry.page.is_none() => stats.unreviewed += 1,
        _ => {}
    }
    stats.spans += 1;
    *stats.by_rule.entry(entry.rule).or_default() += 1;
    Ok(())
}

/// The text [`redact`] writes in place of a span.
fn replacement(s: &Span) -> String {
    format!("[{}]", s.kind.as_str().to_uppercase())
}

/// The text `leakcheck redact` renders for an item (an email's displayed
/// headers and body, a document's text), which review decisions address by
/// byte offsets; why not, when it has none.
pub fn rendered_text(
    catalog: &Catalog,
    id: &ItemId,
) -> Result<std::result::Result<String, String>> {
    let d = catalog.item(id)?;
    rendering(catalog, id, &d)
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
