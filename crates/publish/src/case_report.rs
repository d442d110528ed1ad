//! The case report: the dump's custody, counts that add up, verdicts by
//! kind, by check and by month, DKIM coverage by sender domain, the keys
//! and their provenance, and what could not be read.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

use leakcheck_core::words::count;
use leakcheck_core::{CheckId, ItemId, KeyRecord, Verdict};
use leakcheck_store::{Case, Catalog, CustodyEntry, ProblemRow, Stats};
use serde::Serialize;

use crate::Result;
use crate::charts::{bars, by_month, colour};
use crate::html::{badge, esc, page, row};

/// Problems listed in the report at most (all are counted).
const MAX_PROBLEMS: u64 = 500;
/// Sender domains charted at most, the largest first.
const MAX_DOMAINS: usize = 20;

/// How many emails of one sender domain are signed and what they prove.
#[derive(Clone, Debug, Default, Serialize)]
pub struct DomainCoverage {
    /// The From address's domain.
    pub domain: String,
    /// Emails from it.
    pub emails: u64,
    /// Of which with at least one DKIM signature.
    pub signed: u64,
    /// Of which proven authentic.
    pub authentic: u64,
    /// Of which proven altered.
    pub altered: u64,
}

/// Everything the case report shows, as its JSON twin holds it.
#[derive(Clone, Debug, Serialize)]
pub struct CaseSummary {
    /// The case's name.
    pub name: String,
    /// The leak's window, if set (`YYYY-MM-DD..YYYY-MM-DD`).
    pub window: Option<String>,
    /// Every source ingested, when, by whom, with its hash.
    pub custody: Vec<CustodyEntry>,
    /// The catalog's counts (the same as `leakcheck stats`).
    pub stats: Stats,
    /// Items by kind, then by verdict.
    pub by_kind: BTreeMap<String, BTreeMap<String, u64>>,
    /// Items by check, then by that check's own conclusion.
    pub by_check: BTreeMap<String, BTreeMap<String, u64>>,
    /// Items by month of their date (an email's Date, a document's
    /// creation date), then by verdict; undated items are left out.
    pub by_month: BTreeMap<String, BTreeMap<Verdict, u64>>,
    /// DKIM coverage of the largest sender domains.
    pub dkim_by_domain: Vec<DomainCoverage>,
    /// The DKIM keys and their provenance.
    pub keys: Vec<KeyRecord>,
    /// What could not be read (the first ones; all are in `problems_total`).
    pub problems: Vec<ProblemRow>,
    /// Everything that could not be read.
    pub problems_total: u64,
}

/// One of the case report's charts.
#[derive(Clone, Debug, Serialize)]
pub struct Chart {
    /// Its stable name: `verdicts`, `by-month`, `by-check` or
    /// `dkim-coverage`.
    pub name: &'static str,
    /// What it shows.
    pub title: String,
    /// The chart, a standalone SVG document without script or style.
    #[serde(skip)]
    pub svg: String,
}

/// The case report's charts, in the report's order: items by verdict, by
/// month of their date, what each check proved or flagged, and DKIM
/// coverage by sender domain. The workbench shows the same.
pub fn case_charts(s: &CaseSummary) -> Vec<Chart> {
    let chart = |name, title: &str, svg| Chart {
        name,
        title: title.to_string(),
        svg,
    };
    let totals: BTreeMap<&str, u64> = s
        .stats
        .by_verdict
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    let verdict_rows: Vec<(String, Vec<(u64, &str)>)> = Verdict::PRECEDENCE
        .iter()
        .map(|v| {
            (
                v.to_string(),
                vec![(totals.get(v.as_str()).copied().unwrap_or(0), colour(*v))],
            )
        })
        .collect();
    let flagged: Vec<(String, Vec<(u64, &str)>)> = s
        .by_check
        .iter()
        .filter_map(|(check, counts)| {
            let segs: Vec<(u64, &str)> =
                [Verdict::Authentic, Verdict::Altered, Verdict::Suspicious]
                    .iter()
                    .filter_map(|v| counts.get(v.as_str()).map(|n| (*n, colour(*v))))
                    .collect();
            (!segs.is_empty()).then(|| (check.clone(), segs))
        })
        .collect();
    let coverage: Vec<(String, Vec<(u64, &str)>)> = s
        .dkim_by_domain
        .iter()
        .map(|d| {
            let other = d.signed.saturating_sub(d.authentic + d.altered);
            (
                d.domain.clone(),
                vec![
                    (d.authentic, colour(Verdict::Authentic)),
                    (d.altered, colour(Verdict::Altered)),
                    (other, "#8250df"),
                    (
                        d.emails - d.signed.min(d.emails),
                        colour(Verdict::Unverifiable),
                    ),
                ],
            )
        })
        .collect();
    let titles = [
        "items by verdict",
        "items by month of their date, by verdict",
        "items each check proved authentic, altered or flagged suspicious",
        "DKIM coverage by sender domain: authentic, altered, signed but not proven (purple), unsigned (grey)",
    ];
    vec![
        chart("verdicts", titles[0], bars(titles[0], &verdict_rows)),
        chart("by-month", titles[1], by_month(titles[1], &s.by_month)),
        chart("by-check", titles[2], bars(titles[2], &flagged)),
        chart("dkim-coverage", titles[3], bars(titles[3], &coverage)),
    ]
}

