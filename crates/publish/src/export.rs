//! Exports: every item (or the chosen ones) with its verdict and findings,
//! streamed a page of the catalog at a time, as JSON lines, CSV (cells a
//! spreadsheet would take for formulas stay text) or FollowTheMoney
//! entities for OCCRP Aleph.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;

use leakcheck_core::sanitize::csv_cell;
use leakcheck_core::{Address, DocMeta, EmailMeta, Finding, ItemId, Verdict};
use leakcheck_store::Catalog;
use leakcheck_verify::ItemReport;
use serde::Serialize;
use serde_json::json;

use crate::ftm::Entities;
use crate::{Error, Result};

/// An export's format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per item and line, findings with their evidence.
    Jsonl,
    /// One row per item: verdict, the checks that flagged it, the summary
    /// behind the verdict.
    Csv,
    /// FollowTheMoney entities, one per line (Email, Document, Pages,
    /// Image, Person), as `ftm` and Aleph read them.
    Ftm,
}

/// What an export wrote.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ExportStats {
    /// Items written.
    pub items: u64,
    /// Lines or rows written (FollowTheMoney adds one per person).
    pub records: u64,
    /// Items by verdict (`unverified` before `verify`).
    pub by_verdict: BTreeMap<String, u64>,
}

/// Items looked up together: one catalog query per page, not per item.
const BATCH: usize = 500;

/// Writes the items of the catalog (those in `only`, when given) to `out`.
pub fn export(
    catalog: &Catalog,
    only: Option<&HashSet<ItemId>>,
    format: Format,
    out: &mut dyn Write,
) -> Result<ExportStats> {
    let mut stats = ExportStats::default();
    // Items ingested since the last `verify` have no verdict yet: they are
    // exported as unverified, not as "nothing could be checked".
    let unverified: HashSet<ItemId> = catalog
        .items_without_verdict()?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let mut sink = Sink {
        catalog,
        format,
        out,
        ftm: Entities::default(),
        stats: &mut stats,
        unverified,
    };
    if format == Format::Csv {
        sink.line(CSV_HEADER)?;
    }
    let mut batch: Vec<ItemReport> = Vec::with_capacity(BATCH);
    leakcheck_verify::reports(catalog, |r| -> Result<()> {
        if only.is_none_or(|ids| ItemId::parse(&r.id).is_ok_and(|id| ids.contains(&id))) {
            batch.push(r);
            if batch.len() == BATCH {
                sink.batch(std::mem::take(&mut batch))?;
            }
        }
        Ok(())
    })?;
    sink.batch(batch)?;
    sink.out.flush().map_err(write_error)?;
    Ok(stats)
}

const CSV_HEADER: &str = "id,kind,date,verdict,flagged_by,summary,title,from,to,first_place,places";

struct Sink<'a> {
    catalog: &'a Catalog,
    format: Format,
    out: &'a mut dyn Write,
    ftm: Entities,
    stats: &'a mut ExportStats,
    unverified: HashSet<ItemId>,
}

/// One exported item.
pub(crate) struct Row<'a> {
    pub report: &'a ItemReport,
    /// `None` before `verify`: findings are then empty too.
    pub verdict: Option<Verdict>,
    pub email: Option<&'a EmailMeta>,
    pub document: Option<&'a DocMeta>,
}

impl Sink<'_> {
    fn batch(&mut self, batch: Vec<ItemReport>) -> Result<()> {
        let ids: Vec<ItemId> = batch
            .iter()
            .filter(|r| r.kind == "email")
            .filter_map(|r| ItemId::parse(&r.id).ok())
            .collect();
        let emails: HashMap<String, EmailMeta> = self
            .catalog
            .emails_of(&ids)?
            .into_iter()
            .map(|(id, m)| (id.to_string(), m))
            .collect();
        for r in &batch {
            let id = ItemId::parse(&r.id).ok();
            let document = match (r.kind.as_str(), &id) {
                ("email", _) | (_, None) => None,
                (_, Some(id)) => self.catalog.document_meta(id)?,
            };
            let verdict = id
                .filter(|id| !self.unverified.contains(id))
                .map(|_| r.verdict);
            let row = Row {
                report: r,
                verdict,
                email: emails.get(&r.id),
                document: document.as_ref(),
            };
            self.stats.items += 1;
            *self
                .stats
                .by_verdict
                .entry(verdict.map_or("unverified", Verdict::as_str).to_string())
                .or_default() += 1;
            match self.format {
                Format::Jsonl => {
                    let line = serde_json::to_string(&json_row(&row))?;
                    self.line(&line)?;
                }
                Format::Csv => self.line(&csv_row(&row))?,
                Format::Ftm => {
                    for entity in self.ftm.of(&row) {
                        let line = serde_json::to_string(&entity)?;
                        self.line(&line)?;
                    }
                }
            }
        }
        Ok(())
    }

    fn line(&mut self, s: &str) -> Result<()> {
        self.stats.records += 1;
        self.out
            .write_all(s.as_bytes())
            .and_then(|_| self.out.write_all(b"\n"))
            .map_err(write_error)
    }
}

