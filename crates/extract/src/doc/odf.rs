//! OpenDocument packages (odt, ods, odp): `meta.xml`, ZIP entry dates (ODF
//! writes the save time there) and the text of `content.xml`.

use leakcheck_core::doc::{key, store};
use leakcheck_core::{DocMeta, Kind, Store};

use super::office_xml::{self, Leaf, Step};
use super::package::Package;
use super::{DocLimits, TextSink, dates};
use crate::Result;

/// Spaces one `text:s` may stand for.
const MAX_SPACES: usize = 1_000;

/// Reads an ODF package.
pub fn read(kind: Kind, bytes: &[u8], limits: &DocLimits, text: &mut TextSink) -> Result<DocMeta> {
    let mut meta = DocMeta::new(match kind {
        Kind::Ods => "ods",
        Kind::Odp => "odp",
        _ => "odt",
    });
    let mut pkg = Package::open("odf", bytes, limits.max_part_bytes, &mut meta)?;
    let encrypted = encrypted_parts(&mut pkg, &mut meta);
    meta.encrypted = !encrypted.is_empty();
    let readable = |name: &str| !encrypted.iter().any(|e| e == name);
    if readable("meta.xml")
        && let Some(part) = pkg.part_or_warn("meta.xml", &mut meta)
    {
        let (leaves, warning) = office_xml::leaves(&part);
        if let Some(w) = warning {
            meta.warnings.push(format!("meta.xml: {w}"));
        }
        let store = meta_store(&leaves);
        meta.pages = store.get(key::PAGES).and_then(|p| p.parse().ok());
        meta.add(store);
    }
    if readable("content.xml")
        && let Some(part) = pkg.part_or_warn("content.xml", &mut meta)
        && let Some(w) = content_text(&part, text)
    {
        meta.warnings.push(format!("content.xml: {w}"));
    }
    Ok(meta)
}

/// Parts the manifest lists with `manifest:encryption-data`.
fn encrypted_parts(pkg: &mut Package, meta: &mut DocMeta) -> Vec<String> {
    let Some(manifest) = pkg.part_or_warn("META-INF/manifest.xml", meta) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let warning = office_xml::walk(&manifest, |step| {
        if let Step::Open([.., entry, e]) = step
            && e.name == "manifest:encryption-data"
            && let Some(path) = entry.attr("manifest:full-path")
        {
            out.push(path.to_string());
        }
        true
    });
    if let Some(w) = warning {
        meta.warnings.push(format!("META-INF/manifest.xml: {w}"));
    }
    out
}

fn meta_key(tag: &str) -> Option<&'static str> {
    Some(match tag {
        "meta:generator" => key::CREATOR_TOOL,
        "dc:title" => key::TITLE,
        "dc:description" => key::DESCRIPTION,
        "dc:subject" => key::SUBJECT,
        "meta:keyword" => key::KEYWORDS,
        "meta:initial-creator" => key::AUTHOR,
        // In ODF dc:creator is whoever saved last.
        "dc:creator" => key::LAST_MODIFIED_BY,
        "meta:creation-date" => key::CREATED,
        "dc:date" => key::MODIFIED,
        "meta:print-date" => key::PRINTED,
        "meta:editing-cycles" => key::REVISION,
        "meta:editing-duration" => key::TOTAL_TIME,
        "dc:language" => key::LANGUAGE,
        "meta:document-statistic/@meta:page-count" => key::PAGES,
        "meta:template/@xlink:href" => key::TEMPLATE,
        _ => return None,
    })
}

