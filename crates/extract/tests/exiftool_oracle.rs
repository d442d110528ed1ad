//! Our metadata against ExifTool's, on every sample of the shared corpus that
//! ExifTool reads (`FILE.exiftool.json`, made with `exiftool -j -G1 -a -n`).
//!
//! Each ExifTool group maps to the stores that hold the same data here, and
//! each tag to a canonical key. Values are compared after light normalising
//! (dates to seconds, numbers as numbers, lists as sets). Agreement must be
//! at least 98 %, and every disagreement must be one of [`EXPLAINED`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use leakcheck_core::{DocMeta, Kind};
use leakcheck_extract::doc::{self, DocLimits, dates};
use serde_json::Value;

/// Disagreements we understand, as `file|group:tag` and why.
const EXPLAINED: &[(&str, &str)] = &[
    (
        "testPDF-custommetadata.pdf|XMP-bib:Title",
        "bib:title is the title of a publication cited in a custom schema, not the document's; kept under its own tag",
    ),
    (
        "testRTF-ms932.rtf|RTF:Title",
        "ExifTool 12.57 ignores \\ansicpg932 and shows the Shift-JIS bytes as cp1252 mojibake; we decode them as タイトル",
    ),
    (
        "PDF.pdf|IFD0:Make",
        "EXIF inside the Photoshop image resources of /PieceInfo/AdobePhotoshop: not read from PDFs",
    ),
    ("PDF.pdf|IFD0:Model", "as PDF.pdf|IFD0:Make"),
    ("PDF.pdf|IFD0:Software", "as PDF.pdf|IFD0:Make"),
    ("PDF.pdf|IFD0:ModifyDate", "as PDF.pdf|IFD0:Make"),
    ("PDF.pdf|ExifIFD:CreateDate", "as PDF.pdf|IFD0:Make"),
    ("PDF.pdf|ExifIFD:DateTimeOriginal", "as PDF.pdf|IFD0:Make"),
];

fn corpus() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    if p.exists() {
        Some(p)
    } else {
        leakcheck_core::testing::skip(&format!("shared corpus not found at {}", p.display()));
        None
    }
}

/// The tags the issue names, and the canonical key each becomes.
fn key_for(group: &str, tag: &str) -> Option<&'static str> {
    use leakcheck_core::doc::key;
    Some(match (group, tag) {
        (_, "Title") => key::TITLE,
        ("PDF" | "XMP-xmp" | "XMP-meta" | "XMP-pdf", "Creator")
        | (_, "CreatorTool" | "Application" | "Generator") => key::CREATOR_TOOL,
        // OLE PIDSI_APPNAME: the authoring application, like OOXML's Application.
        ("FlashPix", "Software") => key::CREATOR_TOOL,
        (_, "Author" | "Creator") => key::AUTHOR,
        (_, "LastModifiedBy" | "LastAuthor") => key::LAST_MODIFIED_BY,
        (_, "Company") => key::COMPANY,
        (_, "CreateDate" | "Creation-date") => key::CREATED,
        (_, "ModifyDate") => key::MODIFIED,
        (_, "Producer") => key::PRODUCER,
        (_, "Software") => key::SOFTWARE,
        (_, "Make") => key::MAKE,
        (_, "Model") => key::MODEL,
        (_, "DateTimeOriginal") => key::DATE_TIME_ORIGINAL,
        (_, "PageCount" | "Pages" | "Document-statisticPage-count") => key::PAGES,
        _ => return None,
    })
}

/// The stores that hold what ExifTool shows in a group; `None` for groups
/// outside this scope (maker notes, composite tags...).
fn stores_for(group: &str, format: &str) -> Option<&'static [&'static str]> {
    use leakcheck_core::doc::store;
    Some(match group {
        "PDF" => &[store::PDF_INFO],
        // ExifTool shows OOXML core.xml and ODF meta.xml as XMP.
        g if g.starts_with("XMP") => match format {
            "docx" | "xlsx" | "pptx" => &[store::OOXML_CORE, store::XMP],
            "odt" | "ods" | "odp" => &[store::ODF_META, store::XMP],
            _ => &[store::XMP],
        },
        "XML" => &[store::OOXML_CORE, store::OOXML_APP, store::OOXML_CUSTOM],
        "FlashPix" => &[store::OLE_SUMMARY, store::OLE_DOC_SUMMARY],
        "MS-DOC" => &[store::WORD_FIB],
        "RTF" => &[store::RTF_INFO],
        g if g.starts_with("HTML") => &[store::HTML_META],
        "IFD0" => &[store::EXIF_IFD0],
        "ExifIFD" => &[store::EXIF_EXIF],
        "PNG" => &[store::PNG_TEXT],
        _ => return None,
    })
}

fn kind_of(path: &Path) -> Kind {
    leakcheck_extract::sniff(&std::fs::read(path).unwrap())
}

