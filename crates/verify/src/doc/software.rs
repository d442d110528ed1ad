//! `doc.software`: the programs a document names, against the rest of the
//! dump and against what those programs do. Three signals:
//! - a toolchain (authoring application + PDF producer) few documents share;
//! - an OOXML package that claims Microsoft Office but whose ZIP entries
//!   carry real dates (Office writes 1980-01-01: another tool repacked it),
//!   unless that is the dump's norm (the system that exported the dump
//!   rewrote its documents: reported as such);
//! - an Office version released after the document says it was created.

use chrono::NaiveDate;
use leakcheck_core::doc::{key, store};
use leakcheck_core::{CheckId, DocMeta, Finding, Verdict};
use serde_json::json;

use super::population::Population;
use super::{When, cite, finding};

const IMAGES: [&str; 7] = ["jpeg", "png", "tiff", "heic", "webp", "gif", "bmp"];
const OOXML: [&str; 3] = ["docx", "xlsx", "pptx"];
/// The date Office writes on every entry of a package it saves.
const OFFICE_ZIP_DATE: &str = "1980-01-01";

/// Office `AppVersion` majors and the day each version was first shown to
/// the public (its first beta or preview), so that beta users are not
/// flagged: a file cannot be saved by a version before that day.
fn office_release(app_version: &str) -> Option<(&'static str, NaiveDate)> {
    let major: u32 = app_version.split('.').next()?.trim().parse().ok()?;
    let (name, y, m, d) = match major {
        12 => ("Office 2007", 2005, 11, 16),
        14 => ("Office 2010", 2009, 7, 13),
        15 => ("Office 2013", 2012, 7, 16),
        16 => ("Office 2016", 2015, 3, 5),
        _ => return None,
    };
    Some((name, NaiveDate::from_ymd_opt(y, m, d)?))
}

