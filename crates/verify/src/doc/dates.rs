//! `doc.dates`: embedded dates that cannot be right. A file in a leak cannot
//! have been saved after the leak (the window's end) or after it reached us
//! (ingest), its modification cannot precede its creation, and dates before
//! any of these formats existed are zeroed or default clocks.

use chrono::{Datelike, NaiveDate};
use leakcheck_core::doc::key;
use leakcheck_core::{CheckId, DocMeta, Field, Finding, Verdict};
use serde_json::{Value, json};

use super::{Context, When, cite, finding};

/// Earlier than this, no format we read existed (PDF 1993, OLE 1992, EXIF
/// 1995): the value is a zeroed clock or an epoch (1601, 1904, 1970, 1980).
const FIRST_PLAUSIBLE_YEAR: i32 = 1985;
/// A modification this many seconds before creation is within clock noise.
const SLACK_SECONDS: i64 = 60;

/// Every dated field, with a label saying where it is: the stores, the
/// Info of earlier PDF revisions, and the ZIP entries of a package (those
/// Office leaves at 1980-01-01 say nothing and are left out).
fn dated(meta: &DocMeta) -> Vec<(String, Field)> {
    let mut out: Vec<(String, Field)> = meta
        .stores
        .iter()
        .flat_map(|s| s.fields.iter().map(move |f| (s.name.clone(), f.clone())))
        .collect();
    if let Some(pdf) = &meta.pdf {
        let n = pdf.revisions.len();
        for (i, r) in pdf.revisions.iter().enumerate() {
            if let Some(info) = &r.info {
                let label = format!("{} (revision {} of {n})", info.name, i + 1);
                out.extend(info.fields.iter().map(|f| (label.clone(), f.clone())));
            }
        }
    }
    for e in &meta.zip_entries {
        if let Some(d) = e.modified.as_ref().filter(|d| !d.starts_with("1980-01-01")) {
            let field = Field {
                key: key::MODIFIED.into(),
                tag: e.name.clone(),
                value: d.clone(),
                date: Some(d.clone()),
            };
            out.push(("zip entry".into(), field));
        }
    }
    out.retain(|(_, f)| f.date.is_some());
    out
}

fn is_placeholder(w: &When) -> bool {
    w.local.year() < FIRST_PLAUSIBLE_YEAR
        || w.local
            == NaiveDate::from_ymd_opt(2000, 1, 1)
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .unwrap_or_default()
}