fn write_error(source: std::io::Error) -> Error {
    Error::Write {
        path: "the export".into(),
        source,
    }
}

fn json_row(r: &Row) -> serde_json::Value {
    let mut v = json!({
        "id": r.report.id,
        "sha256": r.report.id,
        "kind": r.report.kind,
        "places": r.report.paths,
        "verdict": r.verdict.map_or("unverified", Verdict::as_str),
        "findings": r.report.findings,
    });
    if let Some(e) = r.email {
        v["email"] = json!({
            "message_id": e.message_id,
            "date": e.date,
            "subject": e.subject,
            "from": e.from,
            "to": e.to,
            "cc": e.cc,
            "in_reply_to": e.in_reply_to,
            "attachments": e.attachments,
        });
    }
    if let Some(d) = r.document {
        v["document"] = json!({
            "format": d.format,
            "title": doc_field(d, leakcheck_core::doc::key::TITLE),
            "author": doc_field(d, leakcheck_core::doc::key::AUTHOR),
            "created": doc_field(d, leakcheck_core::doc::key::CREATED),
            "modified": doc_field(d, leakcheck_core::doc::key::MODIFIED),
            "pages": d.pages,
        });
    }
    v
}

fn csv_row(r: &Row) -> String {
    let title = r
        .email
        .and_then(|e| e.subject.clone())
        .or_else(|| {
            r.document
                .and_then(|d| doc_field(d, leakcheck_core::doc::key::TITLE))
        })
        .unwrap_or_default();
    let cells = [
        r.report.id.clone(),
        r.report.kind.clone(),
        date_of(r).unwrap_or_default(),
        r.verdict.map_or("unverified", Verdict::as_str).to_string(),
        flagged_by(&r.report.findings),
        deciding(r).map(|f| f.summary.clone()).unwrap_or_default(),
        title,
        r.email.map(|e| Address::list(&e.from)).unwrap_or_default(),
        r.email.map(|e| Address::list(&e.to)).unwrap_or_default(),
        r.report.paths.first().cloned().unwrap_or_default(),
        r.report.paths.len().to_string(),
    ];
    cells
        .iter()
        .map(|c| csv_cell(c))
        .collect::<Vec<_>>()
        .join(",")
}

/// The checks whose own conclusion is neither consistent nor unverifiable,
/// each with it: `email.dkim=authentic; doc.dates=suspicious`.
pub(crate) fn flagged_by(findings: &[Finding]) -> String {
    findings
        .iter()
        .filter(|f| {
            matches!(
                f.verdict,
                Verdict::Authentic | Verdict::Altered | Verdict::Suspicious
            )
        })
        .map(|f| format!("{}={}", f.check, f.verdict))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The finding the verdict comes from (the first with the item's verdict).
pub(crate) fn deciding<'a>(r: &Row<'a>) -> Option<&'a Finding> {
    let v = r.verdict?;
    r.report.findings.iter().find(|f| f.verdict == v)
}

/// The item's date: an email's Date, a document's creation date.
pub(crate) fn date_of(r: &Row) -> Option<String> {
    r.email.and_then(|e| e.date.clone()).or_else(|| {
        r.document
            .and_then(|d| doc_date(d, leakcheck_core::doc::key::CREATED))
    })
}

/// The first value of a metadata field, in store order.
pub(crate) fn doc_field(d: &DocMeta, key: &str) -> Option<String> {
    d.stores
        .iter()
        .flat_map(|s| &s.fields)
        .find(|f| f.key == key && !f.value.trim().is_empty())
        .map(|f| f.value.clone())
}

/// The first date of a metadata field that parsed as one.
pub(crate) fn doc_date(d: &DocMeta, key: &str) -> Option<String> {
    d.stores
        .iter()
        .flat_map(|s| &s.fields)
        .filter(|f| f.key == key)
        .find_map(|f| f.date.clone())
}
