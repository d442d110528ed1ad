//! PDF: Info dictionary, XMP, pages, revisions, text.
//!
//! The structure (revisions, linearisation, keywords) comes from our own byte
//! scan ([`pdf_layout`](super::pdf_layout)); objects come from lopdf. Each
//! earlier revision is loaded from its prefix of the file, because lopdf
//! merges the xref sections and keeps only the final state.

use leakcheck_core::doc::{key, store};
use leakcheck_core::{DocMeta, Store};
use lopdf::{Dictionary, Document, LoadOptions, Object};

use super::{DocLimits, TextSink, dates, pdf_layout, pdf_raw, pdf_text, xmp};
use crate::{ExtractError, Result};

/// Earlier revisions loaded to read their Info dictionary.
const MAX_REVISION_LOADS: usize = 32;

/// Reads a PDF.
pub fn read(bytes: &[u8], limits: &DocLimits, text: &mut TextSink) -> Result<DocMeta> {
    let scan = pdf_layout::scan(bytes);
    if scan.header_at.is_none() {
        return Err(ExtractError::malformed("pdf", "no %PDF- header in the first 1024 bytes"));
    }
    let mut meta = DocMeta::new("pdf");
    layout_warnings(&scan, &mut meta.warnings);
    let final_info = match load(bytes, limits) {
        Ok(doc) => read_document(&doc, limits, text, &mut meta),
        Err(e) => {
            meta.warnings.push(format!("object parser: {e}; metadata read by a raw scan"));
            meta.encrypted = scan.layout.keywords.iter().any(|(k, _)| k == "/Encrypt");
            read_raw(bytes, &scan, &mut meta)
        }
    };
    let mut layout = scan.layout;
    let earlier = layout.revisions.len().saturating_sub(1);
    if earlier > MAX_REVISION_LOADS {
        meta.warnings.push(format!(
            "{earlier} earlier revisions: Info read for the first {MAX_REVISION_LOADS} only"
        ));
    }
    for rev in layout.revisions.iter_mut().take(earlier.min(MAX_REVISION_LOADS)) {
        let prefix = bytes.get(..rev.end as usize).unwrap_or(bytes);
        rev.info = load(prefix, limits)
            .ok()
            .and_then(|doc| trailer_info(&doc))
            .filter(|info| Some(&info.fields) != final_info.as_ref().map(|f| &f.fields));
    }
    meta.pdf = Some(layout);
    Ok(meta)
}

fn load(bytes: &[u8], limits: &DocLimits) -> lopdf::Result<Document> {
    let options = LoadOptions {
        max_decompressed_size: Some(usize::try_from(limits.max_part_bytes).unwrap_or(usize::MAX)),
        ..LoadOptions::default()
    };
    Document::load_mem_with_options(bytes, options)
}

fn layout_warnings(scan: &pdf_layout::Scan, warnings: &mut Vec<String>) {
    if scan.layout.revisions.is_empty() {
        warnings.push("no %%EOF marker: the file is truncated or damaged".into());
    }
    if !scan.obfuscated.is_empty() {
        warnings.push(format!("names hidden with #xx escapes: {}", scan.obfuscated.join(", ")));
    }
    if scan.info_refs.len() > 1 {
        let refs: Vec<String> = scan.info_refs.iter().map(|(n, g)| format!("{n} {g} R")).collect();
        warnings.push(format!("duplicate Info dictionaries: trailers name {}", refs.join(", ")));
    }
}

/// Reads what a loaded document holds; returns its Info store (before the
/// page count is added) for comparison with earlier revisions.
fn read_document(doc: &Document, limits: &DocLimits, text: &mut TextSink, meta: &mut DocMeta) -> Option<Store> {
    meta.encrypted = doc.was_encrypted() || doc.is_encrypted();
    if doc.is_encrypted() {
        meta.warnings.push("encrypted: metadata not readable without the password".into());
        return None;
    }
    let info = trailer_info(doc);
    let pages = doc.get_pages();
    meta.pages = (!pages.is_empty()).then_some(pages.len() as u64);
    let mut info_store = info.clone().unwrap_or_else(|| Store::new(store::PDF_INFO));
    if let Some(n) = meta.pages {
        info_store.push(key::PAGES, "PageCount", n.to_string());
    }
    meta.add(info_store);
    match catalog_xmp(doc, limits) {
        Ok(Some(packet)) => add_xmp(&packet, meta),
        Ok(None) => {}
        Err(e) => meta.warnings.push(format!("XMP stream: {e}")),
    }
    meta.warnings.extend(pdf_text::extract(doc, &pages, limits, text));
    info
}

/// Falls back to raw scans for a file lopdf cannot load: the XMP packet and,
/// unless encrypted (its strings would be ciphertext), the trailer's Info.
fn read_raw(bytes: &[u8], scan: &pdf_layout::Scan, meta: &mut DocMeta) -> Option<Store> {
    if let Some(packet) = pdf_raw::xmp_packet(bytes) {
        add_xmp(packet, meta);
    }
    if meta.encrypted {
        meta.warnings.push("encrypted: metadata not readable without the password".into());
        return None;
    }
    let info = scan.info_refs.last().and_then(|r| pdf_raw::info_dict(bytes, *r))?;
    let mut out = Store::new(store::PDF_INFO);
    for (name, value) in &info {
        push_info(&mut out, name, &decode_text(value));
    }
    meta.add(out.clone());
    Some(out)
}

