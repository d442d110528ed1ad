//! Legacy Office (OLE compound files): the summary property sets, the Word
//! FIB and DOP, and the text of Word, Excel and PowerPoint files. Encrypted
//! OOXML is a compound file too and is recognised here by its streams.

use std::io::{Cursor, Read};

use cfb::CompoundFile;
use leakcheck_core::doc::{key, store};
use leakcheck_core::{DocMeta, Store};

use super::ole_props::{self, FMTID_USER_DEFINED, Section, Value};
use super::{DocLimits, TextSink, dates, ole_text, ole_word};
use crate::{ExtractError, Result};

/// Root entries looked at; real files have a handful.
const MAX_ROOT_ENTRIES: usize = 10_000;
/// BIFF records scanned for FILEPASS (it follows BOF closely).
const MAX_BIFF_RECORDS: usize = 64;

/// Reads an OLE compound document.
pub fn read(bytes: &[u8], limits: &DocLimits, text: &mut TextSink) -> Result<DocMeta> {
    let mut cfb = CompoundFile::open(Cursor::new(bytes)).map_err(|e| {
        ExtractError::malformed("ole", format!("not a readable compound file: {e}"))
    })?;
    let names: Vec<String> = cfb
        .read_root_storage()
        .take(MAX_ROOT_ENTRIES)
        .map(|e| e.name().to_string())
        .collect();
    let has = |n: &str| names.iter().any(|x| x == n);
    let format = if has("EncryptionInfo") && has("EncryptedPackage") {
        "ooxml-encrypted"
    } else if has("WordDocument") {
        "doc"
    } else if has("Workbook") || has("Book") {
        "xls"
    } else if has("PowerPoint Document") {
        "ppt"
    } else {
        "ole"
    };
    let mut meta = DocMeta::new(format);
    meta.encrypted = format == "ooxml-encrypted" || has("EncryptedSummary");
    if let Some(s) = stream(&mut cfb, "\u{5}SummaryInformation", limits, &mut meta) {
        for section in sections(&s, &mut meta) {
            meta.add(summary(&section));
        }
    }
    if let Some(s) = stream(
        &mut cfb,
        "\u{5}DocumentSummaryInformation",
        limits,
        &mut meta,
    ) {
        for section in sections(&s, &mut meta) {
            let store = if section.fmtid == FMTID_USER_DEFINED {
                custom(&section)
            } else {
                doc_summary(&section)
            };
            meta.add(store);
        }
    }
    meta.pages = ["ole.summary", "ole.docsummary"]
        .iter()
        .filter_map(|s| meta.store(s)?.get(key::PAGES)?.parse().ok())
        .find(|&p: &u64| p > 0);
    match format {
        "doc" => {
            if let Some(wd) = stream(&mut cfb, "WordDocument", limits, &mut meta) {
                ole_word::read(
                    &wd,
                    |name| stream(&mut cfb, name, limits, &mut Vec::<String>::new()),
                    &mut meta,
                    text,
                );
            }
        }
        "xls" => {
            let name = if has("Workbook") { "Workbook" } else { "Book" };
            if let Some(wb) = stream(&mut cfb, name, limits, &mut meta) {
                meta.encrypted |= biff_filepass(&wb);
                if !meta.encrypted {
                    ole_text::excel(&wb, text);
                }
            }
        }
        "ppt" if !meta.encrypted => {
            if let Some(doc) = stream(&mut cfb, "PowerPoint Document", limits, &mut meta) {
                ole_text::powerpoint(&doc, text);
            }
        }
        _ => {}
    }
    Ok(meta)
}

/// Where stream warnings go: the record, or nowhere (a missing table stream
/// is reported by the reader that needs it).
trait Warn {
    fn warn(&mut self, w: String);
}

impl Warn for DocMeta {
    fn warn(&mut self, w: String) {
        self.warnings.push(w);
    }
}

impl Warn for Vec<String> {
    fn warn(&mut self, w: String) {
        self.push(w);
    }
}