/// Gathers the case report's figures, streaming the catalog.
pub fn summarise(case: &Case, catalog: &Catalog) -> Result<CaseSummary> {
    let mut by_kind: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    let mut by_check: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    // Per item: its verdict and whether it carries a DKIM signature.
    let mut items: HashMap<ItemId, (Verdict, bool)> = HashMap::new();
    let unverified: std::collections::HashSet<ItemId> = catalog
        .items_without_verdict()?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    leakcheck_verify::reports(catalog, |r| -> Result<()> {
        let Ok(id) = ItemId::parse(&r.id) else {
            return Ok(());
        };
        let verdict = if unverified.contains(&id) {
            "unverified"
        } else {
            r.verdict.as_str()
        };
        *by_kind
            .entry(r.kind.clone())
            .or_default()
            .entry(verdict.into())
            .or_default() += 1;
        for f in &r.findings {
            *by_check
                .entry(f.check.as_str().into())
                .or_default()
                .entry(f.verdict.as_str().into())
                .or_default() += 1;
        }
        let signed = r.findings.iter().any(|f| {
            f.check == CheckId::EmailDkim
                && f.evidence
                    .get("signatures")
                    .and_then(|s| s.as_array())
                    .is_some_and(|s| !s.is_empty())
        });
        if !unverified.contains(&id) {
            items.insert(id, (r.verdict, signed));
        }
        Ok(())
    })?;
    let mut by_month: BTreeMap<String, BTreeMap<Verdict, u64>> = BTreeMap::new();
    let mut domains: HashMap<String, DomainCoverage> = HashMap::new();
    catalog.for_each_email(|id, m| {
        let domain = m
            .from
            .first()
            .and_then(|a| a.address.as_deref())
            .and_then(|a| a.rsplit_once('@'))
            .map_or("(no address)".to_string(), |(_, d)| d.to_lowercase());
        let d = domains.entry(domain.clone()).or_default();
        d.domain = domain;
        d.emails += 1;
        if let Some((v, signed)) = items.get(&id) {
            d.signed += u64::from(*signed);
            d.authentic += u64::from(*v == Verdict::Authentic);
            d.altered += u64::from(*v == Verdict::Altered);
            if let Some(month) = m.date.as_deref().and_then(|d| d.get(..7)) {
                *by_month
                    .entry(month.into())
                    .or_default()
                    .entry(*v)
                    .or_default() += 1;
            }
        }
    })?;
    for (id, meta, _) in catalog.documents()? {
        let created = meta
            .stores
            .iter()
            .flat_map(|s| &s.fields)
            .filter(|f| f.key == leakcheck_core::doc::key::CREATED)
            .find_map(|f| f.date.clone());
        if let (Some(month), Some((v, _))) =
            (created.as_deref().and_then(|d| d.get(..7)), items.get(&id))
        {
            *by_month
                .entry(month.into())
                .or_default()
                .entry(*v)
                .or_default() += 1;
        }
    }
    let mut dkim_by_domain: Vec<DomainCoverage> = domains.into_values().collect();
    dkim_by_domain.sort_by(|a, b| b.emails.cmp(&a.emails).then(a.domain.cmp(&b.domain)));
    dkim_by_domain.truncate(MAX_DOMAINS);
    let stats = catalog.stats()?;
    let problems_total = stats.errors + stats.item_errors;
    Ok(CaseSummary {
        name: case.settings.name.clone(),
        window: case
            .settings
            .window
            .as_ref()
            .map(|w| format!("{}..{}", w.start, w.end)),
        custody: case.custody()?.entries()?,
        stats,
        by_kind,
        by_check,
        by_month,
        dkim_by_domain,
        keys: catalog.keys()?,
        problems: catalog.problems(MAX_PROBLEMS)?,
        problems_total,
    })
}