fn add_xmp(packet: &[u8], meta: &mut DocMeta) {
    let (xmp, warning) = xmp::parse(packet);
    meta.add(xmp);
    meta.warnings.extend(warning.map(|w| format!("XMP: {w}")));
}

/// The catalog's `/Metadata` stream, decompressed.
fn catalog_xmp(doc: &Document, limits: &DocLimits) -> lopdf::Result<Option<Vec<u8>>> {
    let Ok(metadata) = doc.catalog().and_then(|c| c.get(b"Metadata")) else {
        return Ok(None);
    };
    let stream = doc.dereference(metadata)?.1.as_stream()?;
    let max = usize::try_from(limits.max_part_bytes).unwrap_or(usize::MAX);
    stream.get_plain_content_with_limit(max).map(Some)
}

/// The trailer's Info dictionary as a store.
fn trailer_info(doc: &Document) -> Option<Store> {
    let info = doc.trailer.get(b"Info").ok()?;
    let dict = doc.dereference(info).ok()?.1.as_dict().ok()?;
    Some(info_store(doc, dict))
}

fn info_store(doc: &Document, dict: &Dictionary) -> Store {
    let mut out = Store::new(store::PDF_INFO);
    for (name, value) in dict.iter() {
        let value = doc.dereference(value).map_or(value, |(_, v)| v);
        if let Some(text) = object_text(value) {
            push_info(&mut out, &String::from_utf8_lossy(name), &text);
        }
    }
    out
}

/// A scalar Info value as text; arrays and dictionaries are skipped.
fn object_text(value: &Object) -> Option<String> {
    Some(match value {
        Object::String(bytes, _) => decode_text(bytes),
        Object::Name(name) => String::from_utf8_lossy(name).into_owned(),
        Object::Integer(i) => i.to_string(),
        Object::Real(r) => r.to_string(),
        Object::Boolean(b) => b.to_string(),
        _ => return None,
    })
}

/// Adds one Info entry under its canonical key.
fn push_info(out: &mut Store, name: &str, value: &str) {
    let tag = format!("/{name}");
    match name {
        "CreationDate" => out.push_date(key::CREATED, &tag, value, dates::pdf(value)),
        "ModDate" => out.push_date(key::MODIFIED, &tag, value, dates::pdf(value)),
        _ => {
            let canonical = match name {
                "Title" => key::TITLE,
                "Author" => key::AUTHOR,
                "Subject" => key::SUBJECT,
                "Keywords" => key::KEYWORDS,
                "Creator" => key::CREATOR_TOOL,
                "Producer" => key::PRODUCER,
                _ => tag.as_str(),
            };
            out.push(canonical, &tag, value);
        }
    }
}

/// A PDF text string (ISO 32000-1 §7.9.2.2): UTF-16BE with a byte-order
/// mark, UTF-8 with one (PDF 2.0), else PDFDocEncoding. UTF-16LE with its
/// mark is not standard but some writers produce it.
pub(super) fn decode_text(bytes: &[u8]) -> String {
    match bytes {
        [0xfe, 0xff, rest @ ..] => encoding_rs::UTF_16BE.decode_without_bom_handling(rest).0.into_owned(),
        [0xff, 0xfe, rest @ ..] => encoding_rs::UTF_16LE.decode_without_bom_handling(rest).0.into_owned(),
        [0xef, 0xbb, 0xbf, rest @ ..] => String::from_utf8_lossy(rest).into_owned(),
        _ => bytes.iter().map(|&b| pdf_doc_char(b)).collect(),
    }
}

/// PDFDocEncoding (ISO 32000-1 Annex D): Latin-1 except these code points.
fn pdf_doc_char(b: u8) -> char {
    const LOW: [char; 8] = ['\u{02d8}', '\u{02c7}', '\u{02c6}', '\u{02d9}', '\u{02dd}', '\u{02db}', '\u{02da}', '\u{02dc}'];
    const HIGH: [char; 32] = [
        '\u{2022}', '\u{2020}', '\u{2021}', '\u{2026}', '\u{2014}', '\u{2013}', '\u{0192}', '\u{2044}', '\u{2039}',
        '\u{203a}', '\u{2212}', '\u{2030}', '\u{201e}', '\u{201c}', '\u{201d}', '\u{2018}', '\u{2019}', '\u{201a}',
        '\u{2122}', '\u{fb01}', '\u{fb02}', '\u{0141}', '\u{0152}', '\u{0160}', '\u{0178}', '\u{017d}', '\u{0131}',
        '\u{0142}', '\u{0153}', '\u{0161}', '\u{017e}', '\u{fffd}',
    ];
    match b {
        0x18..=0x1f => LOW[usize::from(b - 0x18)],
        0x80..=0x9f => HIGH[usize::from(b - 0x80)],
        0xa0 => '\u{20ac}',
        0xad => '\u{fffd}',
        _ => char::from(b),
    }
}