/// A root stream, at most `max_part_bytes` of it.
fn stream(
    cfb: &mut CompoundFile<Cursor<&[u8]>>,
    name: &str,
    limits: &DocLimits,
    warn: &mut impl Warn,
) -> Option<Vec<u8>> {
    let path = format!("/{name}");
    if !cfb.is_stream(&path) {
        return None;
    }
    let mut s = match cfb.open_stream(&path) {
        Ok(s) => s,
        Err(e) => {
            warn.warn(format!("{}: {e}", name.escape_default()));
            return None;
        }
    };
    let mut out = Vec::new();
    if let Err(e) = (&mut s).take(limits.max_part_bytes).read_to_end(&mut out) {
        warn.warn(format!("{}: {e}", name.escape_default()));
        return None;
    }
    if out.len() as u64 >= limits.max_part_bytes {
        warn.warn(format!(
            "{} is cut at {} bytes",
            name.escape_default(),
            limits.max_part_bytes
        ));
    }
    Some(out)
}

fn sections(stream: &[u8], meta: &mut DocMeta) -> Vec<Section> {
    ole_props::parse(stream).unwrap_or_else(|e| {
        meta.warnings.push(e);
        Vec::new()
    })
}

/// Pushes a property; FILETIMEs are dates unless the id is a duration.
fn push(s: &mut Store, key: &str, tag: &str, v: &Value) {
    match v {
        Value::Time(0) | Value::Other(_) => {}
        Value::Time(t) => s.push_date(
            key,
            tag,
            dates::filetime(*t).unwrap_or_else(|| t.to_string()),
            dates::filetime(*t),
        ),
        v => s.push(key, tag, v.text()),
    }
}

fn summary_name(id: u32) -> Option<(&'static str, &'static str)> {
    Some(match id {
        2 => (key::TITLE, "PIDSI_TITLE"),
        3 => (key::SUBJECT, "PIDSI_SUBJECT"),
        4 => (key::AUTHOR, "PIDSI_AUTHOR"),
        5 => (key::KEYWORDS, "PIDSI_KEYWORDS"),
        6 => (key::DESCRIPTION, "PIDSI_COMMENTS"),
        7 => (key::TEMPLATE, "PIDSI_TEMPLATE"),
        8 => (key::LAST_MODIFIED_BY, "PIDSI_LASTAUTHOR"),
        9 => (key::REVISION, "PIDSI_REVNUMBER"),
        10 => (key::TOTAL_TIME, "PIDSI_EDITTIME"),
        11 => (key::PRINTED, "PIDSI_LASTPRINTED"),
        12 => (key::CREATED, "PIDSI_CREATE_DTM"),
        13 => (key::MODIFIED, "PIDSI_LASTSAVE_DTM"),
        14 => (key::PAGES, "PIDSI_PAGECOUNT"),
        15 => ("PIDSI_WORDCOUNT", "PIDSI_WORDCOUNT"),
        16 => ("PIDSI_CHARCOUNT", "PIDSI_CHARCOUNT"),
        18 => (key::CREATOR_TOOL, "PIDSI_APPNAME"),
        19 => ("PIDSI_DOC_SECURITY", "PIDSI_DOC_SECURITY"),
        _ => return None,
    })
}

fn summary(section: &Section) -> Store {
    let mut s = Store::new(store::OLE_SUMMARY);
    s.push(
        key::CODE_PAGE,
        "PID_CODEPAGE",
        section.code_page.to_string(),
    );
    for (id, v) in &section.props {
        let Some((key, tag)) = summary_name(*id) else {
            continue;
        };
        match (id, v) {
            // Edit time is a FILETIME holding a duration.
            (10, Value::Time(t)) => s.push(key, tag, (t / 600_000_000).to_string()),
            _ => push(&mut s, key, tag, v),
        }
    }
    s
}