/// ExifTool `-n` date (`2009:10:24 01:41:00Z`, `...00.574+02:00`) to our form.
fn exif_date(s: &str) -> Option<String> {
    if s.as_bytes().get(4) == Some(&b'-') {
        return dates::iso(s); // some writers put ISO 8601 in EXIF DateTime; ExifTool shows it as is
    }
    let (body, zone) = if s.len() > 19 {
        let rest = &s[19..];
        let zone_at = rest.find(['Z', '+', '-']).map(|i| &rest[i..]);
        (&s[..19], zone_at)
    } else {
        (s, None)
    };
    let mut iso = body.replacen(':', "-", 2).replacen(' ', "T", 1);
    if let Some(z) = zone {
        iso.push_str(z);
    }
    dates::iso(&iso).or_else(|| dates::exif(body))
}

fn same_date(expected: &str, ours: &str) -> bool {
    let (Some(e), Some((o, oz))) = (
        exif_date(expected).and_then(|d| dates::parse(&d)),
        dates::parse(ours),
    ) else {
        return false;
    };
    let (e, ez) = e;
    // A zone one side states and the other does not is not a disagreement
    // about the value; differing stated zones are.
    e == o && (ez.is_none() || oz.is_none() || ez == oz)
}

fn same(expected: &Value, ours: &[&leakcheck_core::Field], is_date: bool) -> bool {
    let wanted: Vec<String> = match expected {
        Value::Array(a) => a.iter().map(scalar).collect(),
        v => vec![scalar(v)],
    };
    wanted.iter().all(|w| {
        ours.iter().any(|f| {
            if is_date {
                f.date.as_deref().is_some_and(|d| same_date(w, d))
            } else {
                let (a, b) = (w.trim(), f.value.trim());
                a == b
                    || a.parse::<f64>().ok().zip(b.parse::<f64>().ok()).is_some_and(|(x, y)| x == y)
                    // ExifTool joins list values (dc:creator Seq) with ", ".
                    || a.split(", ").all(|part| ours.iter().any(|g| g.value.trim() == part))
            }
        })
    })
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[derive(Default)]
struct Tally {
    agree: usize,
    disagree: Vec<String>,
    unexplained: Vec<String>,
}

#[test]
fn agrees_with_exiftool() {
    let Some(root) = corpus() else { return };
    let mut t = Tally::default();
    let mut files = 0;
    for dir in ["exiftool", "tika"] {
        let mut entries: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        for json in entries
            .iter()
            .filter(|p| p.to_string_lossy().ends_with(".exiftool.json"))
        {
            let sample = PathBuf::from(json.to_string_lossy().trim_end_matches(".exiftool.json"));
            let oracle: Value = serde_json::from_slice(&std::fs::read(json).unwrap()).unwrap();
            let Some(tags) = oracle.get(0).and_then(Value::as_object) else {
                continue;
            };
            if tags.keys().any(|k| k == "ExifTool:Error") {
                continue; // ExifTool does not read it
            }
            let kind = kind_of(&sample);
            if !doc::handles(kind) {
                continue;
            }
            let bytes = std::fs::read(&sample).unwrap();
            let meta: DocMeta = match leakcheck_extract::guard(|| {
                doc::extract(kind, &bytes, &DocLimits::default())
            }) {
                Ok(x) => x.meta,
                Err(e) => {
                    eprintln!("{}: {e}", sample.display());
                    DocMeta::new(kind.as_str())
                }
            };
            files += 1;
            let name = sample.file_name().unwrap().to_string_lossy().into_owned();
            for (full, value) in tags {
                let Some((group, tag)) = full.split_once(':') else {
                    continue;
                };
                let (Some(key), Some(stores)) =
                    (key_for(group, tag), stores_for(group, &meta.format))
                else {
                    continue;
                };
                if matches!(value, Value::String(s) if s.trim().is_empty() || s.starts_with("0000:00:00"))
                {
                    continue; // ExifTool shows an empty or zero value; we record absence
                }
                let ours: Vec<_> = meta
                    .stores
                    .iter()
                    .filter(|s| stores.contains(&s.name.as_str()))
                    .flat_map(|s| s.fields.iter().filter(|f| f.key == key))
                    .collect();
                let is_date = key.contains("date") || key == "created" || key == "modified";
                let id = format!("{name}|{full}");
                if same(value, &ours, is_date) {
                    t.agree += 1;
                } else {
                    let got: Vec<_> = ours
                        .iter()
                        .map(|f| f.date.clone().unwrap_or(f.value.clone()))
                        .collect();
                    let line = format!("{id}: exiftool {value} / ours {got:?}");
                    if !EXPLAINED.iter().any(|(e, _)| *e == id) {
                        t.unexplained.push(line.clone());
                    }
                    t.disagree.push(line);
                }
            }
        }
    }
    let total = t.agree + t.disagree.len();
    let pct = 100.0 * t.agree as f64 / total.max(1) as f64;
    eprintln!(
        "{files} files, {total} values compared, {} agree ({pct:.1} %)",
        t.agree
    );
    for d in &t.disagree {
        eprintln!("  {d}");
    }
    let mut by_file: BTreeMap<&str, usize> = BTreeMap::new();
    for d in &t.unexplained {
        *by_file.entry(d.split('|').next().unwrap()).or_default() += 1;
    }
    assert!(
        t.unexplained.is_empty(),
        "unexplained disagreements: {:#?}",
        t.unexplained
    );
    assert!(pct >= 98.0, "agreement {pct:.1} % is under 98 %");
}
