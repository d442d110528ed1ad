//! `doc.pdf-revisions` (the file was saved again after it was first made)
//! and `doc.pdf-xmp-info` (its two metadata stores disagree).

use leakcheck_core::doc::{key, store};
use leakcheck_core::words::count;
use leakcheck_core::{CheckId, DocMeta, Finding, Store, Verdict};
use serde_json::{Value, json};

use super::{When, cite, finding, squash};

/// The fields both PDF stores carry.
const SHARED: [&str; 6] = [
    key::TITLE,
    key::AUTHOR,
    key::CREATED,
    key::MODIFIED,
    key::PRODUCER,
    key::CREATOR_TOOL,
];

/// Keys whose value differs between two Info dictionaries, with both values.
fn info_changes(before: &Store, after: Option<&Store>) -> Vec<Value> {
    let mut keys: Vec<&str> = before.fields.iter().map(|f| f.key.as_str()).collect();
    if let Some(a) = after {
        keys.extend(a.fields.iter().map(|f| f.key.as_str()));
    }
    // The page count sits in the store but is counted, not read from Info.
    keys.retain(|k| *k != key::PAGES);
    keys.sort_unstable();
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| {
            let was = before.get(k);
            let now = after.and_then(|a| a.get(k));
            (was != now).then(|| json!({"key": k, "was": was, "now": now}))
        })
        .collect()
}

/// `doc.pdf-revisions`: incremental updates appended after the first save,
/// and bytes after the last `%%EOF`.
pub fn revisions(meta: &DocMeta) -> Option<Finding> {
    let layout = meta.pdf.as_ref()?;
    let n = layout.revisions.len();
    let last_info = meta.store(store::PDF_INFO);
    let revisions: Vec<Value> = layout
        .revisions
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut v = json!({"revision": i + 1, "ends_at": r.end, "objects": r.objects});
            if let Some(info) = &r.info {
                v["info_changed_later"] = json!(info_changes(info, last_info));
            }
            v
        })
        .collect();
    let evidence = json!({
        "revisions": revisions,
        "linearized": layout.linearized,
        "trailing_bytes": layout.trailing_bytes,
    });
    let mut problems = Vec::new();
    if n > 1 {
        let added: u64 = layout.revisions[1..].iter().map(|r| r.objects).sum();
        let info = layout.revisions.iter().filter(|r| r.info.is_some()).count();
        let mut s = format!(
            "saved {n} times: {} after the first save define {}",
            count(n - 1, "incremental update", "incremental updates"),
            count(added, "object", "objects")
        );
        if info > 0 {
            s.push_str(&format!(
                ", and {} from the last",
                count(
                    info,
                    "earlier Info dictionary differs",
                    "earlier Info dictionaries differ"
                )
            ));
        }
        s.push_str("; each earlier state is an item of its own (`revision i of n`)");
        problems.push(s);
    }
    if layout.trailing_bytes > 0 {
        problems.push(format!(
            "{} after the last %%EOF, outside any revision",
            count(layout.trailing_bytes, "byte", "bytes")
        ));
    }
    Some(if problems.is_empty() {
        let lin = if layout.linearized {
            " (its linearisation section is not an update)"
        } else {
            ""
        };
        finding(
            CheckId::DocPdfRevisions,
            Verdict::Consistent,
            format!("saved once{lin}, nothing after %%EOF"),
            evidence,
        )
    } else {
        finding(
            CheckId::DocPdfRevisions,
            Verdict::Suspicious,
            problems.join("; "),
            evidence,
        )
    })
}

/// Two values say the same thing: the same letters and digits (XMP lists
/// authors as items, Info as one string), or for dates the same instant.
fn agree(k: &str, info: &leakcheck_core::Field, xmp: &[&leakcheck_core::Field]) -> bool {
    if k == key::CREATED || k == key::MODIFIED {
        let Some(a) = When::of(info) else { return true };
        return xmp.iter().filter_map(|f| When::of(f)).any(|b| {
            // A writer that drops the zone in one store still wrote one clock.
            let secs = a
                .seconds_until(&b)
                .unwrap_or_else(|| (b.local - a.local).num_seconds());
            secs.abs() <= 1
        });
    }
    let joined: String = xmp.iter().map(|f| squash(&f.value)).collect();
    let one = squash(&info.value);
    one == joined || xmp.iter().any(|f| squash(&f.value) == one)
}