fn doc_summary_name(id: u32) -> Option<(&'static str, &'static str)> {
    Some(match id {
        2 => ("PIDDSI_CATEGORY", "PIDDSI_CATEGORY"),
        3 => ("PIDDSI_PRESFORMAT", "PIDDSI_PRESFORMAT"),
        4 => ("PIDDSI_BYTECOUNT", "PIDDSI_BYTECOUNT"),
        5 => ("PIDDSI_LINECOUNT", "PIDDSI_LINECOUNT"),
        6 => ("PIDDSI_PARCOUNT", "PIDDSI_PARCOUNT"),
        7 => (key::PAGES, "PIDDSI_SLIDECOUNT"),
        8 => ("PIDDSI_NOTECOUNT", "PIDDSI_NOTECOUNT"),
        9 => ("PIDDSI_HIDDENCOUNT", "PIDDSI_HIDDENCOUNT"),
        13 => ("PIDDSI_DOCPARTS", "PIDDSI_DOCPARTS"),
        14 => (key::MANAGER, "PIDDSI_MANAGER"),
        15 => (key::COMPANY, "PIDDSI_COMPANY"),
        17 => ("PIDDSI_CCHWITHSPACES", "PIDDSI_CCHWITHSPACES"),
        23 => (key::APP_VERSION, "PIDDSI_VERSION"),
        26 => ("PIDDSI_CONTENTTYPE", "PIDDSI_CONTENTTYPE"),
        27 => ("PIDDSI_CONTENTSTATUS", "PIDDSI_CONTENTSTATUS"),
        28 => (key::LANGUAGE, "PIDDSI_LANGUAGE"),
        29 => ("PIDDSI_DOCVERSION", "PIDDSI_DOCVERSION"),
        _ => return None,
    })
}

fn doc_summary(section: &Section) -> Store {
    let mut s = Store::new(store::OLE_DOC_SUMMARY);
    s.push(
        key::CODE_PAGE,
        "PID_CODEPAGE",
        section.code_page.to_string(),
    );
    for (id, v) in &section.props {
        let Some((key, tag)) = doc_summary_name(*id) else {
            continue;
        };
        match (id, v) {
            // High word major, low word minor (0x000C0000 is 12.0).
            (23, Value::Int(n)) => {
                s.push(key, tag, format!("{}.{}", (n >> 16) & 0xffff, n & 0xffff))
            }
            _ => push(&mut s, key, tag, v),
        }
    }
    s
}

fn custom(section: &Section) -> Store {
    let mut s = Store::new(store::OLE_CUSTOM);
    for (id, v) in &section.props {
        let name = section
            .name(*id)
            .map_or_else(|| format!("PID {id}"), str::to_string);
        push(&mut s, &name, &name, v);
    }
    s
}