fn meta_store(leaves: &[Leaf]) -> Store {
    let mut s = Store::new(store::ODF_META);
    for leaf in leaves
        .iter()
        .filter(|l| l.parent().is_some_and(|p| p.name == "office:meta"))
    {
        let Some(e) = leaf.elem() else { continue };
        match e.name.as_str() {
            "meta:user-defined" => {
                let name = e.attr("meta:name").unwrap_or("meta:user-defined");
                if e.attr("meta:value-type") == Some("date") {
                    s.push_date(name, name, &leaf.text, dates::iso(&leaf.text));
                } else {
                    s.push(name, name, &leaf.text);
                }
            }
            // Attribute-only elements: each attribute is a field.
            "meta:document-statistic"
            | "meta:template"
            | "meta:auto-reload"
            | "meta:hyperlink-behaviour" => {
                for (attr, value) in &e.attrs {
                    let tag = format!("{}/@{attr}", e.name);
                    let key = meta_key(&tag).unwrap_or(&tag).to_string();
                    if attr == "meta:date" {
                        s.push_date(&key, &tag, value, dates::iso(value));
                    } else {
                        s.push(&key, &tag, value);
                    }
                }
            }
            "meta:editing-duration" => {
                let minutes = duration_minutes(&leaf.text)
                    .map_or_else(|| leaf.text.clone(), |m| m.to_string());
                s.push(key::TOTAL_TIME, &e.name, minutes);
            }
            tag => {
                let key = meta_key(tag).unwrap_or(tag);
                if matches!(tag, "meta:creation-date" | "dc:date" | "meta:print-date") {
                    s.push_date(key, tag, &leaf.text, dates::iso(&leaf.text));
                } else {
                    s.push(key, tag, &leaf.text);
                }
            }
        }
    }
    s
}

/// An ISO 8601 duration (`P1DT2H3M4.5S`) in whole minutes.
fn duration_minutes(raw: &str) -> Option<u64> {
    let rest = raw.trim().strip_prefix('P')?;
    let mut secs = 0f64;
    let mut in_time = false;
    let mut num = String::new();
    for c in rest.chars() {
        match c {
            'T' => in_time = true,
            '0'..='9' | '.' => num.push(c),
            unit => {
                let n: f64 = num.parse().ok()?;
                num.clear();
                secs += n * match (unit, in_time) {
                    ('D', false) => 86_400.0,
                    ('W', false) => 604_800.0,
                    ('H', true) => 3_600.0,
                    ('M', true) => 60.0,
                    ('S', true) => 1.0,
                    _ => return None,
                };
            }
        }
    }
    (num.is_empty() && secs.is_finite()).then_some((secs / 60.0) as u64)
}