/// `doc.dates` for one document.
pub fn check(meta: &DocMeta, ctx: &Context) -> Option<Finding> {
    let fields = dated(meta);
    if fields.is_empty() {
        return None;
    }
    let window_end = ctx
        .window
        .as_ref()
        .and_then(|w| w.end.succ_opt())
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc());
    let mut problems: Vec<Value> = Vec::new();
    let mut before_window: Vec<Value> = Vec::new();
    let mut read = 0;
    for (store, f) in &fields {
        let Some(w) = When::of(f) else { continue };
        read += 1;
        let mut why = |rule: &str, text: String| {
            let mut c = cite(store, f);
            c["rule"] = json!(rule);
            c["why"] = json!(text);
            problems.push(c);
        };
        if f.key != key::PRINTED && is_placeholder(&w) {
            why(
                "placeholder",
                format!("{} is a zeroed or default clock, not a real date", w.local),
            );
        } else if w.earliest() > ctx.ingested {
            why(
                "after-ingest",
                format!(
                    "later than the dump's ingest ({})",
                    ctx.ingested.format("%Y-%m-%d %H:%M UTC")
                ),
            );
        } else if let Some(end) = window_end.filter(|e| w.earliest() >= *e) {
            let last = end.date_naive().pred_opt().unwrap_or_default();
            why(
                "after-window",
                format!("after the leak window ends ({last})"),
            );
        } else if let Some(start) = ctx.window.as_ref().map(|w| w.start)
            && w.latest().date_naive() < start
        {
            before_window.push(cite(store, f));
        }
    }
    // Modified before created, within one store (one writer, one clock).
    let mut stores: Vec<&str> = fields.iter().map(|(s, _)| s.as_str()).collect();
    stores.dedup();
    for store in stores {
        let first = |k: &str| {
            fields
                .iter()
                .find(|(s, f)| s == store && f.key == k)
                .and_then(|(_, f)| Some((f, When::of(f)?)))
        };
        let (Some((c, created)), Some((m, modified))) = (first(key::CREATED), first(key::MODIFIED))
        else {
            continue;
        };
        if created
            .seconds_until(&modified)
            .is_some_and(|s| s < -SLACK_SECONDS)
        {
            problems.push(json!({
                "rule": "modified-before-created",
                "store": store,
                "created": cite(store, c),
                "modified": cite(store, m),
                "why": format!("modified ({}) before it was created ({})", m.value, c.value),
            }));
        }
    }
    let evidence = json!({
        "dates_read": read,
        "problems": problems,
        "before_window": before_window,
        "window": ctx.window.as_ref().map(|w| json!({"start": w.start.to_string(), "end": w.end.to_string()})),
        "ingested": ctx.ingested.to_rfc3339(),
    });
    Some(if problems.is_empty() {
        let mut summary = format!(
            "{}, in order",
            leakcheck_core::words::count(read, "embedded date", "embedded dates")
        );
        if ctx.window.is_some() {
            summary.push_str(", none after the leak window");
        }
        if !before_window.is_empty() {
            summary.push_str(&format!(
                " ({} before it starts: documents often predate the mail they travel in)",
                before_window.len()
            ));
        }
        finding(CheckId::DocDates, Verdict::Consistent, summary, evidence)
    } else {
        let parts: Vec<String> = problems
            .iter()
            .map(|p| {
                let field = p["tag"]
                    .as_str()
                    .map(|t| format!("{} {t}", p["store"].as_str().unwrap_or_default()));
                match field {
                    Some(field) => format!(
                        "{field} {}: {}",
                        p["value"].as_str().unwrap_or_default(),
                        p["why"].as_str().unwrap_or_default()
                    ),
                    None => format!(
                        "{}: {}",
                        p["store"].as_str().unwrap_or_default(),
                        p["why"].as_str().unwrap_or_default()
                    ),
                }
            })
            .collect();
        finding(
            CheckId::DocDates,
            Verdict::Suspicious,
            parts.join("; "),
            evidence,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::super::OrgNames;
    use super::super::testing::{doc, store};
    use super::*;
    use chrono::{DateTime, Utc};
    use leakcheck_core::doc::store as st;
    use leakcheck_store::Window;

    fn ctx() -> Context {
        Context {
            window: Some(Window::parse("2017-01-01..2017-05-05").unwrap()),
            org: OrgNames::default(),
            ingested: DateTime::parse_from_rfc3339("2017-05-06T12:00:00Z")
                .unwrap()
                .with_timezone(&Utc),
        }
    }

    fn core(created: &str, modified: &str) -> DocMeta {
        doc(
            "docx",
            vec![store(
                st::OOXML_CORE,
                &[(key::CREATED, created), (key::MODIFIED, modified)],
            )],
        )
    }

    fn rules(f: &Finding) -> Vec<&str> {
        f.evidence["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["rule"].as_str().unwrap())
            .collect()
    }

    #[test]
    fn ordered_dates_inside_the_window_are_consistent() {
        let f = check(
            &core("2017-04-10T09:00:00Z", "2017-04-12T18:00:00Z"),
            &ctx(),
        )
        .unwrap();
        assert_eq!(f.verdict, Verdict::Consistent, "{}", f.summary);
        assert_eq!(f.evidence["dates_read"], 2);
        // Older than the window: noted, not suspicious.
        let f = check(
            &core("2012-04-10T09:00:00Z", "2016-04-12T18:00:00Z"),
            &ctx(),
        )
        .unwrap();
        assert_eq!(f.verdict, Verdict::Consistent);
        assert!(f.summary.contains("2 before it starts"), "{}", f.summary);
        assert!(check(&doc("docx", vec![]), &ctx()).is_none());
    }

    #[test]
    fn modified_before_created() {
        let f = check(
            &core("2017-04-12T18:00:00Z", "2017-04-10T09:00:00Z"),
            &ctx(),
        )
        .unwrap();
        assert_eq!(f.verdict, Verdict::Suspicious);
        assert_eq!(rules(&f), ["modified-before-created"]);
        // A minute of clock noise is not a finding.
        let f = check(
            &core("2017-04-12T18:00:30Z", "2017-04-12T18:00:00Z"),
            &ctx(),
        )
        .unwrap();
        assert_eq!(f.verdict, Verdict::Consistent);
    }

    #[test]
    fn after_the_window_after_ingest_and_placeholders() {
        let f = check(
            &core("2017-04-10T09:00:00Z", "2017-05-06T08:00:00+02:00"),
            &ctx(),
        )
        .unwrap();
        assert_eq!(rules(&f), ["after-window"]);
        // Without a zone, the last hours of the window's last day still fit.
        let f = check(&core("2017-04-10T09:00:00", "2017-05-06T09:00:00"), &ctx()).unwrap();
        assert_eq!(f.verdict, Verdict::Consistent, "{}", f.summary);
        let f = check(
            &core("2017-04-10T09:00:00Z", "2019-01-01T00:00:00Z"),
            &ctx(),
        )
        .unwrap();
        assert_eq!(rules(&f), ["after-ingest"]);
        let f = check(
            &core("1601-01-01T00:00:00Z", "2017-04-10T09:00:00Z"),
            &ctx(),
        )
        .unwrap();
        assert_eq!(rules(&f), ["placeholder"]);
        assert!(f.summary.contains("ooxml.core"), "{}", f.summary);
    }

    #[test]
    fn zip_entries_saved_after_the_window() {
        let mut meta = core("2017-04-10T09:00:00Z", "2017-04-12T18:00:00Z");
        meta.zip_entries = ["1980-01-01T00:00:00", "2017-05-06T20:00:00"]
            .iter()
            .map(|d| leakcheck_core::ZipEntry {
                name: "word/document.xml".into(),
                modified: Some((*d).into()),
                size: 1,
            })
            .collect();
        let f = check(&meta, &ctx()).unwrap();
        assert_eq!(rules(&f), ["after-window"]);
        assert_eq!(
            f.evidence["dates_read"], 3,
            "Office's 1980 stamp is not a date"
        );
        assert_eq!(f.evidence["problems"][0]["store"], "zip entry");
    }

    #[test]
    fn earlier_pdf_revisions_are_read_too() {
        let mut meta = doc(
            "pdf",
            vec![store(
                st::PDF_INFO,
                &[(key::MODIFIED, "2017-04-10T09:00:00Z")],
            )],
        );
        meta.pdf = Some(leakcheck_core::PdfLayout {
            revisions: vec![
                leakcheck_core::PdfRevision {
                    info: Some(store(
                        st::PDF_INFO,
                        &[(key::MODIFIED, "2018-04-10T09:00:00Z")],
                    )),
                    ..Default::default()
                },
                Default::default(),
            ],
            ..Default::default()
        });
        let f = check(&meta, &ctx()).unwrap();
        assert_eq!(rules(&f), ["after-ingest"]);
        assert_eq!(
            f.evidence["problems"][0]["store"],
            "pdf.info (revision 1 of 2)"
        );
    }
}