/// The case report's page; `listed` are the items with pages of their own
/// (id, title, verdict).
pub(crate) fn case_page(s: &CaseSummary, listed: &[(String, String, Option<Verdict>)]) -> String {
    let mut b = String::new();
    let _ = write!(b, "<h1>{} — evidence report</h1>", esc(&s.name));
    b.push_str("<table>");
    if let Some(w) = &s.window {
        row(&mut b, "leak window", &esc(w));
    }
    let st = &s.stats;
    row(
        &mut b,
        "items",
        &format!(
            "{} ({}, {}), {}; {} of them",
            count(st.items, "distinct item", "distinct items"),
            count(st.emails, "email", "emails"),
            count(st.documents, "document", "documents"),
            count(st.bytes, "byte", "bytes"),
            count(st.duplicates, "further copy", "further copies")
        ),
    );
    row(&mut b, "files seen", &st.files_seen.to_string());
    row(
        &mut b,
        "could not be read",
        &format!(
            "{}, {} with a problem",
            count(st.errors, "place", "places"),
            count(st.item_errors, "item", "items")
        ),
    );
    let c = &st.containers;
    let reconciled = if c.unreconciled.is_empty() {
        "every one reconciled (declared = read + failed)".to_string()
    } else {
        format!(
            "{} not reconciled",
            count(c.unreconciled.len() as u64, "container", "containers")
        )
    };
    row(
        &mut b,
        "containers",
        &format!(
            "{}: {} declared, {} read, {} failed; {reconciled}",
            count(c.count, "container", "containers"),
            count(c.expected, "member", "members"),
            c.emitted,
            c.failed
        ),
    );
    b.push_str("</table>");

    b.push_str("<h2>Custody</h2><table><tr><th>when</th><th>event</th><th>source</th><th>SHA-256</th><th>files, bytes</th><th>operator, note</th></tr>");
    for e in &s.custody {
        let _ = write!(
            b,
            "<tr><td>{}</td><td>{}</td><td class=\"mono\">{} ({})</td><td class=\"mono\">{}</td><td>{}, {}</td><td>{} {}</td></tr>",
            esc(&e.time),
            esc(&e.event),
            esc(&e.path),
            esc(&e.source_kind),
            esc(e.sha256.as_deref().unwrap_or("—")),
            e.files,
            e.size,
            esc(e.operator.as_deref().unwrap_or("")),
            esc(e.note.as_deref().unwrap_or(""))
        );
    }
    b.push_str("</table>");

    b.push_str("<h2>Verdicts</h2>");
    for chart in case_charts(s) {
        b.push_str(&chart.svg);
    }

    b.push_str("<h3>By kind</h3>");
    b.push_str(&table("kind", &s.by_kind));
    b.push_str("<h3>By check (each check's own conclusion, per item)</h3>");
    b.push_str(&table("check", &s.by_check));

    b.push_str("<h2>DKIM keys</h2><table><tr><th>name</th><th>source</th><th>origin</th><th>obtained</th><th>added</th></tr>");
    for k in &s.keys {
        let _ = write!(
            b,
            "<tr><td class=\"mono\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} {}</td></tr>",
            esc(&k.name),
            esc(&k.source),
            k.origin.as_str(),
            esc(k.obtained.as_deref().unwrap_or("")),
            esc(&k.added_at),
            esc(k.added_by.as_deref().unwrap_or(""))
        );
    }
    b.push_str("</table>");

    let _ = write!(b, "<h2>Items in this report ({})</h2>", listed.len());
    if listed.is_empty() {
        b.push_str("<p>None chosen: give ids, a query or <code>--verdict</code> to <code>leakcheck report</code>.</p>");
    } else {
        b.push_str("<table><tr><th>item</th><th>verdict</th><th>title</th></tr>");
        for (id, title, v) in listed {
            let _ = write!(
                b,
                "<tr><td class=\"mono\"><a href=\"items/{id}.html\">{}</a></td><td>{}</td><td>{}</td></tr>",
                &id[..12.min(id.len())],
                badge(*v),
                esc(title)
            );
        }
        b.push_str("</table>");
    }

    let _ = write!(b, "<h2>Could not be read ({})</h2>", s.problems_total);
    if !s.problems.is_empty() {
        b.push_str("<table><tr><th>where</th><th>stage</th><th>why</th></tr>");
        for p in &s.problems {
            let _ = write!(
                b,
                "<tr><td class=\"mono\">{}</td><td>{}</td><td>{}</td></tr>",
                esc(&p.display),
                esc(&p.stage),
                esc(&p.reason)
            );
        }
        b.push_str("</table>");
        if (s.problems.len() as u64) < s.problems_total {
            let _ = write!(
                b,
                "<p>The first {}; <code>leakcheck errors</code> lists them all.</p>",
                s.problems.len()
            );
        }
    }
    page(&format!("{} — evidence report", s.name), &b)
}

/// Counts by row label and verdict as a table.
fn table(what: &str, counts: &BTreeMap<String, BTreeMap<String, u64>>) -> String {
    let mut cols: Vec<String> = Verdict::PRECEDENCE.iter().map(|v| v.to_string()).collect();
    cols.push("unverified".into());
    let mut t = format!("<table><tr><th>{what}</th>");
    for c in &cols {
        let _ = write!(t, "<th>{c}</th>");
    }
    t.push_str("<th>all</th></tr>");
    for (label, by) in counts {
        let _ = write!(t, "<tr><td class=\"mono\">{}</td>", esc(label));
        for c in &cols {
            let _ = write!(t, "<td>{}</td>", by.get(c).copied().unwrap_or(0));
        }
        let _ = write!(t, "<td>{}</td></tr>", by.values().sum::<u64>());
    }
    t.push_str("</table>");
    t
}