/// Paragraph and heading text, with ODF's tab, line-break and space elements.
fn content_text(part: &[u8], text: &mut TextSink) -> Option<String> {
    office_xml::walk(part, |step| {
        match step {
            Step::Text(stack, t)
                if stack
                    .iter()
                    .any(|e| e.name == "text:p" || e.name == "text:h") =>
            {
                text.push(t)
            }
            Step::Open([.., e]) => match e.name.as_str() {
                "text:tab" => text.push("\t"),
                "text:line-break" => text.push("\n"),
                "text:s" => {
                    let n = e
                        .attr("text:c")
                        .and_then(|c| c.parse().ok())
                        .unwrap_or(1usize);
                    text.push(&" ".repeat(n.min(MAX_SPACES)));
                }
                _ => {}
            },
            Step::Close([.., e]) if e.name == "text:p" || e.name == "text:h" => text.break_line(),
            _ => {}
        }
        !text.is_full()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::testing::zip;

    const META: &str = r#"<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" xmlns:xlink="http://www.w3.org/1999/xlink"><office:meta>
<meta:generator>LibreOffice/7.3</meta:generator><meta:initial-creator>Ann</meta:initial-creator><dc:creator>Bob</dc:creator>
<meta:creation-date>2022-08-24T16:24:00.574000000</meta:creation-date><meta:editing-duration>PT1H2M7S</meta:editing-duration>
<meta:template xlink:type="simple" xlink:href="../t.ott" xlink:title="T" meta:date="2020-01-01T00:00:00"/>
<meta:user-defined meta:name="Info 1">secret</meta:user-defined><meta:document-statistic meta:page-count="2" meta:word-count="9"/></office:meta></office:document-meta>"#;
    const CONTENT: &str = r#"<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>
<text:h>Title</text:h><text:p>a<text:tab/>b<text:s text:c="2"/>c<text:line-break/>d &amp; e</text:p></office:text></office:body></office:document-content>"#;

    #[test]
    fn reads_an_odt_built_here() {
        let bytes = zip(&[
            ("mimetype", "application/vnd.oasis.opendocument.text"),
            ("meta.xml", META),
            ("content.xml", CONTENT),
        ]);
        let mut text = TextSink::new(1000);
        let meta = read(Kind::Odt, &bytes, &DocLimits::default(), &mut text).unwrap();
        assert!(meta.warnings.is_empty(), "{:?}", meta.warnings);
        let s = meta.store(store::ODF_META).unwrap();
        assert_eq!(s.get(key::AUTHOR), Some("Ann"));
        assert_eq!(s.get(key::LAST_MODIFIED_BY), Some("Bob"));
        assert_eq!(s.get(key::CREATOR_TOOL), Some("LibreOffice/7.3"));
        assert_eq!(
            s.field(key::CREATED).and_then(|f| f.date.as_deref()),
            Some("2022-08-24T16:24:00")
        );
        assert_eq!(s.get(key::TOTAL_TIME), Some("62"));
        assert_eq!(s.get(key::TEMPLATE), Some("../t.ott"));
        assert_eq!(s.get("Info 1"), Some("secret"));
        assert_eq!(meta.pages, Some(2));
        assert_eq!(text.into_string(), "Title\na\tb  c\nd & e\n");
    }

    #[test]
    fn encrypted_missing_and_broken() {
        let manifest = r#"<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="content.xml"><manifest:encryption-data/></manifest:file-entry></manifest:manifest>"#;
        let bytes = zip(&[
            ("META-INF/manifest.xml", manifest),
            ("meta.xml", META),
            ("content.xml", "\u{1}\u{2}binary"),
        ]);
        let mut text = TextSink::new(1000);
        let meta = read(Kind::Odt, &bytes, &DocLimits::default(), &mut text).unwrap();
        assert!(meta.encrypted);
        assert!(meta.warnings.is_empty(), "{:?}", meta.warnings);
        assert!(meta.store(store::ODF_META).is_some());
        let meta = read(
            Kind::Odt,
            &zip(&[("mimetype", "x")]),
            &DocLimits::default(),
            &mut text,
        )
        .unwrap();
        assert!(meta.stores.is_empty());
        let meta = read(
            Kind::Odt,
            &zip(&[("meta.xml", &META[..200])]),
            &DocLimits::default(),
            &mut text,
        )
        .unwrap();
        assert!(!meta.warnings.is_empty());
        assert!(read(Kind::Odt, b"not a zip", &DocLimits::default(), &mut text).is_err());
        assert_eq!(duration_minutes("P1DT0H0M"), Some(1440));
        assert_eq!(duration_minutes("PT1M7"), None);
        assert_eq!(duration_minutes("garbage"), None);
    }

    #[test]
    fn corpus_files() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/tika");
        let Ok(b) = std::fs::read(dir.join("testODTEncrypted.odt")) else {
            return leakcheck_core::testing::skip(
                "shared corpus tika/testODTEncrypted.odt not found",
            );
        };
        let meta = read(
            Kind::Odt,
            &b,
            &DocLimits::default(),
            &mut TextSink::new(1 << 20),
        )
        .unwrap();
        assert!(meta.encrypted);
        if let Ok(b) = std::fs::read(dir.join("testODTNoMeta.odt")) {
            let mut text = TextSink::new(1 << 20);
            let meta = read(Kind::Odt, &b, &DocLimits::default(), &mut text).unwrap();
            assert!(meta.store(store::ODF_META).is_none());
        }
        if let Ok(b) = std::fs::read(dir.join("testODTnotaZipFile.odt")) {
            assert!(
                read(
                    Kind::Odt,
                    &b,
                    &DocLimits::default(),
                    &mut TextSink::new(1 << 20)
                )
                .is_err()
            );
        }
    }
}