/// `doc.pdf-xmp-info`: the Info dictionary and the XMP packet disagree.
pub fn xmp_info(meta: &DocMeta) -> Option<Finding> {
    let info = meta.store(store::PDF_INFO)?;
    let xmp = meta.store(store::XMP)?;
    meta.pdf.as_ref()?;
    let mut compared = Vec::new();
    let mut differ = Vec::new();
    for k in SHARED {
        let Some(i) = info.field(k) else { continue };
        let x: Vec<_> = xmp.fields.iter().filter(|f| f.key == k).collect();
        if x.is_empty() {
            continue;
        }
        let row = json!({
            "key": k,
            "info": cite(store::PDF_INFO, i),
            "xmp": x.iter().map(|f| cite(store::XMP, f)).collect::<Vec<_>>(),
        });
        if agree(k, i, &x) {
            compared.push(row);
        } else {
            differ.push(row);
        }
    }
    if compared.is_empty() && differ.is_empty() {
        return None;
    }
    let newer_info = differ.iter().any(|r| {
        r["key"] == key::MODIFIED
            && info
                .field(key::MODIFIED)
                .and_then(When::of)
                .zip(xmp.field(key::MODIFIED).and_then(When::of))
                .is_some_and(|(i, x)| i.local > x.local)
    });
    let evidence = json!({"differ": differ, "agree": compared});
    Some(if differ.is_empty() {
        finding(
            CheckId::DocPdfXmpInfo,
            Verdict::Consistent,
            format!(
                "Info and XMP agree on {}",
                count(compared.len(), "field", "fields")
            ),
            evidence,
        )
    } else {
        let parts: Vec<String> = differ
            .iter()
            .map(|r| {
                format!(
                    "{}: Info {:?} vs XMP {:?}",
                    r["key"].as_str().unwrap_or_default(),
                    r["info"]["value"].as_str().unwrap_or_default(),
                    r["xmp"][0]["value"].as_str().unwrap_or_default()
                )
            })
            .collect();
        let mut summary = format!("Info and XMP disagree: {}", parts.join("; "));
        if newer_info {
            summary
                .push_str(" (Info is newer: the last save was by a tool that does not update XMP)");
        }
        finding(
            CheckId::DocPdfXmpInfo,
            Verdict::Suspicious,
            summary,
            evidence,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::{doc, store as mk};
    use super::*;
    use leakcheck_core::{PdfLayout, PdfRevision};

    fn pdf(info: &[(&str, &str)], xmp: &[(&str, &str)], revisions: usize) -> DocMeta {
        let mut m = doc("pdf", vec![mk(store::PDF_INFO, info), mk(store::XMP, xmp)]);
        m.stores.retain(|s| !s.fields.is_empty());
        m.pdf = Some(PdfLayout {
            revisions: vec![PdfRevision::default(); revisions],
            ..PdfLayout::default()
        });
        m
    }

    #[test]
    fn one_revision_is_consistent_more_are_suspicious() {
        let f = revisions(&pdf(&[], &[], 1)).unwrap();
        assert_eq!(f.verdict, Verdict::Consistent);
        let mut m = pdf(&[(key::AUTHOR, "Anne")], &[], 3);
        let layout = m.pdf.as_mut().unwrap();
        layout.revisions[1].objects = 4;
        layout.revisions[0].info = Some(mk(store::PDF_INFO, &[(key::AUTHOR, "Claire")]));
        let f = revisions(&m).unwrap();
        assert_eq!(f.verdict, Verdict::Suspicious);
        assert!(
            f.summary.starts_with(
                "saved 3 times: 2 incremental updates after the first save define 4 objects"
            ),
            "{}",
            f.summary
        );
        let change = &f.evidence["revisions"][0]["info_changed_later"][0];
        assert_eq!(
            (change["was"].as_str(), change["now"].as_str()),
            (Some("Claire"), Some("Anne"))
        );
        m.pdf.as_mut().unwrap().revisions.truncate(1);
        m.pdf.as_mut().unwrap().trailing_bytes = 12;
        assert!(
            revisions(&m)
                .unwrap()
                .summary
                .contains("12 bytes after the last %%EOF")
        );
        assert!(revisions(&doc("docx", vec![])).is_none());
    }

    #[test]
    fn info_and_xmp() {
        let same = pdf(
            &[
                (key::TITLE, "Plan 2017"),
                (key::AUTHOR, "Anne Martin; Bruno Petit"),
                (key::MODIFIED, "2017-04-10T09:00:00+02:00"),
            ],
            &[
                (key::TITLE, "Plan 2017"),
                (key::AUTHOR, "Anne Martin"),
                (key::AUTHOR, "Bruno Petit"),
                (key::MODIFIED, "2017-04-10T07:00:00Z"),
            ],
            1,
        );
        let f = xmp_info(&same).unwrap();
        assert_eq!(f.verdict, Verdict::Consistent, "{}", f.summary);
        assert_eq!(f.evidence["agree"].as_array().unwrap().len(), 3);
        let diff = pdf(
            &[
                (key::TITLE, "this is a new title"),
                (key::MODIFIED, "2017-04-12T09:00:00+02:00"),
            ],
            &[
                (key::TITLE, "Sample Title"),
                (key::MODIFIED, "2017-04-10T09:00:00+02:00"),
            ],
            1,
        );
        let f = xmp_info(&diff).unwrap();
        assert_eq!(f.verdict, Verdict::Suspicious);
        assert!(
            f.summary
                .contains("title: Info \"this is a new title\" vs XMP \"Sample Title\""),
            "{}",
            f.summary
        );
        assert!(f.summary.contains("Info is newer"));
        assert!(xmp_info(&pdf(&[(key::TITLE, "x")], &[], 1)).is_none());
    }
}