/// Lower case, and each word cut at its first digit: "Acrobat Distiller
/// 9.0.0" and "Acrobat Distiller 10.1.16" are one toolchain, and so are
/// LibreOffice builds with their version and build hashes.
fn fold(s: &str) -> String {
    s.split_whitespace()
        .map(|w| match w.find(|c: char| c.is_ascii_digit()) {
            Some(i) => format!("{}#", w[..i].to_lowercase()),
            None => w.to_lowercase(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The document's toolchain: its format, authoring application and PDF
/// producer. Images are left to `image.software`.
pub(crate) fn toolchain(meta: &DocMeta) -> Option<String> {
    if IMAGES.contains(&meta.format.as_str()) {
        return None;
    }
    let app = meta
        .fields(key::CREATOR_TOOL)
        .next()
        .map(|(_, f)| fold(&f.value));
    let producer = meta
        .fields(key::PRODUCER)
        .next()
        .map(|(_, f)| fold(&f.value));
    if app.is_none() && producer.is_none() {
        return None;
    }
    Some(format!(
        "{}: {} / {}",
        meta.format,
        app.as_deref().unwrap_or("-"),
        producer.as_deref().unwrap_or("-")
    ))
}

/// An OOXML package's ZIP entry dates against what its properties claim.
pub(crate) struct Repack<'a> {
    /// The properties name Microsoft Office.
    pub claims_office: bool,
    /// Entries dated otherwise than Office dates them, sorted.
    pub dated: Vec<&'a str>,
}

/// For OOXML packages with their ZIP entries read.
pub(crate) fn repack(meta: &DocMeta) -> Option<Repack<'_>> {
    if !OOXML.contains(&meta.format.as_str()) || meta.zip_entries.is_empty() {
        return None;
    }
    let mut dated: Vec<&str> = meta
        .zip_entries
        .iter()
        .filter_map(|e| e.modified.as_deref())
        .filter(|d| !d.starts_with(OFFICE_ZIP_DATE))
        .collect();
    dated.sort_unstable();
    let claims_office = meta
        .store(store::OOXML_APP)
        .and_then(|s| s.get(key::CREATOR_TOOL))
        .is_some_and(|a| a.to_lowercase().contains("microsoft"));
    Some(Repack {
        claims_office,
        dated,
    })
}

/// `doc.software` for one document.
pub fn check(meta: &DocMeta, pop: &Population) -> Option<Finding> {
    let tools: Vec<_> = meta
        .fields(key::CREATOR_TOOL)
        .chain(meta.fields(key::PRODUCER))
        .chain(meta.fields(key::APP_VERSION))
        .map(|(s, f)| cite(s, f))
        .collect();
    let toolchain = toolchain(meta);
    let is_ooxml = repack(meta).is_some();
    if toolchain.is_none() && !is_ooxml {
        return None;
    }
    let mut problems = Vec::new();
    let mut evidence = json!({"software": tools});

    if let Some(t) = &toolchain {
        let n = pop.toolchains.get(t).copied().unwrap_or(0);
        evidence["toolchain"] =
            json!({"key": t, "population": Population::share(n, pop.with_toolchain)});
        if Population::rare(n, pop.with_toolchain) {
            problems.push(format!(
                "toolchain \"{t}\" is used by {n} of {} documents that name their software",
                pop.with_toolchain
            ));
        }
    }

    let mut norms = Vec::new();
    if let Some(r) = repack(meta) {
        let (n, total) = (pop.repacked, pop.office_packages);
        evidence["zip_entries"] = json!({
            "count": meta.zip_entries.len(),
            "dated": r.dated.len(),
            "first": r.dated.first(),
            "last": r.dated.last(),
            "population": Population::share(n, total),
        });
        if r.claims_office && !r.dated.is_empty() {
            let what = format!(
                "the properties name Microsoft Office, which dates every ZIP entry {OFFICE_ZIP_DATE}, \
                 but {} of {} entries are dated {}",
                r.dated.len(),
                meta.zip_entries.len(),
                r.dated.last().copied().unwrap_or_default()
            );
            if Population::norm(n, total) {
                norms.push(format!(
                    "{what}: so are {n} of the dump's {total} Office packages, the dump's norm \
                     (how its documents were produced), not a sign on this file"
                ));
            } else {
                problems.push(format!(
                    "{what}: another tool rewrote the package ({n} of the dump's {total} Office packages are like this)"
                ));
            }
        }
    }

    let app = meta.store(store::OOXML_APP);
    let version = app.and_then(|s| s.field(key::APP_VERSION));
    let created = meta
        .store(store::OOXML_CORE)
        .and_then(|s| s.field(key::CREATED));
    if let (Some(v), Some(c)) = (version, created)
        && let (Some((name, release)), Some(w)) = (office_release(&v.value), When::of(c))
        && w.latest().date_naive() < release
    {
        evidence["anachronism"] = json!({
            "app_version": cite(store::OOXML_APP, v),
            "created": cite(store::OOXML_CORE, c),
            "released": release.to_string(),
        });
        problems.push(format!(
            "AppVersion {} is {name}, first released {release}, but the file says it was created {}",
            v.value, c.value
        ));
    }

    Some(if problems.is_empty() {
        let mut summary = match &toolchain {
            Some(t) => format!(
                "toolchain \"{t}\" is shared by {} of {} documents",
                pop.toolchains.get(t).copied().unwrap_or(0),
                pop.with_toolchain
            ),
            None => "package written as its software would".to_string(),
        };
        for n in norms {
            summary.push_str("; ");
            summary.push_str(&n);
        }
        finding(CheckId::DocSoftware, Verdict::Consistent, summary, evidence)
    } else {
        finding(
            CheckId::DocSoftware,
            Verdict::Suspicious,
            problems.join("; "),
            evidence,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::{doc, store as mk};
    use super::*;
    use leakcheck_core::ZipEntry;

    fn docx(app: &str, version: &str, created: &str, zip_date: &str) -> DocMeta {
        let mut m = doc(
            "docx",
            vec![
                mk(store::OOXML_CORE, &[(key::CREATED, created)]),
                mk(
                    store::OOXML_APP,
                    &[(key::CREATOR_TOOL, app), (key::APP_VERSION, version)],
                ),
            ],
        );
        m.zip_entries = ["[Content_Types].xml", "word/document.xml"]
            .iter()
            .map(|n| ZipEntry {
                name: (*n).into(),
                modified: Some(zip_date.into()),
                size: 1,
            })
            .collect();
        m
    }

    fn word() -> DocMeta {
        docx(
            "Microsoft Office Word",
            "16.0000",
            "2017-04-10T09:00:00Z",
            "1980-01-01T00:00:00",
        )
    }

    #[test]
    fn office_package_as_office_writes_it() {
        let docs: Vec<DocMeta> = (0..20).map(|_| word()).collect();
        let pop = Population::new(&docs, []);
        let f = check(&word(), &pop).unwrap();
        assert_eq!(f.verdict, Verdict::Consistent, "{}", f.summary);
        assert!(f.summary.contains("20 of 20"), "{}", f.summary);
    }

    #[test]
    fn repacked_package() {
        let m = docx(
            "Microsoft Office Word",
            "16.0000",
            "2017-04-10T09:00:00Z",
            "2017-05-06T10:00:00",
        );
        let docs: Vec<DocMeta> = (0..20).map(|_| word()).collect();
        let f = check(&m, &Population::new(&docs, [])).unwrap();
        assert_eq!(f.verdict, Verdict::Suspicious);
        assert!(
            f.summary
                .contains("2 of 2 entries are dated 2017-05-06T10:00:00"),
            "{}",
            f.summary
        );
        // LibreOffice dates its entries: not a repack.
        let lo = docx(
            "LibreOffice/7.0",
            "",
            "2017-04-10T09:00:00Z",
            "2017-05-06T10:00:00",
        );
        let docs: Vec<DocMeta> = (0..20).map(|_| lo.clone()).collect();
        assert_eq!(
            check(&lo, &Population::new(&docs, [])).unwrap().verdict,
            Verdict::Consistent
        );
    }

    #[test]
    fn a_repack_most_of_the_dump_shares_is_its_norm() {
        let dated = |i: u32| {
            docx(
                "Microsoft Office Word",
                "16.0000",
                "2017-04-10T09:00:00Z",
                &format!("2017-05-{:02}T10:00:00", i % 28 + 1),
            )
        };
        // 30 of 100 packages rewritten: how the dump was made.
        let mut docs: Vec<DocMeta> = (0..30).map(dated).collect();
        docs.extend((0..70).map(|_| word()));
        let pop = Population::new(&docs, []);
        let f = check(&dated(1), &pop).unwrap();
        assert_eq!(f.verdict, Verdict::Consistent, "{}", f.summary);
        assert!(
            f.summary
                .contains("30 of the dump's 100 Office packages, the dump's norm"),
            "{}",
            f.summary
        );
        // One among a hundred that are not: flagged.
        let mut docs: Vec<DocMeta> = (0..99).map(|_| word()).collect();
        docs.push(dated(1));
        let f = check(&dated(1), &Population::new(&docs, [])).unwrap();
        assert_eq!(f.verdict, Verdict::Suspicious, "{}", f.summary);
        assert!(f.summary.contains("(1 of the dump's 100"), "{}", f.summary);
    }

    #[test]
    fn rare_toolchain_and_anachronism() {
        let mut docs: Vec<DocMeta> = (0..19).map(|_| word()).collect();
        let odd = doc(
            "pdf",
            vec![mk(
                store::PDF_INFO,
                &[
                    (key::CREATOR_TOOL, "Writer"),
                    (key::PRODUCER, "iLovePDF 2.1"),
                ],
            )],
        );
        docs.push(odd.clone());
        let pop = Population::new(&docs, []);
        let f = check(&odd, &pop).unwrap();
        assert_eq!(f.verdict, Verdict::Suspicious);
        assert!(
            f.summary
                .contains("\"pdf: writer / ilovepdf #\" is used by 1 of 20"),
            "{}",
            f.summary
        );
        let old = docx(
            "Microsoft Office Word",
            "16.0000",
            "2012-04-10T09:00:00Z",
            "1980-01-01T00:00:00",
        );
        let f = check(&old, &pop).unwrap();
        assert_eq!(f.verdict, Verdict::Suspicious);
        assert!(
            f.summary.contains("Office 2016, first released 2015-03-05"),
            "{}",
            f.summary
        );
    }
}