/// Whether a BIFF8 workbook stream has a FILEPASS record (it is encrypted).
fn biff_filepass(wb: &[u8]) -> bool {
    let mut at = 0usize;
    for _ in 0..MAX_BIFF_RECORDS {
        let (Some(t), Some(len)) = (wb.get(at..at + 2), wb.get(at + 2..at + 4)) else {
            return false;
        };
        match u16::from_le_bytes([t[0], t[1]]) {
            0x002f => return true,
            0x000a => return false, // EOF of the globals substream
            _ => at += 4 + usize::from(u16::from_le_bytes([len[0], len[1]])),
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;
    use crate::doc::ole_props::tests::{build, filetime, i2, lpstr};
    use crate::doc::testing::corpus;

    const FMTID_SUMMARY: [u8; 16] = [
        0xe0, 0x85, 0x9f, 0xf2, 0xf9, 0x4f, 0x68, 0x10, 0xab, 0x91, 0x08, 0x00, 0x2b, 0x27, 0xb3,
        0xd9,
    ];

    fn compound(streams: &[(&str, Vec<u8>)]) -> Vec<u8> {
        let mut c = CompoundFile::create(Cursor::new(Vec::new())).unwrap();
        for (name, data) in streams {
            c.create_stream(format!("/{name}"))
                .unwrap()
                .write_all(data)
                .unwrap();
        }
        c.into_inner().into_inner()
    }

    #[test]
    fn reads_property_sets_of_a_file_built_here() {
        let summary = build(&[(
            FMTID_SUMMARY,
            vec![
                (1, i2(1251)),
                (2, lpstr(b"\xcf\xeb\xe0\xed")),
                (8, lpstr(b"Bob")),
                (10, filetime(36_000_000_000)),
                (12, filetime(130_000_000_000_000_000)),
            ],
        )]);
        let mut version = vec![3, 0, 0, 0];
        version.extend(0x000f_0000u32.to_le_bytes());
        let doc_summary = build(&[
            ([2; 16], vec![(15, lpstr(b"ACME")), (23, version)]),
            (
                FMTID_USER_DEFINED,
                vec![
                    (0, {
                        let mut d = 1u32.to_le_bytes().to_vec();
                        d.extend(2u32.to_le_bytes());
                        d.extend(6u32.to_le_bytes());
                        d.extend(b"Owner\0");
                        d
                    }),
                    (2, lpstr(b"Eve")),
                ],
            ),
        ]);
        let bytes = compound(&[
            ("\u{5}SummaryInformation", summary),
            ("\u{5}DocumentSummaryInformation", doc_summary),
            ("Workbook", vec![0x09, 0x08, 0, 0, 0x2f, 0, 0, 0]),
        ]);
        let meta = read(&bytes, &DocLimits::default(), &mut TextSink::new(100)).unwrap();
        assert_eq!(meta.format, "xls");
        assert!(meta.encrypted);
        let s = meta.store(store::OLE_SUMMARY).unwrap();
        assert_eq!(s.get(key::TITLE), Some("План"));
        assert_eq!(s.get(key::CODE_PAGE), Some("1251"));
        assert_eq!(s.get(key::LAST_MODIFIED_BY), Some("Bob"));
        assert_eq!(s.get(key::TOTAL_TIME), Some("60"));
        assert_eq!(
            s.field(key::CREATED).and_then(|f| f.date.as_deref()),
            Some("2012-12-14T23:06:40Z")
        );
        let d = meta.store(store::OLE_DOC_SUMMARY).unwrap();
        assert_eq!(d.get(key::COMPANY), Some("ACME"));
        assert_eq!(d.get(key::APP_VERSION), Some("15.0"));
        assert_eq!(
            meta.store(store::OLE_CUSTOM).and_then(|c| c.get("Owner")),
            Some("Eve")
        );
    }

    #[test]
    fn hostile_compound_files() {
        let mut text = TextSink::new(100);
        assert!(read(b"\xd0\xcf\x11\xe0garbage", &DocLimits::default(), &mut text).is_err());
        let bytes = compound(&[
            ("\u{5}SummaryInformation", b"\xfe\xff\0\0junk".to_vec()),
            ("WordDocument", vec![0xec, 0xa5, 1]),
        ]);
        let meta = read(&bytes, &DocLimits::default(), &mut text).unwrap();
        assert_eq!(meta.format, "doc");
        assert!(!meta.warnings.is_empty());
        let bytes = compound(&[("EncryptionInfo", vec![1]), ("EncryptedPackage", vec![2])]);
        let meta = read(&bytes, &DocLimits::default(), &mut text).unwrap();
        assert_eq!(
            (meta.format.as_str(), meta.encrypted),
            ("ooxml-encrypted", true)
        );
    }

    #[test]
    fn corpus_signals() {
        let limits = DocLimits::default();
        if let Some(b) = corpus("tika/testWORD_protected_passtika.doc") {
            let meta = read(&b, &limits, &mut TextSink::new(1 << 20)).unwrap();
            assert!(meta.encrypted);
            assert_eq!(
                meta.store(store::OLE_SUMMARY)
                    .and_then(|s| s.get(key::CODE_PAGE)),
                Some("1250")
            );
        }
        if let Some(b) = corpus("tika/testWORD_multi_authors.doc") {
            let meta = read(&b, &limits, &mut TextSink::new(1 << 20)).unwrap();
            let created = |store: &str| {
                meta.store(store)
                    .and_then(|s| s.field(key::CREATED))
                    .and_then(|f| f.date.clone())
            };
            assert_eq!(
                created(store::OLE_SUMMARY).as_deref(),
                Some("2015-10-07T18:18:00Z")
            );
            assert_eq!(
                created(store::WORD_FIB).as_deref(),
                Some("2015-10-07T14:18:00")
            );
        }
        if let Some(b) = corpus("tika/testPPT_custom_props.ppt") {
            let meta = read(&b, &limits, &mut TextSink::new(1 << 20)).unwrap();
            assert_eq!(meta.format, "ppt");
            assert_eq!(
                meta.store(store::OLE_CUSTOM)
                    .and_then(|s| s.get("MyCustomString")),
                Some("MyStringValue")
            );
        }
        if let Some(b) = corpus("tika/testWORD.doc") {
            let mut text = TextSink::new(1 << 20);
            read(&b, &limits, &mut text).unwrap();
            assert!(text.into_string().contains("Sample Word Document"));
        }
    }
}
